"""Export potential for every exporter × market × product of one year, in SQL.

The same method and the same numbers as :func:`tradegap.analysis.potential.export_potential`
(Decreux & Spies 2016; the terms are defined in that module's docstring), written as one plain
SQL query (CTEs, GROUP BY, one window SUM, POWER/COALESCE/NULLIF) over the warehouse's ``flows``
view, so that it runs on DuckDB at BACI size (≈11 M flows a year) and, transpiled by sqlglot,
unchanged on Spark (:mod:`tradegap.engine`). Two small tables are registered beside it:
distances and growth factors.

The hypothetical trade of the ease term, ``h_ij = Σ_k s_ik · m_jk · (d_ij / d̄_jk)^(−δ)``, is
summed as ``d_ij^(−δ) · Σ_k s_ik · m_jk · d̄_jk^δ`` (plus the plain terms where a distance is
missing), so the exporter × market × product join is aggregated before any per-pair lookup:
the same number up to rounding (≈1e-15), and several times faster at BACI size.

Countries and products are replaced by small integers as the flows are read (two registered
dictionaries) and a flow is keyed by one packed integer, ``(product · n + exporter) · n +
importer`` for ``n`` countries, so every join and aggregation runs on integers and the codes
come back only in the final projection (from categorical dictionaries, which DuckDB writes as
ENUMs): at BACI size this halved the CPU time of the joins and kept the query within a 3 GB
memory limit without spilling.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from tradegap.analysis.potential import (
    PotentialParams,
    distance_table,
    growth_factors,
    window_years,
)
from tradegap.engine.base import Engine

OUTPUT_COLUMNS = (
    "exporter", "importer", "product", "rca", "exports_world", "supply_base", "supply",
    "market_imports", "distance_factor", "demand", "ease", "potential", "actual", "untapped",
    "realised_share",
)
_LABELS = ("exporter", "importer", "product")


def global_potential(
    con: duckdb.DuckDBPyConnection | Engine,
    year: int,
    params: PotentialParams | None = None,
    *,
    source: str = "flows",
    dataset: str | None = None,
    reporter: str | None = None,
    digits: int | None = None,
    period_type: str | None = None,
    distances: pd.DataFrame | None = None,
    growth: pd.DataFrame | None = None,
) -> duckdb.DuckDBPyRelation:
    """A lazy relation with one row per exporter × market × product where the exporter has
    RCA ≥ threshold in the product, the market imports it and the pair trades (``E_ij > 0``);
    columns :data:`OUTPUT_COLUMNS`. ``source`` is a table or view with the flow columns
    (default the warehouse's ``flows``); ``dataset``, ``reporter``, ``digits`` and
    ``period_type`` keep one dataset, one declaring side, one product level and one kind of
    period of it (as :func:`tradegap.analysis.potential_warehouse.pair_flows` does: a dataset
    holding months beside years would otherwise count each flow twice).

    ``con`` is a DuckDB connection (the relation is DuckDB's) or a DuckDB
    :class:`~tradegap.engine.Engine`; on any engine use :func:`global_potential_sql`."""
    from tradegap.engine.duck import DuckDBEngine

    engine = con if isinstance(con, DuckDBEngine) else DuckDBEngine(con)  # type: ignore[arg-type]
    query = global_potential_sql(engine, year, params, source=source, dataset=dataset,
                                 reporter=reporter, digits=digits, period_type=period_type,
                                 distances=distances, growth=growth)
    plain = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" if c in _LABELS else c
                      for c in OUTPUT_COLUMNS)
    return engine.relation(f"SELECT {plain} FROM ({query})")  # labels as text, not ENUMs


def global_potential_sql(
    engine: Engine,
    year: int,
    params: PotentialParams | None = None,
    *,
    source: str = "flows",
    dataset: str | None = None,
    reporter: str | None = None,
    digits: int | None = None,
    period_type: str | None = None,
    distances: pd.DataFrame | None = None,
    growth: pd.DataFrame | None = None,
) -> str:
    """The query of :func:`global_potential` (DuckDB's dialect) for ``engine``: registers the
    growth factors, distances and the integer keys of countries and products on ``engine`` (two
    small scans find them) and returns
    the SQL, to run with ``engine.sql`` or ``engine.write``. Same arguments as there."""
    params = params or PotentialParams()
    y0, y1 = window_years(int(year), params.window)
    filters = []
    if dataset:
        filters.append(f"dataset = '{_quote(dataset)}'")
    if reporter:
        filters.append(f"reporter = '{_quote(reporter)}'")
    if digits is not None:
        filters.append(f"digits = {int(digits)}")
    if period_type:
        filters.append(f"period_type = '{_quote(period_type)}'")
    where = "".join(f" AND {f}" for f in filters)
    where_f = "".join(f" AND f.{f}" for f in filters)

    scope = f"FROM {source} WHERE year BETWEEN {y0} AND {y1} {where}"
    countries = sorted(r[0] for r in engine.rows(
        f"SELECT DISTINCT exporter {scope} UNION SELECT DISTINCT importer {scope}"))
    products = sorted(r[0] for r in engine.rows(f"SELECT DISTINCT product {scope}"))
    factors, _ = growth_factors(growth, int(year), params.horizon, countries)
    n = max(len(countries), 1)  # the key packs (product, exporter, importer) as ((p·n)+e)·n+i

    country_name = engine.temp_name("potential_country")
    engine.register(country_name, pd.DataFrame({
        "iso3": _labels(countries),
        "c": pd.Series(range(len(countries)), dtype="int32"),
        "g": factors.reindex(countries).fillna(1.0).to_numpy(dtype=float),
    }))
    product_name = engine.temp_name("potential_product")
    engine.register(product_name, pd.DataFrame({
        "code": _labels(products),
        "p": pd.Series(range(len(products)), dtype="int32")}))

    dist_name = engine.temp_name("potential_dist")
    if params.distance_elasticity > 0:
        dist = distance_table(distances, params.distance_measure)
    else:
        dist = pd.DataFrame({"exporter": pd.Series([], dtype=str),
                             "importer": pd.Series([], dtype=str), "d": pd.Series([], dtype=float)})
    engine.register(dist_name, dist)

    delta = float(params.distance_elasticity)
    eps = float(params.income_elasticity)
    dfactor = (
        "CASE WHEN e.d IS NULL OR m.dbar IS NULL THEN 1.0 "
        f"ELSE POWER(e.d / m.dbar, {-delta!r}) END"
    )
    query = f"""
WITH win AS (
    SELECT (CAST(pr.p AS BIGINT) * {n} + ce.c) * {n} + ci.c AS k, f.year, f.value_usd
    FROM {source} f
    JOIN {country_name} ce ON ce.iso3 = f.exporter
    JOIN {country_name} ci ON ci.iso3 = f.importer
    JOIN {product_name} pr ON pr.code = f.product
    WHERE f.year BETWEEN {y0} AND {y1} AND f.exporter <> f.importer AND f.value_usd > 0
          {where_f}
),
n_years AS (SELECT COUNT(DISTINCT year) AS n FROM win),
flow AS (
    SELECT k, CAST(k // {n * n} AS INTEGER) AS p, CAST((k // {n}) % {n} AS INTEGER) AS e,
           CAST(k % {n} AS INTEGER) AS i, SUM(value_usd) / MAX(n_years.n) AS x
    FROM win CROSS JOIN n_years GROUP BY k
),
x_ik AS (SELECT e, p, SUM(x) AS x FROM flow GROUP BY e, p),
x_i AS (SELECT e, SUM(x) AS x FROM x_ik GROUP BY e),
w_k AS (SELECT p, SUM(x) AS x FROM x_ik GROUP BY p),
w AS (SELECT SUM(x) AS x FROM x_ik),
sup AS (
    SELECT a.e, a.p, a.x AS exports_world,
           a.x / wk.x AS supply_base,
           a.x * g.g / SUM(a.x * g.g) OVER (PARTITION BY a.p) AS supply,
           (a.x / xi.x) / (wk.x / w.x) AS rca
    FROM x_ik a
    JOIN w_k wk ON wk.p = a.p
    JOIN x_i xi ON xi.e = a.e
    CROSS JOIN w
    JOIN {country_name} g ON g.c = a.e
),
pair_d AS (
    SELECT ce.c AS e, ci.c AS i, dd.d FROM {dist_name} dd
    JOIN {country_name} ce ON ce.iso3 = dd.exporter
    JOIN {country_name} ci ON ci.iso3 = dd.importer
),
mkt AS (
    SELECT f.i, f.p, SUM(f.x) AS m,
           SUM(f.x * dd.d) / NULLIF(SUM(CASE WHEN dd.d IS NOT NULL THEN f.x END), 0) AS dbar
    FROM flow f
    LEFT JOIN pair_d dd ON dd.e = f.e AND dd.i = f.i
    GROUP BY f.i, f.p
),
mkt_terms AS (
    SELECT m.i, m.p, m.m, m.dbar,
           CASE WHEN m.dbar IS NULL THEN 0.0 ELSE m.m * POWER(m.dbar, {delta!r}) END AS m_far,
           CASE WHEN m.dbar IS NULL THEN m.m ELSE 0.0 END AS m_near,
           m.m * POWER(gj.g, {eps!r}) AS m_grown
    FROM mkt m
    JOIN {country_name} gj ON gj.c = m.i
),
pair AS (SELECT e, i, SUM(x) AS x FROM flow GROUP BY e, i),
hyp_terms AS (
    SELECT s.e, m.i, SUM(s.supply_base * m.m) AS h_plain,
           SUM(s.supply_base * m.m_far) AS h_far, SUM(s.supply_base * m.m_near) AS h_near
    FROM sup s
    JOIN mkt_terms m ON m.p = s.p
    GROUP BY s.e, m.i
),
hyp AS (
    SELECT pr.e, pr.i, pr.x, dd.d,
           CASE WHEN dd.d IS NULL THEN t.h_plain
                ELSE POWER(dd.d, {-delta!r}) * t.h_far + t.h_near END AS h
    FROM pair pr
    JOIN hyp_terms t ON t.e = pr.e AND t.i = pr.i
    LEFT JOIN pair_d dd ON dd.e = pr.e AND dd.i = pr.i
),
ease AS (SELECT e, i, d, x / h AS ease FROM hyp WHERE h > 0),
pot AS (
    SELECT s.e, m.i, s.p, s.rca, s.exports_world, s.supply_base, s.supply,
           m.m AS market_imports, {dfactor} AS distance_factor,
           m.m_grown * {dfactor} AS demand,
           e.ease, COALESCE(f.x, 0.0) AS actual
    FROM sup s
    JOIN mkt_terms m ON m.p = s.p
    JOIN ease e ON e.e = s.e AND e.i = m.i
    LEFT JOIN flow f ON f.k = (CAST(s.p AS BIGINT) * {n} + s.e) * {n} + m.i
    WHERE s.rca >= {float(params.rca_threshold)!r}
)
SELECT ce.iso3 AS exporter, ci.iso3 AS importer, pr.code AS product,
       rca, exports_world, supply_base, supply, market_imports,
       distance_factor, demand, ease,
       supply * demand * ease AS potential,
       actual,
       GREATEST(supply * demand * ease - actual, 0.0) AS untapped,
       CASE WHEN supply * demand * ease > 0 THEN actual / (supply * demand * ease) END
           AS realised_share
FROM pot
JOIN {country_name} ce ON ce.c = pot.e
JOIN {country_name} ci ON ci.c = pot.i
JOIN {product_name} pr ON pr.p = pot.p
"""
    return query


def _labels(codes: list[str]) -> pd.Series:
    """Codes as a categorical column: DuckDB registers it as an ENUM, so the result's 19 M
    country and product labels are written to Parquet from the dictionary instead of as
    per-row strings (≈10 % of the global potential's time at BACI size); Spark reads it as
    plain text."""
    return pd.Series(pd.Categorical(codes, categories=codes))


def _quote(text: str) -> str:
    return text.replace("'", "''")
