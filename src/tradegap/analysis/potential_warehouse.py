"""Export potential read from the warehouse: picks the dataset, reduces the flows in DuckDB to
what the pair needs, and calls :func:`tradegap.analysis.potential.export_potential`; or, for
every exporter × market × product at once, runs the SQL of
:mod:`tradegap.analysis.potential_sql` on a query engine (:func:`potential_global`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tradegap.analysis.potential import (
    PotentialParams,
    PotentialResult,
    export_potential,
    window_years,
)
from tradegap.engine.base import Engine
from tradegap.errors import InputError, TradegapError
from tradegap.provenance import Provenance
from tradegap.warehouse import Warehouse

#: Which declaration to use when a dataset holds several for the same flows, best first.
REPORTER_PREFERENCE = ("reconciled", "importer", "mirror", "exporter")
#: Stand-in importer for "every market but the one studied" in the reduced flows.
REST = "__REST__"


def pick_dataset(wh: Warehouse, dataset: str | None) -> str:
    """``dataset`` if given (it must exist), else the warehouse's only flows dataset."""
    if dataset is not None:
        return wh.dataset(dataset).name
    names = [d.name for d in wh.datasets(kind="flows")]
    if len(names) == 1:
        return names[0]
    if not names:
        raise InputError("the warehouse holds no flows dataset",
                         hint="add one with `tradegap ingest` (or the demo world)")
    raise InputError(
        f"several flows datasets ({', '.join(names)}); export potential needs one world dataset",
        field="--dataset",
        hint="choose one with --dataset NAME (e.g. a BACI release)",
    )


def pair_flows(
    wh: Warehouse, exporter: str, market: str, dataset: str, year: int | None, window: int
) -> tuple[pd.DataFrame, int, list[str], list[str]]:
    """Flows that give the pair the same numbers as the whole world table, and far fewer rows:
    every flow into ``market`` in detail, and every other flow summed per exporter × product ×
    year into the importer :data:`REST` (world supply shares, RCA, the market's supplier mix and
    the pair's trade are all unchanged). Returns the flows, the year, notes and HS revisions."""
    con = wh.connect()
    try:
        ds = dataset.replace("'", "''")
        base = f"FROM flows WHERE dataset = '{ds}' AND period_type = 'calendar_year'"
        reporters = {r[0] for r in con.sql(f"SELECT DISTINCT reporter {base}").fetchall()}
        if not reporters:
            raise InputError(
                f"dataset {dataset!r} has no calendar-year flows",
                field="--dataset",
                hint="export potential needs world flows by calendar year (e.g. BACI)",
            )
        reporter = next((r for r in REPORTER_PREFERENCE if r in reporters), sorted(reporters)[0])
        digits = con.sql(f"SELECT MAX(digits) {base}").fetchall()[0][0]
        revisions = [r[0] for r in con.sql(
            f"SELECT DISTINCT hs_revision {base} AND digits = {int(digits)} ORDER BY 1"
        ).fetchall()]
        notes = []
        if len(reporters) > 1:
            notes.append(f"flows declared by the {reporter} used ({', '.join(sorted(reporters))} "
                         "present)")
        levels = con.sql(f"SELECT COUNT(DISTINCT digits) {base}").fetchall()[0][0]
        if levels > 1:
            notes.append(f"products at {digits} digits used")
        where = f"{base} AND reporter = '{reporter}' AND digits = {int(digits)}"
        if year is None:
            year = int(con.sql(f"SELECT MAX(year) {where}").fetchall()[0][0])
        y0, y1 = window_years(int(year), window)
        where += f" AND year BETWEEN {y0} AND {y1} AND exporter <> importer AND value_usd > 0"
        mk = market.replace("'", "''")
        frame = con.sql(f"""
            SELECT exporter, importer, product, CAST(year AS BIGINT) AS year,
                   SUM(value_usd) AS value_usd
            {where} AND importer = '{mk}' GROUP BY exporter, importer, product, year
            UNION ALL
            SELECT exporter, '{REST}' AS importer, product, CAST(year AS BIGINT) AS year,
                   SUM(value_usd) AS value_usd
            {where} AND importer <> '{mk}' GROUP BY exporter, product, year
        """).df()
    finally:
        con.close()
    return frame, int(year), notes, revisions


def potential(
    wh: Warehouse,
    exporter: str = "IND",
    market: str = "RUS",
    params: PotentialParams | None = None,
    groups: list[str] | None = None,
    top: int | None = 30,
    *,
    year: int | None = None,
    dataset: str | None = None,
    distances: pd.DataFrame | None = None,
    growth: pd.DataFrame | None = None,
    names: bool = True,
) -> tuple[PotentialResult, pd.DataFrame]:
    """Export potential of ``exporter`` in ``market`` from a warehouse dataset; also returns the
    reduced flows (for :func:`tradegap.analysis.displacement.displacement`)."""
    params = params or PotentialParams()
    exporter, market = exporter.upper(), market.upper()
    name = pick_dataset(wh, dataset)
    info = wh.dataset(name)
    flows, year, notes, revisions = pair_flows(wh, exporter, market, name, year, params.window)
    if flows.empty:
        raise InputError(f"dataset {name!r} has no flows around {year}", field="--year")
    prov = Provenance(sources=[info.source], datasets=[name], revisions=revisions,
                      synthetic=info.synthetic, notes=notes)
    result = export_potential(flows, exporter, market, params, groups, top, year=year,
                              distances=distances, growth=growth, provenance=prov)
    if names and not result.table.empty and len(revisions) == 1:
        _add_names(result, revisions[0])
    return result, flows


def _add_names(result: PotentialResult, revision: str) -> None:
    """Product names from the reference data when it has them (optional: skipped if not)."""
    try:
        from tradegap.reference.products import products

        digits = int(result.table["product"].str.len().max())
        ref = products(revision, digits)
    except (ImportError, TradegapError):
        return
    mapping = ref.drop_duplicates("code").set_index("code")["name"]
    result.table.insert(3, "name", result.table["product"].map(mapping))


@dataclass
class GlobalPotential:
    """Export potential of every exporter × market × product of one year (see
    :func:`tradegap.analysis.potential_sql.global_potential`). ``table`` is None when the rows
    were written to ``path`` instead of collected."""

    year: int
    dataset: str
    reporter: str
    digits: int
    engine: str
    table: pd.DataFrame | None
    path: Path | None
    provenance: Provenance


def world_slice(engine: Engine, dataset: str) -> tuple[str, int, list[str], list[str], int]:
    """For ``dataset``'s calendar-year flows: the declaring side to use (by
    :data:`REPORTER_PREFERENCE`), the finest product level, its HS revisions, notes, and the
    latest year. One scan, on any engine."""
    ds = dataset.replace("'", "''")
    found = engine.rows(
        "SELECT reporter, CAST(digits AS INTEGER) AS digits, hs_revision, "
        "CAST(MAX(year) AS INTEGER) AS last FROM flows "
        f"WHERE dataset = '{ds}' AND period_type = 'calendar_year' "
        "GROUP BY reporter, digits, hs_revision"
    )
    if not found:
        raise InputError(
            f"dataset {dataset!r} has no calendar-year flows",
            field="--dataset",
            hint="export potential needs world flows by calendar year (e.g. BACI)",
        )
    reporters = {r[0] for r in found}
    reporter = next((r for r in REPORTER_PREFERENCE if r in reporters), sorted(reporters)[0])
    digits = max(int(r[1]) for r in found if r[0] == reporter)
    chosen = [r for r in found if r[0] == reporter and int(r[1]) == digits]
    revisions = sorted({r[2] for r in chosen})
    notes = []
    if len(reporters) > 1:
        notes.append(f"flows declared by the {reporter} used ({', '.join(sorted(reporters))} "
                     "present)")
    if len({int(r[1]) for r in found}) > 1:
        notes.append(f"products at {digits} digits used")
    return reporter, digits, revisions, notes, max(int(r[3]) for r in chosen)


def potential_global(
    wh: Warehouse,
    year: int | None = None,
    params: PotentialParams | None = None,
    *,
    dataset: str | None = None,
    engine: str | None = None,
    out: Path | None = None,
    master: str | None = None,
    memory_limit: str | None = None,
    distances: pd.DataFrame | None = None,
    growth: pd.DataFrame | None = None,
) -> GlobalPotential:
    """Export potential of every exporter in every market for every product (ITC method,
    Decreux & Spies 2016) from one world dataset of the warehouse, on the query engine
    ``engine`` (``duckdb`` or ``spark``, see :func:`tradegap.engine.open_engine`). With ``out``
    (.parquet or .csv) the engine writes the rows there without collecting them (BACI size:
    tens of millions of rows); else they come back as a DataFrame."""
    from tradegap.analysis.potential_sql import global_potential_sql
    from tradegap.engine import open_engine

    params = params or PotentialParams()
    name = pick_dataset(wh, dataset)
    info = wh.dataset(name)
    with open_engine(wh, engine, master=master, memory_limit=memory_limit) as eng:
        reporter, digits, revisions, notes, last = world_slice(eng, name)
        year = int(year) if year is not None else last
        query = global_potential_sql(eng, year, params, dataset=name, reporter=reporter,
                                     digits=digits, period_type="calendar_year",
                                     distances=distances, growth=growth)
        table = None
        if out is not None:
            out = eng.write(query, Path(out))
        else:
            table = eng.sql(query)
        prov = Provenance(sources=[info.source], datasets=[name], revisions=revisions,
                          synthetic=info.synthetic, notes=notes)
        return GlobalPotential(year=year, dataset=name, reporter=reporter, digits=digits,
                               engine=eng.name, table=table, path=out, provenance=prov)
