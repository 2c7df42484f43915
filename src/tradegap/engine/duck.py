"""The DuckDB engine: in process, over :meth:`Warehouse.connect`'s views."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from tradegap.config import duckdb_memory_limit
from tradegap.engine.base import RESULT_PARQUET_CODEC, Engine, check_output


class DuckDBEngine(Engine):
    """Runs the SQL as written. ``owns`` says whether :meth:`close` closes the connection."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection, *, owns: bool = False) -> None:
        self.con = con
        self.owns = owns

    @classmethod
    def on_warehouse(cls, wh: Any, *, memory_limit: str | None = None) -> DuckDBEngine:
        con = wh.connect(private=True)  # its settings below are database-wide
        limit = duckdb_memory_limit(memory_limit)
        if limit:
            con.execute(f"SET memory_limit = '{limit}'")
        spill = Path(tempfile.gettempdir()) / "tradegap-duckdb-spill"
        con.execute(f"SET temp_directory = '{spill}'")
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")  # never mixed into --json output
        return cls(con, owns=True)

    def relation(self, query: str) -> duckdb.DuckDBPyRelation:
        """The lazy DuckDB relation of ``query``."""
        return self.con.sql(query)

    def sql(self, query: str) -> pd.DataFrame:
        """The rows of ``query``; ENUM columns come back as plain text, as on Spark."""
        frame = self.con.sql(query).df()
        for name in frame.columns:
            if isinstance(frame[name].dtype, pd.CategoricalDtype):
                frame[name] = frame[name].astype(object)
        return frame

    def rows(self, query: str) -> list[tuple[Any, ...]]:
        return self.con.sql(query).fetchall()

    def register(self, name: str, frame: pd.DataFrame) -> None:
        self.con.register(name, frame)

    def write(self, query: str, path: Path) -> Path:
        path = check_output(path)
        parquet = f"PARQUET, COMPRESSION {RESULT_PARQUET_CODEC}"
        fmt = parquet if path.suffix.lower() == ".parquet" else "CSV, HEADER"
        escaped = str(path).replace("'", "''")
        self.con.execute(f"COPY ({query}) TO '{escaped}' (FORMAT {fmt})")
        return path

    def close(self) -> None:
        if self.owns:
            self.con.close()
