"""Progress of long work: shown on a terminal only, never in ``--json`` output or a pipe
(``tradegap.progress`` + ``cli/progress_bars.py``), through the console script in a real
pseudo-terminal and in process."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from tradegap import progress
from tradegap.cli.progress_bars import RichReporter, install

ROOT = Path(__file__).resolve().parents[1]
TRADEGAP = str(Path(sys.executable).with_name("tradegap"))
SCENARIO = str(ROOT / "scenarios" / "settlement-historical.toml")


def _on_a_terminal(*args: str) -> str:
    """Run the console script with a pseudo-terminal as standard error; what it drew there."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    proc = subprocess.Popen([TRADEGAP, *args], stdout=subprocess.DEVNULL, stderr=follower,
                            env=env)
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 300)
        if not ready:
            proc.kill()
            raise AssertionError("no output for 300 s")
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed: the process ended
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    return seen.decode("utf-8", "replace")


def test_settle_shows_progress_on_a_terminal_only() -> None:
    drawn = _on_a_terminal("settle", "run", SCENARIO, "--draws", "300")
    assert "Settlement, 300 Monte Carlo draws" in drawn
    quiet = _on_a_terminal("settle", "run", SCENARIO, "--draws", "300", "--json")
    assert "Monte Carlo draws" not in quiet  # JSON mode: nothing but the JSON
    piped = subprocess.run([TRADEGAP, "settle", "run", SCENARIO, "--draws", "300"],
                           capture_output=True, text=True, timeout=300)
    assert piped.returncode == 0 and "Monte Carlo draws" not in piped.stderr


def test_reporter_lines_come_and_go() -> None:
    """Nested tasks share one live display, which stops when the last one ends; advancing
    moves the bar to its total."""
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    reporter = RichReporter(console)
    progress.set_reporter(reporter)
    try:
        with progress.task("outer step") as outer:
            with progress.task("inner step", total=4) as inner:
                assert reporter.open == 2 and reporter.progress is not None
                for _ in range(4):
                    inner(1)
                task = next(t for t in reporter.progress.tasks if t.description == "inner step")
                assert task.completed == 4 and task.finished
            assert reporter.open == 1
            outer(1)
        assert reporter.open == 0 and reporter.progress is None
    finally:
        progress.set_reporter(None)
    assert "outer step" in console.file.getvalue()  # type: ignore[attr-defined]
    with progress.task("no reporter") as advance:  # silent without a reporter
        advance(1)


def test_install_only_on_a_terminal_without_json() -> None:
    try:
        install(Console(file=io.StringIO(), force_terminal=True), ["settle", "--json"])
        assert progress._reporter is None
        install(Console(file=io.StringIO(), force_terminal=False), ["settle"])
        assert progress._reporter is None
        install(Console(file=io.StringIO(), force_terminal=True), ["settle"])
        assert isinstance(progress._reporter, RichReporter)
    finally:
        progress.set_reporter(None)
