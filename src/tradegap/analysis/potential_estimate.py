"""Export potential from whatever the warehouse holds, one function for the CLI, the Python
API, the dashboard and the report: :func:`estimate_potential` picks the method the data allow
and says which and why.

* ``itc`` — the ITC method (Decreux & Spies 2016; :mod:`tradegap.analysis.potential`) needs
  world flows: one dataset with many exporters' sales to many markets by calendar year (BACI,
  Comtrade, the demo world).
* ``demand`` — without world flows: the market's own import demand (``demand`` table), the
  exporter's national statistics (its exports to every market) and the bilateral flows, by the
  share benchmark of :mod:`tradegap.analysis.demand_potential` through
  :func:`tradegap.analysis.headroom.headroom` (headroom and gravity as columns).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from tradegap.analysis.headroom import HeadroomParams
from tradegap.analysis.potential import PotentialParams, PotentialResult
from tradegap.errors import InputError
from tradegap.provenance import Provenance
from tradegap.warehouse import Warehouse

METHODS = ("itc", "demand")
#: A dataset counts as world flows with at least this many exporters and importers.
WORLD_MIN_COUNTRIES = 10
#: The exporter's national statistics: its exports to at least this many markets.
NATIONAL_MIN_MARKETS = 20


@dataclass
class DemandInputs:
    """Which datasets and periods the demand method reads (found by :func:`demand_inputs`)."""

    current_dataset: str
    current_year: int
    capacity_dataset: str
    capacity_period: str
    demand_window: str = "last12"

    def describe(self, exporter: str, market: str) -> str:
        return (f"{market}'s own import demand (demand table, window {self.demand_window}), "
                f"{exporter}'s exports to every market ({self.capacity_dataset}, "
                f"{self.capacity_period}) and {exporter}'s sales to {market} "
                f"({self.current_dataset}, calendar {self.current_year}, the latest year with "
                "12 months)")


@dataclass
class PotentialEstimate:
    """Potential of ``exporter`` in ``market`` by ``method``, with ``why`` that method.
    ``table``: for ``itc`` the ITC table (``untapped`` the estimate); for ``demand`` the
    ranking of :func:`tradegap.analysis.headroom.headroom` (``extra`` the estimate,
    ``extra_basis`` what binds, ``why`` in words)."""

    exporter: str
    market: str
    method: str
    why: str
    table: pd.DataFrame
    provenance: Provenance
    itc: PotentialResult | None = None
    inputs: DemandInputs | None = None
    groups: tuple[str, ...] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def estimate_column(self) -> str:
        return "untapped" if self.method == "itc" else "extra"

    @property
    def total(self) -> float:
        return float(self.table[self.estimate_column].sum()) if len(self.table) else 0.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "exporter": self.exporter, "market": self.market, "method": self.method,
            "why": self.why, "estimate_column": self.estimate_column, "total": self.total,
            "groups": list(self.groups) if self.groups else None, "notes": self.notes,
            "provenance": self.provenance.to_dict(), "table": self.table,
        }
        if self.itc is not None:
            out |= {"year": self.itc.year, "ease": self.itc.ease,
                    "params": self.itc.params.to_dict()}
        if self.inputs is not None:
            out["inputs"] = self.inputs.__dict__
            out["params"] = self.table.attrs.get("params", {})
            bench = self.table.attrs.get("benchmarks")
            if bench is not None:
                out["benchmarks"] = bench
        return out


def world_dataset(wh: Warehouse, market: str) -> str | None:
    """The flows dataset with world flows into ``market`` (most exporters), or None."""
    con = wh.connect()
    try:
        rows = con.execute(
            "SELECT dataset, count(DISTINCT exporter) AS e, count(DISTINCT importer) AS i, "
            "bool_or(importer = ?) AS has FROM flows WHERE period_type = 'calendar_year' "
            "GROUP BY dataset ORDER BY e DESC, dataset", [market]).fetchall()
    finally:
        con.close()
    for name, e, i, has in rows:
        if e >= WORLD_MIN_COUNTRIES and i >= WORLD_MIN_COUNTRIES and has:
            return str(name)
    return None


def demand_inputs(wh: Warehouse, exporter: str, market: str) -> tuple[DemandInputs | None, str]:
    """The datasets the demand method would read, or None and what is missing."""
    con = wh.connect()
    try:
        has_demand = con.execute(
            "SELECT count(*) FROM demand WHERE country = ? AND flow = 'import' AND "
            "\"window\" = 'last12'", [market]).fetchone()[0] if _has(wh, "demand") else 0
        national = con.execute(
            "SELECT dataset, count(DISTINCT importer) AS n FROM flows WHERE exporter = ? AND "
            "period_type IN ('calendar_year', 'fiscal_year_in') GROUP BY dataset "
            "HAVING n >= ? ORDER BY n DESC, dataset", [exporter, NATIONAL_MIN_MARKETS]).fetchall()
        capacity = national[0][0] if national else None
        period = None
        if capacity is not None:
            period = con.execute(
                "SELECT period FROM flows WHERE dataset = ? AND exporter = ? AND period_type IN "
                "('calendar_year', 'fiscal_year_in') ORDER BY year DESC LIMIT 1",
                [capacity, exporter]).fetchone()[0]
        # the latest calendar year with all 12 months; among equals, the exporter's own
        # declarations (as its national statistics are), then the dataset name
        bilateral = con.execute(
            "SELECT dataset, year, bool_or(reporter = 'exporter') AS own FROM flows "
            "WHERE exporter = ? AND importer = ? AND period_type = 'month' AND dataset <> ? "
            "GROUP BY dataset, year HAVING count(DISTINCT month) = 12 "
            "ORDER BY year DESC, own DESC, dataset LIMIT 1",
            [exporter, market, capacity or ""]).fetchall()
    finally:
        con.close()
    missing = []
    if not has_demand:
        missing.append(f"{market}'s import demand (tradegap ingest russia-demand …)")
    if capacity is None:
        missing.append(f"{exporter}'s exports to every market (e.g. tradegap ingest "
                       "india-dgcis …)")
    if not bilateral:
        missing.append(f"a full calendar year of {exporter}'s monthly sales to {market} (e.g. "
                       "tradegap ingest russia-customs …)")
    if missing:
        return None, "; ".join(missing)
    return DemandInputs(str(bilateral[0][0]), int(bilateral[0][1]), str(capacity),
                        str(period)), ""


def national_exports(wh: Warehouse, exporter: str, *, dataset: str | None = None,
                     period: str | None = None) -> tuple[pd.DataFrame, str]:
    """``product, market, value`` of ``exporter``'s exports to every market from a warehouse
    dataset (default: the one with the most markets) in ``period`` (default: its latest annual
    period), for the gravity benchmark; and a label ``dataset period``."""
    exporter = exporter.upper()
    con = wh.connect()
    try:
        if dataset is None:
            found = con.execute(
                "SELECT dataset FROM flows WHERE exporter = ? AND period_type IN "
                "('calendar_year', 'fiscal_year_in') GROUP BY dataset "
                "ORDER BY count(DISTINCT importer) DESC, dataset LIMIT 1", [exporter]).fetchall()
            if not found:
                raise InputError(f"the warehouse holds no yearly exports of {exporter}",
                                 field="--dataset", hint="ingest its national statistics "
                                 "(e.g. tradegap ingest india-dgcis …) or give a file")
            dataset = str(found[0][0])
        else:
            dataset = wh.dataset(dataset).name
        if period is None:
            row = con.execute(
                "SELECT period FROM flows WHERE dataset = ? AND exporter = ? AND period_type "
                "IN ('calendar_year', 'fiscal_year_in') ORDER BY year DESC LIMIT 1",
                [dataset, exporter]).fetchone()
            if row is None:
                raise InputError(f"dataset {dataset!r} holds no yearly exports of {exporter}",
                                 field="--dataset")
            period = str(row[0])
        frame = con.execute(
            "SELECT product, importer AS market, sum(value_usd) AS value FROM flows "
            "WHERE dataset = ? AND exporter = ? AND period = ? AND importer <> exporter "
            "GROUP BY ALL", [dataset, exporter, period]).df()
    finally:
        con.close()
    if frame.empty:
        raise InputError(f"dataset {dataset!r} has no exports of {exporter} in {period}",
                         field="--period", hint="choose a period the dataset holds")
    return frame, f"{dataset} {period}"


def _has(wh: Warehouse, kind: str) -> bool:
    return any(True for _ in wh.datasets(kind=kind))


def choose_method(wh: Warehouse, exporter: str, market: str,
                  method: str | None = None) -> tuple[str, str, str | DemandInputs]:
    """``(method, why, what it reads)``: a dataset name for ``itc``, the
    :class:`DemandInputs` for ``demand``. ``method`` forces one (an error says what it lacks)."""
    if method is not None and method not in METHODS:
        raise InputError(f"unknown method {method!r}", field="method",
                         hint="use itc (world flows) or demand (the market's own demand)")
    world = world_dataset(wh, market) if method in (None, "itc") else None
    if world is not None:
        why = (f"ITC method (Decreux & Spies 2016): {world} holds world flows by calendar year"
               + ("" if method is None else " (as asked)"))
        return "itc", why, world
    if method == "itc":
        raise InputError(
            f"the ITC method needs world flows into {market} (every exporter's sales by "
            "calendar year, e.g. BACI); the warehouse has none", field="method",
            hint="ingest a world dataset (tradegap ingest baci …) or use the method 'demand'")
    inputs, missing = demand_inputs(wh, exporter, market)
    if inputs is None:
        raise InputError(
            f"no method can estimate {exporter}'s potential in {market} from this warehouse: "
            f"no world flows (ITC method) and, for the demand method, it lacks {missing}",
            field="method", hint="ingest world flows (e.g. BACI) or those datasets")
    why = ("demand method (share benchmark of comparable products; see "
           "docs/export-potential.md): " + ("no world flows for the ITC method, so "
                                              if method is None else "as asked; ")
           + "it reads " + inputs.describe(exporter, market))
    return "demand", why, inputs


def estimate_potential(
    wh: Warehouse,
    exporter: str = "IND",
    market: str = "RUS",
    groups: list[str] | tuple[str, ...] | None = None,
    *,
    method: str | None = None,
    top: int | None = None,
    gravity: bool = True,
    headroom_params: HeadroomParams | None = None,
    itc_params: PotentialParams | None = None,
    year: int | None = None,
    dataset: str | None = None,
    gravity_cache: Path | None = None,
) -> PotentialEstimate:
    """Export potential of ``exporter`` in ``market`` by the method the warehouse allows
    (:func:`choose_method`; ``dataset`` names the world dataset for ``itc``). ``groups``
    keeps product groups (default: all); ``top`` the largest estimates; ``gravity_cache`` a
    directory that keeps the gravity fit between runs (demand method)."""
    from tradegap.analysis.headroom import headroom
    from tradegap.analysis.potential_warehouse import potential
    from tradegap.reference.groups import group_of, product_groups

    exporter, market = exporter.upper(), market.upper()
    if dataset is not None and method is None:
        method = "itc"
    chosen, why, reads = choose_method(wh, exporter, market, method)
    groups_t = tuple(groups) if groups else None
    if chosen == "itc":
        result, _ = potential(wh, exporter, market, itc_params, list(groups_t or []) or None,
                              top, year=year, dataset=dataset or str(reads))
        table = result.table.copy()
        if len(table):
            table.insert(1, "group", group_of(table["product"]).to_numpy())
        return PotentialEstimate(exporter, market, "itc", why, table, result.provenance,
                                 itc=result, groups=groups_t)
    assert isinstance(reads, DemandInputs)
    known = list(product_groups())
    ranking = headroom(wh, exporter, market, groups=groups_t or tuple(known),
                       params=headroom_params, gravity=gravity,
                       current_year=reads.current_year, capacity_period=reads.capacity_period,
                       current_dataset=reads.current_dataset,
                       capacity_dataset=reads.capacity_dataset, gravity_cache=gravity_cache)
    prov = ranking.attrs["provenance"]
    synthetic = any(d.synthetic for d in wh.datasets()
                    if d.name in {reads.current_dataset, reads.capacity_dataset})
    prov.synthetic = prov.synthetic or synthetic
    table = ranking if top is None else ranking.head(top)
    table.attrs = ranking.attrs
    return PotentialEstimate(exporter, market, "demand", why, table, prov, inputs=reads,
                             groups=groups_t)
