"""The PDF report: the same templates as the HTML report, charts as embedded PNGs (Kaleido with
the local Chromium), laid out by WeasyPrint. Nothing is fetched: every resource is inline."""

from __future__ import annotations

import base64
import contextlib
import os
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from markupsafe import Markup

from tradegap.atomicfile import written_aside
from tradegap.errors import TradegapError

PNG_SIZE = (1000, 520)


def collect_figures(value: Any) -> list[go.Figure]:
    """Every Plotly figure inside a (nested) template context."""
    if isinstance(value, go.Figure):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in collect_figures(v)]
    if isinstance(value, list | tuple):
        return [f for v in value for f in collect_figures(v)]
    return []


@contextlib.contextmanager
def chart_renderer() -> Iterator[None]:
    """Start the Chromium that draws the PDF's charts now, in the background (Kaleido's sync
    server: ``kaleido.start_sync_server``), so that its start-up (about 4 s) overlaps the
    report's computation instead of preceding the charts; :func:`render_pngs` then uses it
    (plotly's ``write_images`` goes through the running server). Without Chromium nothing is
    started and :func:`render_pngs` says what is missing."""
    from tradegap.report.figures import find_browser

    browser = find_browser()
    if browser is None:
        yield
        return
    import kaleido

    os.environ.setdefault("BROWSER_PATH", browser)
    kaleido.start_sync_server(silence_warnings=True)
    try:
        yield
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


def render_pngs(figures: list[go.Figure]) -> dict[int, str]:
    """PNG data URIs of ``figures`` keyed by ``id(fig)``, rendered in one Kaleido session
    (:data:`PNG_SIZE`, or the figure's own height when it sets one)."""
    import plotly.io as pio

    from tradegap.report.figures import find_browser

    if not figures:
        return {}
    browser = find_browser()
    if browser is None:
        raise TradegapError("cannot draw the PDF's charts: PNG export needs Chromium and none "
                            "was found", hint="install it (Debian: apt-get install chromium) "
                            "or write the report as .html")
    os.environ.setdefault("BROWSER_PATH", browser)
    width, height = PNG_SIZE
    with tempfile.TemporaryDirectory(prefix="tradegap-png-") as tmp:
        paths = [Path(tmp) / f"chart{i}.png" for i in range(len(figures))]
        heights = [int(f.layout.height) if f.layout.height else height for f in figures]
        with warnings.catch_warnings():  # plotly passes options a running server ignores
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            pio.write_images(figures, paths, format="png", width=width, height=heights)
        return {id(f): "data:image/png;base64," + base64.b64encode(p.read_bytes()).decode()
                for f, p in zip(figures, paths, strict=True)}


def render_pdf_html(context: dict[str, Any]) -> str:
    """The report's HTML with static charts (PNG data URIs) and no scripts."""
    from tradegap.report.html import environment

    uris = render_pngs(collect_figures(context))
    env = environment()

    def chart(fig: go.Figure | None) -> Markup:
        if fig is None:
            return Markup("")
        title = (fig.layout.title.text or "chart").split("<br>")[0]
        return Markup('<img class="tg-static-chart" alt="{}" src="{}">').format(
            title, uris[id(fig)])

    env.globals["chart"] = chart
    return env.get_template("report.html.j2").render(**context, pdf=True, inline_js="")


def _fetcher() -> Any:
    """A WeasyPrint URL fetcher that allows data URIs only (never the network or files)."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint < 66
        from weasyprint.urls import default_url_fetcher

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            if not url.startswith("data:"):
                raise ValueError(f"the report fetches nothing: {url[:80]}")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch
    return URLFetcher(allowed_protocols=["data"])


def write_pdf(context: dict[str, Any], out: Path) -> Path:
    """Render ``context`` to ``out`` as PDF."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango missing
        raise TradegapError(f"cannot write {out}: WeasyPrint is unavailable ({exc})",
                            hint="run scripts/ensure-system-deps, or write .html") from exc
    html = render_pdf_html(context)
    with written_aside(out) as tmp:
        HTML(string=html, url_fetcher=_fetcher()).write_pdf(str(tmp))
    return out
