"""`tradegap measures` through the installed console script, the scenario's validation, and
the brief in its three formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tradegap.errors import InputError
from tradegap.measures import load_scenario, measures
from tradegap.provenance import SYNTHETIC_LABEL

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "measures-demo.toml"
SCRIPT = Path(sys.executable).parent / "tradegap"


def tradegap(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), "--home", str(home), *args], capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def demo():
    return measures(DEMO, draws=3)


def test_console_script_prints_the_package_as_json(tmp_path: Path):
    proc = tradegap("measures", str(DEMO), "--json", "--draws", "2", home=tmp_path / "wh")
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout[proc.stdout.index("{"):])
    assert payload["status"] == "optimal"
    assert payload["synthetic"] is True and SYNTHETIC_LABEL in payload["label"]
    keys = {row["key"] for row in payload["package"]}
    assert {"netting", "conversion", "fund", "purchases:fish"} <= keys
    assert all(abs(r["conservation_error_local"]) < 1e-3 * 1e12 for r in payload["ledger"])
    assert any("fish plants (SPS)" in s["sentence"] for s in payload["shadow"])


def test_console_script_table_and_markdown_brief(tmp_path: Path):
    out = tmp_path / "brief.md"
    proc = tradegap("measures", str(DEMO), "--draws", "0", "--out", str(out),
                    home=tmp_path / "wh")
    assert proc.returncode == 0, proc.stderr
    assert "Measures: measures-demo" in proc.stdout and "What binds" in proc.stdout
    text = out.read_text()
    assert SYNTHETIC_LABEL in text and "## What each agency would have to do" in text
    assert "ASSUMPTION" in text


@pytest.mark.parametrize(("edit", "field"), [
    ('\n[[routes]]\nname = "air"\ntransit_days = 1\n', "routes[2].cost_per_tonne"),
    ('\n[wrong]\nx = 1\n', "wrong"),
])
def test_bad_scenario_exits_2_naming_the_field(tmp_path: Path, edit: str, field: str):
    bad = tmp_path / "bad.toml"
    bad.write_text(DEMO.read_text().replace("measures-demo-candidates.csv",
                                            str(DEMO.parent / "measures-demo-candidates.csv"))
                   + edit)
    proc = tradegap("measures", str(bad), home=tmp_path / "wh")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert str(bad) in proc.stderr and field in proc.stderr


def test_data_figures_without_a_warehouse_are_a_clear_error():
    sc = ROOT / "scenarios" / "measures-russia-india.toml"
    with pytest.raises(InputError, match="from the data"):
        measures(sc)


@pytest.mark.parametrize(("doc_edit", "field"), [
    (("schedule = [0.2, 0.4, 0.4]", "schedule = [0.5, 0.5, 0.5]"), "fund.schedule"),
    (("[countertrade]", "[countertrade_typo]"), "countertrade_typo"),
    (('eligible_from = "2027-01"', 'eligible_from = "2027-13"'), "gates[0].eligible_from"),
    (("per_usd = 88.0", "per_usd = -1.0"), "fx.per_usd"),
])
def test_validation_names_the_key(tmp_path: Path, doc_edit: tuple[str, str], field: str):
    text = DEMO.read_text()
    assert doc_edit[0] in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(*doc_edit))
    with pytest.raises(InputError) as err:
        load_scenario(bad)
    assert err.value.field == field and err.value.file == str(bad)


def test_html_and_pdf_briefs(demo, tmp_path: Path):
    from tradegap.report.figures import find_browser
    from tradegap.report.measures_brief import write_brief

    html = write_brief(demo, tmp_path / "b.html").read_text()
    assert SYNTHETIC_LABEL in html and 'id="summary"' in html and "Plotly" in html
    assert "Approving 10 more plants" in html
    with pytest.raises(InputError, match="unknown brief format"):
        write_brief(demo, tmp_path / "b.docx")
    if find_browser() is None:
        pytest.skip("no Chromium for the PDF's charts")
    import pypdf

    pdf = write_brief(demo, tmp_path / "b.pdf")
    pages = pypdf.PdfReader(str(pdf)).pages
    assert len(pages) >= 3
    first_two = pages[0].extract_text() + pages[1].extract_text()
    assert "The package" in first_two and "Assumptions and sources" in first_two
    assert "Detail" not in first_two


def test_public_api_is_callable_before_and_after_importing_the_package():
    import tradegap

    first = tradegap.measures(DEMO, draws=0, check=False)
    import tradegap.measures as package  # sets the attribute to the package itself

    assert package is tradegap.measures
    again = tradegap.measures(DEMO, draws=0, check=False)
    assert first.status == again.status == "optimal"
    assert first.residual == again.residual
