"""Servers that tests start: ``tradegap serve --port 0`` (the kernel picks a free port, which
the server prints on its first line, so no other process can take it in between), and stopping
a process by its id."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
#: The installed console script (what a user runs).
TRADEGAP = str(Path(sys.executable).with_name("tradegap"))


class Served:
    """A running ``tradegap serve``: its process, base URL, and everything it printed."""

    def __init__(self, proc: subprocess.Popen[str], base: str, output: list[str]) -> None:
        self.proc, self.base, self.output = proc, base, output

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])


def start_serve(home: Path, *args: str, timeout: float = 120) -> Served:
    """Start ``tradegap --home HOME serve --port 0 ARGS`` and wait until it answers."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("TRADEGAP_HOME", None)
    proc = subprocess.Popen([TRADEGAP, "--home", str(home), "serve", "--port", "0", *args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    output = [first]

    def drain() -> None:  # keep the pipe empty so the server never blocks on a write
        for line in proc.stdout:  # type: ignore[union-attr]
            output.append(line)

    threading.Thread(target=drain, daemon=True).start()
    found = re.search(r"http://(\S+):(\d+)/", first)
    if not found:
        stop(proc)
        raise AssertionError(f"serve did not print its address: {''.join(output)[-2000:]}")
    host = found.group(1)
    base = f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{found.group(2)}"
    try:  # the socket listens already; the first answer comes once the app has started
        r = httpx.get(base + "/api/scenarios", timeout=timeout)
        assert r.status_code == 200, r.text[:500]
    except BaseException:
        stop(proc)
        raise
    return Served(proc, base, output)


@contextlib.contextmanager
def serving(home: Path, *args: str, sig: int = signal.SIGTERM) -> Iterator[Served]:
    """``tradegap serve`` over ``home`` for the duration of a ``with`` block."""
    served = start_serve(home, *args)
    try:
        yield served
    finally:
        stop(served.proc, sig)


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
    """Stop ``proc`` by its process id: ``sig`` first, SIGKILL if it does not exit in time."""
    if proc.poll() is None:
        os.kill(proc.pid, sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
