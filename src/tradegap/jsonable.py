"""Plain JSON values from results: DataFrames, numpy scalars, NaN → null. Shared by the CLI's
``--json`` and the web API so both print the same thing."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd


def to_jsonable(value: Any) -> Any:
    """Convert results (DataFrames, numpy scalars, NaN) to plain JSON values; NaN → null."""
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(r) for r in value.to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return to_jsonable(value.to_dict())
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "to_dict") and not isinstance(value, type):
        return to_jsonable(value.to_dict())
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is pd.NaT or (
        not isinstance(value, str | bytes | bool | int | float) and pd.isna(value) is True
    ):
        return None
    if isinstance(value, pd.Timestamp | Path):
        return str(value)
    return value
