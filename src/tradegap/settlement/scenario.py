"""The settlement scenario: what flows into the vostro balances, what drains them, and the
exchange rates. Read from TOML and validated; every error names the key and what is allowed.

Amounts in the deficit side's currency are called *local* (e.g. INR); amounts in US dollars
say ``usd``. Exchange rates are units of a currency per US dollar. A *series* is a number, a
list with one value per month, or a table ``{ "YYYY-MM" = value, ... }`` (each value holds from
its month on; the first key must not come after ``start``). Keys marked * are required::

    [scenario]   name*, surplus*, deficit* (ISO3), start* ("YYYY-MM"), months* (1-600),
                 description, sources (list of strings), synthetic (bool)
    [inflows]    exports_usd* (series: surplus side's exports to the deficit side),
                 settled_share* (series, 0-1: share paid in local currency),
                 opening_balance (local)
    [costs]      idle_rate (per year, 0-1: opportunity cost of idle balances)
    [drains]     order (list of imports, securities, fund, conversion; default that order)
    [drains.imports]     baseline_usd* (series), settled_share (series, default 1),
                         plan_settled_share (default 1), max_share (default 1)
    [drains.securities]  yield (per year), stock_cap_usd and/or monthly_cap_usd (series),
                         opening_stock (local), max_share
    [drains.fund]        committed_usd*, schedule* (series of shares of the commitment due
                         each month, summing to at most 1), max_share
    [drains.conversion]  capacity_usd* (series), spread (0-0.5), currency, max_share
    [fx]                 correlation (-1..1, between the two currencies' shocks)
    [fx.deficit], [fx.surplus]  currency*, per_usd (series) or csv (file with columns
                         month, per_usd; relative to the TOML), drift and volatility (per year)

A drain section left out is inactive. ``max_share`` is the largest share of what is still
available that the drain may take in a month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradegap.bounds import MAX_USD
from tradegap.errors import InputError
from tradegap.settlement.fx import FxSpec, parse_fx
from tradegap.settlement.series import check_range, monthly_series, parse_month
from tradegap.tomlfile import read_toml

#: The drains, in their default order.
DRAINS = ("imports", "securities", "fund", "conversion")
MAX_MONTHS = 600


@dataclass(frozen=True)
class Imports:
    """Drain 1: the surplus side pays for its imports from the deficit side in local currency."""

    baseline_usd: np.ndarray
    settled_share: np.ndarray
    plan_settled_share: float = 1.0
    max_share: float = 1.0


@dataclass(frozen=True)
class Securities:
    """Drain 2: the deficit side's government securities; ``stock_cap_usd`` None = no cap."""

    yield_per_year: float
    monthly_cap_usd: np.ndarray
    stock_cap_usd: float | None = None
    opening_stock: float = 0.0
    max_share: float = 1.0


@dataclass(frozen=True)
class Fund:
    """Drain 3: a joint investment fund; ``schedule`` is the share of the commitment due each
    month. What cannot be paid in a month stays due (arrears)."""

    committed_usd: float
    schedule: np.ndarray
    max_share: float = 1.0


@dataclass(frozen=True)
class Conversion:
    """Drain 4: conversion into a third currency, at most ``capacity_usd`` a month, losing
    ``spread`` (a share of the amount converted)."""

    capacity_usd: np.ndarray
    spread: float
    currency: str = "USD"
    max_share: float = 1.0


@dataclass(frozen=True)
class Scenario:
    """A validated settlement scenario. Arrays hold one value per month from ``start``."""

    name: str
    surplus: str
    deficit: str
    start: pd.Period
    months: int
    exports_usd: np.ndarray
    settled_share: np.ndarray
    fx_deficit: FxSpec
    fx_surplus: FxSpec
    fx_correlation: float = 0.0
    opening_balance: float = 0.0
    idle_rate: float = 0.0
    imports: Imports | None = None
    securities: Securities | None = None
    fund: Fund | None = None
    conversion: Conversion | None = None
    order: tuple[str, ...] = DRAINS
    description: str = ""
    sources: list[str] = field(default_factory=list)
    synthetic: bool = False
    file: str | None = None

    @property
    def month_labels(self) -> list[str]:
        return [str(self.start + i) for i in range(self.months)]


# --- validation helpers ---------------------------------------------------------------------


def _table(data: Any, key: str, file: str | None, allowed: dict[str, bool]) -> dict[str, Any]:
    """``data`` must be a table whose keys are in ``allowed`` (name → required)."""
    if not isinstance(data, dict):
        raise InputError(f"expected a table [{key}]", file=file, field=key)
    for k in data:
        if k not in allowed:
            raise InputError(
                f"unknown key {k!r}", file=file, field=f"{key}.{k}" if key else k,
                hint="allowed: " + ", ".join(allowed),
            )
    for k, required in allowed.items():
        if required and k not in data:
            raise InputError(
                "this key is required", file=file, field=f"{key}.{k}" if key else k,
                hint="allowed: " + ", ".join(allowed),
            )
    return data


def _float(data: dict[str, Any], key: str, prefix: str, file: str | None, default: float,
           low: float | None = 0.0, high: float | None = None) -> float:
    value = data.get(key, default)
    name = f"{prefix}.{key}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"expected a number, got {value!r}", file=file, field=name)
    try:
        out = np.array([float(value)])
    except OverflowError:  # an integer beyond the float range (TOML integers are unbounded)
        raise InputError(f"{value} is too large", file=file, field=name) from None
    if not np.isfinite(out).all():
        raise InputError("the value must be finite", file=file, field=name)
    check_range(out, file=file, field=name, low=low, high=high)
    return float(out[0])


def _str(data: dict[str, Any], key: str, prefix: str, file: str | None, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value:
        raise InputError(f"expected a non-empty string, got {value!r}", file=file,
                         field=f"{prefix}.{key}")
    return value


# --- parsing --------------------------------------------------------------------------------


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file."""
    path = Path(path)
    return scenario_from_dict(read_toml(path), file=str(path), base_dir=path.parent)


def scenario_from_dict(
    data: dict[str, Any], *, file: str | None = None, base_dir: Path | None = None
) -> Scenario:
    """Validate a scenario given as nested dictionaries (the parsed TOML)."""
    _table(data, "", file, {"scenario": True, "inflows": True, "costs": False,
                            "drains": False, "fx": True})
    head = _table(data["scenario"], "scenario", file, {
        "name": True, "surplus": True, "deficit": True, "start": True, "months": True,
        "description": False, "sources": False, "synthetic": False,
    })
    months = head["months"]
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise InputError(f"expected a whole number of months, got {months!r}", file=file,
                         field="scenario.months", hint=f"allowed: 1 to {MAX_MONTHS}")
    start = parse_month(head["start"], file=file, field="scenario.start")
    sources = head.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise InputError("expected a list of strings", file=file, field="scenario.sources")
    synthetic = head.get("synthetic", False)
    if not isinstance(synthetic, bool):
        raise InputError("expected true or false", file=file, field="scenario.synthetic")

    def series(value: Any, name: str, high: float | None = None) -> np.ndarray:
        return monthly_series(value, start=start, months=months, file=file, field=name,
                              high=high)

    inflows = _table(data["inflows"], "inflows", file,
                     {"exports_usd": True, "settled_share": True, "opening_balance": False})
    costs = _table(data.get("costs", {}), "costs", file, {"idle_rate": False})
    drains = _table(data.get("drains", {}), "drains", file,
                    {"order": False, **{d: False for d in DRAINS}})
    fx = _table(data["fx"], "fx", file, {"deficit": True, "surplus": True, "correlation": False})

    return Scenario(
        name=_str(head, "name", "scenario", file, ""),
        surplus=_str(head, "surplus", "scenario", file, ""),
        deficit=_str(head, "deficit", "scenario", file, ""),
        start=start,
        months=months,
        exports_usd=series(inflows["exports_usd"], "inflows.exports_usd", high=MAX_USD),
        settled_share=series(inflows["settled_share"], "inflows.settled_share", high=1.0),
        opening_balance=_float(inflows, "opening_balance", "inflows", file, 0.0),
        idle_rate=_float(costs, "idle_rate", "costs", file, 0.0, high=1.0),
        fx_deficit=parse_fx(fx["deficit"], "fx.deficit", start=start, months=months,
                            file=file, base_dir=base_dir),
        fx_surplus=parse_fx(fx["surplus"], "fx.surplus", start=start, months=months,
                            file=file, base_dir=base_dir),
        fx_correlation=_float(fx, "correlation", "fx", file, 0.0, low=-1.0, high=1.0),
        imports=_imports(drains.get("imports"), series, file),
        securities=_securities(drains.get("securities"), series, file, months),
        fund=_fund(drains.get("fund"), series, file),
        conversion=_conversion(drains.get("conversion"), series, file),
        order=_order(drains, file),
        description=str(head.get("description", "")),
        sources=list(sources),
        synthetic=synthetic,
        file=file,
    )


def _order(drains: dict[str, Any], file: str | None) -> tuple[str, ...]:
    order = drains.get("order", list(DRAINS))
    if not isinstance(order, list) or not all(isinstance(o, str) for o in order):
        raise InputError("expected a list of drain names", file=file, field="drains.order",
                         hint="allowed: " + ", ".join(DRAINS))
    for name in order:
        if name not in DRAINS:
            raise InputError(f"unknown drain {name!r}", file=file, field="drains.order",
                             hint="allowed: " + ", ".join(DRAINS))
    if len(set(order)) != len(order):
        raise InputError("a drain is listed twice", file=file, field="drains.order")
    missing = [d for d in DRAINS if d in drains and d not in order]
    if missing:
        raise InputError(f"drain {missing[0]!r} is configured but not in the order",
                         file=file, field="drains.order", hint="list every configured drain")
    return tuple(order)


def _imports(data: Any, series: Any, file: str | None) -> Imports | None:
    if data is None:
        return None
    p = "drains.imports"
    d = _table(data, p, file, {"baseline_usd": True, "settled_share": False,
                               "plan_settled_share": False, "max_share": False})
    return Imports(
        baseline_usd=series(d["baseline_usd"], f"{p}.baseline_usd", high=MAX_USD),
        settled_share=series(d.get("settled_share", 1.0), f"{p}.settled_share", 1.0),
        plan_settled_share=_float(d, "plan_settled_share", p, file, 1.0, high=1.0),
        max_share=_float(d, "max_share", p, file, 1.0, high=1.0),
    )


def _securities(data: Any, series: Any, file: str | None, months: int) -> Securities | None:
    if data is None:
        return None
    p = "drains.securities"
    d = _table(data, p, file, {"yield": False, "monthly_cap_usd": False, "stock_cap_usd": False,
                               "opening_stock": False, "max_share": False})
    if "monthly_cap_usd" not in d and "stock_cap_usd" not in d:
        raise InputError("give at least one cap", file=file, field=f"{p}.stock_cap_usd",
                         hint="set stock_cap_usd and/or monthly_cap_usd")
    monthly = (series(d["monthly_cap_usd"], f"{p}.monthly_cap_usd", high=MAX_USD)
               if "monthly_cap_usd" in d else None)
    stock_cap = (_float(d, "stock_cap_usd", p, file, 0.0, high=MAX_USD)
                 if "stock_cap_usd" in d else None)
    return Securities(
        yield_per_year=_float(d, "yield", p, file, 0.0, high=1.0),
        monthly_cap_usd=monthly if monthly is not None else np.full(months, np.inf),
        stock_cap_usd=stock_cap,
        opening_stock=_float(d, "opening_stock", p, file, 0.0),
        max_share=_float(d, "max_share", p, file, 1.0, high=1.0),
    )


def _fund(data: Any, series: Any, file: str | None) -> Fund | None:
    if data is None:
        return None
    p = "drains.fund"
    d = _table(data, p, file, {"committed_usd": True, "schedule": True, "max_share": False})
    schedule = series(d["schedule"], f"{p}.schedule", 1.0)
    if schedule.sum() > 1.0 + 1e-9:
        raise InputError(f"the schedule pays out {schedule.sum():.4g} times the commitment",
                         file=file, field=f"{p}.schedule",
                         hint="the shares due each month must add up to at most 1")
    return Fund(
        committed_usd=_float(d, "committed_usd", p, file, 0.0, high=MAX_USD),
        schedule=schedule,
        max_share=_float(d, "max_share", p, file, 1.0, high=1.0),
    )


def _conversion(data: Any, series: Any, file: str | None) -> Conversion | None:
    if data is None:
        return None
    p = "drains.conversion"
    d = _table(data, p, file, {"capacity_usd": True, "spread": False, "currency": False,
                               "max_share": False})
    return Conversion(
        capacity_usd=series(d["capacity_usd"], f"{p}.capacity_usd", high=MAX_USD),
        spread=_float(d, "spread", p, file, 0.0, high=0.5),
        currency=_str(d, "currency", p, file, "USD"),
        max_share=_float(d, "max_share", p, file, 1.0, high=1.0),
    )
