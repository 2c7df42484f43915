"""The flows between two economies, one consistent source per direction and period.

Several datasets may describe the same flow (India's own statistics, BACI, a partner's mirror);
summing them would double count. :func:`load_pair` picks, for each direction and period, one
dataset by a priority rule and records which one, so every number can say where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from tradegap.errors import InputError, NotFound
from tradegap.warehouse.schema import fiscal_year_label
from tradegap.warehouse.store import Warehouse

#: Periods a result can be expressed in. Monthly rows are summed into the chosen kind of year.
FREQUENCIES = ("calendar_year", "fiscal_year_in")


@dataclass
class PairData:
    """A DuckDB connection holding table ``pair`` (the chosen flows, with ``side`` =
    'exports' for a→b and 'imports' for b→a, seen from ``a``) and the choice made."""

    con: duckdb.DuckDBPyConnection
    a: str
    b: str
    frequency: str
    available: pd.DataFrame  # every dataset × side × period found
    chosen: pd.DataFrame  # the one used per side × period
    synthetic_datasets: set[str] = field(default_factory=set)
    dataset_notes: dict[str, str] = field(default_factory=dict)
    partial_datasets: set[str] = field(default_factory=set)


def _period_sql(frequency: str) -> tuple[str, str]:
    """SQL for the period label and type after summing months into years."""
    if frequency == "fiscal_year_in":
        fy = "(CASE WHEN month >= 4 THEN year ELSE year - 1 END)"
        label = (
            f"CASE WHEN period_type = 'month' THEN 'FY' || CAST({fy} AS VARCHAR) || '-' || "
            f"lpad(CAST(({fy} + 1) % 100 AS VARCHAR), 2, '0') ELSE period END"
        )
        kind = "CASE WHEN period_type = 'month' THEN 'fiscal_year_in' ELSE period_type END"
        year = f"CASE WHEN period_type = 'month' THEN {fy} ELSE year END"
    else:
        label = "CASE WHEN period_type = 'month' THEN CAST(year AS VARCHAR) ELSE period END"
        kind = "CASE WHEN period_type = 'month' THEN 'calendar_year' ELSE period_type END"
        year = "year"
    return label, kind + " AS period_type, " + year + " AS year"


def _priority(row: pd.Series, a: str, preferred: list[str]) -> tuple[int, int]:
    """Lower is better. A user's list comes first; then the reporting country's own
    declaration seen from ``a`` (a's exports as declared by a, a's imports as declared by a),
    then reconciled data (BACI), then the partner's declaration, then mirror rows."""
    if row["dataset"] in preferred:
        return (0, preferred.index(row["dataset"]))
    own = (row["side"] == "exports" and row["reporter"] == "exporter") or (
        row["side"] == "imports" and row["reporter"] == "importer"
    )
    rank = {"own": 1, "reconciled": 2, "partner": 3, "mirror": 4}
    kind = "own" if own else row["reporter"] if row["reporter"] in rank else "partner"
    return (rank[kind], 0)


def load_pair(
    wh: Warehouse,
    a: str,
    b: str,
    *,
    frequency: str = "calendar_year",
    datasets: list[str] | None = None,
) -> PairData:
    """Load the flows between ``a`` and ``b`` (ISO3) into a DuckDB table ``pair``.

    ``datasets`` restricts and orders the datasets to use; by default every dataset is a
    candidate and the priority rule of :func:`_priority` picks one per side and period.
    """
    a, b = a.upper(), b.upper()
    if frequency not in FREQUENCIES:
        raise InputError(f"unknown frequency {frequency!r}", field="frequency",
                         hint="use one of: " + ", ".join(FREQUENCIES))
    infos = {d.name: d for d in wh.datasets(kind="flows")}
    if datasets:
        unknown = [d for d in datasets if d not in infos]
        if unknown:
            raise NotFound(
                f"unknown datasets {unknown}; the warehouse holds {sorted(infos)}",
                hint="run `tradegap data list`",
            )
    con = wh.connect()
    label, kind_year = _period_sql(frequency)
    only = "AND dataset IN (SELECT unnest(?))" if datasets else ""
    params: list[object] = [a, a, b, b, a]
    if datasets:
        params.append(datasets)
    con.execute(
        f"""
        CREATE TEMP TABLE pair_all AS
        SELECT CASE WHEN exporter = ? THEN 'exports' ELSE 'imports' END AS side,
               {label} AS period, {kind_year}, month, product, digits, hs_revision,
               value_usd, quantity, quantity_unit, source, reporter, flag, dataset
        FROM flows
        WHERE ((exporter = ? AND importer = ?) OR (exporter = ? AND importer = ?)) {only}
        """,
        params,
    )
    available = con.execute(
        "SELECT side, period, period_type, min(year) AS year, dataset, source, reporter, "
        "sum(value_usd) AS value_usd, count(*) AS rows, "
        "count(DISTINCT month) FILTER (WHERE month IS NOT NULL) AS months "
        "FROM pair_all GROUP BY ALL ORDER BY side, year, period, dataset"
    ).df()
    preferred = list(datasets or [])
    if available.empty:
        chosen = available.copy()
    else:
        ranked = available.assign(
            _p=[_priority(r, a, preferred) for _, r in available.iterrows()]
        ).sort_values(["side", "period_type", "period", "_p"])
        chosen = ranked.groupby(["side", "period_type", "period"], as_index=False).first()
        chosen = chosen.drop(columns="_p")
    con.register("_chosen", chosen[["side", "period", "period_type", "dataset"]])
    con.execute(
        "CREATE TEMP TABLE pair AS SELECT p.* FROM pair_all p JOIN _chosen c "
        "USING (side, period, period_type, dataset)"
    )
    con.unregister("_chosen")
    notes = {
        name: str(info.provenance.get("coverage", ""))
        for name, info in infos.items()
        if info.provenance.get("coverage")
    }
    return PairData(
        con=con,
        a=a,
        b=b,
        frequency=frequency,
        available=available,
        chosen=chosen,
        synthetic_datasets={n for n, i in infos.items() if i.synthetic},
        dataset_notes=notes,
        partial_datasets={n for n, i in infos.items() if i.provenance.get("partial_products")},
    )


__all__ = ["FREQUENCIES", "PairData", "fiscal_year_label", "load_pair"]
