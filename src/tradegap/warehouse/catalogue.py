"""Saving the catalogue: a complete new file is written aside, fsynced, then renamed over the old.

DuckDB's own commit appends to a write-ahead log and folds it into the file at a CHECKPOINT; a
checkpoint that fails half-way (a full disk) leaves the transaction committed in the log while
the caller believes it failed. Writing the whole catalogue as a new file instead makes the
``rename`` the single moment of change: before it, every failure (``ENOSPC`` in DuckDB's writes,
its checkpoint, the ``fsync``) leaves the old catalogue exactly as it was; after it, the new one
is in place. The catalogue is small (one row per dataset), so rewriting it costs nothing.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path
from typing import Any

import duckdb

from tradegap.errors import TradegapError

DDL = """
CREATE TABLE IF NOT EXISTS datasets (
    name VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    rows BIGINT NOT NULL,
    fingerprint VARCHAR NOT NULL,
    synthetic BOOLEAN NOT NULL,
    ingested_at TIMESTAMP NOT NULL,
    provenance VARCHAR NOT NULL,
    report VARCHAR NOT NULL
)
"""
COLUMNS = ("name", "kind", "source", "path", "rows", "fingerprint", "synthetic", "ingested_at",
           "provenance", "report")

Row = tuple[Any, ...]


def read_rows(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Every catalogue row, in :data:`COLUMNS` order, by name."""
    return con.execute(f"SELECT {', '.join(COLUMNS)} FROM datasets ORDER BY name").fetchall()


def save(path: Path, rows: list[Row]) -> None:
    """Replace the catalogue at ``path`` by one holding exactly ``rows``, atomically.

    Raises a :class:`TradegapError` (the old catalogue untouched) if anything fails before the
    rename. After the rename the change has happened: a failing ``fsync`` of the directory is
    then not reported, because the new catalogue is already the one every reader sees."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.new")
    try:
        _write(tmp, rows)
        _fsync(tmp, os.O_RDONLY)
        os.replace(tmp, path)
    except (duckdb.Error, OSError) as exc:
        _remove(tmp)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        reason = reason.splitlines()[0] if reason else type(exc).__name__
        raise TradegapError(
            f"cannot save the catalogue {path}: {reason}; the warehouse is unchanged",
            hint="free disk space (or fix permissions) and run the command again",
        ) from exc
    with contextlib.suppress(OSError):
        path.with_name(path.name + ".wal").unlink(missing_ok=True)  # the old file's log
    with contextlib.suppress(OSError):
        _fsync(path.parent, os.O_RDONLY)


def _write(tmp: Path, rows: list[Row]) -> None:
    con = duckdb.connect(str(tmp))
    try:
        con.execute(DDL)
        if rows:
            marks = ", ".join("?" * len(COLUMNS))
            con.executemany(f"INSERT INTO datasets VALUES ({marks})", [list(r) for r in rows])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    wal = tmp.with_name(tmp.name + ".wal")
    if wal.exists():  # the checkpoint did not fold the log into the file
        raise OSError(f"DuckDB left {wal.name} beside the new catalogue")


def _remove(tmp: Path) -> None:
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        with contextlib.suppress(OSError):
            leftover.unlink(missing_ok=True)


def _fsync(path: Path, flags: int) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
