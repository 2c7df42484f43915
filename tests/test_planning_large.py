"""A 5,000-product × 10-year random instance solves to optimality and respects every limit."""

from __future__ import annotations

import numpy as np
import pytest

from tradegap.planning import plan
from tradegap.planning.instances import large_instance


@pytest.mark.slow
def test_five_thousand_products_ten_years():
    s, cands = large_instance(5000, 10)
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
