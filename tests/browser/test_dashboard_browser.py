"""The dashboard in a real headless Chromium (Debian's, driven by Playwright's Python package)
against ``tradegap serve`` started as a subprocess on 127.0.0.1 with a demo warehouse.

Skipped with the reason when Chromium or Playwright is absent, unless
TRADEGAP_REQUIRE_SHARED_DATA=1 (CI), where that is a failure. Screenshots are kept in
test-artifacts/browser/ at the project root.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("TRADEGAP_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = ("/", "/balance", "/potential", "/plan", "/settlement", "/data")


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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from tradegap.cli.main import run; run()", *args]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _require()
    home = tmp_path_factory.mktemp("browser") / "wh"
    subprocess.run(_cli("--home", str(home), "ingest", "demo", "--scale", "small"), check=True,
                   capture_output=True, timeout=120)
    port = _free_port()
    proc = subprocess.Popen(_cli("--home", str(home), "serve", "--port", str(port)),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if proc.poll() is not None:
                raise RuntimeError("server exited: " + proc.stdout.read().decode()[-2000:])
            try:
                if httpx.get(base + "/api/scenarios", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start within 30 s")
        yield base
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
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


def _shot(pg: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_console_errors(server: str, page: object, path: str) -> None:
    pg = page
    pg.goto(server + path, wait_until="networkidle")  # type: ignore[attr-defined]
    charts = pg.locator(".tg-chart")  # type: ignore[attr-defined]
    if charts.count():
        pg.wait_for_selector(".tg-chart .main-svg", timeout=15000)  # type: ignore[attr-defined]
        assert pg.locator(".tg-chart[data-rendered]").count() == charts.count()  # type: ignore[attr-defined]
    # the demo world is synthetic: every page says so, visibly
    banner = pg.locator(".banner-synthetic").first  # type: ignore[attr-defined]
    if path != "/settlement":  # the shipped settlement scenario is not synthetic
        assert banner.is_visible()
        assert "SYNTHETIC" in banner.inner_text()
    _shot(pg, "page" + (path.replace("/", "-") if path != "/" else "-overview"))
    assert pg.errors == []  # type: ignore[attr-defined]


def test_filter_changes_potential_table(server: str, page: object) -> None:
    pg = page
    pg.goto(server + "/potential", wait_until="networkidle")  # type: ignore[attr-defined]
    before = pg.locator("#potential-count").inner_text()  # type: ignore[attr-defined]
    groups_before = set(pg.locator("#potential-table tbody td:nth-child(3)").all_inner_texts())  # type: ignore[attr-defined]
    assert len(groups_before) > 1
    pg.locator("input[name=group][value=pharma]").check()  # type: ignore[attr-defined]
    pg.wait_for_function(  # type: ignore[attr-defined]
        "t => document.querySelector('#potential-count').innerText !== t", arg=before)
    groups_after = set(pg.locator("#potential-table tbody td:nth-child(3)").all_inner_texts())  # type: ignore[attr-defined]
    assert groups_after == {"pharma"}
    # a text search narrows it again; sorting by a column reorders it
    pg.fill("#q", "zzzz-no-such-product")  # type: ignore[attr-defined]
    pg.wait_for_selector("text=No product matches these filters.")  # type: ignore[attr-defined]
    _shot(pg, "potential-filtered")
    assert pg.errors == []  # type: ignore[attr-defined]


def test_plan_resolves_and_chart_moves(server: str, page: object) -> None:
    pg = page
    pg.goto(server + "/plan", wait_until="networkidle")  # type: ignore[attr-defined]
    pg.wait_for_selector("#plan-results .tg-chart .main-svg")  # type: ignore[attr-defined]
    read = ("() => { const el = document.querySelector('#plan-results .tg-chart');"
            " return JSON.stringify(el.data.map(t => t.y)); }")
    before = pg.evaluate(read)  # type: ignore[attr-defined]
    assert len(before) > 20  # the chart holds data
    share_before = pg.locator("#plan-share").inner_text()  # type: ignore[attr-defined]
    pg.fill("#target_pct", "10")  # type: ignore[attr-defined]
    pg.click("#plan-solve")  # type: ignore[attr-defined]
    pg.wait_for_function(  # type: ignore[attr-defined]
        "s => { const e = document.querySelector('#plan-share');"
        " return e && e.innerText !== s; }", arg=share_before)
    pg.wait_for_selector("#plan-results .tg-chart[data-rendered] .main-svg")  # type: ignore[attr-defined]
    after = pg.evaluate(read)  # type: ignore[attr-defined]
    assert after != before
    assert pg.locator("#plan-share").inner_text() == "10.0%"  # type: ignore[attr-defined]
    _shot(pg, "plan-resolved")
    assert pg.errors == []  # type: ignore[attr-defined]


def test_api_docs_page_works_offline(server: str, page: object) -> None:
    pg = page
    pg.goto(server + "/docs", wait_until="networkidle")  # type: ignore[attr-defined]
    pg.wait_for_selector(".swagger-ui .opblock")  # type: ignore[attr-defined]
    text = pg.locator(".swagger-ui").inner_text()  # type: ignore[attr-defined]
    for route in ("/api/balance", "/api/potential", "/api/plan", "/api/settlement",
                  "/api/datasets"):
        assert route in text
    _shot(pg, "api-docs")
    assert pg.errors == []  # type: ignore[attr-defined]
