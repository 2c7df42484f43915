"""Yearly plan purchases → monthly settlement series: a hand-worked case, edges, and a plan
draining idle balances in a settlement simulation."""

from __future__ import annotations

import pandas as pd
import pytest

from tradegap.errors import InputError
from tradegap.report.html import SHIPPED_SCENARIOS
from tradegap.settlement import compare, load_scenario, simulate
from tradegap.settlement.from_plan import monthly_from_plan_path


def test_hand_worked_two_years_aligned_to_the_scenario() -> None:
    """Plan 2025: US$ 12 m, 2026: US$ 24 m. Scenario from 2024-11 for 16 months
    (2024-11 … 2026-02): 2024-11, 2024-12 → 0 (before the plan); 2025-01 … 2025-12 → 12/12 = 1 m
    each; 2026-01, 2026-02 → 24/12 = 2 m each. Total 12 + 4 = 16 m."""
    path = pd.DataFrame({"year": [2025, 2026], "extra_purchases": [12e6, 24e6]})
    s = monthly_from_plan_path(path, "2024-11", 16)
    assert list(s.index[:3]) == ["2024-11", "2024-12", "2025-01"] and s.index[-1] == "2026-02"
    assert s.iloc[:2].tolist() == [0.0, 0.0]
    assert s.loc["2025-01":"2025-12"].tolist() == [1e6] * 12
    assert s.loc["2026-01":].tolist() == [2e6, 2e6]
    assert s.sum() == pytest.approx(16e6)


def test_months_after_the_plan_are_zero_and_nan_counts_as_zero() -> None:
    path = pd.DataFrame({"year": [2025, 2026], "extra_purchases": [float("nan"), 6e6]})
    s = monthly_from_plan_path(path, "2026-11", 4)
    assert s.tolist() == [5e5, 5e5, 0.0, 0.0]
    other = pd.DataFrame({"year": [2025], "x": [12.0]})
    assert monthly_from_plan_path(other, "2025-06", 1, column="x").tolist() == [1.0]


@pytest.mark.parametrize("bad", [
    dict(path=pd.DataFrame({"year": [2025]}), start="2025-01", months=3),
    dict(path=pd.DataFrame({"year": [2025], "extra_purchases": [-1.0]}), start="2025-01",
         months=3),
    dict(path=pd.DataFrame({"year": [2025], "extra_purchases": [1.0]}), start="2025-13",
         months=3),
    dict(path=pd.DataFrame({"year": [2025], "extra_purchases": [1.0]}), start="2025-01",
         months=-1),
])
def test_bad_input_is_refused(bad: dict) -> None:
    with pytest.raises(InputError):
        monthly_from_plan_path(**bad)


def test_a_plan_drains_idle_balances() -> None:
    sc = load_scenario(SHIPPED_SCENARIOS / "settlement-fund.toml")
    path = pd.DataFrame({"year": [2025, 2026, 2027, 2028], "extra_purchases": [1e9] * 4})
    monthly = monthly_from_plan_path(path, str(sc.start), sc.months)
    assert len(monthly) == sc.months
    base, with_plan = simulate(sc), simulate(sc, monthly)
    assert with_plan.monthly["plan_usd"].sum() == pytest.approx(monthly.sum())
    cmp = compare(base, with_plan)
    assert cmp.summary["average_idle_usd"]["reduction"] > 0
    assert (cmp.monthly["reduction_usd"] >= -1e-6).all()
