"""`tradegap case-study russia-india` on the real files: it runs, writes the markdown and its
charts, and its numbers agree with the ones the source tests check on the raw files."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.ci_rules import in_ci
from tradegap.casestudy.pipeline import REAL_SCENARIO
from tradegap.cli.main import app
from tradegap.planning import validate_candidates
from tradegap.report.figures import find_browser


@pytest.fixture(scope="module")
def run(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of the command, as a user types it (JSON on stdout, files in --out)."""
    tmp = tmp_path_factory.mktemp("case")
    out = tmp / "docs"
    if not find_browser() and in_ci():
        pytest.fail("the case study's charts need Chromium, which CI must have")
    charts = ["--charts"] if find_browser() else ["--no-charts"]
    res = CliRunner().invoke(app, [
        "case-study", "russia-india", "--data", str(shared_data), "--out", str(out),
        "--home", str(tmp / "wh"), "--ranking", str(tmp / "ranking.csv"), "--json", *charts])
    assert res.exit_code == 0, res.output
    start = res.output.index("{")  # Kaleido may log before the JSON
    return {"payload": json.loads(res.output[start:]), "out": out, "tmp": tmp,
            "charts": charts == ["--charts"]}


def facts(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["key"]: f for f in run["payload"]["facts"]}


def test_numbers_agree_with_the_raw_files(run: dict[str, Any]) -> None:
    f = facts(run)
    bn = {k: round(f[k]["value"] / 1e9, 2) for k in f if f[k]["value"] is not None}
    assert bn["india_exports_2024"] == 4.91
    assert bn["india_imports_2024"] == 64.53
    assert bn["india_imports_fuels_2024"] == 57.46
    assert bn["russia_customs_2021_imports_from_india"] == 4.43
    assert bn["russia_customs_2021_exports_to_india"] == 9.13
    assert bn["mirror_2021_india_declared"] == 3.32
    assert f["gap_2024"]["value"] == pytest.approx(
        f["india_imports_2024"]["value"] - f["india_exports_2024"]["value"])
    assert f["india_exports_2024"]["dataset"] == "russia-customs-mirror"
    assert f["russia_customs_2021_imports_from_india"]["dataset"] == "russia-customs-fts"
    assert "10 of 12 months" in f["india_exports_FY2024-25"]["note"]
    for fact in run["payload"]["facts"]:  # every number says where it came from
        assert fact["dataset"] and fact["period"], fact


def test_plan_solves_and_closes_a_modest_share(run: dict[str, Any]) -> None:
    plans = run["payload"]["plans"]
    gap = facts(run)["gap_2024"]["value"]
    real, bound = plans["extra"], plans["headroom"]
    assert real["status"] == bound["status"] == "optimal"
    assert real["final_year"] == 2029
    assert real["path"][0]["baseline_gap"] == pytest.approx(gap)
    assert 0 < real["share_closed"] < bound["share_closed"] < 0.25
    # pinned: calendar 2024's gap, the realistic plan closes 2.65 %, the headroom bound 11.57 %
    assert gap == pytest.approx(59_614_630_000, rel=1e-9)
    assert real["share_closed"] == pytest.approx(0.0265293, rel=1e-5)
    assert bound["share_closed"] == pytest.approx(0.1157234, rel=1e-5)
    assert bound["gap_closed_usd"] == pytest.approx(6_898_805_242, rel=1e-6)
    ramp = real["binding"][0]["sentence"]
    assert "ramp-up" in ramp and "US$31.6 m more" in ramp and "US$47.4 m a year" in ramp
    assert real["share_closed"] == pytest.approx(real["gap_closed_usd"] / gap)
    assert real["binding"] and all(b["sentence"] for b in real["binding"])
    # the realistic plan buys every product up to its combined estimate by the final year
    total_extra = sum(r["extra"] for r in run["payload"]["ranking"])
    assert real["gap_closed_usd"] == pytest.approx(total_extra, rel=1e-6)


def test_scenario_file_matches_the_data(run: dict[str, Any]) -> None:
    with REAL_SCENARIO.open("rb") as fh:
        doc = tomllib.load(fh)
    assert doc["baseline"]["gap"] == pytest.approx(facts(run)["gap_2024"]["value"], abs=1e7)
    params = run["payload"]["params"]
    assert params["share_cap"] == doc["limits"]["market_share_max"]
    assert params["share_cap_by_group"] == doc["limits"]["market_share_max_by_group"]


def test_candidates_are_valid_for_the_planner(run: dict[str, Any]) -> None:
    ranking = pd.read_csv(run["tmp"] / "ranking.csv", dtype={"product": str})
    assert ranking["product"].str.len().eq(4).all()
    cands = validate_candidates(pd.DataFrame(run["payload"]["candidates"]))
    assert (cands["untapped"] > 0).all() and (cands["unit_value"] > 0).all()
    assert set(cands["product"]) == set(ranking.loc[ranking["extra"] > 0, "product"])
    hs6 = pd.DataFrame(run["payload"]["hs6"])
    assert set(hs6["hs4"]) == set(ranking["product"].head(5))
    from_payload = pd.DataFrame(run["payload"]["candidates"])
    assert (from_payload["unit_value_source"].str.contains("mirror NETTO")).sum() > 50


def test_markdown_and_charts(run: dict[str, Any]) -> None:
    text = (run["out"] / "case-study-russia-india.md").read_text()
    for number in ("US$ 4.91 bn", "US$ 64.53 bn", "US$ 57.46 bn", "US$ 4.43 bn", "US$ 9.13 bn",
                   "US$ 3.32 bn"):
        assert number in text, number
    share = f"{run['payload']['plans']['extra']['share_closed']:.1%}"
    assert share in text
    for caveat in ("lower bound", "US$ 10,000", "no supplier breakdown", "partial",
                   "Periods do not match", "net exporter", "Inside the top headings (HS6)"):
        assert caveat in text, caveat
    if run["charts"]:
        pngs = sorted((run["out"] / "case-study").glob("*.png"))
        assert len(pngs) == 7 and all(p.stat().st_size > 10_000 for p in pngs)
        for png in pngs:
            assert f"case-study/{png.name}" in text


def test_missing_data_dir_names_what_to_do(tmp_path: Path) -> None:
    from tradegap.casestudy import case_study
    from tradegap.errors import InputError

    with pytest.raises(InputError, match="--data") as err:
        case_study(tmp_path / "nowhere", home=tmp_path / "wh")
    assert "../shared/data" in str(err.value)


def test_warm_rerun_reuses_the_warehouse_and_the_results(run: dict[str, Any],
                                                         shared_data: Path) -> None:
    """The same --home again: no file is ingested again (the catalogue is untouched) and the
    results are read back; the document is the same."""
    from tradegap.report.format import money, share
    from tradegap.warehouse import Warehouse

    home = run["tmp"] / "wh"
    before = {d.name: (d.fingerprint, d.ingested_at) for d in Warehouse(home).datasets()}
    assert set(before) >= {"india-dgcis", "russia-demand", "russia-customs-mirror"}
    assert (home / "case-study-inputs.json").is_file()
    out = run["tmp"] / "again"
    # as a user types it, printed: the key numbers and the top 10, read back from the cache
    res = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"}).invoke(app, [
        "case-study", "russia-india", "--data", str(shared_data), "--out", str(out),
        "--home", str(home), "--no-charts"])
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert "Russia–India case study: key numbers" in flat
    assert "Top 10 by realistic extra sales" in flat and "3004" in flat
    assert f"results read from {home / 'cache'}" in flat
    for fact in run["payload"]["facts"]:  # the same numbers as the first run's JSON
        value = share(fact["value"]) if "share" in fact["key"] else money(fact["value"])
        assert value in flat, (fact["key"], value)
    after = {d.name: (d.fingerprint, d.ingested_at) for d in Warehouse(home).datasets()}
    assert after == before
    first = (run["out"] / "case-study-russia-india.md").read_text()
    again = (out / "case-study-russia-india.md").read_text()
    def summary(text: str) -> str:  # the charts differ (none written here), the text not
        return text.split("## Summary")[1].split("## 1.")[0]

    assert summary(again) == summary(first)
