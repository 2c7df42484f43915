"""The dashboard in a real headless Chromium (Debian's, driven by Playwright's Python package)
against ``tradegap serve`` started as a subprocess on 127.0.0.1 with a demo warehouse.

Skipped with the reason when Chromium or Playwright is absent, unless
TRADEGAP_REQUIRE_SHARED_DATA=1 (CI), where that is a failure. Screenshots are kept in
test-artifacts/browser/ at the project root.
"""

from __future__ import annotations

import pytest

from .conftest import WIDER_THAN_VIEWPORT, _shot, reload, visit

PAGES = ("/", "/balance", "/potential", "/plan", "/settlement", "/measures", "/data")


@pytest.fixture(scope="module")
def server(demo_server: str) -> str:
    return demo_server


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_console_errors(server: str, page: object, path: str) -> None:
    pg = page
    visit(pg, server + path)
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
    visit(pg, server + "/potential")
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
    visit(pg, server + "/plan")
    pg.wait_for_selector("#plan-results .tg-chart .main-svg")  # type: ignore[attr-defined]
    read = ("() => { const el = document.querySelector('#plan-results .tg-chart');"
            " return JSON.stringify(el.data.map(t => t.y)); }")
    before = pg.evaluate(read)  # type: ignore[attr-defined]
    assert len(before) > 20  # the chart holds data
    share_before = pg.locator("#plan-share").inner_text()  # type: ignore[attr-defined]
    pg.fill("#target_pct", "8")  # type: ignore[attr-defined]
    pg.click("#plan-solve")  # type: ignore[attr-defined]
    pg.wait_for_function(  # type: ignore[attr-defined]
        "s => { const e = document.querySelector('#plan-share');"
        " return e && e.innerText !== s; }", arg=share_before)
    pg.wait_for_selector("#plan-results .tg-chart[data-rendered] .main-svg")  # type: ignore[attr-defined]
    after = pg.evaluate(read)  # type: ignore[attr-defined]
    assert after != before
    assert pg.locator("#plan-share").inner_text() == "8.0%"  # type: ignore[attr-defined]
    _shot(pg, "plan-resolved")
    assert pg.errors == []  # type: ignore[attr-defined]


def test_api_docs_page_works_offline(server: str, page: object) -> None:
    pg = page
    visit(pg, server + "/docs")
    pg.wait_for_selector(".swagger-ui .opblock")  # type: ignore[attr-defined]
    text = pg.locator(".swagger-ui").inner_text()  # type: ignore[attr-defined]
    for route in ("/api/balance", "/api/potential", "/api/plan", "/api/settlement",
                  "/api/datasets"):
        assert route in text
    _shot(pg, "api-docs")
    assert pg.errors == []  # type: ignore[attr-defined]


def test_headroom_page_says_what_is_missing(server: str, page: object) -> None:
    """The demo warehouse has none of the real datasets: the Headroom page says which and the
    command that builds them, without an error."""
    pg = page
    response = visit(pg, server + "/headroom")
    assert response.status == 200
    box = pg.locator("#headroom-missing")  # type: ignore[attr-defined]
    assert box.is_visible()
    text = box.inner_text()
    for name in ("russia-demand",):  # the demo holds world flows: capacity is there
        assert name in text
    assert "tradegap case-study russia-india --data ../shared/data --home" in text
    assert pg.locator("#headroom-table").count() == 0  # type: ignore[attr-defined]
    assert pg.locator("nav a[data-nav=headroom].active").count() == 1  # type: ignore[attr-defined]
    _shot(pg, "headroom-missing")
    assert pg.errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", PAGES)
def test_page_fits_a_phone(server: str, browser: object, path: str) -> None:
    """At 390 × 844 the nav wraps, tables scroll inside their card, nothing is wider than
    the screen, and there are no console errors."""
    context = browser.new_context(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: m.type == "error" and errors.append(m.text))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    try:
        visit(pg, server + path)
        if pg.locator(".tg-chart").count():
            pg.wait_for_selector(".tg-chart .main-svg", timeout=15000)
        fit = pg.evaluate(WIDER_THAN_VIEWPORT)
        _shot(pg, "phone" + (path.replace("/", "-") if path != "/" else "-overview"))
        assert fit["scroll"] <= fit["vw"] and not fit["out"], fit
        nav = pg.locator("header.tg-top nav").bounding_box()
        assert nav is not None and nav["x"] + nav["width"] <= 391
        assert pg.locator(".banner-synthetic").count() <= 1
        assert errors == []
    finally:
        context.close()


def test_one_synthetic_banner_after_resolving_a_plan(server: str, page: object) -> None:
    pg = page
    visit(pg, server + "/plan?scenario=agri-pharma-only")
    pg.fill("#target_pct", "12")  # type: ignore[attr-defined]
    pg.click("#plan-solve")  # type: ignore[attr-defined]
    pg.wait_for_function("location.search.includes('target_pct=12')",  # type: ignore[attr-defined]
                         timeout=60000)
    pg.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert pg.locator(".banner-synthetic").count() == 1  # type: ignore[attr-defined]
    status = pg.locator("#plan-status")  # type: ignore[attr-defined]
    assert "of the gap" in status.inner_text()
    assert "target_pct=12" in pg.url  # type: ignore[attr-defined]
    shown = status.inner_text()
    reload(pg)
    assert pg.input_value("#target_pct") in ("12", "12.0")  # type: ignore[attr-defined]
    assert pg.locator("#plan-status").inner_text() == shown  # type: ignore[attr-defined]
    assert pg.errors == []  # type: ignore[attr-defined]
