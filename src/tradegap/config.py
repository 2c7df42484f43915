"""Where the warehouse lives and which query engine runs the relational work."""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "TRADEGAP_HOME"
DEFAULT_HOME = Path("~/.local/share/tradegap")

#: Query engines (see :mod:`tradegap.engine`); DuckDB is the default.
ENGINES = ("duckdb", "spark")
ENV_ENGINE = "TRADEGAP_ENGINE"
DEFAULT_ENGINE = "duckdb"
#: Spark master URL: local mode on every core by default, e.g. ``spark://host:7077`` for a
#: cluster.
ENV_SPARK_MASTER = "TRADEGAP_SPARK_MASTER"
DEFAULT_SPARK_MASTER = "local[*]"
#: DuckDB memory limit (e.g. ``3GB``); DuckDB's own default (80 % of RAM) when unset.
ENV_DUCKDB_MEMORY = "TRADEGAP_DUCKDB_MEMORY"
#: ``1`` shows the solver's log and third-party INFO messages (``tradegap --verbose``).
ENV_VERBOSE = "TRADEGAP_VERBOSE"


def verbose() -> bool:
    """Whether libraries may print logs and banners (``--verbose``, ``$TRADEGAP_VERBOSE``)."""
    return os.environ.get(ENV_VERBOSE, "0").strip() == "1"


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse directory: ``home`` if given, else ``$TRADEGAP_HOME``, else the default."""
    if home is not None and str(home) != "":
        return Path(home).expanduser().resolve()
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser().resolve()
    return DEFAULT_HOME.expanduser().resolve()


def resolve_engine(engine: str | None = None) -> str:
    """The query engine: ``engine`` if given, else ``$TRADEGAP_ENGINE``, else ``duckdb``."""
    from tradegap.errors import InputError

    name = (engine or os.environ.get(ENV_ENGINE) or DEFAULT_ENGINE).strip().lower()
    if name not in ENGINES:
        raise InputError(f"unknown query engine {name!r}", field="--engine",
                         hint=f"choose one of {', '.join(ENGINES)}")
    return name


def spark_master(master: str | None = None) -> str:
    """The Spark master: ``master`` if given, else ``$TRADEGAP_SPARK_MASTER``, else local."""
    return master or os.environ.get(ENV_SPARK_MASTER) or DEFAULT_SPARK_MASTER


def duckdb_memory_limit(limit: str | None = None) -> str | None:
    """DuckDB's memory limit: ``limit`` if given, else ``$TRADEGAP_DUCKDB_MEMORY``, else None."""
    return limit or os.environ.get(ENV_DUCKDB_MEMORY) or None
