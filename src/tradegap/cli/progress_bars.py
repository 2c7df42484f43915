"""Rich progress bars for :mod:`tradegap.progress`, on standard error and only on a terminal."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)


class RichReporter:
    """One live display; each :func:`tradegap.progress.task` is a line, removed when done."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress: Progress | None = None
        self.open = 0

    def start(self, description: str, total: float | None) -> object:
        if self.progress is None:
            self.progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                TaskProgressColumn(), TimeElapsedColumn(),
                console=self.console, transient=True,
            )
            self.progress.start()
        self.open += 1
        return self.progress.add_task(description, total=total)

    def advance(self, handle: object, amount: float) -> None:
        if self.progress is not None:
            self.progress.advance(handle, amount)  # type: ignore[arg-type]

    def stop(self, handle: object) -> None:
        if self.progress is None:
            return
        self.progress.remove_task(handle)  # type: ignore[arg-type]
        self.open -= 1
        if self.open == 0:
            self.progress.stop()
            self.progress = None


def install(console: Console, args: list[str]) -> None:
    """Show progress when standard error is a terminal and the output is not JSON."""
    from tradegap import progress

    if console.is_terminal and "--json" not in args:
        progress.set_reporter(RichReporter(console))
