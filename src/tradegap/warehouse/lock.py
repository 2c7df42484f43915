"""One writer at a time: an exclusive, non-blocking file lock on the warehouse."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tradegap.errors import TradegapError, WarehouseBusy


@contextmanager
def writer_lock(home: Path) -> Iterator[None]:
    """Hold the warehouse's writer lock, or raise :class:`WarehouseBusy` at once.

    The lock is an ``flock`` on ``home/.lock``: the kernel releases it when the holder dies,
    even by SIGKILL, so a crashed ingest never leaves the warehouse locked.
    """
    path = home / ".lock"
    try:
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _cannot_write(home, exc) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise WarehouseBusy(
                f"the warehouse {home} is being written by another process (pid {holder})",
                hint="wait for that ingest to finish, then run this one again",
            ) from None
        # the pid only helps a refused writer name the holder: a full disk must not stop us
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _cannot_write(home: Path, exc: OSError) -> TradegapError:
    """The clear error for a warehouse that cannot be written at all."""
    hints = {
        errno.EROFS: "the file system is mounted read-only: choose another --home",
        errno.EACCES: "you may not write there: fix the permissions or choose another --home",
        errno.EPERM: "you may not write there: fix the permissions or choose another --home",
        errno.ENOSPC: "the disk is full: free some space and run the command again",
        errno.EDQUOT: "your disk quota is used up: free some space and run the command again",
    }
    return TradegapError(
        f"cannot write to the warehouse {home}: {exc.strerror or exc}; nothing was changed",
        hint=hints.get(exc.errno or 0, "check that the directory is writable"),
    )
