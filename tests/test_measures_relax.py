"""Why a measures package is infeasible (tradegap.measures.relax): for each relaxable family,
a small case whose least relaxation is worked out by hand, and its sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.subprocess_env import run_tradegap
from tests.test_measures_engine import candidates, scenario
from tradegap.measures import measures
from tradegap.measures.scenario import Gate, Route

ROOT = Path(__file__).resolve().parents[1]


def explained(sc, cands) -> dict:
    r = measures(sc, cands, check=False)
    assert r.status == "infeasible"
    assert len(r.infeasibility) == 1, r.infeasibility
    return r.infeasibility.iloc[0].to_dict()


def test_trade_target_beyond_the_purchases() -> None:
    # a target of 10 m with 4 m untapped: lower it by 6 m
    row = explained(scenario(trade_usd=10e6), candidates(4e6))
    assert row["family"] == "trade_target" and row["unit"] == "US$"
    assert row["relaxation"] == pytest.approx(6e6, rel=1e-6)
    assert row["limit"] == pytest.approx(10e6, rel=1e-9)
    assert row["sentence"] == ("Lower the trade target by US$ 6.0 m (2026): the purchases "
                               "cannot reach it.")


@pytest.mark.parametrize(("cap", "family", "months"), [
    ({"idle_peak_usd_max": 1.0e9}, "idle_peak", "2026-11–2026-12"),
    ({"idle_final_usd_max": 1.0e9}, "idle_final", "2026-12"),
])
def test_idle_cap_below_what_flows_in(cap: dict, family: str, months: str) -> None:
    # 100 m a month in, nothing drains: 1.2 bn by December, 0.2 bn over a 1.0 bn cap (it is
    # first passed in November: 1.1 bn)
    row = explained(scenario(**cap), candidates())
    assert row["family"] == family
    assert row["relaxation"] == pytest.approx(0.2e9, rel=1e-6)
    assert row["sentence"] == (f"Allow the idle balance US$ 200.0 m more ({months}): the drains "
                               "cannot keep it under the cap.")


def test_balance_that_pays_out_more_than_flows_in() -> None:
    # 100 m a month flows in, 200 m a month of baseline imports are paid out of it: the balance
    # lacks 100 m a month, 1.2 bn over the year
    sc = scenario(deficit_exports_usd=(2.4e9,), import_settled_share=1.0)
    row = explained(sc, candidates())
    assert row["family"] == "conservation"
    assert row["relaxation"] == pytest.approx(1.2e9, rel=1e-6)
    assert row["sentence"].startswith("The balance lacks US$ 1,200.0 m in total (2026-")
    assert row["sentence"].endswith("payments from it exceed what flows in; lower the baseline "
                                    "or plan settled shares, or add an opening balance.")


def test_gate_capacity_relaxed_where_it_is_small_against_its_own_limit() -> None:
    # 9 m of purchases in the final year through a gate of 5 m that year (1 bn the year before):
    # 4 m of gate capacity costs 4 / 502.5 per unit of the gate's mean limit, less than 4 / 9 of
    # the target's, so the gate is what gives
    gate = Gate("fish plants", "sps", groups=("agri",), capacity_usd=(1e9, 5e6))
    row = explained(scenario(2, gates=(gate,), trade_usd=9e6), candidates(100e6))
    assert (row["family"], row["where"], row["unit"]) == ("gate:fish plants", "2027",
                                                          "US$ a year")
    assert row["relaxation"] == pytest.approx(4e6, rel=1e-6)
    assert row["sentence"] == "Give gate 'fish plants' US$ 4.0 m more capacity in total (2027)."


def test_route_capacity_in_tonnes() -> None:
    # 9 m at US$1,000 a tonne = 9,000 t in the final year over a route of 1,000 t that year
    row = explained(scenario(2, routes=(Route("sea", 0.0, 0.0, (1e6, 1000.0)),), trade_usd=9e6),
                    candidates(100e6))
    assert (row["family"], row["unit"]) == ("route:sea", "tonnes a year")
    assert row["relaxation"] == pytest.approx(8000.0, rel=1e-6)
    assert row["sentence"] == "Add 8,000 t of capacity to route 'sea' in total (2027)."


def test_console_script_prints_the_relaxation(tmp_path: Path) -> None:
    cands = ROOT / "scenarios" / "measures-demo-candidates.csv"
    toml = tmp_path / "short.toml"
    toml.write_text(f"""name = "short"
synthetic = true
[pair]
surplus = "RUS"
deficit = "IND"
[period]
start = "2026-01"
years = 1
[trade]
other_exports_usd = 1.2e9
deficit_exports_usd = 2.4e9
settled_share = 1.0
import_settled_share = 1.0
[purchases]
candidates = "{cands}"
[fx]
currency = "INR"
per_usd = 80.0
""")
    proc = run_tradegap("--home", str(tmp_path / "wh"), "measures", str(toml))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("short: infeasible (")
    assert "  • The balance lacks US$ 1,200.0 m in total" in proc.stdout


def test_brief_of_an_infeasible_package_says_why() -> None:
    from tradegap.report.measures_brief import render_html, render_markdown

    r = measures(scenario(deficit_exports_usd=(2.4e9,), import_settled_share=1.0), candidates(),
                 check=False)
    md = render_markdown(r)
    assert "Scenario `measures` (built in Python)" in md
    assert "The package as specified is infeasible over 2026." in md
    why = md.split("## Why it is infeasible (least relaxation)\n\n")[1].split("\n")[0]
    assert why.startswith("- The balance lacks US$ 1,200.0 m in total (2026-")
    # built in Python: no scenario file, so no assumptions listed; no agencies, nothing binds
    assert "0 figures are ASSUMPTIONS, 0 are cited, 0 come from the data." in md
    assert "## What each agency" not in md and "## What binds" not in md
    html = render_html(r)
    assert "<li>The balance lacks US$ 1,200.0 m in total (2026-" in html
