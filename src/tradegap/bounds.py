"""Sane bounds on what tradegap accepts: money, input files and problem sizes.

* **Money.** No trade flow, gap, commitment or monthly payment can exceed the world's GDP
  (about US$ 110 trillion in 2024, IMF WEO); :data:`MAX_USD` = US$ 1.2e14 rounds that up. A
  larger value is a typo (a missing decimal point, thousands read as units) and is refused.
* **Input files read whole** (scenarios, candidates tables, column mappings) must be regular
  files (not a directory, FIFO or device) of at most :func:`max_input_bytes` bytes: 256 MB
  unless ``$TRADEGAP_MAX_INPUT_MB`` says otherwise.
"""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path

from tradegap.errors import InputError

#: The largest amount of money, in US dollars, any input may state (about world GDP).
MAX_USD = 1.2e14
#: Default size limit of an input file read whole, in MB; ``$TRADEGAP_MAX_INPUT_MB`` raises it.
DEFAULT_MAX_INPUT_MB = 256
MAX_INPUT_ENV = "TRADEGAP_MAX_INPUT_MB"


def money_ok(value: float) -> bool:
    """Whether ``value`` is a finite amount no larger than :data:`MAX_USD` in magnitude."""
    return math.isfinite(value) and abs(value) <= MAX_USD


def max_input_bytes() -> int:
    """The size limit for input files read whole (see the module docstring)."""
    raw = os.environ.get(MAX_INPUT_ENV, "")
    try:
        mb = float(raw) if raw.strip() else DEFAULT_MAX_INPUT_MB
    except ValueError:
        raise InputError(f"${MAX_INPUT_ENV} is {raw!r}, not a number of megabytes",
                         field=MAX_INPUT_ENV, hint="e.g. TRADEGAP_MAX_INPUT_MB=1024") from None
    if not math.isfinite(mb) or mb <= 0:
        raise InputError(f"${MAX_INPUT_ENV} is {raw!r}; it must be a positive number",
                         field=MAX_INPUT_ENV, hint="e.g. TRADEGAP_MAX_INPUT_MB=1024")
    return int(mb * 1_000_000)


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def require_regular(path: str | os.PathLike[str], what: str, *, field: str | None = None,
                    limit: int | None = None) -> Path:
    """``path`` if it is a regular file (of at most ``limit`` bytes); else an
    :class:`InputError` saying what it is instead. Never opens the file, so a FIFO cannot
    block."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"file not found (expected {what})", file=str(path), field=field,
                         hint="check the path; relative paths are read from the current "
                         "directory") from None
    except OSError as exc:
        raise InputError(f"cannot read it: {exc.strerror or exc} (expected {what})",
                         file=str(path), field=field) from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"this is {kind_of(st.st_mode)}, not a file (expected {what})",
                         file=str(path), field=field, hint=f"pass {what} (a regular file)")
    if limit is not None and st.st_size > limit:
        raise InputError(
            f"the file is {st.st_size / 1e6:,.1f} MB, above the limit of {limit / 1e6:,.0f} MB "
            f"for {what}", file=str(path), field=field,
            hint=f"check that this is the right file; to allow larger files set "
            f"{MAX_INPUT_ENV} (megabytes)",
        )
    return path


def read_bounded(path: str | os.PathLike[str], what: str, *, field: str | None = None) -> bytes:
    """The bytes of a regular file of at most :func:`max_input_bytes` (also if it grows while
    it is read)."""
    limit = max_input_bytes()
    path = require_regular(path, what, field=field, limit=limit)
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read it: {exc.strerror or exc}", file=str(path),
                         field=field) from None
    if len(data) > limit:
        require_regular(path, what, field=field, limit=limit)  # it grew: say so with its size
        raise InputError(f"the file grew beyond {limit / 1e6:,.0f} MB while it was read",
                         file=str(path), field=field)
    return data
