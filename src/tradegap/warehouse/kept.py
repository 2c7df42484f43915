"""Derived results kept on disk, once per warehouse version: ``home/cache/NAME-KEY-STATE.pickle``.

:func:`kept` returns a result computed earlier from the same warehouse contents
(:meth:`Warehouse.stamp <tradegap.warehouse.store.Warehouse.stamp>`), the same code and
reference data (:func:`code_stamp`) and the same input files (their bytes), or computes it and
writes it for the next process. The state is read before and after the computation: a result
computed while a writer committed is returned but not kept, so an ingest is never answered with
an older result. Reading or writing the file never breaks the caller: an unreadable entry is
recomputed, a failed write (read-only or full disk) leaves nothing behind. Only the
computation's own entry is replaced; the datasets are never touched.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import platform
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from tradegap.warehouse.store import Warehouse

T = TypeVar("T")
CACHE_DIR = "cache"
#: Installed packages whose release can change a kept result (besides tradegap's own files).
LIBRARIES = ("atlas-common-data", "duckdb", "pyarrow", "pandas", "numpy", "pyfixest",
             "highspy", "scipy")


@functools.lru_cache(maxsize=1)
def code_stamp() -> str:
    """A digest of the code a result depends on: every module and data file of tradegap (path,
    size, modification time), Python's and the key libraries' versions. Computed once per
    process: a process runs the code it imported."""
    import tradegap

    digest = hashlib.sha256(platform.python_version().encode())
    digest.update(repr(_library_versions()).encode())
    package = Path(tradegap.__file__).parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".toml", ".csv", ".json") and "__pycache__" not in path.parts:
            st = path.stat()
            digest.update(f"{path.relative_to(package)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]


def _library_versions() -> list[str]:
    """The installed distributions of :data:`LIBRARIES` by their ``NAME-VERSION.dist-info``
    folders on ``sys.path`` (listing folders; ``importlib.metadata`` parses every METADATA
    file, ten times slower, and this runs in the first request of a fresh dashboard)."""
    wanted = {name.replace("-", "_").lower() for name in LIBRARIES}
    found = []
    for entry in sys.path:
        with contextlib.suppress(OSError):
            for name in os.listdir(entry or "."):
                if name.endswith(".dist-info") and name.split("-")[0].lower() in wanted:
                    found.append(name)
    return sorted(found)


def _digest(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


def _state(wh: Warehouse, files: tuple[Path, ...]) -> str:
    return _digest(wh.stamp(), code_stamp(), [Path(f).read_bytes() for f in files])


def kept(wh: Warehouse, name: str, key: Any, compute: Callable[[], T],
         files: Iterable[str | Path] = ()) -> T:
    """``compute()``, or the result kept for ``name`` and ``key`` (a value with a stable
    ``repr``) from the same warehouse contents, code and ``files`` (inputs outside the
    warehouse, e.g. scenario files, compared by their bytes)."""
    files = tuple(Path(f) for f in files)
    folder = Path(wh.home) / CACHE_DIR
    stem = f"{name}-{_digest(name, key)}"
    before = _state(wh, files)
    path = folder / f"{stem}-{before}.pickle"
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)  # the warehouse's own file, written below
    except Exception:  # noqa: BLE001 - absent or unreadable (damaged, older classes): recompute
        pass
    value = compute()
    if _state(wh, files) == before:
        _write(path, stem, value)
    return value


def _write(path: Path, stem: str, value: Any) -> None:
    """Write ``value`` aside and rename it into place, then remove the older entries of
    ``stem``; any failure (read-only or full disk, an unpicklable value) is ignored."""
    from tradegap.atomicfile import written_aside
    from tradegap.errors import TradegapError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with written_aside(path) as tmp, tmp.open("wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
    except (OSError, TradegapError, pickle.PicklingError, TypeError, AttributeError):
        return
    for old in path.parent.glob(f"{stem}-*.pickle"):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()
