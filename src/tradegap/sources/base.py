"""What every source module shares: the parse result, the bad-row collector, fingerprints."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from tradegap.bounds import require_regular
from tradegap.errors import InputError, RowIssue, TooManyBadRows
from tradegap.warehouse.store import Data, WriteRequest

#: How many malformed rows an ingest sets aside before failing, unless the user says otherwise.
#: Zero: by default one malformed row stops the ingest and is reported.
DEFAULT_MAX_BAD_ROWS = 0


@dataclass
class Parsed:
    """A source module's output, ready for :meth:`Warehouse.write`.

    ``set_aside`` counts rows that were read but deliberately not loaded, by reason (e.g.
    ``{"zero value": 12}``); ``issues`` lists malformed rows (also counted in ``set_aside``).
    """

    dataset: str
    source: str
    data: Data
    fingerprint: str
    kind: str = "flows"
    rows_read: int = 0
    set_aside: dict[str, int] = field(default_factory=dict)
    issues: list[RowIssue] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    synthetic: bool = False
    #: Files already stored that this ingest kept (added to) or replaced (revised files).
    accumulated: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    def request(self) -> WriteRequest:
        """What :meth:`Warehouse.write_many` needs to store this dataset."""
        return WriteRequest(
            self.dataset,
            self.data,
            kind=self.kind,
            source=self.source,
            fingerprint=self.fingerprint,
            provenance=self.provenance,
            report=self.report(),
            synthetic=self.synthetic,
        )

    def report(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "set_aside": dict(self.set_aside),
            "issues": [str(i) for i in self.issues[:100]],
        }


class BadRows:
    """Collects malformed rows of one file and enforces the limit of how many may be set aside.

    ``limit`` is a count (``5`` = at most five rows) or, below 1, a share of the rows read.
    """

    def __init__(self, file: str | Path, limit: float = DEFAULT_MAX_BAD_ROWS) -> None:
        self.file = str(file)
        self.limit = limit
        self.issues: list[RowIssue] = []
        self.count = 0
        self.reasons: Counter[str] = Counter()

    def add(self, line: int | None, field_name: str | None, value: Any, reason: str) -> None:
        self.count += 1
        self.reasons[f"malformed: {reason}"] += 1
        if len(self.issues) < 1000:
            shown = None if value is None else str(value)[:80]
            self.issues.append(RowIssue(self.file, line, field_name, shown, reason))

    def check(self, total: int) -> None:
        """Raise :class:`TooManyBadRows` if the malformed rows exceed the limit."""
        allowed = self.limit * total if 0 < self.limit < 1 else self.limit
        if self.count > allowed:
            limit = f"{self.limit:.2%} of rows" if 0 < self.limit < 1 else f"{int(self.limit)} rows"
            raise TooManyBadRows(
                self.issues, bad=self.count, total=total, file=self.file, limit=limit
            )


def fingerprint(paths: Iterable[Path], **options: Any) -> str:
    """SHA-256 of the input files' bytes and the options that shape the output.

    Each file is read once: the same pass also yields the file's own digest (what
    :func:`file_info` reports), remembered for as long as the file's size and modification
    time stay the same, so that provenance does not read a large input a second time."""
    digest = hashlib.sha256()
    for i, path in enumerate(sorted(Path(p) for p in paths)):
        digest.update(path.name.encode())
        own = None if i == 0 else hashlib.sha256(path.name.encode())
        with open(path, "rb") as fh:
            stat = os.fstat(fh.fileno())
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
                if own is not None:
                    own.update(chunk)
        own = digest.copy() if own is None else own
        own.update(b"{}")  # json.dumps({}): the options of fingerprint([path])
        _remember_sha(path, stat, own.hexdigest())
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    return digest.hexdigest()


#: Per-file digests already computed: (path, inode, size, mtime) → fingerprint([path]).
_FILE_SHA: dict[tuple[str, int, int, int], str] = {}


def _sha_key(path: Path, stat: os.stat_result) -> tuple[str, int, int, int]:
    return (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _remember_sha(path: Path, stat: os.stat_result, sha: str) -> None:
    if len(_FILE_SHA) >= 256:
        _FILE_SHA.clear()
    _FILE_SHA[_sha_key(path, stat)] = sha


def require_file(path: Path, what: str) -> Path:
    """``path`` if it is a regular file, else an :class:`InputError` saying what was expected
    and what the path is instead (a directory, a FIFO …); a FIFO is never opened."""
    return require_regular(path, what)


def read_table(
    path: Path, required: list[str], *, layout: str, text_columns: list[str] | None = None
) -> pd.DataFrame:
    """Read a Parquet or UTF-8 CSV file and check that it has the ``required`` columns;
    ``text_columns`` are read as strings so codes keep their leading zeros."""
    path = require_file(path, f"a {layout} table (.parquet or .csv)")
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise InputError(
            "expected a .parquet or .csv file",
            file=str(path),
            hint=f"export the {layout} table as Parquet or CSV",
        )
    try:
        if suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, dtype=dict.fromkeys(text_columns or [], str))
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text ({exc.reason})", file=str(path), hint="save the CSV as UTF-8"
        ) from exc
    except Exception as exc:  # pyarrow/pandas raise many types for damaged files
        raise InputError(
            f"cannot read the file: {exc}",
            file=str(path),
            hint="check that the file is complete (not truncated)",
        ) from exc
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing columns {missing}; found {list(frame.columns)}",
            file=str(path),
            hint=f"the {layout} layout needs the columns {required}",
        )
    return frame


def refuse_repeats(flows: pd.DataFrame, key: list[str], hint: str) -> None:
    """Raise an :class:`InputError` if rows repeat ``key`` across the input files (columns
    ``_file`` and ``_line`` say where the first repeat is); overlapping files double count."""
    dup = flows.duplicated(key, keep=False)
    if dup.any():
        first = flows[dup].iloc[0]
        raise InputError(
            f"{int(dup.sum())} rows repeat the same {', '.join(key)} across the input files "
            f"(first: {', '.join(str(first[k]) for k in key)})",
            file=str(first["_file"]), line=int(first["_line"]), hint=hint,
        )


def file_info(path: Path) -> dict[str, Any]:
    """Name, size and SHA-256 of an input file, for provenance (from the pass of
    :func:`fingerprint` when it already read this file, unchanged since)."""
    stat = path.stat()
    sha = _FILE_SHA.get(_sha_key(path, stat)) or fingerprint([path])
    return {"file": str(path), "bytes": stat.st_size, "sha256": sha}
