"""Checksums of a dataset version's files: recorded at write, checked on demand.

Each version directory holds ``_checksums.json`` (SHA-256 and size of every Parquet file), written
and fsynced in staging before the version is renamed into place. :func:`check` compares the files
with it; a version written before checksums were recorded is read page by page instead.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

MANIFEST = "_checksums.json"


@dataclass(frozen=True)
class Check:
    """The outcome of checking one dataset: ``status`` is ``ok``, ``damaged`` or
    ``unverified`` (no checksums recorded, but every page decodes)."""

    name: str
    status: str
    problem: str | None
    files: int
    bytes: int


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def record(directory: Path) -> None:
    """Write and fsync the manifest of the Parquet files in ``directory``."""
    files = {p.name: {"bytes": p.stat().st_size, "sha256": sha256(p)}
             for p in sorted(directory.glob("*.parquet"))}
    target = directory / MANIFEST
    with open(target, "w", encoding="utf-8") as fh:
        json.dump({"algorithm": "sha256", "files": files}, fh, indent=1, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())


def check(name: str, directory: Path) -> Check:
    """Compare the files of ``directory`` with its manifest (or decode every page)."""
    files = sorted(directory.glob("*.parquet")) if directory.is_dir() else []
    size = sum(p.stat().st_size for p in files)
    if not files:
        return Check(name, "damaged", "its Parquet files are missing", 0, 0)
    manifest = directory / MANIFEST
    if not manifest.exists():
        problem = _decode_all(files)
        return Check(name, "damaged" if problem else "unverified", problem, len(files), size)
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Check(name, "damaged", f"{MANIFEST} is unreadable ({exc})", len(files), size)
    names = {p.name for p in files}
    if names != set(recorded):
        missing, extra = sorted(set(recorded) - names), sorted(names - set(recorded))
        return Check(name, "damaged", f"files differ from those recorded (missing {missing}, "
                     f"unexpected {extra})", len(files), size)
    for path in files:
        want = recorded[path.name]
        if path.stat().st_size != want.get("bytes") or sha256(path) != want.get("sha256"):
            return Check(name, "damaged", f"{path.name} does not match the checksum recorded "
                         "when it was written", len(files), size)
    return Check(name, "ok", None, len(files), size)


def _decode_all(files: list[Path]) -> str | None:
    for path in files:
        try:
            for _ in pq.ParquetFile(path).iter_batches(batch_size=65536):
                pass
        except (OSError, pa.ArrowException) as exc:
            return f"{path.name} cannot be read ({str(exc).splitlines()[0]})"
    return None
