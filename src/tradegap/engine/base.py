"""What every query engine offers, and how to open one on a warehouse."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import pandas as pd

from tradegap.config import resolve_engine
from tradegap.errors import InputError

#: Output formats an engine writes itself (without going through pandas).
WRITE_FORMATS = (".parquet", ".csv")

#: Codec of the Parquet files the engines write. Snappy, Parquet's usual default (Spark,
#: pyarrow), not the warehouse's zstd: a result file of tens of millions of rows of mostly
#: distinct doubles compresses little either way (1.41 GB against 1.18 GB for the global
#: potential at BACI size), and snappy costs about half of zstd's CPU time to write.
RESULT_PARQUET_CODEC = "snappy"


class Engine(ABC):
    """Runs SQL written in DuckDB's dialect over the warehouse's views ``flows`` and
    ``demand``. Small tables (distances, growth factors) are registered from pandas."""

    name: str = ""

    @abstractmethod
    def sql(self, query: str) -> pd.DataFrame:
        """The result of ``query`` as a DataFrame (row order is not defined)."""

    @abstractmethod
    def register(self, name: str, frame: pd.DataFrame) -> None:
        """Make ``frame`` queryable as table ``name``."""

    @abstractmethod
    def write(self, query: str, path: Path) -> Path:
        """Write the result of ``query`` to ``path`` (.parquet or .csv) without collecting it."""

    def rows(self, query: str) -> list[tuple[Any, ...]]:
        """The result of ``query`` as a list of tuples (for small results)."""
        return list(self.sql(query).itertuples(index=False, name=None))

    def close(self) -> None:  # noqa: B027 - optional for engines that hold nothing
        """Release what the engine holds."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def temp_name(prefix: str) -> str:
        """A fresh table name, so concurrent computations never clash."""
        return f"tg_{prefix}_{uuid.uuid4().hex[:12]}"


def check_output(path: Path) -> Path:
    """``path`` if the engines can write its format, else an InputError naming the choices."""
    path = Path(path)
    if path.suffix.lower() not in WRITE_FORMATS:
        raise InputError(
            f"the query engines write {', '.join(WRITE_FORMATS)}, not "
            f"{path.suffix or '(no extension)'!r}",
            file=str(path), field="--out", hint="name the file .parquet or .csv",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def open_engine(
    wh: Any,
    engine: str | None = None,
    *,
    master: str | None = None,
    memory_limit: str | None = None,
    spark_conf: dict[str, str] | None = None,
) -> Engine:
    """An engine over the warehouse ``wh``: ``engine`` is ``duckdb`` (default, or
    ``$TRADEGAP_ENGINE``) or ``spark``. ``master`` is the Spark master (default
    ``$TRADEGAP_SPARK_MASTER``, else ``local[*]``); ``memory_limit`` DuckDB's (e.g. ``3GB``);
    ``spark_conf`` extra Spark settings."""
    name = resolve_engine(engine)
    if name == "spark":
        from tradegap.engine.spark import SparkEngine

        return SparkEngine.on_warehouse(wh, master=master, conf=spark_conf)
    from tradegap.engine.duck import DuckDBEngine

    return DuckDBEngine.on_warehouse(wh, memory_limit=memory_limit)
