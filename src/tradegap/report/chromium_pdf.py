"""Print an HTML document to PDF with the local headless Chromium, over the DevTools protocol
(``choreographer``, the browser driver Kaleido uses).

The page is laid out as printed (print media, the A4 content width), its scripts run (the report
draws its Plotly charts as vector graphics), and ``Page.printToPDF`` writes the PDF with CSS
page sizes, margin boxes, internal links and a document outline from the headings. Chromium has
no ``target-counter()``, so a contents with page numbers takes two prints: a draft gives the page
of every named destination (the headings' ids), a page function of the document fills them in,
and the second print is the PDF, checked to have its destinations where the draft had them.

A :class:`Printer` starts the browser in the background (its own thread and event loop) and
loads the document's scripts into a print-ready tab (the report: plotly.js, about 5 MB to
compile), so that both overlap the report's computation; the document is then put into that
tab and printed. The browser runs offline (``Network.emulateNetworkConditions``): the
document's resources are inline, nothing is fetched."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import os
import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import Any

from tradegap.errors import TradegapError

#: A4 less the report's left and right page margins (12 mm each), in CSS pixels (96 per inch).
PRINT_WIDTH_PX = round((210 - 24) / 25.4 * 96)
#: How long a page may take to load and draw before the print gives up (seconds).
LOAD_TIMEOUT_S = 120.0
#: Chromium runs at this niceness: while the report is computed it takes only the CPU the
#: computation leaves (on two cores it slowed the computation by ≈ 1.5 s at the same priority).
BACKGROUND_NICENESS = 10
#: The page function that receives ``{id: page number}`` of the first print, when it has one.
PAGE_HOOK = "tradegapSetPages"
#: A promise of the document that settles when its charts are drawn, when it has one.
DRAWN_HOOK = "tradegapChartsDrawn"
#: The prelude's function that draws a document put into the tab (``tradegap.js``).
RENDER_HOOK = "tradegapRender"

PRINT_OPTIONS = {"printBackground": True, "preferCSSPageSize": True,
                 "generateDocumentOutline": True, "generateTaggedPDF": True}


class Printer:
    """A headless Chromium tab that prints HTML documents to PDF. :meth:`start` returns at
    once: the browser starts and loads ``prelude`` (a script: the libraries every document
    uses) in the background; :meth:`print_document` waits for that, puts the document into
    the tab, lets the prelude's :data:`RENDER_HOOK` draw it and prints. ``sizing`` (a
    script) gives every element the prelude draws its final size without drawing it, so that
    the pagination of the first print can run in a second tab meanwhile. Use as a context
    manager (``with Printer(js).start() as printer``): the browser is closed on exit."""

    def __init__(self, prelude: str = "", *, sizing: str = "",
                 browser: str | None = None) -> None:
        self.prelude = prelude
        self.sizing = sizing
        self.browser_path = browser
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready: Future[Any] | None = None
        self._browser: Any = None
        self._tmp = tempfile.TemporaryDirectory(prefix="tradegap-print-")

    def start(self) -> Printer:
        from tradegap.report.figures import find_browser

        path = self.browser_path or find_browser()
        if path is None:
            raise TradegapError("cannot print the PDF: it needs Chromium and none was found",
                                hint="install it (Debian: apt-get install chromium, or "
                                "scripts/ensure-chromium) or write the report as .html")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="tradegap-printer")
        self._thread.start()
        self._ready = asyncio.run_coroutine_threadsafe(self._open(path), self._loop)
        return self

    def print_document(self, html: str) -> bytes:
        """The PDF of ``html`` (a whole document) as Chromium prints it."""
        if self._ready is None:
            self.start()
        assert self._loop is not None and self._ready is not None
        try:
            tabs = self._ready.result(timeout=LOAD_TIMEOUT_S)
            job = asyncio.run_coroutine_threadsafe(self._print(tabs, html), self._loop)
            return job.result(timeout=LOAD_TIMEOUT_S)
        except TradegapError:
            raise
        except Exception as exc:  # a browser that crashed, would not start or timed out
            raise TradegapError(f"Chromium could not print the PDF: {exc!r}",
                                hint="check that Chromium starts (chromium --headless "
                                "--version), or write the report as .html") from exc

    def close(self) -> None:
        if self._loop is None:
            self._tmp.cleanup()
            return
        with contextlib.suppress(Exception):  # it failed to start, or is already gone
            if self._ready is not None:
                self._ready.result(timeout=LOAD_TIMEOUT_S)  # still starting: let it finish
        if self._browser is not None:
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._browser.close(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._loop.close()
        self._loop = None
        self._tmp.cleanup()

    def __enter__(self) -> Printer:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    async def _open(self, path: str) -> Any:
        import choreographer

        self._browser = await choreographer.Browser(path=path, headless=True,
                                                     enable_extensions=False)
        with contextlib.suppress(OSError, AttributeError):  # its own process group
            os.setpriority(os.PRIO_PGRP, self._browser.subprocess.pid, BACKGROUND_NICENESS)
        page = Path(self._tmp.name) / "prelude.html"
        page.write_text("<!DOCTYPE html><html data-print><head><meta charset=\"utf-8\">"
                        f"</head><body><script>{self.prelude}</script></body></html>",
                        encoding="utf-8")
        tab = await self._new_tab(page.as_uri())
        pager = await self._new_tab(None) if self.sizing else None
        return tab, pager

    async def _new_tab(self, url: str | None) -> Any:
        """A tab laid out as printed, offline, showing ``url`` (else a blank page)."""
        tab = await self._browser.create_tab("about:blank")
        for command, params in (
            ("Network.enable", {}),
            ("Network.emulateNetworkConditions", {"offline": True, "latency": 0,
                                                  "downloadThroughput": -1,
                                                  "uploadThroughput": -1}),
            ("Emulation.setEmulatedMedia", {"media": "print"}),
            ("Emulation.setDeviceMetricsOverride", {"width": PRINT_WIDTH_PX, "height": 1100,
                                                    "deviceScaleFactor": 1,
                                                    "mobile": False}),
            ("Emulation.setScrollbarsHidden", {"hidden": True}),  # the page's width: all text
            ("Page.enable", {}),
        ):
            _check(await tab.send_command(command, params), command)
        if url is not None:
            loaded = tab.subscribe_once("Page.loadEventFired")
            _check(await tab.send_command("Page.navigate", {"url": url}), "Page.navigate")
            await asyncio.wait_for(loaded, LOAD_TIMEOUT_S)
        return tab

    async def _print(self, tabs: tuple[Any, Any], html: str) -> bytes:
        """Put ``html`` into the prelude's page (the prelude's scripts stay), draw it and
        print. With the prelude's page hook, a draft's page numbers are filled in and the page
        printed again; with ``sizing``, the draft is printed in a second tab while the first
        one draws. The final print is checked against the draft (printed once more if a
        destination moved)."""
        tab, pager = tabs
        head, body = (json.dumps(part) for part in _head_and_body(html))
        # the head's content is added (the prelude's styles, such as Plotly's, stay), the body
        # replaced
        put = (f"document.head.insertAdjacentHTML('beforeend', {head}); "
               f"document.body.innerHTML = {body}; {self.sizing}; true")
        draw = (f"(window.{RENDER_HOOK} && window.{RENDER_HOOK}(document), "
                f"Promise.resolve(window.{DRAWN_HOOK}).then(() => true))")

        async def drawn() -> bool:
            await _evaluate(tab, put)
            await _evaluate(tab, draw)
            return bool(await _evaluate(tab, f"typeof window.{PAGE_HOOK} === 'function'"))

        async def paginated() -> dict[str, int]:
            await _evaluate(pager, put)
            return destination_pages(await _print_once(pager, draft=True))

        if pager is None:
            hooked = await drawn()
            first = await _print_once(tab, draft=hooked)
            if not hooked:
                return first
            pages = destination_pages(first)
        else:
            hooked, pages = await asyncio.gather(drawn(), paginated())
            if not hooked:
                return await _print_once(tab)
        for _ in range(2):
            await _evaluate(tab, f"window.{PAGE_HOOK}({json.dumps(pages)}); true")
            final = await _print_once(tab)
            found = destination_pages(final)
            if found == pages:
                break
            pages = found  # the drawn page paginated differently: fill in its own numbers
        return final


def print_pdf(html: str, prelude: str = "", *, sizing: str = "",
              browser: str | None = None) -> bytes:
    """The PDF of ``html`` as Chromium prints it, in a browser of its own."""
    with Printer(prelude, sizing=sizing, browser=browser).start() as printer:
        return printer.print_document(html)


def _head_and_body(html: str) -> tuple[str, str]:
    """The inner HTML of the ``<head>`` and of the ``<body>`` of a whole document."""
    lower = html.lower()

    def inside(tag: str) -> str:
        start = lower.find(f"<{tag}")
        if start < 0:
            return ""
        start = lower.find(">", start) + 1
        end = lower.rfind(f"</{tag}>")
        return html[start:end if end >= start else len(html)]

    body = inside("body")
    return inside("head"), body if body or "<body" in lower else html


async def _print_once(tab: Any, *, draft: bool = False) -> bytes:
    """One print of ``tab``; a ``draft`` (only its pages and destinations are read) skips the
    tagging and the outline."""
    options = {**PRINT_OPTIONS, **({"generateTaggedPDF": False,
                                     "generateDocumentOutline": False} if draft else {})}
    response = await tab.send_command("Page.printToPDF", options)
    _check(response, "Page.printToPDF")
    return base64.b64decode(response["result"]["data"])


async def _evaluate(tab: Any, expression: str) -> Any:
    response = await tab.send_command("Runtime.evaluate", {
        "expression": expression, "awaitPromise": True, "returnByValue": True})
    _check(response, "Runtime.evaluate")
    result = response["result"]
    if "exceptionDetails" in result:
        text = result["exceptionDetails"].get("exception", {}).get("description") or \
            result["exceptionDetails"].get("text")
        raise TradegapError(f"the page's script failed while printing: {text}")
    return result.get("result", {}).get("value")


def _check(response: Any, command: str) -> None:
    if isinstance(response, dict) and "error" in response:
        raise TradegapError(f"Chromium refused {command}: {response['error']}")


def destination_pages(pdf: bytes) -> dict[str, int]:
    """1-based page of every named destination of ``pdf`` (Chromium names one per element
    id that a link points to)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return {str(name).lstrip("/"): reader.get_destination_page_number(dest) + 1
            for name, dest in reader.named_destinations.items()}
