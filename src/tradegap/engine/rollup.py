"""Flows rolled up to a coarser HS level (e.g. HS4 per exporter × importer × year): the
aggregation an ingest or a model needs before the analysis, in one GROUP BY on either engine."""

from __future__ import annotations

import pandas as pd

from tradegap.engine.base import Engine


def _quote(text: str) -> str:
    return text.replace("'", "''")


def rollup_sql(
    digits: int = 4,
    *,
    dataset: str | None = None,
    reporter: str | None = None,
    years: tuple[int, int] | None = None,
    source: str = "flows",
) -> str:
    """SQL (DuckDB dialect) summing ``source`` to ``digits``-digit products per dataset,
    period, exporter, importer, HS revision and declaring side. Rows at fewer digits than asked
    are left out (they cannot be split). Columns: dataset, period, period_type, year, exporter,
    importer, product, hs_revision, reporter, value_usd, quantity (sum of the known quantities,
    NULL when none is known or units differ), flows (rows summed)."""
    d = int(digits)
    if not 1 <= d <= 10:
        raise ValueError(f"digits must be between 1 and 10, not {digits!r}")
    where = [f"digits >= {d}"]
    if dataset:
        where.append(f"dataset = '{_quote(dataset)}'")
    if reporter:
        where.append(f"reporter = '{_quote(reporter)}'")
    if years:
        where.append(f"year BETWEEN {int(years[0])} AND {int(years[1])}")
    return f"""
SELECT dataset, period, period_type, CAST(year AS INTEGER) AS year, exporter, importer,
       substr(product, 1, {d}) AS product, hs_revision, reporter,
       SUM(value_usd) AS value_usd,
       CASE WHEN COUNT(DISTINCT quantity_unit) = 1 THEN SUM(quantity) END AS quantity,
       COUNT(*) AS flows
FROM {source}
WHERE {' AND '.join(where)}
GROUP BY dataset, period, period_type, year, exporter, importer, substr(product, 1, {d}),
         hs_revision, reporter
"""


def rollup(engine: Engine, digits: int = 4, **options: object) -> pd.DataFrame:
    """:func:`rollup_sql` run on ``engine``, as a DataFrame (options as there)."""
    return engine.sql(rollup_sql(digits, **options))  # type: ignore[arg-type]
