"""Infeasible scenarios: the conflicting limits and the smallest relaxation, checked by
re-solving with the relaxation applied."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from tradegap.planning import Scenario, Sector, apply_changes, plan

M = 1e6


def cands(rows: list[dict]) -> pd.DataFrame:
    base = {"name": "", "current": 0.0, "market_imports": 1e12, "unit_value": 1000.0,
            "route": "sea"}
    return pd.DataFrame([{**base, **r} for r in rows])


TWO = cands([
    {"product": "0101", "group": "agri", "untapped": 10 * M},
    {"product": "3004", "group": "pharma", "untapped": 20 * M},
])


def scen(**kw) -> Scenario:
    base = dict(exporter="IND", market="RUS", base_year=2024, horizon=1, gap=100 * M)
    return Scenario(**{**base, **kw})


def test_logistics_conflict_explained_and_relaxations_work():
    # 12,000 t at US$1,000/t carry at most 12 M; the target asks 25 M
    s = scen(target_usd=(25 * M,), logistics={"sea": (12_000.0,)})
    p = plan(s, TWO)
    assert p.status == "infeasible" and not p.feasible
    inf = p.infeasibility
    assert set(inf.conflicts) == {"target:usd", "logistics:sea"}
    by_family = {a[0].family: a for a in inf.alternatives}
    assert by_family["target"][0].new == pytest.approx(12 * M, rel=1e-5)
    assert by_family["logistics"][0].new == pytest.approx(25_000.0, rel=1e-5)
    # relative cost: lowering the target by 13/25 beats raising the cap by 13/12
    assert [c.family for c in inf.combined] == ["target"]
    assert "lowered to US$12.0 m" in inf.sentence
    assert "rises by 13.0 kt/yr" in inf.sentence
    for changes in inf.alternatives:
        fixed = plan(apply_changes(s, changes), TWO)
        assert fixed.status == "optimal", changes
    # and the relaxation is the smallest: 1 % less than the relaxation stays infeasible
    tight = replace(s, logistics={"sea": (12_000.0 + 0.99 * 13_000.0,)})
    assert plan(tight, TWO).status == "infeasible"


def test_sector_floor_conflict():
    # target 30 M with agri ≥ 60 %, but agri can bring only 10 M: floor must fall to 1/3,
    # or the target to 10 M / 0.6 = 16.67 M
    c = pd.concat([TWO.iloc[:1], cands([{"product": "8703", "group": "other",
                                          "untapped": 30 * M}])])
    s = scen(target_usd=(30 * M,), sectors=(Sector("agri", ("agri",), 0.6, None),))
    p = plan(s, c)
    assert p.status == "infeasible"
    by_family = {a[0].family: a[0] for a in p.infeasibility.alternatives}
    assert by_family["sector_min"].new == pytest.approx(1 / 3, abs=1e-5)
    assert by_family["target"].new == pytest.approx(30 * M - 40 * M / 3, rel=1e-5)
    for changes in p.infeasibility.alternatives:
        assert plan(apply_changes(s, changes), c).status == "optimal"


def test_market_share_and_ramp_relaxations():
    # each year ≥ 12 M; pharma ceiling 10 % × 100 M = 10 M, agri 2 M, ramp 50 % of ceilings
    c = cands([
        {"product": "3004", "group": "pharma", "untapped": 50 * M, "market_imports": 100 * M},
        {"product": "0101", "group": "agri", "untapped": 2 * M},
    ])
    s = scen(horizon=2, target_usd=(12 * M,), target_every_year=True, market_share_max=0.1,
             ramp_share=0.5)
    p = plan(s, c)
    assert p.status == "infeasible"
    fams = {a[0].family for a in p.infeasibility.alternatives}
    assert {"target", "market_share", "ramp"} <= fams
    for changes in p.infeasibility.alternatives:
        assert plan(apply_changes(s, changes), c).status == "optimal", changes
    # ramp alone: year 1 needs r·(10 M + 2 M) ≥ 12 M → r = 1;
    # market share alone: year 1 needs 0.5·(100 M·m) + 0.5·2 M ≥ 12 M → m = 0.22
    ramp = next(a[0] for a in p.infeasibility.alternatives if a[0].family == "ramp")
    assert ramp.new == pytest.approx(1.0, abs=1e-5)
    ms = next(a[0] for a in p.infeasibility.alternatives if a[0].family == "market_share")
    assert ms.new == pytest.approx(0.22, abs=1e-5)
