"""The query layer: the relational work (rolling flows up, balances and indicators over many
pairs, global export potential) written once as SQL in DuckDB's dialect and run either on
DuckDB (the default, in process) or on Apache Spark (``tradegap[spark]``), reading the same
Parquet datasets of the warehouse.

On Spark the SQL is transpiled with sqlglot (DuckDB → Spark SQL); no query is written twice.
``open_engine(wh, "spark")`` gives an engine with the same views (``flows``, ``demand``, each
with a ``dataset`` column) as :meth:`tradegap.warehouse.Warehouse.connect`.
"""

from __future__ import annotations

from tradegap.engine.base import Engine, open_engine
from tradegap.engine.rollup import rollup, rollup_sql

__all__ = ["Engine", "open_engine", "rollup", "rollup_sql"]
