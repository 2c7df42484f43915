"""Fault injection for the adversarial tests: a full disk (a small tmpfs, or ``ENOSPC`` raised
at the n-th write-like system call Python makes) and a read-only file system."""

from __future__ import annotations

import builtins
import contextlib
import errno
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

#: The write-like calls a commit makes from Python (DuckDB's and Arrow's own writes happen in
#: C++; the tmpfs tests reach those).
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


class Injector:
    """Counts write-like calls (open for writing, mkdir, rename, replace, fsync) whose
    description contains ``match`` and raises ``OSError(code)`` at call number ``fail_at``
    (1-based; None: never)."""

    def __init__(self, fail_at: int | None, code: int = errno.ENOSPC, match: str = "") -> None:
        self.fail_at, self.code, self.match, self.calls, self.failed = fail_at, code, match, 0, None

    def hit(self, what: str) -> None:
        if self.match not in what:
            return
        self.calls += 1
        if self.calls == self.fail_at:
            self.failed = what
            raise OSError(self.code, os.strerror(self.code))


@contextlib.contextmanager
def inject(monkeypatch: pytest.MonkeyPatch, fail_at: int | None,
           code: int = errno.ENOSPC, match: str = "") -> Iterator[Injector]:
    """Within the block, the ``fail_at``-th write-like call (of those whose description
    contains ``match``) raises ``OSError(code)``."""
    inj = Injector(fail_at, code, match)
    real_open, real_os_open = builtins.open, os.open
    real = {name: getattr(os, name) for name in ("fsync", "rename", "replace", "mkdir")}

    def opener(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        if any(c in mode for c in "wax+"):
            inj.hit(f"open({file}, {mode})")
        return real_open(file, mode, *args, **kwargs)

    def os_opener(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if flags & _WRITE_FLAGS:
            inj.hit(f"os.open({path})")
        return real_os_open(path, flags, *args, **kwargs)

    def wrap(name: str):  # type: ignore[no-untyped-def]
        def call(*args, **kwargs):  # type: ignore[no-untyped-def]
            inj.hit(f"os.{name}{args[:1]}")
            return real[name](*args, **kwargs)
        return call

    with monkeypatch.context() as m:
        m.setattr(builtins, "open", opener)
        m.setattr(io, "open", opener)
        m.setattr(os, "open", os_opener)
        for name in real:
            m.setattr(os, name, wrap(name))
        yield inj


def mount_tmpfs(path: Path, size: str = "30m") -> None:
    """Mount a small tmpfs at ``path``, or skip the test saying why it cannot."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root and mount(8); the injected-ENOSPC tests "
                    "cover the Python side without it")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")


def unmount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


def remount(path: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True,
                   capture_output=True)


def fill(path: Path, leave: int) -> Path:
    """Fill the file system of ``path`` until ``leave`` bytes are free; the filler file."""
    filler = path / "filler"
    st = os.statvfs(path)
    left = st.f_bavail * st.f_frsize - leave
    with open(filler, "wb") as fh:
        while left > 0:
            n = min(left, 1 << 20)
            try:
                fh.write(b"\0" * n)
                fh.flush()
            except OSError:
                break
            left -= n
    return filler
