"""Monthly series read from a scenario: a number, a list with one value per month, or a table
``{"YYYY-MM" = value}`` that holds each value from its month until the next key."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from tradegap.errors import InputError

SERIES_HINT = (
    "give a number, a list with one number per month, or a table such as "
    '{ "2023-01" = 1.0e9, "2023-07" = 2.0e9 } (each value holds from its month on)'
)


def parse_month(value: Any, *, file: str | None, field: str) -> pd.Period:
    """A month ``"YYYY-MM"`` as a monthly :class:`pandas.Period`."""
    if not isinstance(value, str):
        raise InputError(
            f"expected a month as a string \"YYYY-MM\", got {value!r}", file=file, field=field
        )
    try:
        period = pd.Period(value, freq="M")
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"{value!r} is not a month", file=file, field=field, hint='write it as "YYYY-MM"'
        ) from exc
    if len(value.strip()) != 7:
        raise InputError(
            f"{value!r} is not a month", file=file, field=field, hint='write it as "YYYY-MM"'
        )
    return period


def month_labels(start: pd.Period, months: int) -> list[str]:
    """``["2023-01", "2023-02", ...]``."""
    return [str(start + i) for i in range(months)]


def _number(value: Any, *, file: str | None, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"expected a number, got {value!r}", file=file, field=field,
                         hint=SERIES_HINT)
    try:
        out = float(value)
    except OverflowError:  # an integer beyond the float range (TOML integers are unbounded)
        raise InputError(f"{value} is too large", file=file, field=field) from None
    if math.isnan(out):
        raise InputError("NaN is not allowed", file=file, field=field)
    return out


def check_range(
    values: np.ndarray,
    *,
    file: str | None,
    field: str,
    low: float | None = 0.0,
    high: float | None = None,
) -> None:
    """Raise :class:`InputError` naming ``field`` when a value leaves ``[low, high]``."""
    if low is not None and (values < low).any():
        bad = float(values[values < low][0])
        raise InputError(
            f"{bad!r} is below {low!r}", file=file, field=field,
            hint=f"allowed: {low} to {'∞' if high is None else high}",
        )
    if high is not None and (values > high).any():
        bad = float(values[values > high][0])
        raise InputError(
            f"{bad!r} is above {high!r}", file=file, field=field,
            hint=f"allowed: {0 if low is None else low} to {high}",
        )


def monthly_series(
    value: Any,
    *,
    start: pd.Period,
    months: int,
    file: str | None,
    field: str,
    low: float | None = 0.0,
    high: float | None = None,
) -> np.ndarray:
    """Expand ``value`` to an array of ``months`` floats starting at ``start``."""
    if isinstance(value, list):
        if len(value) != months:
            raise InputError(
                f"the list has {len(value)} values but the scenario has {months} months",
                file=file, field=field, hint=SERIES_HINT,
            )
        out = np.array([_number(v, file=file, field=f"{field}[{i}]")
                        for i, v in enumerate(value)], dtype=float)
    elif isinstance(value, dict):
        if not value:
            raise InputError("the table is empty", file=file, field=field, hint=SERIES_HINT)
        steps = sorted(
            (parse_month(k, file=file, field=f"{field}.{k}"),
             _number(v, file=file, field=f"{field}.{k}"))
            for k, v in value.items()
        )
        if steps[0][0] > start:
            raise InputError(
                f"the first month {steps[0][0]} comes after the scenario's start {start}",
                file=file, field=field, hint=f'add a value for "{start}"',
            )
        out = np.empty(months, dtype=float)
        for i in range(months):
            month = start + i
            out[i] = [v for k, v in steps if k <= month][-1]
    else:
        out = np.full(months, _number(value, file=file, field=field), dtype=float)
    if not np.isfinite(out).all():
        raise InputError("values must be finite", file=file, field=field,
                         hint="leave a cap out to mean no cap")
    check_range(out, file=file, field=field, low=low, high=high)
    return out
