"""Shadow prices on random small LPs are supergradients of the optimal value.

For a maximisation LP the optimal value V is concave in right-hand sides and bounds, so a correct
dual y satisfies V(θ + δ) ≤ V(θ) + y·δ for every δ, up or down (Bertsimas & Tsitsiklis 1997,
Thm 5.2), and the bound is tight for small δ when the LP is not degenerate."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from tradegap.planning import Scenario, plan

M = 1e6


def instance(seed: int, stop: bool = False) -> tuple[Scenario, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    k = 6
    imports = rng.uniform(20, 200, k) * M
    cands = pd.DataFrame({
        "product": [f"{i:04d}" for i in range(k)],
        "name": "",
        "group": rng.choice(["agri", "pharma", "other"], k),
        "current": imports * rng.uniform(0, 0.05, k),
        "untapped": rng.uniform(1, 40, k) * M,
        "market_imports": imports,
        "unit_value": rng.uniform(500, 5000, k),
        "route": rng.choice(["sea", "INSTC"], k),
    })
    s = Scenario(
        exporter="IND", market="RUS", base_year=2024, horizon=3, gap=500 * M,
        target_usd=(float(rng.uniform(5, 20)) * M,), stop_at_target=stop,
        weights={"agri": float(rng.uniform(1, 2)), "pharma": float(rng.uniform(1, 2))},
        market_share_max=float(rng.uniform(0.1, 0.3)), ramp_share=float(rng.uniform(0.3, 0.6)),
        logistics={"sea": float(rng.uniform(5e3, 3e4)), "INSTC": float(rng.uniform(2e3, 1e4))},
    )
    return s, cands


def moves(s: Scenario, family: str, key: str, delta: float) -> Scenario:
    if family == "logistics":
        return replace(s, logistics={**s.logistics,
                                     key: tuple(v + delta for v in s.logistics[key])})
    if family == "market_share":
        return replace(s, market_share_max_by_group={
            **s.market_share_max_by_group, key: s.market_share_cap(key) + delta})
    if family == "ramp":
        return replace(s, ramp_share=s.ramp_share + delta)
    if family == "target":
        return replace(s, target_usd=(s.target_usd[0] + delta,))
    if family == "ceiling":
        return replace(s, ceiling_share=s.ceiling_share + delta)
    raise AssertionError(family)


STEPS = {"logistics": 200.0, "market_share": 0.002, "ramp": 0.01, "target": 0.5 * M,
         "ceiling": 0.01}


@pytest.mark.parametrize(("seed", "stop"), [(i, i % 3 == 0) for i in range(12)])
def test_shadow_prices_are_supergradients(seed, stop):
    s, cands = instance(seed, stop)
    base = plan(s, cands)
    assert base.feasible  # every one of these seeds is (no silent skip)
    checked, rows = 0, 0
    for row in base.binding.itertuples():
        if row.family not in STEPS:
            continue
        rows += 1
        for sign in (1.0, -1.0):
            delta = sign * STEPS[row.family]
            moved = plan(moves(s, row.family, row.key, delta), cands)
            if not moved.feasible:
                continue
            bound = base.objective + row.shadow * delta
            assert moved.objective <= bound + 1e-6 * abs(base.objective) + 1.0, (row, delta)
            checked += 1
    # every instance binds somewhere (1 to 6 constraints), and each binding row was moved at
    # least one way
    assert rows > 0 and checked >= rows, (rows, checked)


@pytest.mark.parametrize("seed", range(6))
def test_shadow_prices_match_small_finite_differences(seed):
    s, cands = instance(seed, stop=seed % 2 == 0)
    base = plan(s, cands)
    assert base.feasible
    rows = 0
    for row in base.binding.itertuples():
        if row.family not in STEPS:
            continue
        rows += 1
        d = STEPS[row.family] * 1e-2
        slopes = []
        for sign in (1.0, -1.0):
            moved = plan(moves(s, row.family, row.key, sign * d), cands)
            if moved.feasible:
                slopes.append((moved.objective - base.objective) / (sign * d))
        # at a degenerate vertex only one side need match; here the LPs are not degenerate
        assert any(v == pytest.approx(row.shadow, rel=1e-4, abs=1e-2) for v in slopes), (
            row, slopes)
    assert rows > 0  # the loop above checked something
