"""The PDF printer (report/chromium_pdf.py) on small hand-made documents, with the real headless
Chromium: pages of named destinations, the contents' page numbers filled from a first print
(in a second tab, and corrected when the drawn page breaks differently), nothing fetched."""

from __future__ import annotations

import http.server
import io
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader

from tradegap.errors import TradegapError
from tradegap.report.chromium_pdf import (
    PAGE_HOOK,
    RENDER_HOOK,
    _head_and_body,
    destination_pages,
    print_pdf,
)
from tradegap.report.figures import find_browser

pytestmark = pytest.mark.skipif(find_browser() is None,
                                reason="chromium prints the PDF (scripts/ensure-chromium)")

#: Fills ``<span class="n" data-for=ID>`` with the page of ID, as the report's filler does.
FILLER = f"""
window.{PAGE_HOOK} = function (pages) {{
  document.querySelectorAll("span.n").forEach(function (el) {{
    el.textContent = String(pages[el.getAttribute("data-for")] || "?"); }});
}};
"""


def _document(extra_body: str = "") -> str:
    """Three sections, each starting a new page, and a contents linking to them."""
    sections = "".join(
        f'<h2 id="s{i}" style="break-before: page">Section {i}</h2><p>Text {i}.</p>'
        for i in (1, 2, 3))
    contents = "".join(f'<li><a href="#s{i}">Section {i}</a> page <span class="n" '
                       f'data-for="s{i}"></span></li>' for i in (1, 2, 3))
    return (f"<!DOCTYPE html><html><head><title>t</title><style>@page {{ size: A4; }}</style>"
            f"</head><body><ol>{contents}</ol>{extra_body}{sections}</body></html>")


def _texts(pdf: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def test_destinations_are_the_pages_of_the_linked_headings() -> None:
    pdf = print_pdf(_document())
    assert pdf[:5] == b"%PDF-"
    assert destination_pages(pdf) == {"s1": 2, "s2": 3, "s3": 4}  # the contents is page 1
    assert len(_texts(pdf)) == 4


def test_the_page_hook_fills_the_contents_from_a_first_print() -> None:
    pdf = print_pdf(_document(), FILLER)
    first = _texts(pdf)[0]
    for i, page in ((1, 2), (2, 3), (3, 4)):
        assert f"Section {i} page {page}" in first, first


def test_page_numbers_from_the_second_tab_are_corrected_when_the_drawing_moves_a_page() -> None:
    """The prelude's drawing makes a block two pages tall that the sizing script does not
    announce: the pager's numbers are then wrong, and the final print must carry the drawn
    document's own."""
    draw = f"""window.{RENDER_HOOK} = function (doc) {{
      doc.getElementById("grow").style.height = "2400px"; }};"""
    grow = '<div id="grow" style="break-before: page"></div>'
    pdf = print_pdf(_document(grow), FILLER + draw, sizing="void 0")
    pages = destination_pages(pdf)
    assert pages["s1"] >= 4  # the grown block took the pages after the contents
    first = _texts(pdf)[0]
    for i in (1, 2, 3):
        assert f"Section {i} page {pages[f's{i}']}" in first, (first, pages)


def test_nothing_is_fetched(tmp_path: Path) -> None:
    """An image on a local server stays unrequested: the browser is offline."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/chart.png"
        pdf = print_pdf(_document(f'<img src="{url}" alt="x">'))
    finally:
        server.shutdown()
        server.server_close()
    assert pdf[:5] == b"%PDF-"
    assert requests == []


def test_without_chromium_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    monkeypatch.setenv("PATH", "")
    with pytest.raises(TradegapError) as caught:
        print_pdf(_document())
    assert "needs Chromium and none was found" in str(caught.value)
    assert "apt-get install chromium" in (caught.value.hint or "")


def test_head_and_body_split_a_whole_document() -> None:
    head, body = _head_and_body("<!DOCTYPE html>\n<HTML lang=en><head><title>x</title></head>"
                                "<body class=a><p>1</p></body></HTML>")
    assert head == "<title>x</title>" and body == "<p>1</p>"
    assert _head_and_body("<p>only</p>") == ("", "<p>only</p>")
