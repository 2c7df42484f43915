"""`tradegap report`: one self-contained HTML file that opens offline, and a PDF with the same
sections (checked by extracting its text), from the same templates as the dashboard."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradegap.cli.main import app
from tradegap.report.format import money
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ["Summary", "Balance of RUS with IND", "Export potential of IND in RUS",
            "Plan: scenario", "Settlement: scenario", "Data and provenance",
            "Assumptions and caveats"]
#: A URL the browser would fetch: in src/href of script, link, img, iframe, or CSS url().
FETCHED = re.compile(
    r"""(<(script|link|img|iframe|source|video|audio)\b[^>]*\b(src|href)\s*=\s*["']?\s*"""
    r"""(https?:)?//)|url\(\s*["']?(https?:)?//""",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "wh"
    ingest(Warehouse(path), "demo", [], scale="20000", years="2022,2023,2024", seed=1,
           max_bad_rows=0, name="demo")
    return path


def _report(home: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(app, ["--home", str(home), "report", "RUS", "IND", "--out",
                                      str(out), "--settlement",
                                      str(ROOT / "scenarios" / "settlement-fund.toml"),
                                      "--draws", "50", *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_html_report_is_self_contained_and_complete(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    _report(home, out)
    html = out.read_text(encoding="utf-8")
    assert FETCHED.search(html) is None
    assert "<script src" not in html and "<link rel=\"stylesheet\"" not in html
    assert "Plotly.newPlot" in html or "newPlot" in html  # plotly.js inlined
    assert html.count('class="tg-chart"') >= 6
    for title in SECTIONS:
        assert title in html, title
    assert "SYNTHETIC (demo world)" in html and 'class="banner-synthetic"' in html
    from tradegap.analysis.balance import balance

    summary = balance(Warehouse(home), "RUS", "IND").summary
    latest = summary.dropna(subset=["exports", "imports"]).iloc[-1]
    assert money(latest["balance"]) in html


def test_the_fetch_check_catches_remote_resources() -> None:
    assert FETCHED.search('<script src="https://cdn.example/x.js"></script>')
    assert FETCHED.search("<link href='//cdn.example/x.css' rel=stylesheet>")
    assert FETCHED.search('<img src="http://x/y.png">')
    assert not FETCHED.search('<span class="source-ref">https://example.org/a</span>')


def test_report_without_plan_leaves_it_out(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["--home", str(home), "report", "RUS", "IND", "--out",
                                      str(out), "--no-plan"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Plan: scenario" not in html and "Settlement: scenario" not in html
    assert "Data and provenance" in html


def test_report_refuses_unknown_format(home: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--home", str(home), "report", "RUS", "IND", "--out",
                                      str(tmp_path / "r.docx")])
    assert result.exit_code != 0
    assert not (tmp_path / "r.docx").exists()


@pytest.mark.slow
def test_pdf_report_has_the_same_sections(home: Path, tmp_path: Path) -> None:
    if shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists():
        pytest.skip("chromium prints the PDF (scripts/ensure-chromium)")
    from pypdf import PdfReader

    out = tmp_path / "report.pdf"
    with warnings.catch_warnings(record=True) as caught:  # no browser-driver warning
        warnings.simplefilter("always")
        printed = _report(home, out)
    assert not [w for w in caught if "choreographer" in str(w.filename).lower()], caught
    assert "Warning" not in printed
    assert out.read_bytes()[:5] == b"%PDF-"
    assert not list(tmp_path.glob("*.tmp*"))  # the atomic write left nothing beside it
    reader = PdfReader(str(out))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    for title in SECTIONS:
        assert title in text, title
    assert "SYNTHETIC" in text
    # the charts are drawn as vector graphics: their axis titles are text of the PDF
    assert text.count("US$ bn") >= 3 and "calendar year" in text
    assert not any(page.images for page in reader.pages)  # no chart left as a picture
    _check_pdf_layout(reader)


def _check_pdf_layout(reader) -> None:  # type: ignore[no-untyped-def]
    """Contents with page numbers and links, a running header and "Page i of n" on every
    page, PDF bookmarks, sentences rather than link labels."""
    pages = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    n = len(pages)
    assert n >= 3
    for i, text in enumerate(pages, start=1):
        assert f"Page {i} of {n}" in text, (i, text[-200:])
        assert "SYNTHETIC demo data" in text, i  # the running header names the data
    first = pages[0]
    assert "Contents" in first
    assert re.search(r"Data and provenance\s*(?:\. )*\.?\s*\d+", first)  # a page number
    links = [a.get_object() for a in reader.pages[0].get("/Annots") or []]
    internal = [a for a in links if a.get("/Subtype") == "/Link" and (
        "/Dest" in a or a.get("/A", {}).get("/S") == "/GoTo")]
    assert len(internal) >= 5
    assert reader.outline  # bookmarks from the headings
    text = " ".join(pages)
    assert "The balance and what drives it: balance." not in text
    assert re.search(r"In \d{4}, RUS sold IND US\$ [\d.]+ bn of goods", text)


def test_report_shows_the_settlement_with_and_without_the_plan(home: Path,
                                                               tmp_path: Path) -> None:
    from tradegap.planning import load_scenario, plan
    from tradegap.settlement import load_scenario as load_settlement
    from tradegap.settlement import simulate
    from tradegap.settlement.from_plan import monthly_from_plan_path

    out = tmp_path / "r.html"
    _report(home, out, "--scenario", str(ROOT / "scenarios" / "all-sectors.toml"))
    html = out.read_text(encoding="utf-8")
    assert 'id="settlement-compare"' in html and "With plan “all-sectors”" in html
    # the numbers are simulate() without and with the plan's months
    p = plan(load_scenario(ROOT / "scenarios" / "all-sectors.toml"))
    sc = load_settlement(ROOT / "scenarios" / "settlement-fund.toml")
    monthly = monthly_from_plan_path(p.path, str(sc.start), sc.months)
    base, with_plan = simulate(sc), simulate(sc, monthly)
    table = html.split('id="settlement-compare-table"')[1].split("</table>")[0]
    assert money(base.summary["final_idle_usd"]) in table
    assert money(with_plan.summary["final_idle_usd"]) in table
    assert f'id="settlement-compare-bought">{money(monthly.sum())}<' in html
    assert "spread evenly over its twelve months" in html  # the assumption, stated
