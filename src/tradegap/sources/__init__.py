"""Sources: one module per data source. Each parses and validates its files into the canonical
schema (:mod:`tradegap.warehouse.schema`) and knows nothing of analysis.

Every source module exposes ``parse(paths, **options) -> Parsed``; :func:`ingest` writes the
result to the warehouse atomically.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

from tradegap.errors import TradegapError
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
}


def parse(source: str, paths: list[Path], **options: Any) -> Parsed:
    """Parse ``paths`` with the module of ``source`` (see :data:`SOURCES`)."""
    if source not in SOURCES:
        raise TradegapError(
            f"unknown source {source!r}",
            hint=f"choose one of: {', '.join(SOURCES)}",
        )
    module = import_module(SOURCES[source])
    return module.parse([Path(p) for p in paths], **options)


def ingest(wh: Warehouse, source: str, paths: list[Path], **options: Any) -> tuple[Parsed, WriteOutcome]:
    """Parse ``paths`` and store them as one dataset; idempotent for the same input."""
    parsed = parse(source, paths, **options)
    outcome = wh.write(
        parsed.dataset,
        parsed.data,
        kind=parsed.kind,
        source=parsed.source,
        fingerprint=parsed.fingerprint,
        provenance=parsed.provenance,
        report=parsed.report(),
        synthetic=parsed.synthetic,
    )
    return parsed, outcome
