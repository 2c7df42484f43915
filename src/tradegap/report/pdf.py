"""PDF documents (the report, the measures brief): HTML in print mode, printed by the local
Chromium (:mod:`tradegap.report.chromium_pdf`), the charts drawn by plotly.js as vector
graphics. Nothing is fetched: every resource is inline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup

from tradegap.atomicfile import written_aside

#: Fills the contents' page numbers from the first print (report/chromium_pdf.py).
PAGE_NUMBERS_JS = """
window.tradegapSetPages = function (pages) {
  document.querySelectorAll("nav.toc .toc-page[data-for]").forEach(function (el) {
    var n = pages[el.getAttribute("data-for")];
    el.textContent = n ? String(n) : "";
  });
};
"""


#: Gives every chart box the height Plotly will draw it at (its layout's, else Plotly's
#: default 450 px; plus padding and border for a border-box), so that the page breaks are
#: known before any chart is drawn.
CHART_SIZES_JS = """
document.querySelectorAll(".tg-chart[data-figure]").forEach(function (el) {
  var layout = JSON.parse(el.getAttribute("data-figure")).layout || {};
  var st = getComputedStyle(el);
  var frame = st.boxSizing !== "border-box" ? 0 : parseFloat(st.paddingTop) +
    parseFloat(st.paddingBottom) + parseFloat(st.borderTopWidth) +
    parseFloat(st.borderBottomWidth);
  el.style.height = ((layout.height || 450) + frame) + "px";
})
"""


def css_string(text: str) -> Markup:
    """``text`` as a CSS string literal (every character outside a safe set escaped as a CSS
    hex escape, so no quote, backslash or ``</style>`` can end it)."""
    safe = set(" -–—,.:;()'&·")
    body = "".join(c if c.isalnum() and ord(c) < 0x2000 or c in safe else f"\\{ord(c):x} "
                   for c in text)
    return Markup(f'"{body}"')


def render_pdf_html(context: dict[str, Any]) -> str:
    """The report's HTML in print mode, without scripts (:func:`print_prelude` draws it):
    the running head naming the data and the contents' page-number slots."""
    from tradegap.report.html import environment

    head = context["title"] + (" — SYNTHETIC demo data" if context.get("synthetic") else "")
    return environment().get_template("report.html.j2").render(
        **context, pdf=True, running_head_css=css_string(head), inline_js="")


def print_prelude() -> str:
    """The scripts of the printing tab: plotly.js, the report's chart script (static charts
    at the page's width) and the contents' page-number filler."""
    from tradegap.report.html import app_js, plotly_js

    return plotly_js() + "\n" + app_js() + "\n" + PAGE_NUMBERS_JS


def report_printer() -> Any:
    """A started :class:`~tradegap.report.chromium_pdf.Printer` with :func:`print_prelude`
    loaded in the background: start it before computing the report, so that Chromium's start
    and plotly.js's compilation overlap the computation."""
    from tradegap.report.chromium_pdf import Printer

    return Printer(print_prelude(), sizing=CHART_SIZES_JS).start()


def write_pdf(context: dict[str, Any], out: Path, printer: Any = None) -> Path:
    """Render ``context`` to ``out`` as PDF, printed by Chromium (``printer``, from
    :func:`report_printer`; else one of its own)."""
    return print_to(render_pdf_html(context), out, printer)


def print_to(html: str, out: Path, printer: Any = None) -> Path:
    """Print ``html`` (a document in print mode: charts as ``.tg-chart`` divs, no scripts)
    to ``out``, written aside and renamed (:func:`tradegap.atomicfile.written_aside`)."""
    if printer is None:
        with report_printer() as own:
            data = own.print_document(html)
    else:
        data = printer.print_document(html)
    with written_aside(out) as tmp:
        tmp.write_bytes(data)
    return out
