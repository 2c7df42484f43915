"""Progress of long work, reported to whoever listens (the CLI's Rich bars), silent otherwise.

Library code marks a long step with :func:`task` and advances it; it never prints. The command
line installs a reporter (:func:`set_reporter`) only on a terminal and not in ``--json`` mode, so
the Python API, the dashboard, pipes and JSON output stay clean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol


class Reporter(Protocol):
    def start(self, description: str, total: float | None) -> object: ...
    def advance(self, handle: object, amount: float) -> None: ...
    def stop(self, handle: object) -> None: ...


_reporter: Reporter | None = None


def set_reporter(reporter: Reporter | None) -> None:
    """Install (or remove, with None) the process-wide progress reporter."""
    global _reporter
    _reporter = reporter


@contextmanager
def task(description: str, total: float | None = None) -> Iterator[Callable[[float], None]]:
    """A unit of long work: ``with task("Monte Carlo draws", 500) as advance: … advance(1)``.
    ``total=None`` shows a spinner with the elapsed time instead of a bar."""
    rep = _reporter
    if rep is None:
        yield lambda amount=1.0: None
        return
    handle = rep.start(description, total)
    try:
        yield lambda amount=1.0: rep.advance(handle, amount)
    finally:
        rep.stop(handle)
