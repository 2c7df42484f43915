"""A purchase plan's yearly extra purchases as the monthly series :func:`simulate` takes.

The planner (:mod:`tradegap.planning`) works in calendar years; the settlement ledger in months.
ASSUMPTION: a plan year's extra purchases are spread evenly over its twelve months (no
seasonality, no ramp inside the year), i.e. ``monthly = yearly / 12`` for every month of that
calendar year. Months of the settlement scenario outside the plan's years get 0 (the plan buys
nothing extra then). A plain linear interpolation between years would invent purchases the plan
does not make, so none is done.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tradegap.errors import InputError
from tradegap.settlement.scenario import Scenario
from tradegap.settlement.simulator import Comparison, SettlementResult, compare, simulate


def monthly_from_plan_path(
    path: pd.DataFrame, start: str, months: int, *, column: str = "extra_purchases",
) -> pd.Series:
    """``months`` monthly amounts (US$) from ``start`` (``"YYYY-MM"``), indexed by month label,
    from a plan's yearly ``path`` (``Plan.path``: ``year`` and ``column``): each plan year's
    amount / 12 in each of its months, 0 in months outside the plan. A missing amount (NaN)
    counts as 0. Ready for ``simulate(scenario, plan_path=...)``.

    >>> p = pd.DataFrame({"year": [2025], "extra_purchases": [1.2e9]})
    >>> monthly_from_plan_path(p, "2024-12", 3).tolist()
    [0.0, 100000000.0, 100000000.0]
    """
    if "year" not in path.columns or column not in path.columns:
        raise InputError(f"the plan path needs the columns 'year' and {column!r}",
                         field=column, hint="pass Plan.path")
    if isinstance(months, bool) or not isinstance(months, int | np.integer) or months < 0:
        raise InputError(f"months must be a whole number ≥ 0, got {months!r}", field="months")
    try:
        first = pd.Period(start, freq="M")
    except (ValueError, TypeError) as exc:
        raise InputError(f"{start!r} is not a month", field="start",
                         hint='write it as "YYYY-MM"') from exc
    amounts = pd.to_numeric(path[column], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    if not np.isfinite(amounts).all() or (amounts < 0).any():
        raise InputError("a plan's yearly amounts must be finite and ≥ 0", field=column)
    years = pd.to_numeric(path["year"], errors="coerce")
    if years.isna().any():
        raise InputError("every plan year must be a number", field="year")
    yearly: dict[int, float] = {}
    for year, amount in zip(years.astype(int), amounts, strict=True):
        yearly[int(year)] = yearly.get(int(year), 0.0) + float(amount)
    labels = [str(first + i) for i in range(months)]
    values = [yearly.get((first + i).year, 0.0) / 12.0 for i in range(months)]
    return pd.Series(values, index=pd.Index(labels, name="month"), name="extra_usd",
                     dtype=float)


def simulate_with_plan(
    scenario: Scenario, path: pd.DataFrame, *, draws: int | None = None, seed: int = 0,
    column: str = "extra_purchases",
) -> tuple[SettlementResult, SettlementResult, Comparison]:
    """The settlement ``scenario`` without and with a plan's extra purchases (``path``: a
    plan's yearly path, spread over months by :func:`monthly_from_plan_path`), on the same
    exchange-rate draws (same ``seed``), and :func:`compare` of the two."""
    monthly = monthly_from_plan_path(path, str(scenario.start), scenario.months, column=column)
    baseline = simulate(scenario, draws=draws, seed=seed)
    with_plan = simulate(scenario, monthly, draws=draws, seed=seed)
    return baseline, with_plan, compare(baseline, with_plan)
