"""Sources: one module per data source. Each parses and validates its files into the canonical
schema (:mod:`tradegap.warehouse.schema`) and knows nothing of analysis.

Every source module exposes ``parse(paths, **options) -> Parsed``; :func:`ingest` writes the
result to the warehouse atomically.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tradegap.errors import InputError, TradegapError

if TYPE_CHECKING:  # the CLI lists SOURCES in its help without importing pandas or DuckDB
    from tradegap.sources.base import Parsed
    from tradegap.warehouse.store import Warehouse, WriteOutcome

#: Source name (as typed on the command line) → module.
SOURCES: dict[str, str] = {
    "baci": "tradegap.sources.baci",
    "comtrade": "tradegap.sources.comtrade",
    "india-dgcis": "tradegap.sources.india_dgcis",
    "india-imports": "tradegap.sources.india_imports",
    "tidy": "tradegap.sources.tidy",
    "demo": "tradegap.sources.demo",
    "russia-customs": "tradegap.sources.russia_customs",
    "russia-demand": "tradegap.sources.russia_demand",
    "tariffs": "tradegap.sources.tariffs",
}


#: The files of each source's layout, looked for when a directory is given.
PATTERNS: dict[str, tuple[str, ...]] = {
    "baci": ("BACI_*.csv", "BACI_*.zip"),
    "comtrade": ("*.csv",),
    "india-dgcis": ("*.parquet", "*.csv"),
    "india-imports": ("*.xlsx", "*.xls"),
    "tidy": ("*.csv", "*.parquet"),
    "russia-customs": ("*.parquet", "*.csv"),
    "russia-demand": ("*.parquet", "*.csv"),
}


def _columns(module: Any) -> list[str]:
    return list(getattr(module, "REQUIRED", None) or getattr(module, "COLUMNS", None) or [])


def _has_columns(path: Path, required: list[str]) -> bool:
    """Whether a Parquet or CSV file has the ``required`` columns (header only)."""
    import pyarrow.parquet as pq

    try:
        if path.suffix.lower() == ".parquet":
            names = set(pq.read_schema(path).names)
        elif path.suffix.lower() == ".csv":
            with open(path, encoding="utf-8", errors="replace") as fh:
                names = {c.strip().strip('"') for c in fh.readline().split(",")}
        else:
            return True
    except (OSError, ValueError):
        return True  # unreadable: let the parser say what is wrong
    return set(required) <= names


def expand(source: str, paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Input files for ``paths``: a directory gives its files of the source's layout
    (:data:`PATTERNS`; tables without the source's columns are skipped and returned second), a
    glob pattern its matches; a file stays as is."""
    import glob

    files: list[Path] = []
    skipped: list[Path] = []
    for path in (Path(p) for p in paths):
        if path.is_dir():
            if source not in PATTERNS:
                raise InputError(f"source {source!r} does not read directories", file=str(path))
            found = sorted({f for pat in PATTERNS[source] for f in path.glob(pat) if f.is_file()})
            required = _columns(import_module(SOURCES[source]))
            ok = [f for f in found if _has_columns(f, required)]
            skipped += [f for f in found if f not in ok]
            if not ok:
                raise InputError(
                    f"no file of the {source} layout in this directory "
                    f"(looked for {', '.join(PATTERNS[source])})",
                    file=str(path),
                    hint="name the files, or point at the directory that holds them",
                )
            files += ok
        elif any(ch in str(path) for ch in "*?[") and not path.exists():
            matches = sorted(Path(m) for m in glob.glob(str(path)))
            if not matches:
                raise InputError("no file matches this pattern", file=str(path))
            files += [m for m in matches if m.is_file()]
        else:
            files.append(path)
    return files, skipped


def parse(source: str, paths: list[Path], **options: Any) -> list[Parsed]:
    """Parse ``paths`` with the module of ``source`` (see :data:`SOURCES`); a source may
    produce several datasets (e.g. two reporting sources that must never be summed)."""
    if source not in SOURCES:
        raise TradegapError(
            f"unknown source {source!r}",
            hint=f"choose one of: {', '.join(SOURCES)}",
        )
    module = import_module(SOURCES[source])
    result = module.parse([Path(p) for p in paths], **options)
    return list(result) if isinstance(result, list | tuple) else [result]


def ingest(
    wh: Warehouse, source: str, paths: list[Path], *, replace: bool = False, **options: Any
) -> list[tuple[Parsed, WriteOutcome]]:
    """Parse ``paths`` and store the result atomically (all datasets or none); idempotent for
    the same input. Files added to an existing dataset accumulate; replacing stored files by
    other ones needs ``replace`` (see :mod:`tradegap.sources.accumulate`)."""
    from tradegap.sources.accumulate import file_entries, merge
    from tradegap.warehouse.store import WriteOutcome

    parsed = parse(source, paths, **options)
    files = file_entries(paths)
    todo = [merge(wh, p, files, replace) for p in parsed]
    written = iter(wh.write_many([p.request() for p, do in zip(parsed, todo, strict=True) if do]))
    current = {d.name: d for d in wh.datasets()}
    outcomes = [
        next(written) if do else WriteOutcome(current[p.dataset], changed=False)
        for p, do in zip(parsed, todo, strict=True)
    ]
    return list(zip(parsed, outcomes, strict=True))
