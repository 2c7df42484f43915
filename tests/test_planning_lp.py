"""Hand-worked LPs and MILPs for the planner, and shadow prices checked by re-solving."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from tradegap.planning import Scenario, Sector, plan

M = 1e6


def cands(rows: list[dict]) -> pd.DataFrame:
    base = {"name": "", "current": 0.0, "market_imports": 1e12, "unit_value": 1000.0,
            "route": "sea"}
    return pd.DataFrame([{**base, **r} for r in rows])


def scen(**kw) -> Scenario:
    base = dict(exporter="IND", market="RUS", base_year=2024, horizon=1, gap=100 * M)
    return Scenario(**{**base, **kw})


TWO = cands([
    {"product": "0101", "group": "agri", "untapped": 10 * M},
    {"product": "3004", "group": "pharma", "untapped": 20 * M},
])


def extra(p, product: str, year: int | None = None) -> float:
    t = p.table[p.table["product"] == product]
    if year is not None:
        t = t[t["year"] == year]
    return float(t["extra_usd"].sum())


def shadow(p, family: str, key: str) -> float:
    row = p.binding[(p.binding["family"] == family) & (p.binding["key"] == key)]
    assert len(row) == 1, p.binding
    return float(row["shadow"].iloc[0])


def test_two_products_stop_at_target_prefers_weighted_group():
    # max 2a + b s.t. a + b = 25, a ≤ 10, b ≤ 20  →  a = 10, b = 15, objective 35
    s = scen(target_usd=(25 * M,), weights={"agri": 2.0})
    p = plan(s, TWO)
    assert p.status == "optimal"
    assert extra(p, "0101") == pytest.approx(10 * M)
    assert extra(p, "3004") == pytest.approx(15 * M)
    assert p.objective == pytest.approx(35 * M)
    assert p.path["share_closed"].iloc[0] == pytest.approx(0.25)
    assert p.path["projected_gap"].iloc[0] == pytest.approx(75 * M)
    # raising the target by one dollar buys one more dollar of pharma (weight 1)
    assert shadow(p, "target", "usd") == pytest.approx(1.0)
    again = plan(replace(s, target_usd=(26 * M,)), TWO)
    assert again.objective - p.objective == pytest.approx(1.0 * M)


def test_logistics_cap_shadow_price_matches_resolve():
    # x_a + x_b ≤ 12 M$ (12,000 t at US$1,000/t); max 2a + b → a = 10, b = 2, objective 22 M
    s = scen(target_usd=(5 * M,), stop_at_target=False, weights={"agri": 2.0},
             logistics={"sea": (12_000.0,)})
    p = plan(s, TWO)
    assert extra(p, "0101") == pytest.approx(10 * M)
    assert extra(p, "3004") == pytest.approx(2 * M)
    assert p.objective == pytest.approx(22 * M)
    # one more tonne carries US$1,000 of pharma (weight 1)
    assert shadow(p, "logistics", "sea") == pytest.approx(1000.0)
    delta = 50.0
    again = plan(replace(s, logistics={"sea": (12_000.0 + delta,)}), TWO)
    assert again.objective - p.objective == pytest.approx(1000.0 * delta, rel=1e-6)
    row = p.binding[p.binding["family"] == "logistics"].iloc[0]
    assert "US$1.0 m" in row["sentence"] and "sea" in row["sentence"]


def test_market_share_shadow_price_matches_resolve():
    # pharma product: ceiling = 10 % × 100 M − 5 M = 5 M (below untapped 50 M);
    # dV/d(ms) = weight 2 × imports 100 M = 200 M per unit share
    c = cands([
        {"product": "3004", "group": "pharma", "untapped": 50 * M, "market_imports": 100 * M,
         "current": 5 * M},
        {"product": "0101", "group": "agri", "untapped": 8 * M},
    ])
    s = scen(target_usd=(1 * M,), stop_at_target=False, weights={"pharma": 2.0},
             market_share_max=0.1)
    p = plan(s, c)
    assert extra(p, "3004") == pytest.approx(5 * M)
    assert shadow(p, "market_share", "pharma") == pytest.approx(200 * M)
    again = plan(replace(s, market_share_max_by_group={"pharma": 0.101}), c)
    assert again.objective - p.objective == pytest.approx(200 * M * 0.001, rel=1e-6)
    sentence = p.binding.set_index("key").loc["pharma", "sentence"]
    assert "pharma market-share ceiling" in sentence and "US$2.0 m" in sentence


def test_sector_floor_shadow_price_matches_resolve():
    # agri ≥ 50 % of extra purchases: b ≤ a, a ≤ 10 M → a = b = 10 M; V(f) = 10 M / f,
    # dV/df = −10 M / f² = −40 M at f = 0.5; the planner's rate is a one-sided difference over
    # h = 1e-5 (V'' h / 2V' = 2e-5 relative)
    c = cands([
        {"product": "0101", "group": "agri", "untapped": 10 * M},
        {"product": "8703", "group": "other", "untapped": 30 * M},
    ])
    s = scen(target_usd=(1 * M,), stop_at_target=False,
             sectors=(Sector("agri", ("agri",), 0.5, None),))
    p = plan(s, c)
    assert p.objective == pytest.approx(20 * M)
    assert shadow(p, "sector_min", "agri") == pytest.approx(-40 * M, rel=3e-5)
    d = 1e-4
    again = plan(replace(s, sectors=(Sector("agri", ("agri",), 0.5 - d, None),)), c)
    assert (again.objective - p.objective) / d == pytest.approx(40 * M, rel=1e-3)
    assert p.binding.set_index("family").loc["sector_min", "sentence"].startswith("Lowering")


def test_ramp_up_two_years():
    # ceiling 10 M, ramp 50 % of it a year: x1 ≤ 5 M, x2 − x1 ≤ 5 M → x = (5, 10), V = 15 M
    c = cands([{"product": "0101", "group": "agri", "untapped": 10 * M}])
    s = scen(horizon=2, target_usd=(10 * M,), ramp_share=0.5)
    p = plan(s, c)
    assert extra(p, "0101", 2025) == pytest.approx(5 * M)
    assert extra(p, "0101", 2026) == pytest.approx(10 * M)
    assert p.objective == pytest.approx(15 * M)
    # dV/d(ramp share): x1 = r·c rises by c = 10 M per unit (x2 is capped at c)
    assert shadow(p, "ramp", "share") == pytest.approx(10 * M)
    again = plan(replace(s, ramp_share=0.51), c)
    assert again.objective - p.objective == pytest.approx(0.01 * 10 * M, rel=1e-6)
    # lowering r below 0.5 leaves the final-year target (10 M = c) out of reach: said so
    row = p.binding.set_index("family").loc["ramp"]
    assert row["rate_up"] == pytest.approx(10 * M, rel=1e-6) and row["rate_down"] == np.inf
    assert "lowering it would leave the target out of reach" in row["sentence"]
    assert plan(replace(s, ramp_share=0.49), c).status == "infeasible"


def test_ramp_up_degenerate_vertex_quotes_each_direction():
    # target 1 M (slack): V(r) = r·c + min(2r·c, c). At r = 0.5 the vertex is degenerate:
    # raising r adds 10 M per unit (x1 only), lowering it loses 30 M per unit (x1 and x2).
    # HiGHS releases return either dual; the planner quotes each side by re-solving.
    c = cands([{"product": "0101", "group": "agri", "untapped": 10 * M}])
    s = scen(horizon=2, target_usd=(1 * M,), ramp_share=0.5, stop_at_target=False)
    p = plan(s, c)
    assert p.objective == pytest.approx(15 * M)
    assert plan(replace(s, ramp_share=0.51), c).objective == pytest.approx(15.1 * M)
    assert plan(replace(s, ramp_share=0.49), c).objective == pytest.approx(14.7 * M)
    row = p.binding.set_index("family").loc["ramp"]
    assert row["rate_up"] == pytest.approx(10 * M, rel=1e-6)
    assert row["rate_down"] == pytest.approx(30 * M, rel=1e-6)
    assert row["shadow"] == pytest.approx(10 * M, rel=1e-6)  # the sentence speaks of raising
    assert row["sentence"] == (
        "Raising the yearly ramp-up limit (50% of each ceiling) by one percentage point of the "
        "ceiling per year would close US$50,000 more of the gap per year; lowering it by as "
        "much would lose US$150,000 a year (the plan's value changes at a different rate in "
        "each direction here) (average over 2 years, at the margin).")


def test_min_size_binary_flips_a_product_out():
    # a + b ≤ 12 M (logistics), a ≤ 10 M (w 2), b ≤ 8 M (w 1), minimum size 5 M:
    # LP optimum a = 10, b = 2 (V 22); with the binary, b = 2 is not allowed:
    # (a 10, b 0) → 20 beats (a 7, b 5) → 19
    c = cands([
        {"product": "0101", "group": "agri", "untapped": 10 * M},
        {"product": "3004", "group": "pharma", "untapped": 8 * M},
    ])
    s = scen(target_usd=(1 * M,), stop_at_target=False, weights={"agri": 2.0},
             logistics={"sea": (12_000.0,)})
    lp = plan(s, c)
    assert not lp.is_mip and extra(lp, "3004") == pytest.approx(2 * M)
    p = plan(replace(s, min_size_usd=5 * M), c)
    assert p.is_mip and p.status == "optimal"
    assert extra(p, "0101") == pytest.approx(10 * M)
    assert extra(p, "3004") == 0.0
    assert p.objective == pytest.approx(20 * M)
    assert p.excluded_min_size == ["3004"]
    assert any("fixed" in n for n in p.notes)
    # with weight 1.5 on agri, (7, 5) → 15.5 beats (10, 0) → 15: the choice flips back in
    q = plan(replace(s, min_size_usd=5 * M, weights={"agri": 1.5}), c)
    assert extra(q, "3004") == pytest.approx(5 * M)
    assert extra(q, "0101") == pytest.approx(7 * M)


def test_export_path_moves_baseline_and_target_share():
    c = cands([{"product": "0101", "group": "agri", "untapped": 1e9}])
    from tradegap.planning.scenario import ExportPath

    s = scen(horizon=2, target_share=(0.1,), export_path=ExportPath(
        base_volume=10.0, base_price=10 * M, volume=(8.0, 6.0), price=(10 * M, 10 * M)))
    # gap: 100 M + 80 M − 100 M = 80 M, then 60 M; target 10 % of the final year = 6 M
    assert list(s.baseline_gap()) == pytest.approx([80 * M, 60 * M])
    p = plan(s, c)
    assert p.path["target_usd"].iloc[-1] == pytest.approx(6 * M)
    assert p.path["extra_purchases"].iloc[-1] == pytest.approx(6 * M)
    assert p.path["share_closed"].iloc[-1] == pytest.approx(0.1)


def test_target_per_year_and_stop_at_target():
    # targets 4 M then 8 M; stop at the final target: each year ≤ 8 M; ceiling 10 M → (8, 8)
    c = cands([{"product": "0101", "group": "agri", "untapped": 10 * M}])
    s = scen(horizon=2, target_usd=(4 * M, 8 * M))
    p = plan(s, c)
    assert list(p.path["extra_purchases"]) == pytest.approx([8 * M, 8 * M])
    assert list(p.path["target_usd"]) == pytest.approx([4 * M, 8 * M])
    # without the stop, the ceiling binds instead: (10, 10)
    q = plan(replace(s, stop_at_target=False), c)
    assert list(q.path["extra_purchases"]) == pytest.approx([10 * M, 10 * M])
    assert shadow(q, "ceiling", "untapped") == pytest.approx(20 * M)
