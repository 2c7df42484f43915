"""`--charts DIR` on plan and settle writes titled charts as HTML and PNG."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tradegap.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def test_plan_charts_include_what_binds(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", "run", str(ROOT / "scenarios" / "all-sectors.toml"),
                                 "--charts", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("balance_path", "mix", "binding"):
        assert (tmp_path / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    html = (tmp_path / "binding.html").read_text()
    assert "What binds" in html and "per year for one step" in html


def test_settle_charts(tmp_path: Path) -> None:
    scenario = ROOT / "scenarios" / "settlement-historical.toml"
    result = runner.invoke(app, ["settle", "run", str(scenario), "--charts", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "vostro" in (tmp_path / "vostro.html").read_text().lower()
    assert (tmp_path / "cost.png").stat().st_size > 1000


def test_charts_written_together_share_one_plotly_bundle(tmp_path: Path) -> None:
    scenario = ROOT / "scenarios" / "settlement-historical.toml"
    result = runner.invoke(app, ["settle", "run", str(scenario), "--charts", str(tmp_path)])
    assert result.exit_code == 0, result.output
    pages = sorted(tmp_path.glob("*.html"))
    assert len(pages) >= 2
    bundle = tmp_path / "plotly.min.js"
    assert bundle.stat().st_size > 1_000_000  # written once, beside the charts
    for page in pages:
        assert page.stat().st_size < 200_000
        assert '<script charset="utf-8" src="plotly.min.js"></script>' in page.read_text()
