"""Output files written aside and renamed: a reader sees the old file or the complete new one.

A report, chart or table is first written to ``.NAME.UUID.tmp`` beside its target, fsynced, and
renamed over the target; a failure (a full disk, a crash in the renderer) removes the temporary
file and leaves any previous version of the target untouched.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from tradegap.errors import TradegapError


@contextlib.contextmanager
def written_aside(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write to; on success, rename it over ``path``.

    The temporary file keeps ``path``'s suffix, so writers that choose a format by suffix
    (Plotly, Kaleido) still do."""
    target = Path(path)
    tmp = target.with_name(f".{target.stem}.{uuid.uuid4().hex[:12]}.tmp{target.suffix}")
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        raise TradegapError(
            f"cannot write {target}: {exc.strerror or exc}; no file was changed",
            hint="free disk space (or fix permissions, or choose another --out) and run the "
            "command again",
        ) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        _fsync(target.parent)


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` aside and rename it into place."""
    with written_aside(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
