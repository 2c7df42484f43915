"""Download CEPII BACI releases, resuming a partial download, and check what arrived.

A download writes ``NAME.part`` (and ``NAME.part.json``: the URL and the size the server
announced) and resumes it with an HTTP ``Range`` request. The file is renamed to ``NAME`` only
after its size matches the announced ``Content-Length`` and the zip's CRCs check out. When the
server cuts off, the ``.part`` stays so that running the same command again resumes it.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tradegap.errors import InputError, TradegapError

if TYPE_CHECKING:
    import httpx

#: Where CEPII publishes BACI releases (https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37).
DEFAULT_BASE_URL = "https://www.cepii.fr/DATA_DOWNLOAD/baci/data"
REVISIONS = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")

#: Called with (bytes on disk, total bytes or None) as the download progresses.
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch_baci` did: the file, where from, its size, and whether it resumed."""

    path: Path
    url: str
    bytes: int
    resumed_from: int = 0
    already_present: bool = False

    def to_dict(self) -> dict[str, object]:
        return {"path": str(self.path), "url": self.url, "bytes": self.bytes,
                "resumed_from": self.resumed_from, "already_present": self.already_present}


def baci_url(revision: str = "HS17", release: str = "V202501",
             base_url: str = DEFAULT_BASE_URL) -> str:
    """The URL of a BACI release zip, e.g. ``…/BACI_HS17_V202501.zip``."""
    rev = revision.upper()
    if rev not in REVISIONS:
        raise InputError(f"unknown HS revision {revision!r}", field="--revision",
                         hint=f"choose one of {', '.join(REVISIONS)}")
    rel = release.upper() if release.upper().startswith("V") else f"V{release}"
    if not re.fullmatch(r"V\d{6}[A-Z]?", rel):
        raise InputError(f"release {release!r} does not look like V202501", field="--release",
                         hint="CEPII names releases by year and month, e.g. V202501")
    return f"{base_url.rstrip('/')}/BACI_{rev}_{rel}.zip"


def fetch_baci(
    revision: str = "HS17",
    release: str = "V202501",
    dest: Path | str = ".",
    *,
    base_url: str = DEFAULT_BASE_URL,
    progress: Progress | None = None,
    timeout: float = 60.0,
) -> FetchResult:
    """Download the BACI release zip of ``revision`` and ``release`` into the folder ``dest``."""
    url = baci_url(revision, release, base_url)
    return download(url, Path(dest) / url.rsplit("/", 1)[1], progress=progress, timeout=timeout)


def download(
    url: str, target: Path, *, progress: Progress | None = None, timeout: float = 60.0
) -> FetchResult:
    """Download ``url`` to ``target`` through ``target.part``, resuming it if present."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        try:
            check_zip(target)
        except InputError as exc:
            raise InputError(exc.reason, file=str(target),
                             hint=f"delete {target} and run the command again") from exc
        size = target.stat().st_size
        if progress:
            progress(size, size)
        return FetchResult(target, url, size, already_present=True)
    part = target.with_name(target.name + ".part")
    meta = target.with_name(target.name + ".part.json")
    offset = part.stat().st_size if part.exists() else 0
    if offset and _load_meta(meta).get("url") != url:
        offset = 0  # a leftover from another URL: start again
    resumed_from = offset
    # identity: byte ranges then count bytes of the file itself, not of a compressed stream
    headers = {"Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    import httpx  # here, not at the top: `tradegap --help` should not pay for it

    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client, client.stream(
            "GET", url, headers=headers
        ) as response:
            total, offset = _expected(response, url, part, meta, offset)
            _save_meta(meta, url, total)
            received = offset
            if progress:
                progress(received, total)
            with open(part, "ab" if offset else "wb") as fh:
                try:
                    for chunk in response.iter_raw():
                        fh.write(chunk)
                        received += len(chunk)
                        if progress:
                            progress(received, total)
                finally:
                    fh.flush()
                    os.fsync(fh.fileno())
    except (httpx.TransportError, httpx.StreamError) as exc:
        have = part.stat().st_size if part.exists() else 0
        total = _load_meta(meta).get("total")
        of = f" of {total:,}" if isinstance(total, int) else ""
        raise TradegapError(
            f"the download of {url} stopped after {have:,}{of} bytes ({type(exc).__name__}: "
            f"{exc}); the partial file is kept at {part}",
            hint="run the same command again to resume where it stopped",
        ) from exc
    size = part.stat().st_size
    if total is not None and size != total:
        raise TradegapError(
            f"size mismatch: {size:,} bytes on disk, the server announced {total:,} ({url}); "
            f"the partial file is kept at {part}",
            hint="run the same command again to resume; if it repeats, delete the .part file",
        )
    try:
        check_zip(part, label=str(target))
    except InputError:
        part.unlink(missing_ok=True)
        meta.unlink(missing_ok=True)
        raise
    os.replace(part, target)
    meta.unlink(missing_ok=True)
    return FetchResult(target, url, size, resumed_from=resumed_from)


def _expected(
    response: httpx.Response, url: str, part: Path, meta: Path, offset: int
) -> tuple[int | None, int]:
    """The announced total size and the offset the response body starts at."""
    status = response.status_code
    if status == 404:
        raise InputError(
            f"not found on the server (HTTP 404): {url}",
            hint="check --revision and --release against the releases CEPII lists at "
            "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
        )
    if status == 416:
        announced = _load_meta(meta).get("total")
        part.unlink(missing_ok=True)
        meta.unlink(missing_ok=True)
        raise TradegapError(
            f"size mismatch: the server refuses to resume at byte {offset:,} of {url} (HTTP 416):"
            f" its file is smaller than the {announced or 'size'} bytes announced before; the"
            " partial file was removed",
            hint="run the same command again to download from the start",
        )
    if status >= 400:
        raise TradegapError(f"the server answered HTTP {status} for {url}",
                            hint="try again later, or use a mirror with --base-url")
    length = response.headers.get("content-length")
    if status == 206:
        match = re.match(r"bytes (\d+)-(\d+)/(\d+|\*)", response.headers.get("content-range", ""))
        if not match or int(match.group(1)) != offset:
            raise TradegapError(f"the server resumed {url} at the wrong place "
                                f"({response.headers.get('content-range')!r}, wanted {offset})",
                                hint=f"delete {part} and run the command again")
        announced = _load_meta(meta).get("total")
        total = int(match.group(3)) if match.group(3) != "*" else None
        if total is not None and announced not in (None, total):
            raise TradegapError(
                f"size mismatch: the file on the server is now {total:,} bytes, the partial "
                f"download was of a {announced:,}-byte file ({url})",
                hint=f"the release changed: delete {part} and run the command again",
            )
        if total is None and length is not None:
            total = offset + int(length)
        return total, offset
    # 200: the server sent the whole file (it ignored or was not asked for a range)
    return (int(length) if length is not None else None), 0


def check_zip(path: Path, *, label: str | None = None) -> None:
    """Raise :class:`InputError` unless ``path`` is a complete zip whose CRCs check out."""
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise InputError(f"not a complete zip file: {exc}", file=label or str(path),
                         hint="the download is damaged: run the command again") from exc
    if bad is not None:
        raise InputError(f"the zip member {bad!r} fails its CRC check", file=label or str(path),
                         hint="the download is damaged: run the command again")


def _load_meta(meta: Path) -> dict[str, object]:
    try:
        return json.loads(meta.read_text())
    except (OSError, ValueError):
        return {}


def _save_meta(meta: Path, url: str, total: int | None) -> None:
    meta.write_text(json.dumps({"url": url, "total": total}))
