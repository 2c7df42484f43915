"""Exchange-rate paths (units of a currency per US dollar): a given monthly path, or Monte Carlo
draws around it by geometric Brownian motion.

GBM (Black & Scholes 1973; Glasserman 2003, *Monte Carlo Methods in Financial Engineering*,
§3.2.1): with ``t = m / 12`` years for month ``m`` and a standard Brownian motion ``W``,

    S_t = base_t · exp((μ − σ²/2)·t + σ·W_t),

so that ``E[S_t] = base_t · exp(μ t)`` (the *central* path) and month 0 is known (``W_0 = 0``).
Correlated draws for two currencies use ``Z₂ = ρ Z₁ + √(1−ρ²) Z₃``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradegap.errors import InputError
from tradegap.settlement.series import check_range, monthly_series, parse_month

DT = 1.0 / 12.0


@dataclass(frozen=True)
class FxSpec:
    """One currency against the US dollar: a base path, and drift and volatility per year."""

    currency: str
    path: np.ndarray
    drift: float = 0.0
    volatility: float = 0.0


def parse_fx(
    data: Any, key: str, *, start: pd.Period, months: int, file: str | None,
    base_dir: Path | None,
) -> FxSpec:
    """Validate ``[fx.deficit]`` / ``[fx.surplus]``: ``currency``, one of ``per_usd`` (number,
    list or table) or ``csv`` (a file with columns month, per_usd), ``drift``, ``volatility``."""
    allowed = ("currency", "per_usd", "csv", "drift", "volatility")
    if not isinstance(data, dict):
        raise InputError(f"expected a table [{key}]", file=file, field=key)
    for k in data:
        if k not in allowed:
            raise InputError(f"unknown key {k!r}", file=file, field=f"{key}.{k}",
                             hint="allowed: " + ", ".join(allowed))
    currency = data.get("currency")
    if not isinstance(currency, str) or not currency:
        raise InputError("this key is required: the currency's code, e.g. \"INR\"",
                         file=file, field=f"{key}.currency")
    if ("per_usd" in data) == ("csv" in data):
        raise InputError("give exactly one of per_usd and csv", file=file,
                         field=f"{key}.per_usd", hint="per_usd = 83.0, or csv = \"fx.csv\"")
    if "csv" in data:
        csv_path = Path(str(data["csv"]))
        if base_dir is not None and not csv_path.is_absolute():
            csv_path = base_dir / csv_path
        path = read_fx_csv(csv_path, start=start, months=months)
    else:
        path = monthly_series(data["per_usd"], start=start, months=months, file=file,
                              field=f"{key}.per_usd")
    if (path <= 0).any():
        raise InputError("exchange rates must be positive", file=file, field=f"{key}.per_usd")
    drift = _number(data.get("drift", 0.0), file, f"{key}.drift", -1.0, 1.0)
    vol = _number(data.get("volatility", 0.0), file, f"{key}.volatility", 0.0, 2.0)
    return FxSpec(currency=currency, path=path, drift=drift, volatility=vol)


def _number(value: Any, file: str | None, field: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"expected a number, got {value!r}", file=file, field=field)
    try:
        number = float(value)
    except OverflowError:  # an integer beyond the float range (TOML integers are unbounded)
        raise InputError(f"{value} is too large", file=file, field=field) from None
    if not np.isfinite(number):
        raise InputError("the value must be finite", file=file, field=field)
    check_range(np.array([number]), file=file, field=field, low=low, high=high)
    return number


def read_fx_csv(path: Path, *, start: pd.Period, months: int) -> np.ndarray:
    """Read a CSV with columns ``month`` (YYYY-MM) and ``per_usd``; every scenario month needed."""
    if not path.is_file():
        raise InputError("file not found", file=str(path), field="csv")
    rates: dict[pd.Period, float] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or {"month", "per_usd"} - set(reader.fieldnames):
            raise InputError("expected columns month, per_usd", file=str(path), line=1)
        for line, row in enumerate(reader, start=2):
            month = parse_month(row["month"], file=str(path), field="month")
            try:
                rates[month] = float(row["per_usd"])
            except ValueError as exc:
                raise InputError(f"{row['per_usd']!r} is not a number", file=str(path),
                                 line=line, field="per_usd") from exc
    out = np.empty(months)
    for i in range(months):
        if start + i not in rates:
            raise InputError(f"no rate for {start + i}", file=str(path), field="month",
                             hint="give one row per scenario month")
        out[i] = rates[start + i]
    return out


def central_path(spec: FxSpec) -> np.ndarray:
    """``base_t · exp(μ t)``, the mean of the GBM draws."""
    t = np.arange(len(spec.path)) * DT
    return spec.path * np.exp(spec.drift * t)


def gbm_draws(spec: FxSpec, shocks: np.ndarray) -> np.ndarray:
    """Paths (draws × months) from standard normal ``shocks`` of the same shape; column 0 of
    ``shocks`` is ignored (month 0 is known)."""
    draws, months = shocks.shape
    t = np.arange(months) * DT
    increments = np.sqrt(DT) * shocks[:, 1:]
    w = np.concatenate([np.zeros((draws, 1)), np.cumsum(increments, axis=1)], axis=1)
    sigma = spec.volatility
    return spec.path * np.exp((spec.drift - 0.5 * sigma**2) * t + sigma * w)


def fx_draws(
    deficit: FxSpec, surplus: FxSpec, correlation: float, draws: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Correlated GBM paths for both currencies, reproducible for a ``seed``."""
    rng = np.random.default_rng(seed)
    months = len(deficit.path)
    z1 = rng.standard_normal((draws, months))
    z3 = rng.standard_normal((draws, months))
    z2 = correlation * z1 + np.sqrt(1.0 - correlation**2) * z3
    return gbm_draws(deficit, z1), gbm_draws(surplus, z2)
