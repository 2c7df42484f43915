"""Property tests of the settlement ledger: every rupee is somewhere, every month, whatever the
parameters, the drain order and the exchange-rate draws; caps hold; balances never go negative."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tradegap.settlement import DRAINS, scenario_from_dict, simulate
from tradegap.settlement.engine import conservation_error, run_ledger
from tradegap.settlement.fx import fx_draws

money = st.floats(min_value=0.0, max_value=1e10, allow_nan=False, allow_infinity=False)
share = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    months = draw(st.integers(min_value=1, max_value=24))
    series = st.one_of(money, st.lists(money, min_size=months, max_size=months))
    order = draw(st.permutations(DRAINS))
    return {
        "scenario": {"name": "random", "surplus": "RUS", "deficit": "IND", "start": "2022-04",
                     "months": months, "synthetic": True},
        "inflows": {"exports_usd": draw(series),
                    "settled_share": draw(st.one_of(share, st.lists(share, min_size=months,
                                                                    max_size=months))),
                    "opening_balance": draw(money) * 50},
        "costs": {"idle_rate": draw(st.floats(0.0, 0.3))},
        "drains": {
            "order": list(order),
            "imports": {"baseline_usd": draw(series), "settled_share": draw(share),
                        "max_share": draw(share)},
            "securities": {"yield": draw(st.floats(0.0, 0.2)), "stock_cap_usd": draw(money),
                           "monthly_cap_usd": draw(series), "max_share": draw(share),
                           "opening_stock": draw(money) * 50},
            "fund": {"committed_usd": draw(money),
                     "schedule": draw(st.floats(0.0, 1.0 / months)), "max_share": draw(share)},
            "conversion": {"capacity_usd": draw(series), "spread": draw(st.floats(0.0, 0.5)),
                           "max_share": draw(share)},
        },
        "fx": {
            "correlation": draw(st.floats(-1.0, 1.0)),
            "deficit": {"currency": "INR",
                        "per_usd": draw(st.floats(min_value=1.0, max_value=200.0)),
                        "drift": draw(st.floats(-0.2, 0.2)),
                        "volatility": draw(st.floats(0.0, 0.6))},
            "surplus": {"currency": "RUB", "per_usd": draw(st.floats(1.0, 200.0)),
                        "volatility": draw(st.floats(0.0, 0.6))},
        },
    }


def _scale(sc: Any, ledger: dict[str, np.ndarray]) -> float:
    return 1.0 + sc.opening_balance + float(np.abs(ledger["inflow"]).sum()) + float(
        np.abs(ledger["interest"]).sum()) + (sc.securities.opening_stock if sc.securities else 0)


@settings(max_examples=150, deadline=None, database=None)
@given(data=scenarios(), plan=st.lists(money, min_size=24, max_size=24),
       seed=st.integers(0, 2**31 - 1))
def test_conservation_caps_and_signs(data: dict[str, Any], plan: list[float], seed: int) -> None:
    sc = scenario_from_dict(data)
    fx_local, _ = fx_draws(sc.fx_deficit, sc.fx_surplus, sc.fx_correlation, 8, seed)
    ledger = run_ledger(sc, fx_local, np.array(plan[: sc.months]))
    # Conservation: sources − uses is zero up to floating rounding, on every draw and month.
    assert np.abs(conservation_error(sc, ledger)).max() <= 1e-9 * _scale(sc, ledger)
    tol = 1e-9 * _scale(sc, ledger)
    for name in ("idle", "securities_stock", "fund_stock", "imports_paid", "converted",
                 "securities_bought", "fund_paid", "fund_arrears_usd"):
        assert ledger[name].min() >= -tol, name
    # Caps: monthly and stock caps of securities, conversion capacity, imports ≤ due.
    sec, conv = sc.securities, sc.conversion
    assert (ledger["securities_bought"] <= sec.monthly_cap_usd * fx_local * (1 + 1e-12)).all()
    bought_cap = np.maximum(sec.stock_cap_usd * fx_local
                            - np.concatenate([np.full((8, 1), sec.opening_stock),
                                              ledger["securities_stock"][:, :-1]], axis=1), 0)
    assert (ledger["securities_bought"] <= bought_cap * (1 + 1e-12) + tol).all()
    assert (ledger["converted"] <= conv.capacity_usd * fx_local * (1 + 1e-12)).all()
    assert (ledger["imports_paid"] <= ledger["imports_due"] * (1 + 1e-12)).all()
    # The fund never pays more than the commitment.
    paid_usd = (ledger["fund_paid"] / fx_local).sum(axis=1)
    assert (paid_usd <= sc.fund.committed_usd * (1 + 1e-9) + 1e-9).all()


@settings(max_examples=40, deadline=None, database=None)
@given(data=scenarios(), extra=st.floats(min_value=1.0, max_value=1e9))
def test_plan_never_raises_idle_balances_when_imports_come_first(
    data: dict[str, Any], extra: float
) -> None:
    # With imports first and no securities (whose interest depends on the path), extra purchases
    # settled in rupees can only lower the idle balance, month by month.
    data["drains"]["order"] = ["imports", "fund", "conversion"]
    del data["drains"]["securities"]
    sc = scenario_from_dict(data)
    base = simulate(sc).monthly["idle_local"].to_numpy()
    plan = simulate(sc, plan_path=_plan(sc.months, extra)).monthly["idle_local"].to_numpy()
    assert (plan <= base * (1 + 1e-12) + 1e-6).all()


def _plan(months: int, extra: float) -> Any:
    import pandas as pd

    return pd.Series([extra] * months)
