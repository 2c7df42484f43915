"""One writer at a time: an exclusive, non-blocking file lock on the warehouse."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tradegap.errors import WarehouseBusy


@contextmanager
def writer_lock(home: Path) -> Iterator[None]:
    """Hold the warehouse's writer lock, or raise :class:`WarehouseBusy` at once.

    The lock is an ``flock`` on ``home/.lock``: the kernel releases it when the holder dies,
    even by SIGKILL, so a crashed ingest never leaves the warehouse locked.
    """
    home.mkdir(parents=True, exist_ok=True)
    path = home / ".lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise WarehouseBusy(
                f"the warehouse {home} is being written by another process (pid {holder})",
                hint="wait for that ingest to finish, then run this one again",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
