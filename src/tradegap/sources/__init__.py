"""Sources: one module per data source. Each parses and validates its files into the canonical
schema (:mod:`tradegap.warehouse.schema`) and knows nothing of analysis.

Every source module exposes ``parse(paths, **options) -> Parsed``; :func:`ingest` writes the
result to the warehouse atomically.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tradegap.errors import TradegapError

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
}


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
    wh: Warehouse, source: str, paths: list[Path], **options: Any
) -> list[tuple[Parsed, WriteOutcome]]:
    """Parse ``paths`` and store the result atomically (all datasets or none); idempotent for
    the same input."""
    parsed = parse(source, paths, **options)
    outcomes = wh.write_many([p.request() for p in parsed])
    return list(zip(parsed, outcomes, strict=True))
