"""The measures programme on small cases with optima worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradegap.measures import measures
from tradegap.measures.scenario import (
    Asset,
    Channel,
    Countertrade,
    Crude,
    Fund,
    Gate,
    MeasuresScenario,
    Route,
)
from tradegap.settlement.fx import FxSpec


def scenario(years: int = 1, **kw) -> MeasuresScenario:
    """A pair whose surplus side sells ``other`` a year, all paid into the idle balance."""
    base = {"surplus": "RUS", "deficit": "IND", "start": pd.Period("2026-01", "M"),
            "years": years, "deficit_exports_usd": (0.0,) * years, "settled_share": 1.0,
            "fx": FxSpec("INR", np.full(12 * years, 80.0)),
            "other_exports_usd": (1.2e9,) * years, "idle_rate": 0.12}
    base.update(kw)
    return MeasuresScenario(**base)


def candidates(untapped: float = 0.0, group: str = "agri", unit_value: float = 1000.0,
               route: str = "any", product: str = "0303") -> pd.DataFrame:
    return pd.DataFrame({"product": [product], "name": ["fish"], "group": [group],
                         "current": [0.0], "untapped": [untapped], "market_imports": [1e12],
                         "exporter_capacity": [np.nan], "unit_value": [unit_value],
                         "route": [route]})


def by_year(result) -> dict[str, float]:
    return result.purchases.groupby("year")["extra_usd"].sum().to_dict()


def test_netting_lowers_peak_by_hand_worked_amount():
    # 100 m a month flows in for 12 months and nothing drains: the peak is 1.2 bn in December.
    # Netting 360 m a year through the UAE (30 m a month, no fee) leaves 70 m a month: the peak
    # falls by exactly 12 × 30 m = 360 m, and the netted value equals what left the balance.
    plain = measures(scenario(), candidates(), check=False)
    netted = measures(scenario(netting=Channel((0.36e9,), 0.0, via="ARE", currency="AED")),
                      candidates(), check=False)
    assert plain.residual["idle_peak_usd"] == pytest.approx(1.2e9, rel=1e-9)
    assert netted.residual["idle_peak_usd"] == pytest.approx(0.84e9, rel=1e-9)
    assert plain.residual["idle_peak_usd"] - netted.residual["idle_peak_usd"] == \
        pytest.approx(0.36e9, rel=1e-9)
    row = netted.package.set_index("key").loc["netting"]
    assert row["total_usd"] == pytest.approx(0.36e9, rel=1e-9)
    assert row["share_idle_gap"] == pytest.approx(0.3, rel=1e-9)
    assert netted.ledger["netting_local"].sum() == pytest.approx(0.36e9 * 80, rel=1e-9)


def test_gate_opening_2027_blocks_purchases_before_and_names_its_shadow_prices():
    # Fish (untapped 120 m a year) may be sold only from 2027-01, through 10 approved plants of
    # 5 m a year each (50 m). Purchases are worth 0.5 per dollar, so the optimum buys the gate's
    # capacity: 0 in 2026, 50 m in 2027 and 2028. Ten more plants add exactly 50 m a year (still
    # under the 120 m ceiling); opening a year earlier adds 50 m in 2026.
    gate = Gate("fish plants", "sps", groups=("agri",), eligible_from=12, plants=10,
                capacity_per_plant_usd=5e6)
    r = measures(scenario(3, gates=(gate,), trade_value=0.5), candidates(120e6))
    assert r.feasible
    assert by_year(r) == pytest.approx({"2027": 50e6, "2028": 50e6})
    assert (r.ledger.loc[r.ledger["month"] < "2027-01", "purchases:agri_local"] == 0).all()
    shadow = r.shadow.set_index("family")
    assert shadow.loc["gate capacity", "purchases_change_usd_per_year"] == pytest.approx(50e6)
    assert "approving 10 more plants under 'fish plants'" in \
        shadow.loc["gate capacity", "sentence"].lower()
    assert "adds US$ 50.0 m a year of extra purchases" in shadow.loc["gate capacity", "sentence"]
    date = shadow.loc["gate date", "sentence"]
    assert "Opening 'fish plants' 12 months earlier (2026-01 instead of 2027-01)" in date
    assert "adds US$ 50.0 m of extra purchases" in date
    assert r.package.set_index("key").loc["purchases:agri", "time_to_effect"] == "2027-01"


def test_cheaper_route_fills_to_capacity_first():
    # 24 m a year of a US$ 1,000/t product = 24,000 t. The cheap route (10 $/t) carries 1,000 t
    # a year; the rest goes by the dear one (30 $/t). Freight = 1,000·10 + 23,000·30 = 700,000.
    # With no idle cost, raising the cheap route's capacity by 10 % (100 t) saves 100·20 = 2,000 a
    # year: the re-solve and the LP dual agree.
    routes = (Route("cheap", 10.0, 20.0, (1000.0,)), Route("dear", 30.0, 20.0))
    r = measures(scenario(routes=routes, trade_value=0.5, idle_rate=0.0), candidates(24e6))
    t = r.purchases.set_index("route")
    assert t.loc["cheap", "tonnes"] == pytest.approx(1000.0)
    assert t.loc["dear", "tonnes"] == pytest.approx(23000.0)
    assert t["freight_usd"].sum() == pytest.approx(700_000.0)
    assert t.loc["cheap", "landed_usd_per_tonne"] == pytest.approx(1010.0)
    s = r.shadow.set_index("family").loc["route capacity"]
    assert s["resolved_change_usd"] == pytest.approx(-2000.0, rel=1e-6)
    assert s["dual_prediction_usd"] == pytest.approx(-2000.0, rel=1e-6)


def test_transit_days_delay_payment():
    # 30.4375 days = one month: purchases shipped evenly through the year are paid a month after
    # shipping, so December's shipment falls after the horizon and 11/12 are paid within it.
    routes = (Route("sea", 0.0, 365.25 / 12),)
    r = measures(scenario(routes=routes, trade_value=0.5, idle_rate=0.0), candidates(12e6))
    paid = r.ledger["purchases:agri_local"].to_numpy() / 80
    assert paid[0] == pytest.approx(0.0)
    assert paid[1:] == pytest.approx(np.full(11, 1e6))


def test_countertrade_ties_purchases_to_crude_value():
    # Crude: 1 Mt a year at 500 then 600 $/t, 10 % discount → 450 m and 540 m. Counter-trade of
    # 2 % of crude value in agri: 9.0 m and 10.8 m. Purchases carry freight and are worth nothing
    # else (no idle cost, no trade value), so the optimum buys exactly the floor.
    crude = Crude((1e6, 1e6), (500.0, 600.0), (0.1, 0.1))
    sc = scenario(2, crude=crude, countertrade=Countertrade(0.02, ("agri",)), idle_rate=0.0,
                  routes=(Route("sea", 50.0, 0.0),))
    r = measures(sc, candidates(100e6))
    assert by_year(r) == pytest.approx({"2026": 9.0e6, "2027": 10.8e6})
    assert r.shadow.set_index("family").loc["counter-trade", "resolved_change_usd"] == \
        pytest.approx(0.1 * (9.0e6 + 10.8e6) * 50 / 1000, rel=1e-6)


def test_infeasible_countertrade_is_explained_by_least_relaxation():
    # The floor asks 9 m but the only product can sell 5 m: lower the floor by 4 m.
    crude = Crude((1e6,), (500.0,), (0.1,))
    sc = scenario(crude=crude, countertrade=Countertrade(0.02, ("agri",)))
    r = measures(sc, candidates(5e6))
    assert r.status == "infeasible"
    row = r.infeasibility.set_index("family").loc["countertrade"]
    assert row["relaxation"] == pytest.approx(4e6, rel=1e-6)
    assert "Lower the counter-trade floor by US$ 4.0 m" in row["sentence"]


def test_assets_fund_and_conversion_drain_within_their_caps():
    # 100 m a month in; T-bills take at most 20 m a month up to a 150 m stock; conversion takes 10
    # m a month at a 0.5 % spread; a fund of 60 m is paid over the year (5 m a month). With a 12 %
    # idle cost (1 % a month, more than the spread even in the last month) every drain is used
    # at its cap.
    sc = scenario(assets=(Asset("T-bills", "securities", 0.06, (0.24e9,), 0.15e9),),
                  conversion=Channel((0.12e9,), 0.005, currency="AED"),
                  fund=Fund(0.06e9, (1.0,)))
    r = measures(sc, candidates())
    t = r.package.set_index("key")
    assert t.loc["asset:T-bills", "total_usd"] == pytest.approx(0.15e9)
    assert t.loc["conversion", "total_usd"] == pytest.approx(0.12e9)
    assert t.loc["conversion", "cost_usd"] == pytest.approx(0.6e6)
    assert t.loc["fund", "total_usd"] == pytest.approx(0.06e9)
    assert r.residual["idle_end_usd"] == pytest.approx(1.2e9 - 0.15e9 - 0.12e9 - 0.06e9)
    total = t["share_idle_gap"].sum() + r.residual["idle_end_usd"] / 1.2e9
    assert total == pytest.approx(1.0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    years=st.integers(1, 2),
    inflow=st.floats(0.1e9, 5e9),
    settled=st.floats(0.05, 1.0),
    base=st.floats(0.0, 0.05e9),
    untapped=st.floats(0.0, 0.5e9),
    sec_cap=st.floats(0.0, 2e9),
    conv=st.floats(0.0, 1e9),
    net=st.floats(0.0, 1e9),
    fund=st.floats(0.0, 0.5e9),
    vol=st.floats(0.0, 0.3),
    transit=st.floats(0.0, 60.0),
    seed=st.integers(0, 1000),
)
def test_every_unit_is_somewhere_in_every_month(years, inflow, settled, base, untapped,
                                                 sec_cap, conv, net, fund, vol, transit, seed):
    """Conservation: opening + inflows − baseline payments = idle + asset stocks + everything
    drained so far, in every month, whatever the drains and the exchange-rate path."""
    rng = np.random.default_rng(seed)
    fx = 80.0 * np.exp(np.cumsum(rng.normal(0, vol / np.sqrt(12), 12 * years)))
    sc = scenario(years, other_exports_usd=(inflow,) * years, settled_share=settled,
                  deficit_exports_usd=(base,) * years, opening_balance_usd=1e8,
                  fx=FxSpec("INR", fx), trade_value=0.1,
                  routes=(Route("sea", 20.0, transit),),
                  assets=(Asset("G-secs", "securities", 0.07, (sec_cap / 4,) * years,
                                sec_cap),),
                  conversion=Channel((conv,) * years, 0.02),
                  netting=Channel((net,) * years, 0.005),
                  fund=Fund(fund, (1.0 / years,) * years))
    r = measures(sc, candidates(untapped), check=False)
    assert r.feasible
    led = r.ledger
    scale = max(1.0, float(led["baseline_idle_local"].abs().max()))
    assert (led["conservation_error_local"].abs() <= 1e-7 * scale).all()
    assert (led["idle_local"] >= -1e-7 * scale).all()
    drained = sum(led[c].sum() for c in led.columns
                  if c.endswith("_local") and c.split("_local")[0] in
                  {"conversion", "netting", "fund", "asset:G-secs", "purchases:agri"})
    assert led["baseline_idle_local"].iloc[-1] - led["idle_local"].iloc[-1] == \
        pytest.approx(drained, abs=1e-6 * scale)
