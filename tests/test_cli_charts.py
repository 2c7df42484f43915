"""`--charts DIR` on plan and settle writes titled charts as HTML and PNG."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from tradegap.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def test_plan_charts_include_what_binds(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", "run", str(ROOT / "scenarios" / "all-sectors.toml"),
                                 "--charts", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("balance_path", "mix", "binding"):
        png = (tmp_path / f"{name}.png").read_bytes()
        assert png[:4] == b"\x89PNG"
        # the demo candidates' charts say so in the file too (a PNG text chunk), not only in
        # their pixels
        assert b"tEXtDescription\x00SYNTHETIC (demo world) - not real trade data" in png
    html = (tmp_path / "binding.html").read_text()
    assert "What binds" in html and "per year for one step" in html
    # the bars are the plan's own shadow prices (US$ m per step and year), each with its sentence
    import json

    from tradegap.planning import plan

    python = plan(ROOT / "scenarios" / "all-sectors.toml")
    assert len(python.binding) > 0
    top = python.binding.head(12)
    for sentence in top["sentence"]:
        assert json.dumps(sentence)[1:-1] in html, sentence
    arrays = [np.frombuffer(base64.b64decode(m), dtype=np.float64)  # plotly's typed arrays
              for m in re.findall(r'"x":\{"dtype":"f8","bdata":"([^"]+)"', html)]
    expected = (top["per_step_per_year"].to_numpy() / 1e6)[::-1]  # bars bottom-up
    assert any(len(a) == len(expected) and np.allclose(a, expected, rtol=1e-12)
               for a in arrays), (expected, arrays)


def test_settle_charts(tmp_path: Path) -> None:
    scenario = ROOT / "scenarios" / "settlement-historical.toml"
    result = runner.invoke(app, ["settle", "run", str(scenario), "--charts", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "vostro" in (tmp_path / "vostro.html").read_text().lower()
    assert (tmp_path / "cost.png").stat().st_size > 1000
    assert b"SYNTHETIC" not in (tmp_path / "cost.png").read_bytes()  # a scenario, not the demo


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
