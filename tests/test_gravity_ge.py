"""General equilibrium (``gravity ge``) against the published "trade without borders" results
(Yotov et al. 2016 ch. 2, ../shared/data/agtpa/ge_trade_without_border/) and on a small world."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradegap.analysis.gravity_ge import run_scenario, solve_ge, two_way_effects
from tradegap.analysis.gravity_ge_scenario import load_scenario, scenario_from_dict
from tradegap.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
TRADEGAP = str(Path(sys.executable).with_name("tradegap"))


@pytest.fixture(scope="module")
def published_ge(shared_data: Path):
    """Our solution of the shipped scenario, and the published tables (DEU coded ZZZ)."""
    scenario = load_scenario(ROOT / "scenarios" / "ge-trade-without-borders.toml")
    scenario.path = shared_data / "agtpa" / "1_TradeWithoutBorder.dta"
    result = run_scenario(scenario)
    ours = result.countries.set_index("country").rename(index={"ZZZ": "DEU"})
    folder = shared_data / "agtpa" / "ge_trade_without_border"
    prod = pd.read_stata(folder / "1_TradeWithoutBorder_FULL_PROD.dta").set_index("country")
    cons = pd.read_stata(folder / "1_TradeWithoutBorder_FULL_CONS.dta").set_index("country")
    full = pd.read_excel(folder / "1_TradeWithoutBorder_FULL.xls").set_index("country")
    return result, ours, prod, cons, full


# Percentage changes: 4 decimals. Stata stored every generated variable as float (~7
# significant digits), which limits the published exports to ~2e-7 relative: 1e-4 points.
PERCENT = [
    ("exports_cdl_pct", "prod", "change_Xi_CDL"), ("exports_full_pct", "prod", "change_Xi_FULL"),
    ("omr_cdl_pct", "prod", "change_OMR_CDL"), ("omr_full_pct", "prod", "change_OMR_FULL"),
    ("price_full_pct", "prod", "change_price_FULL"), ("imr_cdl_pct", "cons", "change_IMR_CDL"),
    ("imr_full_pct", "cons", "change_IMR_FULL"), ("rgdp_full_pct", "full", "change_rGDP_FULL"),
]
LEVELS = [
    ("omr_bln", "prod", "OMR_BLN"), ("omr_cdl", "prod", "OMR_CDL"),
    ("omr_full", "prod", "OMR_FULL"), ("imr_bln", "cons", "IMR_BLN"),
    ("imr_cdl", "cons", "IMR_CDL"), ("imr_full", "cons", "IMR_FULL"),
    ("exports_bln", "prod", "Xi_BLN"), ("exports_cdl", "prod", "Xi_CDL"),
    ("exports_full", "prod", "Xi_FULL"), ("output_full", "prod", "Y_FULL"),
    ("price_full", "prod", "change_pricei_FULL"),
]


@pytest.mark.shared_data
@pytest.mark.slow
def test_reproduces_published_trade_without_borders(published_ge) -> None:
    result, ours, prod, cons, full = published_ge
    tables = {"prod": prod, "cons": cons, "full": full}
    assert len(ours) == 69 and set(ours.index) == set(prod.index)
    assert [round(it["max"], 7) for it in result.iterations] == [
        1.4688824, 0.0765771, 0.0318213, 0.0355494, 0.0032467]  # the log's five iterations
    for ours_col, table, theirs in PERCENT:
        diff = (ours[ours_col] - tables[table][theirs]).abs().max()
        assert diff < 1e-4, (ours_col, diff)
    for ours_col, table, theirs in LEVELS:
        rel = ((ours[ours_col] - tables[table][theirs]) / tables[table][theirs]).abs().max()
        assert rel < 1e-6, (ours_col, rel)
    assert result.converged
    assert result.estimate.coef("INTL_BRDR") == pytest.approx(-2.47445, abs=5e-6)


# --------------------------------------------------------------------------- a small world


def _world(n: int = 4, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    names = [f"C{k}" for k in range(n)]
    rows = []
    for a in range(n):
        for b in range(n):
            dist = 1.0 if a == b else 1.0 + abs(a - b) + rng.random()
            rows.append({"exporter": names[a], "importer": names[b], "year": 2000,
                         "DIST": dist, "BRDR": int(a != b),
                         "trade": float(np.exp(8 - np.log(dist) - 2 * (a != b)
                                              + 0.3 * rng.standard_normal()))})
    return pd.DataFrame(rows)


def _scenario(path: Path, change: str = "BRDR = 0") -> dict:
    return {"data": {"path": str(path), "year": 2000, "derive": {"ln_D": "ln(DIST)"}},
            "estimate": {"formula": "trade ~ ln_D + BRDR | exporter + importer"},
            "change": {"set": change}, "model": {"sigma": 7, "reference": "C0"}}


def test_no_change_gives_no_effect(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    _world().to_csv(path, index=False)
    result = run_scenario(scenario_from_dict(_scenario(path, "BRDR = BRDR")))
    pct = result.countries.filter(like="_pct")
    assert np.abs(pct.to_numpy()).max() < 1e-8
    assert np.allclose(result.countries["imr_full"], result.countries["imr_bln"], rtol=1e-9)


def test_removing_borders_raises_exports_and_welfare(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    _world().to_csv(path, index=False)
    doc = _scenario(path)
    doc["model"]["tolerance"] = 1e-10  # converged far beyond the book's 0.01
    result = run_scenario(scenario_from_dict(doc))
    c = result.countries
    assert (c["exports_cdl_pct"] > 0).all() and (c["rgdp_full_pct"] > 0).all()
    # the reference country's inward resistance is the numéraire
    assert c.set_index("country").loc["C0", "imr_bln"] == pytest.approx(1.0)
    # at convergence full-endowment trade satisfies the structural system: Σ_j X_ij = Y_i
    pairs = result.pairs
    y_full = pairs.groupby("exporter")["trade_full"].sum()
    assert np.allclose(y_full.to_numpy(), c.set_index("country")["output_full"], rtol=1e-8)


def test_two_way_effects_exact() -> None:
    pi, chi = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 0.0])
    e, i = np.repeat(np.arange(3), 3), np.tile(np.arange(3), 3)
    got_pi, got_chi = two_way_effects(pi[e] + chi[i], e, i, 3, ref=2)
    assert np.allclose(got_pi, pi) and np.allclose(got_chi, chi)


def test_missing_domestic_flows_is_an_input_error(tmp_path: Path) -> None:
    w = _world()
    w = w[~((w.exporter == "C2") & (w.importer == "C2"))]
    with pytest.raises(InputError, match="no domestic flow"):
        solve_ge(w, trade="trade", ln_t_bln=np.zeros(len(w)), ln_t_cfl=np.zeros(len(w)),
                 sigma=7, reference="C0")


@pytest.mark.parametrize("doc, match", [
    ({"data": {"path": "x.csv"}}, "formula is required"),
    ({"data": {"path": "x.csv"}, "estimate": {"formula": "y ~ x"}, "change": {"set": "x = 0"},
      "model": {"sigma": 1, "reference": "A"}}, "greater than 1"),
    ({"data": {"path": "x.csv"}, "estimate": {"formula": "y ~ x"}, "change": {"set": "x"},
      "model": {"sigma": 7, "reference": "A"}}, "cannot read assignment"),
    ({"data": {"path": "x.csv"}, "bogus": {}}, "unknown section"),
])
def test_bad_scenarios(doc: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        scenario_from_dict(doc)


def test_cli_ge_json_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    _world().to_csv(path, index=False)
    import tomli_w

    good = tmp_path / "s.toml"
    good.write_text(tomli_w.dumps(_scenario(path)))
    run = subprocess.run([TRADEGAP, "gravity", "ge", str(good), "--json"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    payload = json.loads(run.stdout)
    assert len(payload["countries"]) == 4 and payload["converged"]
    # the printed table shows each country's % changes as the JSON gives them (4 decimals),
    # the estimate line N; --out and --pairs write the tables
    out, pairs = tmp_path / "countries.csv", tmp_path / "pairs.csv"
    charts = tmp_path / "charts"
    shown = subprocess.run([TRADEGAP, "gravity", "ge", str(good), "--out", str(out),
                            "--pairs", str(pairs), "--charts", str(charts)],
                           capture_output=True, text=True,
                           timeout=300, env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})
    assert shown.returncode == 0, shown.stderr
    chart = (charts / "ge_real_gdp.html").read_text()  # the real-GDP chart, titled
    assert "Real GDP: s" in chart and "SYNTHETIC" not in chart
    assert (charts / "ge_real_gdp.png").read_bytes()[:4] == b"\x89PNG"
    assert len(pd.read_csv(out)) == 4
    assert len(pd.read_csv(pairs)) == 16  # every ordered pair of the 4 countries, home too
    rows = {line.split()[1]: line for line in shown.stdout.splitlines()
            if line.startswith("│") and len(line.split()) > 2}
    for country in payload["countries"]:
        assert f"{country['rgdp_full_pct']:.4f}" in rows[country["country"]], country
    estimate = next(line for line in shown.stdout.splitlines() if line.startswith("estimate:"))
    assert f"N = {payload['estimate']['n_obs']:,}" in estimate
    bad = tmp_path / "bad.toml"
    doc = _scenario(path)
    doc["model"]["reference"] = "XXX"
    bad.write_text(tomli_w.dumps(doc))
    run = subprocess.run([TRADEGAP, "gravity", "ge", str(bad)], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "reference country 'XXX'" in run.stderr

