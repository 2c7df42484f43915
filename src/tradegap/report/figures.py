"""Writing Plotly figures to HTML (self-contained) and PNG (via Kaleido and a local Chromium)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import plotly.graph_objects as go

from tradegap.atomicfile import written_aside
from tradegap.errors import TradegapError
from tradegap.provenance import SYNTHETIC_LABEL

#: Browsers Kaleido may drive, in order of preference (Debian's package first).
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


def label_synthetic(fig: go.Figure, synthetic: bool) -> go.Figure:
    """Stamp the synthetic-data label on a figure (title suffix and a watermark note)."""
    if synthetic:
        title = fig.layout.title.text or ""
        fig.update_layout(title_text=f"{title}<br><sup>{SYNTHETIC_LABEL}</sup>")
        fig.add_annotation(
            text="SYNTHETIC",
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
            showarrow=False,
            font={"size": 48, "color": "rgba(200,0,0,0.12)"},
        )
    return fig


#: The plotly.js bundle that charts written together share (beside them in their directory).
PLOTLY_BUNDLE = "plotly.min.js"


def write_html(fig: go.Figure, path: Path, shared: bool = False) -> Path:
    """An HTML file that opens offline: plotly.js inlined, or with ``shared`` loaded from
    ``plotly.min.js`` beside it (written once), so charts written together share one bundle."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if shared:
        bundle = path.parent / PLOTLY_BUNDLE
        if not bundle.is_file():
            from plotly.offline import get_plotlyjs

            with written_aside(bundle) as tmp:
                tmp.write_text(get_plotlyjs(), encoding="utf-8")
        with written_aside(path) as tmp:
            fig.write_html(tmp, include_plotlyjs=PLOTLY_BUNDLE, full_html=True)
    else:
        with written_aside(path) as tmp:
            fig.write_html(tmp, include_plotlyjs=True, full_html=True)
    return path


def find_browser() -> str | None:
    """Path of a Chromium-family browser for Kaleido, or None."""
    configured = os.environ.get("BROWSER_PATH")
    if configured and Path(configured).exists():
        return configured
    for name in _BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def write_png(fig: go.Figure, path: Path, width: int = 1100, height: int = 600) -> Path:
    """A PNG rendered by Kaleido with the local Chromium; a clear error if there is none."""
    browser = find_browser()
    if browser is None:
        raise TradegapError(
            f"cannot write {path}: PNG export needs Chromium and none was found",
            hint="install it (Debian: apt-get install chromium) or write .html instead",
        )
    os.environ.setdefault("BROWSER_PATH", browser)
    path.parent.mkdir(parents=True, exist_ok=True)
    with written_aside(path) as tmp:
        fig.write_image(tmp, width=width, height=height, format="png")
        if is_synthetic(fig):
            tmp.write_bytes(png_with_text(tmp.read_bytes(), "Description", SYNTHETIC_LABEL))
    return path


def is_synthetic(fig: go.Figure) -> bool:
    """Whether :func:`label_synthetic` stamped ``fig``."""
    return any(a.text == "SYNTHETIC" for a in fig.layout.annotations)


def png_with_text(png: bytes, key: str, text: str) -> bytes:
    """``png`` with a ``tEXt`` chunk ``key: text`` after its header (PNG spec, section 11.3.4),
    so that the file itself, not only its pixels, says what it shows."""
    import struct
    import zlib

    ihdr_end = 8 + 8 + 13 + 4  # signature, IHDR length+type, IHDR data, CRC
    data = key.encode("latin-1") + b"\0" + text.replace("\u2014", "-").encode("latin-1", "replace")
    chunk = (struct.pack(">I", len(data)) + b"tEXt" + data
             + struct.pack(">I", zlib.crc32(b"tEXt" + data) & 0xFFFFFFFF))
    return png[:ihdr_end] + chunk + png[ihdr_end:]


def write_figure(fig: go.Figure, path: Path, shared: bool = False) -> Path:
    """Write ``fig`` as HTML or PNG by the extension of ``path`` (``shared``: see
    :func:`write_html`)."""
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return write_html(fig, path, shared)
    if suffix == ".png":
        return write_png(fig, path)
    raise TradegapError(f"cannot write a chart as {suffix!r}", hint="use .html or .png")
