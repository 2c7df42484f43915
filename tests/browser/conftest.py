"""Browser fixtures: Debian's Chromium driven by Playwright's Python package, a page that
records console errors and external requests, and ``tradegap serve`` as a subprocess."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import servers

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("TRADEGAP_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _require() -> None:
    missing = None
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        missing = f"chromium not found at {CHROMIUM}"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the playwright Python package is not installed"
    if missing:
        if os.environ.get("TRADEGAP_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(f"{missing}, but TRADEGAP_REQUIRE_SHARED_DATA=1 needs the browser tests")
        pytest.skip(f"{missing} (install Debian's chromium: scripts/ensure-chromium)")


#: Elements that stick out past the right edge of the viewport, outside any scroll container.
WIDER_THAN_VIEWPORT = """() => {
  const vw = document.documentElement.clientWidth, out = [];
  const clipped = el => { for (let p = el.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden')
      return true; } return false; };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > vw + 1 && !clipped(el))
      out.push(el.tagName + (el.id ? '#' + el.id : '') + ' ' + Math.round(r.right));
  }
  return {scroll: document.documentElement.scrollWidth, vw, out: out.slice(0, 5)};
}"""


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from tradegap.cli.main import run; run()", *args]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    _require()
    from playwright.sync_api import sync_playwright

    exe = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("request", lambda r: not r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
          and pg.errors.append(f"external request {r.url}"))
    try:
        yield pg
    finally:
        context.close()


def visit(pg: Any, url: str, timeout: float = 90000) -> Any:
    """Open ``url`` and return its response once the page has loaded (parsed, scripts run)
    and the network has been quiet for 500 ms. Playwright's ``networkidle`` alone can come
    before ``load``: on a busy machine Chromium may still be parsing a large page 500 ms
    after its last byte arrived, and half a table was then all the test saw."""
    response = pg.goto(url, wait_until="load", timeout=timeout)
    pg.wait_for_load_state("networkidle", timeout=timeout)
    return response


def reload(pg: Any, timeout: float = 90000) -> Any:
    """Reload the page as :func:`visit` opens one."""
    response = pg.reload(wait_until="load", timeout=timeout)
    pg.wait_for_load_state("networkidle", timeout=timeout)
    return response


def _shot(pg: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


@contextlib.contextmanager
def serving(home: Path) -> Iterator[str]:
    """``tradegap serve`` over ``home`` on a port the kernel picks; yields its base URL."""
    with servers.serving(home) as served:
        yield served.base


@pytest.fixture(scope="package")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``tradegap serve`` over a small demo warehouse, shared by the browser tests."""
    import subprocess

    _require()
    home = tmp_path_factory.mktemp("browser") / "wh"
    subprocess.run(_cli("--home", str(home), "ingest", "demo", "--scale", "small"), check=True,
                   capture_output=True, timeout=120)
    with serving(home) as base:
        yield base


@pytest.fixture(scope="package")
def real_server(real_home: Path) -> Iterator[str]:
    """``tradegap serve`` over the session's real warehouse (tests/conftest.py ``real_home``,
    built from ../shared/data): the server only reads it."""
    _require()
    with serving(real_home) as base:
        yield base
