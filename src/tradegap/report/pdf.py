"""The PDF report: the same templates as the HTML report, charts as embedded PNGs (Kaleido),
laid out by WeasyPrint. Nothing is fetched: every resource is inline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tradegap.errors import TradegapError


def render_pdf_html(context: dict[str, Any]) -> str:
    """The report's HTML with static charts (PNG data URIs) and no scripts."""
    from tradegap.report.html import environment

    env = environment(static_charts=True)
    return env.get_template("report.html.j2").render(**context, pdf=True, inline_js="")


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint URL fetcher: data URIs only, never the network or the file system."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"the report fetches nothing: {url[:80]}")


def write_pdf(context: dict[str, Any], out: Path) -> Path:
    """Render ``context`` to ``out`` as PDF."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango missing
        raise TradegapError(f"cannot write {out}: WeasyPrint is unavailable ({exc})",
                            hint="run scripts/ensure-system-deps, or write .html") from exc
    html = render_pdf_html(context)
    HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(str(out))
    return out
