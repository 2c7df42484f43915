"""Options shared by the commands that run on a query engine (DuckDB or Spark)."""

from __future__ import annotations

import typer

ENGINE_OPTION = typer.Option(
    None, "--engine", help="Query engine: duckdb (default, or $TRADEGAP_ENGINE) or spark "
    "(pip install 'tradegap[spark]')."
)
MASTER_OPTION = typer.Option(
    None, "--spark-master", help="Spark master URL (default $TRADEGAP_SPARK_MASTER, else "
    "local[*])."
)
MEMORY_OPTION = typer.Option(
    None, "--memory-limit", help="DuckDB memory limit, e.g. 3GB (default "
    "$TRADEGAP_DUCKDB_MEMORY, else DuckDB's)."
)
DATASET_OPTION = typer.Option(
    None, "--dataset", help="World flows dataset (needed if there are several)."
)
