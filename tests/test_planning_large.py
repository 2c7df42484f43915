"""A 5,000-product × 10-year random instance solves to optimality and respects every limit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradegap.planning import Scenario, Sector, plan


def random_candidates(k: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    imports = rng.lognormal(17, 1.5, k)
    groups = np.array(["agri", "pharma", "machinery", "chemicals", "other"])
    return pd.DataFrame({
        "product": [f"{i:06d}" for i in range(k)],
        "name": "random",
        "group": groups[rng.integers(0, 5, k)],
        "current": imports * rng.uniform(0, 0.05, k),
        "untapped": imports * rng.uniform(0, 0.3, k),
        "market_imports": imports,
        "exporter_capacity": imports * rng.uniform(0.5, 5, k),
        "unit_value": rng.lognormal(8, 1, k),
        "route": np.array(["sea-suez", "INSTC", "air"])[rng.integers(0, 3, k)],
    })


@pytest.mark.slow
def test_five_thousand_products_ten_years():
    cands = random_candidates(5000)
    s = Scenario(
        exporter="IND", market="RUS", base_year=2024, horizon=10, gap=59e9,
        target_share=(0.2,), weights={"agri": 1.5, "pharma": 1.5, "other": 0.8},
        market_share_max=0.3, capacity_share_max=0.5, ramp_share=0.2,
        sectors=(Sector("agri+pharma", ("agri", "pharma"), 0.4, None),),
        logistics={"INSTC": (2e6,) * 10, "sea-suez": (5e6,) * 10},
    )
    p = plan(s, cands)
    assert p.status == "optimal"
    path = p.path
    assert path["extra_purchases"].iloc[-1] == pytest.approx(0.2 * 59e9, rel=1e-6)
    assert (path["extra_purchases"] <= 0.2 * 59e9 * (1 + 1e-7)).all()
    t = p.table.merge(cands[["product", "untapped", "market_imports", "current"]], on="product")
    assert (t["extra_usd"] <= t["untapped"] * (1 + 1e-6) + 1).all()
    assert (t["extra_usd"] + t["current"] <= 0.3 * t["market_imports"] * (1 + 1e-6) + 1).all()
    tonnes = t.groupby(["route", "year"])["extra_tonnes"].sum()
    assert (tonnes.loc["INSTC"] <= 2e6 * (1 + 1e-6)).all()
    assert (tonnes.loc["sea-suez"] <= 5e6 * (1 + 1e-6)).all()
    by_year = t.assign(ap=t["group"].isin(["agri", "pharma"]) * t["extra_usd"]).groupby("year")
    share = by_year["ap"].sum() / by_year["extra_usd"].sum()
    assert (share >= 0.4 - 1e-6).all()
    c = cands.set_index("product")
    ceiling = np.minimum(c["untapped"], np.minimum(0.3 * c["market_imports"] - c["current"],
                                                   0.5 * c["exporter_capacity"] - c["current"]))
    wide = t.pivot_table(index="product", columns="year", values="extra_usd", fill_value=0)
    growth = wide.diff(axis=1).fillna(wide).max(axis=1)  # the first year grows from 0
    assert (growth <= 0.2 * ceiling.loc[growth.index] * (1 + 1e-6) + 1).all()
    assert len(wide) > 1000
    assert len(p.binding) > 0
