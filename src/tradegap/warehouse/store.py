"""The warehouse: Parquet datasets plus a DuckDB catalogue, written atomically.

Layout of ``home``::

    catalog.duckdb            the catalogue: one row per dataset (name, kind, path, fingerprint …)
    datasets/NAME/v-UUID/     the Parquet files of the dataset's current version
    staging/                  work in progress; never read by queries
    .lock                     the writer lock (see :mod:`tradegap.warehouse.lock`)

A write stages the new version aside, moves it into ``datasets/`` with one ``rename`` and only
then points the catalogue at it in one DuckDB transaction. Until that commit, readers see the
previous version; a write that fails or is killed leaves an unreferenced directory that is
invisible to queries and removed by the next write. Writing a dataset whose input fingerprint
equals the stored one changes nothing.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from tradegap.config import resolve_home
from tradegap.errors import NotFound, TradegapError
from tradegap.warehouse import catalogue, checksums
from tradegap.warehouse.lock import writer_lock
from tradegap.warehouse.schema import SCHEMAS, conform

CATALOG_FILE = "catalog.duckdb"

_CATALOG_DDL = catalogue.DDL

#: What ``write`` accepts: a table, a stream of record batches, or a DuckDB relation whose
#: columns already follow the canonical schema.
Data = pa.Table | pa.RecordBatchReader | duckdb.DuckDBPyRelation


@dataclass(frozen=True)
class DatasetInfo:
    """One catalogue row."""

    name: str
    kind: str
    source: str
    path: Path
    rows: int
    fingerprint: str
    synthetic: bool
    ingested_at: datetime
    provenance: dict[str, Any] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "source": self.source,
            "path": str(self.path),
            "rows": self.rows,
            "fingerprint": self.fingerprint,
            "synthetic": self.synthetic,
            "ingested_at": self.ingested_at.isoformat(),
            "provenance": self.provenance,
            "report": self.report,
        }


@dataclass
class WriteRequest:
    """One dataset to write: its rows and what the catalogue records about it."""

    name: str
    data: Data
    kind: str = "flows"
    source: str = ""
    fingerprint: str = ""
    provenance: dict[str, Any] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)
    synthetic: bool = False


@dataclass(frozen=True)
class WriteOutcome:
    """What a write did: ``changed`` is false when the same input was already stored."""

    dataset: DatasetInfo
    changed: bool


class Warehouse:
    """A trade-data warehouse rooted at ``home`` (see the module docstring for the layout)."""

    #: How long a replaced or removed version stays on disk, so that a reader that opened its
    #: views before the change (e.g. the dashboard mid-computation) can finish reading it.
    KEEP_REPLACED_SECONDS = 600.0

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        *,
        keep_replaced_seconds: float | None = None,
    ) -> None:
        self.home = resolve_home(home)
        self.keep_replaced_seconds = (
            self.KEEP_REPLACED_SECONDS if keep_replaced_seconds is None else keep_replaced_seconds
        )

    def __repr__(self) -> str:
        return f"Warehouse({str(self.home)!r})"

    # -- catalogue -------------------------------------------------------------------------
    @property
    def catalog_path(self) -> Path:
        return self.home / CATALOG_FILE

    def _catalog(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        """Open the catalogue briefly; retries while another process holds it for a moment."""
        if read_only and not self.catalog_path.exists():
            con = duckdb.connect()
            con.execute(_CATALOG_DDL)
            return con
        self.home.mkdir(parents=True, exist_ok=True)
        for attempt in range(50):
            try:
                con = duckdb.connect(str(self.catalog_path), read_only=read_only)
                if not read_only:
                    con.execute(_CATALOG_DDL)
                return con
            except duckdb.Error as exc:  # IOException, or "Corrupt database file" at open
                locked = isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()
                if not locked or attempt == 49:
                    raise TradegapError(
                        f"cannot open the catalogue {self.catalog_path}: {exc}",
                        hint="another tradegap process may hold it; try again in a moment"
                        if locked else "the catalogue file is damaged: restore it from a "
                        "backup, or move the warehouse aside and ingest the inputs again",
                    ) from exc
                time.sleep(0.1)
        raise AssertionError("unreachable")

    def _catalog_stamp(self) -> tuple[Any, ...] | None:
        """What changes whenever the catalogue does: inode, size and modification time (in
        nanoseconds) of the catalogue file and of its write-ahead log; None if it is absent."""
        stamp: list[Any] = []
        for path in (self.catalog_path, self.catalog_path.with_name(CATALOG_FILE + ".wal")):
            try:
                st = path.stat()
            except FileNotFoundError:
                if not stamp:
                    return None
                stamp.append(None)
                continue
            stamp.append((st.st_ino, st.st_size, st.st_mtime_ns))
        return (str(self.home), *stamp)

    def datasets(self, kind: str | None = None) -> list[DatasetInfo]:
        """Every dataset in the catalogue (optionally of one kind), by name.

        The catalogue is read again only when its file changed (see :func:`_cached`); several
        calls in one analysis, or many requests of the dashboard, then cost one ``stat``."""
        rows = _CACHE.rows(self)
        return [d for d in rows if kind is None or d.kind == kind]

    def stamp(self) -> str:
        """A digest of the warehouse's contents: every dataset's catalogue row (name, kind,
        version directory, rows, fingerprint) and every data file's inode, size and
        modification time. Any commit (a new version directory) or any change to a data file
        changes it; derived results kept on disk are keyed by it (:mod:`.kept`)."""
        import hashlib

        infos = self.datasets()
        rows = [(d.name, d.kind, str(d.path), d.rows, d.fingerprint) for d in infos]
        return hashlib.sha256(repr((rows, _files_stamp(infos))).encode()).hexdigest()[:24]

    def _read_datasets(self) -> list[DatasetInfo]:
        con = self._catalog(read_only=True)
        try:
            rows = catalogue.read_rows(con)
        except duckdb.Error as exc:  # e.g. "Corrupt database file: computed checksum …"
            raise TradegapError(
                f"cannot read the catalogue {self.catalog_path}: {str(exc).splitlines()[0]}",
                hint="the catalogue file is damaged: restore it from a backup, or move the "
                "warehouse aside and ingest the inputs again",
            ) from exc
        finally:
            con.close()
        return [
            DatasetInfo(
                name=r[0],
                kind=r[1],
                source=r[2],
                path=self.home / r[3],
                rows=r[4],
                fingerprint=r[5],
                synthetic=r[6],
                ingested_at=r[7],
                provenance=json.loads(r[8]),
                report=json.loads(r[9]),
            )
            for r in rows
        ]

    def dataset(self, name: str) -> DatasetInfo:
        for info in self.datasets():
            if info.name == name:
                return info
        known = ", ".join(d.name for d in self.datasets()) or "none"
        raise NotFound(
            f"no dataset {name!r} in the warehouse {self.home} (datasets: {known})",
            hint="run `tradegap data list` to see what is there, or `tradegap ingest` to add it",
        )

    # -- writing ---------------------------------------------------------------------------
    def write(
        self,
        name: str,
        data: Data,
        *,
        kind: str = "flows",
        source: str,
        fingerprint: str,
        provenance: dict[str, Any] | None = None,
        report: dict[str, Any] | None = None,
        synthetic: bool = False,
    ) -> WriteOutcome:
        """Store ``data`` as dataset ``name`` atomically, replacing any previous version."""
        request = WriteRequest(
            name,
            data,
            kind=kind,
            source=source,
            fingerprint=fingerprint,
            provenance=provenance or {},
            report=report or {},
            synthetic=synthetic,
        )
        return self.write_many([request])[0]

    def write_many(self, requests: list[WriteRequest]) -> list[WriteOutcome]:
        """Store several datasets in one atomic step: all of them or none.

        Datasets whose fingerprint equals the stored one are left as they are.
        """
        names = [r.name for r in requests]
        if len(set(names)) != len(names):
            raise TradegapError(f"dataset names repeat in one write: {names}")
        for r in requests:
            if r.kind not in SCHEMAS:
                raise TradegapError(f"unknown dataset kind {r.kind!r}; known: {sorted(SCHEMAS)}")
        with writer_lock(self.home):
            current = {d.name: d for d in self.datasets()}
            # a dataset damaged on disk is rewritten even from the same input
            todo = [
                r
                for r in requests
                if r.name not in current
                or current[r.name].fingerprint != r.fingerprint
                or _damage(current[r.name]) is not None
            ]
            staged: list[tuple[WriteRequest, Path, Path]] = []
            committed = False
            try:
                for r in todo:
                    staging = self.home / "staging" / f"{r.name}-{uuid.uuid4().hex}"
                    final = self.home / "datasets" / r.name / f"v-{uuid.uuid4().hex}"
                    staged.append((r, staging, final))
                    try:
                        staging.mkdir(parents=True)
                        _write_parquet(staging, r.data, SCHEMAS[r.kind])
                        checksums.record(staging)
                    except (OSError, duckdb.IOException) as exc:
                        raise _disk_error(r.name, self.home, exc) from exc
                infos = []
                for r, staging, final in staged:
                    try:
                        rows = sum(pq.read_metadata(p).num_rows
                                   for p in staging.glob("*.parquet"))
                        final.parent.mkdir(parents=True, exist_ok=True)
                        os.rename(staging, final)
                        _fsync_dir(final.parent)
                    except OSError as exc:
                        raise _disk_error(r.name, self.home, exc) from exc
                    infos.append(
                        DatasetInfo(
                            name=r.name,
                            kind=r.kind,
                            source=r.source,
                            path=final,
                            rows=rows,
                            fingerprint=r.fingerprint,
                            synthetic=r.synthetic,
                            ingested_at=datetime.now(UTC).replace(tzinfo=None),
                            provenance=r.provenance,
                            report=r.report,
                        )
                    )
                if infos:
                    self._commit(infos)
                committed = True
                for info in infos:
                    if info.name in current:
                        _mark_replaced(current[info.name].path)
            finally:
                if not committed:
                    for _, staging, final in staged:
                        shutil.rmtree(staging, ignore_errors=True)
                        shutil.rmtree(final, ignore_errors=True)
            if infos:
                # the write has happened: tidying up may fail (a full disk) without undoing it
                with contextlib.suppress(OSError, TradegapError):
                    self._collect_garbage()
            written = {i.name: i for i in infos}
            return [
                WriteOutcome(written[r.name], changed=True)
                if r.name in written
                else WriteOutcome(current[r.name], changed=False)
                for r in requests
            ]

    def remove(self, name: str) -> None:
        """Drop dataset ``name`` from the catalogue; its files go after the grace period."""
        with writer_lock(self.home):
            info = self.dataset(name)
            catalogue.save(self.catalog_path, [r for r in self._rows() if r[0] != name])
            _mark_replaced(info.path)
            self._collect_garbage()

    def _rows(self) -> list[catalogue.Row]:
        con = self._catalog(read_only=True)
        try:
            return catalogue.read_rows(con)
        finally:
            con.close()

    def _commit(self, infos: list[DatasetInfo]) -> None:
        """Point the catalogue at the new versions, all at once: the catalogue is written anew
        beside the old one and renamed over it (:mod:`tradegap.warehouse.catalogue`)."""
        names = {info.name for info in infos}
        rows = [r for r in self._rows() if r[0] not in names]
        rows += [
            (
                info.name,
                info.kind,
                info.source,
                str(info.path.relative_to(self.home)),
                info.rows,
                info.fingerprint,
                info.synthetic,
                info.ingested_at,
                json.dumps(info.provenance, default=str),
                json.dumps(info.report, default=str),
            )
            for info in infos
        ]
        catalogue.save(self.catalog_path, sorted(rows, key=lambda r: r[0]))

    def _collect_garbage(self) -> None:
        """Remove staging leftovers, versions no write ever committed (a killed ingest), and
        replaced versions older than :attr:`keep_replaced_seconds`."""
        live = {d.path for d in self.datasets()}
        shutil.rmtree(self.home / "staging", ignore_errors=True)
        root = self.home / "datasets"
        if not root.exists():
            return
        now = time.time()
        for dataset_dir in root.iterdir():
            for version in dataset_dir.iterdir():
                if version in live:
                    continue
                replaced_at = _replaced_at(version)
                if replaced_at is None or now - replaced_at >= self.keep_replaced_seconds:
                    shutil.rmtree(version, ignore_errors=True)
            if not any(dataset_dir.iterdir()):
                dataset_dir.rmdir()

    # -- reading ---------------------------------------------------------------------------
    def verify(self, infos: list[DatasetInfo] | None = None) -> None:
        """Raise a :class:`TradegapError` naming every dataset (of ``infos``, default all) whose
        files are missing, are not readable Parquet, or do not hold the rows the catalogue
        records (a cheap check of each file's footer; :meth:`check` reads every byte)."""
        damaged = [(info, problem) for info in (self.datasets() if infos is None else infos)
                   if (problem := _damage(info)) is not None]
        if damaged:
            named = "; ".join(f"dataset {i.name!r} is damaged on disk: {p} ({i.path})"
                              for i, p in damaged)
            again = ", ".join(f"`tradegap ingest {i.source} …`" for i, _ in damaged)
            raise TradegapError(
                named,
                hint=f"ingest its input files again ({again}): the same input then rewrites it; "
                "the other datasets are intact (`tradegap data verify`)",
            )

    def check(self, names: Collection[str] | None = None) -> list[checksums.Check]:
        """Check every byte of the datasets ``names`` (default all) against the checksums
        recorded when they were written; one :class:`~tradegap.warehouse.checksums.Check`
        each, damaged ones named with the problem."""
        infos = self._select(names)
        out = []
        for info in infos:
            result = checksums.check(info.name, info.path)
            problem = _damage(info) if result.status != "damaged" else None
            if problem is not None:
                result = checksums.Check(info.name, "damaged", problem, result.files,
                                         result.bytes)
            out.append(result)
        return out

    def _select(self, names: Collection[str] | None) -> list[DatasetInfo]:
        infos = self.datasets()
        if names is None:
            return infos
        for name in names:
            if name not in {i.name for i in infos}:
                self.dataset(name)  # raises NotFound listing what is there
        return [i for i in infos if i.name in set(names)]

    def connect(self, names: Collection[str] | None = None, *,
                private: bool = False) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with one view per kind (``flows``, ``demand``), each the union
        of that kind's datasets (only ``names`` if given) with a ``dataset`` column. The
        catalogue file is not held open, so readers never block a writer. Raises a
        :class:`TradegapError` naming the datasets whose files are damaged (see
        :meth:`verify`); a damaged dataset outside ``names`` does not matter.

        The views of all datasets live in one in-memory database per warehouse, built again
        only when the catalogue or a data file changed; each call returns a new cursor on it
        (temporary tables and registered frames stay the caller's own; closing it closes only
        the cursor). ``private=True`` (and any ``names``) builds a database of its own
        instead, for a caller that changes database-wide settings (memory limit, spill
        directory)."""
        private = private or names is not None
        infos = self._select(names)
        stamp = _files_stamp(infos)
        if not private:
            cached = _CACHE.database(self, stamp)
            if cached is not None:
                return cached.cursor()
        try:
            self.verify(infos)
        except TradegapError:
            infos = self._select(names)  # a writer may have swapped a version in meanwhile
            self.verify(infos)
            stamp = _files_stamp(infos)
        con = duckdb.connect()
        for kind, schema in SCHEMAS.items():
            parts = [
                f"SELECT *, '{_sql_str(d.name)}' AS dataset FROM read_parquet("
                f"'{_sql_str(str(d.path))}/*.parquet')"
                for d in infos
                if d.kind == kind
            ]
            if parts:
                con.execute(f"CREATE VIEW {kind} AS " + " UNION ALL BY NAME ".join(parts))
            else:  # a real (empty) table, so that cursors on this database see it too
                empty = pa.Table.from_pylist(
                    [], schema=schema.append(pa.field("dataset", pa.string()))
                )
                con.register(f"_{kind}_arrow", empty)
                con.execute(f"CREATE TABLE _{kind}_empty AS SELECT * FROM _{kind}_arrow")
                con.unregister(f"_{kind}_arrow")
                con.execute(f"CREATE VIEW {kind} AS SELECT * FROM _{kind}_empty")
        if private:
            return con
        # versions are immutable once committed: their footers can be cached across queries
        con.execute("SET parquet_metadata_cache = true")
        _CACHE.keep_database(self, stamp, con)
        return con.cursor()

    def iter_files(self, name: str) -> Iterator[Path]:
        yield from sorted(self.dataset(name).path.glob("*.parquet"))


class _ReadCache:
    """What readers of a warehouse reuse, per home directory and thread-safe: the catalogue
    rows (valid while the catalogue file's stamp is unchanged) and the in-memory database with
    the views (valid while, in addition, every data file's name, size and modification time
    are unchanged, so the damage check of :meth:`Warehouse.verify` still holds)."""

    #: A catalogue modified less than this long before it was read is not cached: a change in
    #: the same tick of the file-system clock could otherwise leave the stamp as it was.
    RACY_NS = 200_000_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, tuple[tuple[Any, ...], list[DatasetInfo]]] = {}
        self._dbs: dict[str, tuple[tuple[Any, ...], duckdb.DuckDBPyConnection]] = {}

    def rows(self, wh: Warehouse) -> list[DatasetInfo]:
        stamp = wh._catalog_stamp()
        if stamp is None:
            return []
        key = str(wh.home)
        with self._lock:
            hit = self._rows.get(key)
        if hit is not None and hit[0] == stamp:
            return copy.deepcopy(hit[1])
        rows = wh._read_datasets()
        newest = max(part[2] for part in stamp[1:] if part is not None)
        if wh._catalog_stamp() == stamp and time.time_ns() - newest > self.RACY_NS:
            with self._lock:
                self._rows[key] = (stamp, rows)
        return copy.deepcopy(rows)

    def database(self, wh: Warehouse, stamp: tuple[Any, ...]) -> duckdb.DuckDBPyConnection | None:
        with self._lock:
            hit = self._dbs.get(str(wh.home))
        return hit[1] if hit is not None and hit[0] == stamp else None

    def keep_database(self, wh: Warehouse, stamp: tuple[Any, ...],
                      con: duckdb.DuckDBPyConnection) -> None:
        # a replaced database is not closed here: cursors handed out earlier keep it alive
        with self._lock:
            self._dbs[str(wh.home)] = (stamp, con)


    def close(self) -> None:
        """Close the cached databases (at interpreter exit, before threads are torn down)."""
        with self._lock:
            dbs, self._dbs = list(self._dbs.values()), {}
        for _, con in dbs:
            with contextlib.suppress(duckdb.Error):
                con.close()


_CACHE = _ReadCache()
atexit.register(_CACHE.close)


def _files_stamp(infos: list[DatasetInfo]) -> tuple[Any, ...]:
    """Name, kind, rows and every Parquet file's name, size and modification time."""
    out: list[Any] = []
    for d in infos:
        files = []
        for path in sorted(d.path.glob("*.parquet")) if d.path.is_dir() else []:
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            files.append((path.name, st.st_ino, st.st_size, st.st_mtime_ns))
        out.append((d.name, d.kind, str(d.path), d.rows, tuple(files)))
    return tuple(out)


def open_warehouse(home: str | os.PathLike[str] | None = None) -> Warehouse:
    """Open (or create on first write) the warehouse at ``home``/``$TRADEGAP_HOME``/default."""
    return Warehouse(home)


def damaged_data_error(exc: BaseException) -> TradegapError | None:
    """The clear error for a DuckDB failure that means a dataset file is damaged (a page
    that does not decode, a file gone mid-query), or None for any other exception."""
    if not isinstance(exc, duckdb.Error):
        return None
    text = str(exc)
    if not (isinstance(exc, duckdb.IOException) or "corrupt" in text.lower()):
        return None
    first = text.splitlines()[0] if text else type(exc).__name__
    return TradegapError(
        f"a warehouse file could not be read: {first}",
        hint="a dataset is damaged: `tradegap data verify` names it; ingest its input files "
        "again to rewrite it (the other datasets stay usable)",
    )


def _disk_error(name: str, home: Path, exc: BaseException) -> TradegapError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return TradegapError(
        f"cannot write dataset {name!r} under {home}: {reason}; the warehouse is unchanged",
        hint="free disk space (or fix permissions) and run the ingest again",
    )


def _damage(info: DatasetInfo) -> str | None:
    """What is wrong with a dataset's files on disk, or None."""
    files = sorted(info.path.glob("*.parquet")) if info.path.is_dir() else []
    if not files:
        return "its Parquet files are missing"
    rows = 0
    for path in files:
        try:
            rows += pq.read_metadata(path).num_rows
        except (OSError, pa.ArrowException) as exc:
            return f"{path.name} is not readable Parquet ({exc})"
    if rows != info.rows:
        return f"its files hold {rows:,} rows, the catalogue records {info.rows:,}"
    return None


_REPLACED_MARK = ".replaced-at"


def _mark_replaced(version: Path) -> None:
    """Record when a version stopped being the current one (read by the garbage collector)."""
    with contextlib.suppress(OSError):
        (version / _REPLACED_MARK).write_text(f"{time.time():.3f}")


def _replaced_at(version: Path) -> float | None:
    try:
        return float((version / _REPLACED_MARK).read_text())
    except (OSError, ValueError):
        return None


def _sql_str(text: str) -> str:
    return text.replace("'", "''")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


#: Rows per Parquet row group. Each group records the min and max of every column, so a query
#: for one pair reads only the groups whose exporter and importer ranges hold it: sources write
#: rows grouped by exporter (BACI's files and the demo world come so), and groups of this size
#: (DuckDB's own default; pyarrow's is 8.5 times larger) let that order pay off.
ROW_GROUP_ROWS = 122_880


def _write_parquet(directory: Path, data: Data, schema: pa.Schema) -> None:
    """Write ``data`` conformed to ``schema`` as Parquet files in ``directory``, fsynced."""
    target = directory / "part-0.parquet"
    if isinstance(data, duckdb.DuckDBPyRelation):
        data.to_parquet(str(target), compression="zstd", row_group_size=ROW_GROUP_ROWS)
        written = pq.read_schema(target)
        expected = [(f.name, f.type) for f in schema]
        got = [(f.name, f.type) for f in written]
        if got != expected:
            raise TradegapError(
                f"relation does not follow the canonical schema: got {got}, expected {expected}",
                hint="this is a bug in the source module that produced it",
            )
    else:
        batches = data.to_batches() if isinstance(data, pa.Table) else data
        kind = _kind_of(schema)
        writer = None
        try:
            for batch in batches:
                table = conform(pa.Table.from_batches([batch]), kind)
                if writer is None:
                    writer = _parquet_writer(target, table.schema)
                writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
            if writer is None:  # no rows: the file still has the columns
                writer = _parquet_writer(target, schema)
        finally:
            if writer is not None:
                writer.close()
    for path in directory.glob("*.parquet"):
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())


def _parquet_writer(target: Path, schema: pa.Schema) -> pq.ParquetWriter:
    """A zstd writer for ``schema``. Text handed over dictionary-encoded (see
    ``schema.conform``) is written from its dictionary, without hashing a string per row, and
    without the Arrow schema in the file: the Parquet columns are the same as for plain text,
    so every reader reads the canonical schema back (checked in tests/test_warehouse.py)."""
    plain = not any(pa.types.is_dictionary(f.type) for f in schema)
    return pq.ParquetWriter(target, schema, compression="zstd", store_schema=plain)


def _kind_of(schema: pa.Schema) -> str:
    return next(k for k, s in SCHEMAS.items() if s.equals(schema))
