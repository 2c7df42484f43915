"""`tradegap measures` on the real Russia–India scenario: a real warehouse built from
../shared/data, the package printed as JSON and the brief written as PDF, every figure of the
pair read from the data (none typed into the scenario)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tradegap.report.figures import find_browser
from tradegap.report.format import money

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "scenarios" / "measures-russia-india.toml"
SCRIPT = Path(sys.executable).parent / "tradegap"


@pytest.fixture(scope="module")
def run(real_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("measures-real")  # the session's real warehouse, read only
    out = tmp / ("brief.pdf" if find_browser() else "brief.html")
    proc = subprocess.run([str(SCRIPT), "--home", str(real_home), "measures", str(REAL),
                           "--json", "--draws", "2", "--out", str(out)],
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr
    return {"payload": json.loads(proc.stdout[proc.stdout.index("{"):]), "out": out}


def test_pair_figures_come_from_the_data(run: dict[str, Any]) -> None:
    p = run["payload"]
    facts = {f["key"]: f for f in p["facts"]}
    # India-reported calendar 2024 (data README): imports from Russia 64.53 bn, exports 4.91 bn
    imports = facts["crude_value_usd"]["value"] + facts["surplus_other_exports_usd"]["value"]
    assert round(imports / 1e9, 2) == 64.53
    assert round(facts["deficit_exports_usd"]["value"] / 1e9, 2) == 4.91
    assert facts["crude_usd_per_tonne"]["value"] == pytest.approx(
        facts["crude_value_usd"]["value"] / facts["crude_tonnes"]["value"])
    assert p["trade_gap_baseline_usd"] == pytest.approx(
        imports - facts["deficit_exports_usd"]["value"])
    for f in p["facts"]:
        assert f["dataset"] == "russia-customs-mirror" and f["period"] == "calendar 2024"
    assert p["synthetic"] is False and "SYNTHETIC" not in p["label"]


def test_the_package_closes_each_gap_and_conserves(run: dict[str, Any]) -> None:
    p = run["payload"]
    assert p["status"] == "optimal"
    pkg = {r["key"]: r for r in p["package"]}
    assert "purchases:agri" in pkg and "asset:Government securities and T-bills" in pkg
    assert 0 < p["trade_gap_closed_share"] < 0.05  # purchases close a small share
    idle_shares = sum(r["share_idle_gap"] for r in p["package"])
    left = p["ledger"][-1]["idle_local"] / p["ledger"][-1]["baseline_idle_local"]
    assert idle_shares + left == pytest.approx(1.0, abs=1e-6)
    for row in p["ledger"]:
        assert abs(row["conservation_error_local"]) <= 1e-6 * row["baseline_idle_local"]
    for row in p["decomposition"]:
        parts = row["price"] + row["volume"] + row["interaction"] + row["unsplit"]
        assert parts == pytest.approx(row["total"], rel=1e-9, abs=1.0)
    assert any("fish and seafood plants" in s["sentence"] for s in p["shadow"])


def test_brief_is_written_from_the_result(run: dict[str, Any]) -> None:
    out, p = run["out"], run["payload"]
    if out.suffix == ".pdf":
        import pypdf

        pages = pypdf.PdfReader(str(out)).pages
        text = " ".join(pg.extract_text() for pg in pages[:2]).replace("\n", " ")
    else:
        text = out.read_text()
    assert money(p["trade_gap_baseline_usd"]) in text
    assert money(p["idle_baseline_end_usd"]) in text
    assert "ASSUMPTION" in text
