"""Export potential read from the warehouse: picks the dataset, reduces the flows in DuckDB to
what the pair needs, and calls :func:`tradegap.analysis.potential.export_potential`."""

from __future__ import annotations

import pandas as pd

from tradegap.analysis.potential import (
    PotentialParams,
    PotentialResult,
    export_potential,
    window_years,
)
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
