"""Balances and trade indicators of every pair of economies at once, in SQL on a query engine.

One world dataset (e.g. BACI or the demo world), one declaring side, one product level: for
every ordered pair (a, b) that trades either way, per calendar year, seen from ``a``
(exports = a→b, imports = b→a; a combination absent from the dataset is zero trade):

* ``balance = exports − imports``, ``turnover = exports + imports``;
* ``intensity`` — trade intensity ``TI_ab = (x_ab / X_a) / (M_b / X_w)`` (Brown 1949; Kojima
  1964; WITS manual, "Trade intensity index"), as
  :func:`tradegap.analysis.indicators.trade_intensity`; domestic rows (exporter = importer)
  are left out of every total (exports to other countries only, WITS), in both;
* ``gl`` — aggregate Grubel–Lloyd index ``Σ_k 2·min(X_k, M_k) / Σ_k (X_k + M_k)`` over the
  pair's products (Grubel & Lloyd 1975), and ``gl_aquino`` — the same on Aquino's (1978)
  rescaled flows, ``Σ_k min(X_k / X, M_k / M)``; as
  :func:`tradegap.analysis.indicators.grubel_lloyd_aggregate` (``gl`` NaN without trade,
  ``gl_aquino`` NaN unless both directions trade);
* ``hhi_exports``, ``hhi_imports`` — normalised Herfindahl–Hirschman index of each direction
  over its products, ``(H − 1/N) / (1 − 1/N)`` with ``H = Σ s_k²``, 1 for one product (WITS
  manual, "Hirschman Herfindahl index"), as :func:`tradegap.analysis.indicators.hhi`;
  ``products_exported``, ``products_imported`` are the N.

The pair analysis of :func:`tradegap.analysis.balance.balance` is richer (several datasets,
fiscal years, mirror data) but one pair at a time; this is the whole matrix in one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tradegap.analysis.potential_warehouse import pick_dataset, world_slice
from tradegap.provenance import Provenance
from tradegap.warehouse import Warehouse

OUTPUT_COLUMNS = (
    "a", "b", "year", "exports", "imports", "balance", "turnover", "products_exported",
    "products_imported", "intensity", "gl", "gl_aquino", "hhi_exports", "hhi_imports",
)


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _hhi(v: str, v2: str, n: str) -> str:
    """Normalised HHI from the sum ``v``, the sum of squares ``v2`` and the count ``n``."""
    return (f"CASE WHEN {n} IS NULL OR {n} = 0 OR {v} = 0 THEN NULL WHEN {n} = 1 THEN 1.0 "
            f"ELSE LEAST(GREATEST(({v2} / ({v} * {v}) - 1.0 / {n}) / (1.0 - 1.0 / {n}), 0.0),"
            " 1.0) END")


def balances_sql(
    *,
    dataset: str | None = None,
    reporter: str | None = None,
    digits: int | None = None,
    years: tuple[int, int] | None = None,
    countries: list[str] | None = None,
    source: str = "flows",
) -> str:
    """The query (DuckDB dialect) of :func:`balances`: columns :data:`OUTPUT_COLUMNS`.
    ``countries`` keeps the pairs among those economies (world totals still count everyone)."""
    where = ["period_type = 'calendar_year'", "exporter <> importer", "value_usd > 0"]
    if dataset:
        where.append(f"dataset = '{_quote(dataset)}'")
    if reporter:
        where.append(f"reporter = '{_quote(reporter)}'")
    if digits is not None:
        where.append(f"digits = {int(digits)}")
    if years:
        where.append(f"year BETWEEN {int(years[0])} AND {int(years[1])}")
    keep = ""
    if countries:
        listed = ", ".join(f"'{_quote(c.upper())}'" for c in countries)
        keep = f"WHERE p.a IN ({listed}) AND p.b IN ({listed})"
    return f"""
WITH f AS (
    SELECT exporter, importer, product, CAST(year AS INTEGER) AS year, SUM(value_usd) AS v
    FROM {source} WHERE {' AND '.join(where)}
    GROUP BY exporter, importer, product, year
),
pt AS (
    SELECT exporter, importer, year, SUM(v) AS v, SUM(v * v) AS v2, COUNT(*) AS n
    FROM f GROUP BY exporter, importer, year
),
x_i AS (SELECT exporter, year, SUM(v) AS x FROM pt GROUP BY exporter, year),
m_j AS (SELECT importer, year, SUM(v) AS m FROM pt GROUP BY importer, year),
w AS (SELECT year, SUM(v) AS x FROM pt GROUP BY year),
pairs AS (
    SELECT exporter AS a, importer AS b, year FROM pt
    UNION SELECT importer AS a, exporter AS b, year FROM pt
),
overlap AS (
    SELECT e.exporter AS a, e.importer AS b, e.year,
           SUM(2.0 * LEAST(e.v, i.v)) AS o,
           SUM(LEAST(e.v / pe.v, i.v / pi.v)) AS oq
    FROM f e
    JOIN f i ON i.exporter = e.importer AND i.importer = e.exporter
        AND i.product = e.product AND i.year = e.year
    JOIN pt pe ON pe.exporter = e.exporter AND pe.importer = e.importer AND pe.year = e.year
    JOIN pt pi ON pi.exporter = e.importer AND pi.importer = e.exporter AND pi.year = e.year
    GROUP BY e.exporter, e.importer, e.year
),
p AS (
    SELECT pr.a, pr.b, pr.year,
           COALESCE(e.v, 0.0) AS exports, COALESCE(i.v, 0.0) AS imports,
           e.v2 AS v2_exports, i.v2 AS v2_imports,
           COALESCE(e.n, 0) AS products_exported, COALESCE(i.n, 0) AS products_imported,
           xa.x AS x_a, mb.m AS m_b, w.x AS x_w, o.o, o.oq
    FROM pairs pr
    LEFT JOIN pt e ON e.exporter = pr.a AND e.importer = pr.b AND e.year = pr.year
    LEFT JOIN pt i ON i.exporter = pr.b AND i.importer = pr.a AND i.year = pr.year
    LEFT JOIN x_i xa ON xa.exporter = pr.a AND xa.year = pr.year
    LEFT JOIN m_j mb ON mb.importer = pr.b AND mb.year = pr.year
    JOIN w ON w.year = pr.year
    LEFT JOIN overlap o ON o.a = pr.a AND o.b = pr.b AND o.year = pr.year
)
SELECT p.a, p.b, p.year, p.exports, p.imports,
       p.exports - p.imports AS balance, p.exports + p.imports AS turnover,
       p.products_exported, p.products_imported,
       CASE WHEN p.x_a > 0 AND p.m_b > 0 AND p.x_w > 0
            THEN (p.exports / p.x_a) / (p.m_b / p.x_w) END AS intensity,
       CASE WHEN p.exports + p.imports > 0
            THEN LEAST(COALESCE(p.o, 0.0) / (p.exports + p.imports), 1.0) END AS gl,
       CASE WHEN p.exports > 0 AND p.imports > 0
            THEN LEAST(COALESCE(p.oq, 0.0), 1.0) END AS gl_aquino,
       {_hhi("p.exports", "p.v2_exports", "p.products_exported")} AS hhi_exports,
       {_hhi("p.imports", "p.v2_imports", "p.products_imported")} AS hhi_imports
FROM p {keep}
"""


@dataclass
class Balances:
    """Balances and indicators over many pairs (see the module docstring)."""

    dataset: str
    reporter: str
    digits: int
    engine: str
    table: pd.DataFrame | None
    path: Path | None
    provenance: Provenance


def balances(
    wh: Warehouse,
    *,
    years: tuple[int, int] | None = None,
    countries: list[str] | None = None,
    dataset: str | None = None,
    engine: str | None = None,
    out: Path | None = None,
    master: str | None = None,
    memory_limit: str | None = None,
) -> Balances:
    """Balances and indicators of every pair that trades in one world dataset of the
    warehouse (the only flows dataset unless ``dataset`` is given), on ``engine`` (``duckdb``
    or ``spark``). ``years`` is an inclusive range; ``countries`` keeps the pairs among them.
    With ``out`` (.parquet or .csv) the engine writes the rows there; else a DataFrame."""
    from tradegap.engine import open_engine

    name = pick_dataset(wh, dataset)
    info = wh.dataset(name)
    with open_engine(wh, engine, master=master, memory_limit=memory_limit) as eng:
        reporter, digits, revisions, notes, _ = world_slice(eng, name)
        query = balances_sql(dataset=name, reporter=reporter, digits=digits, years=years,
                             countries=countries)
        table = None
        if out is not None:
            out = eng.write(query, Path(out))
        else:
            table = eng.sql(query).sort_values(["year", "a", "b"], ignore_index=True)
        prov = Provenance(sources=[info.source], datasets=[name], revisions=revisions,
                          synthetic=info.synthetic, notes=notes)
        return Balances(dataset=name, reporter=reporter, digits=digits, engine=eng.name,
                        table=table, path=out, provenance=prov)

