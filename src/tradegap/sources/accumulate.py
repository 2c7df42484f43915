"""Ingest file by file without losing data: datasets of one source accumulate their input files.

Each dataset records its input files (name and SHA-256) in its provenance (``input_files``).
Ingesting more files into a dataset that already exists:

- files it already holds (same bytes) change nothing, unless they are exactly its files and
  the options or side inputs changed (a re-ingest);
- new files whose rows share no key (period, exporter, importer, product, reporter; for demand
  country, flow, window, product) with the stored rows are added: the dataset then holds the
  rows of every file, as if they had been ingested together;
- the same file names again (revised files, maybe with more files) replace the dataset, as
  a re-ingest of its inputs;
- otherwise (the dataset holds files this ingest does not name) a file of a stored name with
  other bytes, rows that would overlap stored ones, or a dataset whose files are not recorded
  is refused with what would be replaced (files, rows, US$ total) unless ``replace`` is set,
  which replaces the whole dataset with the new files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tradegap.errors import InputError
from tradegap.sources.base import Parsed
from tradegap.warehouse.store import DatasetInfo, Warehouse

#: Columns that identify a row: two files sharing a key would double count it.
KEYS = {
    "flows": ["period", "period_type", "exporter", "importer", "product", "reporter"],
    "demand": ["country", "flow", "window", "product"],
}


def file_entries(paths: list[Path]) -> list[dict[str, str]]:
    """``[{"file": name, "sha256": …}]`` for the input files (directories skipped)."""
    out = []
    for path in paths:
        if not Path(path).is_file():
            continue
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        out.append({"file": Path(path).name, "sha256": digest.hexdigest()})
    return out


def _table(data: Any) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatchReader):
        return data.read_all()
    return data.fetch_arrow_table()  # a DuckDB relation


def _stored(info: DatasetInfo) -> pa.Table:
    return pa.concat_tables(pq.read_table(f) for f in sorted(info.path.glob("*.parquet")))


def _describe(info: DatasetInfo, old: pa.Table) -> str:
    files = [f["file"] for f in info.provenance.get("input_files", [])] or ["(files not recorded)"]
    total = pc.sum(old.column("value_usd")).as_py() if "value_usd" in old.schema.names else None
    money = f", US$ {total / 1e6:,.2f} m" if total is not None else ""
    return f"{', '.join(files)} ({info.rows:,} rows{money})"


def _overlap(kind: str, old: pa.Table, new: pa.Table) -> int:
    keys = ", ".join(KEYS[kind])
    con = duckdb.connect()
    try:
        con.register("old_rows", old)
        con.register("new_rows", new)
        (count,) = con.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT {keys} FROM new_rows) "
            f"JOIN (SELECT DISTINCT {keys} FROM old_rows) USING ({keys})"
        ).fetchone()
    finally:
        con.close()
    return int(count)


def merge(wh: Warehouse, parsed: Parsed, files: list[dict[str, str]], replace: bool) -> bool:
    """Make ``parsed`` hold the stored dataset's rows too when it adds new files (see the
    module docstring). Returns False when every file is already stored (nothing to write)."""
    parsed.provenance["input_files"] = files
    current = {d.name: d for d in wh.datasets()}.get(parsed.dataset)
    if current is None or replace or not files or current.fingerprint == parsed.fingerprint:
        return True
    held = list(current.provenance.get("input_files", []))
    held_sha = {f["sha256"] for f in held}
    names = {f["file"] for f in files}
    if held and all(f["sha256"] in held_sha for f in files):
        # exactly the stored files with other options or side inputs (e.g. BACI's country
        # table): a re-ingest; some of the stored files only: nothing new
        return names == {f["file"] for f in held}
    if held and {f["file"] for f in held} <= names:
        parsed.replaced = [f["file"] for f in held]  # the same files again, revised
        return True
    old = _stored(current)
    what = (
        f"dataset {parsed.dataset!r} already holds {_describe(current, old)}; "
        f"ingesting {', '.join(sorted(names))} "
    )
    hint = (
        "add --replace to replace the whole dataset with the new files, or --name NEW to "
        "store them as a separate dataset"
    )
    clash = sorted(f["file"] for f in held if f["file"] in names)
    if clash or not held:
        reason = (
            f"would replace {', '.join(clash)} (same name, other content) and drop the rest"
            if clash
            else "would replace it (its input files are not recorded)"
        )
        raise InputError(what + reason, hint=hint)
    new = _table(parsed.data)
    shared = _overlap(parsed.kind, old, new)
    if shared:
        raise InputError(
            what + f"would repeat {shared:,} of its keys ({', '.join(KEYS[parsed.kind])}), "
            "so its rows would be replaced or counted twice",
            hint=hint,
        )
    parsed.data = pa.concat_tables([old.select(new.schema.names).cast(new.schema), new])
    parsed.provenance["input_files"] = held + [f for f in files if f["sha256"] not in held_sha]
    parsed.fingerprint = hashlib.sha256(
        "".join(sorted(f["sha256"] for f in parsed.provenance["input_files"])).encode()
    ).hexdigest()
    parsed.accumulated = [f["file"] for f in held]
    return True
