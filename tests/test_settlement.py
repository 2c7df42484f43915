"""Settlement simulator: a hand-worked 3-month ledger, caps, plans, Monte Carlo bands."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tradegap.settlement import compare, scenario_from_dict, simulate

#: Three months, INR per USD 80, 80, 100. Worked by hand in the test below.
HAND: dict[str, Any] = {
    "scenario": {"name": "hand", "surplus": "RUS", "deficit": "IND", "start": "2023-01",
                 "months": 3, "synthetic": True},
    "inflows": {"exports_usd": 20.0, "settled_share": 0.5},
    "costs": {"idle_rate": 0.12},
    "drains": {
        "order": ["imports", "securities", "fund", "conversion"],
        "imports": {"baseline_usd": 1.0},
        "securities": {"yield": 0.12, "stock_cap_usd": 3.0, "monthly_cap_usd": 2.0},
        "fund": {"committed_usd": 6.0, "schedule": [0.5, 0.5, 0.0]},
        "conversion": {"capacity_usd": 0.5, "spread": 0.1, "currency": "AED"},
    },
    "fx": {"deficit": {"currency": "INR", "per_usd": [80.0, 80.0, 100.0]},
           "surplus": {"currency": "RUB", "per_usd": 90.0}},
}


def scenario(changes: dict[str, Any] | None = None) -> Any:
    data = copy.deepcopy(HAND)
    for path, value in (changes or {}).items():
        *parents, last = path.split(".")
        node = data
        for p in parents:
            node = node.setdefault(p, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return scenario_from_dict(data)


def test_hand_worked_three_months() -> None:
    # Month 1 (80): inflow 20·0.5·80 = 800; imports 1·80 = 80 → 720; securities min(720,
    # 2·80=160, 3·80−0=240) = 160 → 560; fund 0.5·6·80 = 240 → 320; conversion 0.5·80 = 40 → 280.
    # Month 2 (80): interest 160·0.01 = 1.6; available 280+800+1.6 = 1081.6; imports 80 →
    # 1001.6; securities min(160, 240−160=80) = 80 → 921.6; fund 240 → 681.6; conversion 40 →
    # 641.6. Month 3 (100): interest 240·0.01 = 2.4; available 641.6+1000+2.4 = 1644; imports
    # 100 → 1544; securities min(200, 300−240=60) = 60 → 1484; fund 0; conversion 50 → 1434.
    m = simulate(scenario()).monthly
    assert m["month"].tolist() == ["2023-01", "2023-02", "2023-03"]
    np.testing.assert_allclose(m["inflow_local"], [800, 800, 1000])
    np.testing.assert_allclose(m["interest_local"], [0, 1.6, 2.4])
    np.testing.assert_allclose(m["imports_paid_local"], [80, 80, 100])
    np.testing.assert_allclose(m["securities_bought_local"], [160, 80, 60])
    np.testing.assert_allclose(m["securities_stock_local"], [160, 240, 300])
    np.testing.assert_allclose(m["fund_paid_local"], [240, 240, 0])
    np.testing.assert_allclose(m["fund_stock_local"], [240, 480, 480])
    np.testing.assert_allclose(m["converted_local"], [40, 40, 50])
    np.testing.assert_allclose(m["conversion_cost_local"], [4, 4, 5])
    np.testing.assert_allclose(m["converted_net_usd"], [0.45, 0.45, 0.45])
    np.testing.assert_allclose(m["idle_local"], [280, 641.6, 1434])
    np.testing.assert_allclose(m["idle_usd"], [3.5, 8.02, 14.34])
    np.testing.assert_allclose(m["idle_surplus_ccy"], [315, 721.8, 1290.6])
    # Costs (USD): opportunity = idle·1%/fx: 0.035, 0.0802, 0.1434; FX loss on the opening idle
    # balance: 0, 280·(1/80−1/80) = 0, 641.6·(1/80−1/100) = 1.604; spread 4/80, 4/80, 5/100.
    np.testing.assert_allclose(m["opportunity_cost_usd"], [0.035, 0.0802, 0.1434])
    np.testing.assert_allclose(m["fx_loss_usd"], [0, 0, 1.604], atol=1e-12)
    np.testing.assert_allclose(m["conversion_cost_usd"], [0.05, 0.05, 0.05])
    np.testing.assert_allclose(m["cost_usd"], [0.085, 0.1302, 1.7974])
    np.testing.assert_allclose(m["cum_cost_usd"], [0.085, 0.2152, 2.0126])


def test_hand_worked_summary_and_conservation() -> None:
    s = simulate(scenario()).summary
    assert s["peak_idle_usd"] == pytest.approx(14.34)
    assert s["peak_idle_month"] == "2023-03"
    assert s["average_idle_usd"] == pytest.approx((3.5 + 8.02 + 14.34) / 3)
    assert s["total_cost_usd"] == pytest.approx(2.0126)
    assert s["inflow_usd"] == pytest.approx(30.0)
    assert s["fund_arrears_usd"] == pytest.approx(0.0)
    # 2600 + 4.0 interest = 1434 idle + 300 securities + 480 fund + 260 imports + 130 converted
    assert s["conservation_error_local"] < 1e-9


def test_order_changes_who_gets_paid_first() -> None:
    # Conversion first with a huge capacity empties the balance before anything else.
    m = simulate(scenario({"drains.order": ["conversion", "imports", "securities", "fund"],
                           "drains.conversion.capacity_usd": 1e6})).monthly
    np.testing.assert_allclose(m["converted_local"], [800, 800, 1000])
    np.testing.assert_allclose(m["imports_paid_local"], [0, 0, 0])
    np.testing.assert_allclose(m["idle_local"], [0, 0, 0])
    np.testing.assert_allclose(m["imports_unmet_usd"], [1, 1, 1])


def test_fund_arrears_carry_over() -> None:
    # The fund is the only drain and may take a quarter of what is available: month 1 has
    # 800, so 200 < 240 due.
    sc = scenario({"drains.order": ["fund"], "drains.imports": None, "drains.securities": None,
                   "drains.conversion": None, "drains.fund.max_share": 0.25})
    m = simulate(sc).monthly
    # Month 1: due 240, paid 200, arrears 40/80 = 0.5 USD. Month 2: available 600+800 = 1400,
    # due (3+0.5)·80 = 280, paid min(280, 350) = 280, arrears 0. Month 3: due 0.
    np.testing.assert_allclose(m["fund_paid_local"], [200, 280, 0])
    np.testing.assert_allclose(m["fund_arrears_usd"], [0.5, 0, 0], atol=1e-12)


def test_caps_respected() -> None:
    sc = scenario({"inflows.exports_usd": 1000.0, "drains.securities.stock_cap_usd": 5.0,
                   "drains.securities.monthly_cap_usd": 2.0})
    m = simulate(sc).monthly
    assert (m["securities_bought_local"] <= 2.0 * m["fx_local"] + 1e-9).all()
    assert (m["securities_stock_local"] <= 5.0 * m["fx_local"] + 1e-9).all()
    assert (m["converted_local"] <= 0.5 * m["fx_local"] + 1e-9).all()
    np.testing.assert_allclose(m["securities_bought_local"], [160, 160, 500 - 320])


def test_only_stock_cap_or_only_monthly_cap() -> None:
    only_stock = scenario({"inflows.exports_usd": 1000.0, "drains.securities.monthly_cap_usd":
                           None}).securities
    assert only_stock is not None and np.isinf(only_stock.monthly_cap_usd).all()
    m = simulate(scenario({"drains.securities.stock_cap_usd": None})).monthly
    np.testing.assert_allclose(m["securities_bought_local"], [160, 160, 200])


def test_plan_reduces_idle_balances() -> None:
    sc = scenario()
    base = simulate(sc)
    plan = pd.Series([2.0, 2.0, 2.0], index=["2023-01", "2023-02", "2023-03"])
    with_plan = simulate(sc, plan_path=plan)
    # 2 USD extra a month settled in INR: idle falls by 160, 320, 520 INR.
    np.testing.assert_allclose(base.monthly["idle_local"] - with_plan.monthly["idle_local"],
                               [160, 320, 520], rtol=1e-12)
    c = compare(base, with_plan)
    assert c.summary["peak_idle_usd"]["reduction"] == pytest.approx(5.2)
    assert c.summary["total_cost_usd"]["reduction"] > 0
    assert (c.monthly["reduction_usd"] > 0).all()
    assert c.to_dict()["summary"]["peak_idle_usd"]["with_plan"] == pytest.approx(14.34 - 5.2)


def test_plan_by_position_and_errors() -> None:
    sc = scenario()
    a = simulate(sc, plan_path=pd.Series([1.0, 0.0, 0.0])).monthly
    b = simulate(sc, plan_path=pd.Series([1.0], index=[pd.Period("2023-01", "M")])).monthly
    pd.testing.assert_frame_equal(a, b)
    from tradegap.errors import InputError

    with pytest.raises(InputError, match="outside the scenario"):
        simulate(sc, plan_path=pd.Series([1.0], index=["2024-01"]))
    with pytest.raises(InputError, match="exactly 3 values"):
        simulate(sc, plan_path=pd.Series([1.0, 2.0]))


def test_monte_carlo_bands_ordered_and_seeded() -> None:
    sc = scenario({"scenario.months": 24, "fx.deficit.per_usd": 83.0,
                   "fx.deficit.volatility": 0.2, "fx.surplus.volatility": 0.3,
                   "fx.correlation": 0.5, "drains.fund.schedule": 0.02})
    r1 = simulate(sc, draws=300, seed=7)
    r2 = simulate(sc, draws=300, seed=7)
    r3 = simulate(sc, draws=300, seed=8)
    b = r1.bands
    assert b is not None and len(b) == 24
    assert (b["idle_usd_p5"] <= b["idle_usd_p50"]).all()
    assert (b["idle_usd_p50"] <= b["idle_usd_p95"]).all()
    assert (b["idle_usd_p5"].iloc[6:] < b["idle_usd_p95"].iloc[6:]).all()  # the band is open
    assert (b["cum_cost_usd_p5"] <= b["cum_cost_usd_p95"]).all()
    pd.testing.assert_frame_equal(b, r2.bands)
    assert not b.equals(r3.bands)
    assert r1.summary["peak_idle_usd_p5"] <= r1.summary["peak_idle_usd_p95"]
    assert r1.summary["mc_conservation_error_local"] < 1e-6
    # Month 0 is known: no spread in the band.
    assert b["idle_usd_p5"].iloc[0] == pytest.approx(b["idle_usd_p95"].iloc[0])


def test_to_dict_is_complete() -> None:
    d = simulate(scenario(), draws=10).to_dict()
    assert set(d) == {"summary", "monthly", "bands", "provenance"}
    assert len(d["monthly"]) == 3 and len(d["bands"]) == 3
    assert d["provenance"]["synthetic"] is True


def test_compare_monte_carlo_with_common_draws() -> None:
    sc = scenario({"scenario.months": 12, "fx.deficit.per_usd": 80.0,
                   "fx.deficit.volatility": 0.1, "drains.fund.schedule": 0.05})
    base = simulate(sc, draws=200, seed=1)
    plan = simulate(sc, plan_path=pd.Series([1.0] * 12), draws=200, seed=1)
    c = compare(base, plan)
    for p in (5, 50, 95):
        assert c.summary[f"peak_idle_usd_p{p}"]["reduction"] > 0
    # Imports come first and take 1 USD more each month: idle falls by exactly 12 USD by the end
    # on the central path (no securities interest differs: the securities take the same).
    assert c.summary["final_idle_usd"]["reduction"] == pytest.approx(12.0)


def test_too_many_draws_is_refused() -> None:
    from tradegap.errors import InputError

    with pytest.raises(InputError) as info:
        simulate(scenario({"scenario.months": 600, "fx.deficit.per_usd": 80.0,
                           "drains.fund.schedule": 0.0}), draws=10_000)
    assert info.value.field == "draws" and "at most" in str(info.value)
