"""The Headroom page on real data in a headless Chromium: ``tradegap serve`` over a warehouse
built from ../shared/data (the case study's datasets). The ranking, its charts and the
real-data plan render without console errors, and a click on a column heading sorts the
table. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import pytest

from .conftest import _shot, reload, visit


@pytest.fixture(scope="module")
def server(real_server: str) -> str:
    return real_server


def test_headroom_page_on_real_data(server: str, page: object) -> None:
    pg = page
    pg.set_default_timeout(60000)  # type: ignore[attr-defined]
    visit(pg, server + "/headroom")
    charts = pg.locator(".tg-chart")  # type: ignore[attr-defined]
    # ranking, demand vs share, the plan's balance path (the page's text if not: what it said)
    text = pg.locator("main").inner_text()  # type: ignore[attr-defined]
    assert charts.count() == 3, text[:2500] + " … " + text[-800:]
    pg.wait_for_function(  # type: ignore[attr-defined]
        "() => document.querySelectorAll('.tg-chart[data-rendered] .main-svg').length >= 3")
    assert pg.locator(".banner-synthetic").count() == 0  # type: ignore[attr-defined]
    assert pg.locator("#caveat-lower-bound").is_visible()  # type: ignore[attr-defined]
    assert pg.locator("#caveat-periods").is_visible()  # type: ignore[attr-defined]
    status = pg.locator("#real-plan-status")  # type: ignore[attr-defined]
    # solved to optimality, but a plan that closes a few percent of the gap is no success
    assert status.get_attribute("title") == "solver status: optimal"
    assert "closes only" in status.inner_text() and "of the gap" in status.inner_text()
    assert "status-warn" in (status.get_attribute("class") or "")
    assert pg.locator("#real-plan-binding li").count() >= 1  # type: ignore[attr-defined]
    rows = pg.locator("#headroom-table tbody tr")  # type: ignore[attr-defined]
    assert rows.count() > 100
    _shot(pg, "headroom-real")
    # sort by HS4 (text: ascending first), then by Russia's demand (numbers: largest first)
    pg.click("#headroom-table th[data-col=product]")  # type: ignore[attr-defined]
    codes = pg.locator("#headroom-table tbody td:nth-child(2)").all_inner_texts()  # type: ignore[attr-defined]
    assert codes == sorted(codes)
    pg.click("#headroom-table th[data-col=demand]")  # type: ignore[attr-defined]
    values = [float(v) for v in pg.eval_on_selector_all(  # type: ignore[attr-defined]
        "#headroom-table tbody td:nth-child(5)", "els => els.map(e => e.dataset.v || 'nan')")]
    finite = [v for v in values if v == v]
    assert finite == sorted(finite, reverse=True) and len(finite) > 100
    assert pg.locator("#headroom-table th[data-col=demand]").get_attribute(  # type: ignore[attr-defined]
        "aria-sort") == "descending"
    # the sorted column is in the address: a reload sorts the same way
    assert "sort=demand" in pg.url and "order=desc" in pg.url  # type: ignore[attr-defined]
    reload(pg)
    assert pg.locator("#headroom-table th[data-col=demand]").get_attribute(  # type: ignore[attr-defined]
        "aria-sort") == "descending"
    again = [float(v) for v in pg.eval_on_selector_all(  # type: ignore[attr-defined]
        "#headroom-table tbody td:nth-child(5)", "els => els.map(e => e.dataset.v || 'nan')")]
    assert [v for v in again if v == v] == finite
    link = pg.locator("p.downloads[data-table=rows] a[data-format=csv]").last  # type: ignore[attr-defined]
    assert "sort=demand" in (link.get_attribute("href") or "")
    assert pg.errors == []  # type: ignore[attr-defined]
