"""Scenario TOML files: the examples load and solve; bad keys raise errors naming the key; the
CLI runs, compares and writes tables."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tradegap.cli.main import app
from tradegap.errors import InputError
from tradegap.planning import compare, load_scenario, plan, scenario_from_dict
from tradegap.provenance import SYNTHETIC_LABEL

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
EXAMPLES = ["agri-pharma-only.toml", "all-sectors.toml", "logistics-bottleneck.toml"]


def doc(name: str = "all-sectors.toml") -> dict:
    return tomllib.loads((SCENARIOS / name).read_text())


def error_for(mutate) -> InputError:
    d = doc()
    mutate(d)
    with pytest.raises(InputError) as info:
        scenario_from_dict(d, file="x.toml", base_dir=SCENARIOS)
    return info.value


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda d: d["limits"].__setitem__("market_share_max", 1.5),
         "limits.market_share_max", "between 0 and 1"),
        (lambda d: d["limits"].__setitem__("market_shar_max", 0.2),
         "limits.market_shar_max", "allowed here"),
        (lambda d: d["pair"].pop("exporter"), "pair.exporter", "required"),
        (lambda d: d["pair"].__setitem__("market", "Russia"), "pair.market", "ISO3"),
        (lambda d: d["target"].__setitem__("usd", 1e9), "target", "exactly one"),
        (lambda d: d["target"].__setitem__("share", "a quarter"), "target.share", "number"),
        (lambda d: d["logistics"].__setitem__("INSTC", [1e6, 2e6]), "logistics.INSTC",
         "one per plan year"),
        (lambda d: d["sectors"][0].__setitem__("share_max", 0.1), "sectors[0].share_min",
         "exceeds"),
        (lambda d: d["period"].__setitem__("base", "last year"), "period.base", "FY2024-25"),
        (lambda d: d["groups"]["weights"].__setitem__("agri", -1), "groups.weights.agri", "> 0"),
        (lambda d: d["baseline"]["export_path"].__setitem__("price", [1, 2]),
         "baseline.export_path.price", "one per plan year"),
    ],
)
def test_validation_names_the_key(mutate, field, words):
    err = error_for(mutate)
    assert err.field == field
    assert err.file == "x.toml"
    assert words in str(err)


def test_example_scenarios_parse_with_hand_checked_baseline():
    s = load_scenario(SCENARIOS / "all-sectors.toml")
    assert (s.exporter, s.market, s.base_year, s.horizon) == ("IND", "RUS", 2024, 6)
    assert s.years == [2025, 2026, 2027, 2028, 2029, 2030]
    # 59 bn + 70 Mt × US$500/t − 88 Mt × US$590/t = 42.08 bn in 2030; 25 % of it = 10.52 bn
    assert s.baseline_gap()[-1] == pytest.approx(42.08e9)
    assert s.targets()[-1] == pytest.approx(10.52e9)
    assert pd.isna(s.targets()[0])
    assert s.candidates_path == SCENARIOS / "candidates-demo.csv"
    assert s.candidates_synthetic


#: What logistics-bottleneck.toml is told: each relaxation that would make it feasible, with
#: its number (from the re-solves in planning/explain.py).
BOTTLENECK = (
    "The target conflicts with logistics:sea-suez, market_share:agri, sector_min:agri+pharma. "
    "It can be met only if the target is lowered to 24.9%, or if the logistics cap on sea-suez "
    "rises by 5.6 kt/yr (to 0.41 Mt/yr), or if the agri+pharma floor falls to 39.1%, or if the "
    "agri market-share ceiling rises to 43.3%.")


def test_examples_solve_and_compare():
    plans = [plan(SCENARIOS / n) for n in EXAMPLES]
    assert [p.status for p in plans] == ["optimal", "optimal", "infeasible"]
    agri_pharma, all_sectors, bottleneck = plans
    assert set(agri_pharma.table["group"]) <= {"agri", "pharma"}
    assert agri_pharma.path["share_closed"].iloc[-1] == pytest.approx(0.10)
    assert all_sectors.path["share_closed"].iloc[-1] == pytest.approx(0.25)
    mix = all_sectors.mix.set_index("group")["share"]
    assert mix.get("agri", 0) + mix.get("pharma", 0) >= 0.40 - 1e-9
    assert all_sectors.provenance.synthetic
    assert bottleneck.infeasibility.sentence == BOTTLENECK
    table = compare(*plans)
    assert list(table["scenario"]) == ["agri-pharma-only", "all-sectors", "logistics-bottleneck"]
    assert table.loc[1, "share_closed"] == pytest.approx(0.25)
    assert table.loc[2, "binding"].startswith("infeasible")


def test_from_potential_needs_candidates():
    d = doc()
    d["candidates"] = {"path": "from potential"}
    s = scenario_from_dict(d, file="x.toml")
    with pytest.raises(InputError) as info:
        plan(s)
    assert info.value.field == "candidates.path"
    cands = pd.read_csv(SCENARIOS / "candidates-demo.csv", comment="#", dtype={"product": str})
    given = plan(s, cands)
    assert given.status == "optimal" and not given.provenance.synthetic
    from tradegap.provenance import Provenance

    marked = plan(s, cands, provenance=Provenance(datasets=["potential:demo"], synthetic=True))
    assert marked.provenance.synthetic and "potential:demo" in marked.provenance.datasets


def test_candidates_validation_names_the_column():
    cands = pd.read_csv(SCENARIOS / "candidates-demo.csv", comment="#", dtype={"product": str})
    s = load_scenario(SCENARIOS / "agri-pharma-only.toml")
    with pytest.raises(InputError) as info:
        plan(s, cands.drop(columns=["untapped"]))
    assert info.value.field == "untapped"
    bad = cands.copy()
    bad.loc[3, "current"] = -5
    with pytest.raises(InputError) as info:
        plan(s, bad)
    assert info.value.field == "current" and info.value.line == 5


def test_cli_run_compare_json_and_out(tmp_path):
    runner = CliRunner()
    out = tmp_path / "plan.csv"
    res = runner.invoke(app, ["plan", "run", str(SCENARIOS / "all-sectors.toml"), "--json",
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    assert payload["status"] == "optimal"
    assert payload["share_closed"] == pytest.approx(0.25)
    python = plan(SCENARIOS / "all-sectors.toml")
    assert [b["sentence"] for b in payload["binding"]] == list(python.binding["sentence"])
    assert payload["binding"][0]["sentence"] == (
        "Raising the target (25% of the gap) by one percentage point of the gap would add "
        "US$266.5 m more of priority-weighted purchases per year (average over 6 years, at the "
        "margin).")
    assert out.read_text().splitlines()[0] == f"# {SYNTHETIC_LABEL}"  # demo candidates
    written = pd.read_csv(out, dtype={"product": str}, skiprows=1)
    assert {"product", "year", "extra_usd"} <= set(written.columns)
    assert written["product"].str.len().min() == 4  # leading zeros kept
    res = runner.invoke(app, ["plan", "run", str(SCENARIOS / "logistics-bottleneck.toml")])
    assert res.exit_code == 0 and "No plan meets every limit" in res.output
    flat = " ".join(res.output.split())
    for number in ("lowered to 24.9%", "rises by 5.6 kt/yr (to 0.41 Mt/yr)", "falls to 39.1%",
                   "rises to 43.3%"):
        assert number in flat, number
    res = runner.invoke(app, ["plan", str(SCENARIOS / "agri-pharma-only.toml"), "--json"])
    assert res.exit_code == 0, res.output  # `plan FILE` is `plan run FILE`
    assert json.loads(res.output)["share_closed"] == pytest.approx(0.10)
    res = runner.invoke(app, ["plan", "compare", *(str(SCENARIOS / n) for n in EXAMPLES),
                              "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert [r["status"] for r in rows] == ["optimal", "optimal", "infeasible"]


def test_bottleneck_example_relaxations_make_it_feasible():
    s = load_scenario(SCENARIOS / "logistics-bottleneck.toml")
    p = plan(s)
    inf = p.infeasibility
    assert "logistics:sea-suez" in inf.conflicts
    assert len(inf.alternatives) >= 2
    from tradegap.planning import apply_changes

    for changes in inf.alternatives:
        assert plan(apply_changes(s, changes)).status == "optimal", changes


def test_group_typo_is_reported():
    s = load_scenario(SCENARIOS / "agri-pharma-only.toml")
    s.weights = {**s.weights, "pharam": 2.0}
    p = plan(s)
    assert any("groups.weights.pharam" in n for n in p.notes)


def test_no_candidate_in_allowed_groups():
    s = load_scenario(SCENARIOS / "agri-pharma-only.toml")
    s.groups = ("textiles",)
    with pytest.raises(InputError) as info:
        plan(s)
    assert info.value.field == "groups.allowed" and "agri" in str(info.value)
