"""Every page of the dashboard on the REAL warehouse (the session's ``real_home``, built from
../shared/data) in headless Chromium at 1440 × 900 and 390 × 844: charts render with a plot
area that is not squeezed away, no console errors, nothing wider than the viewport, no SYNTHETIC
label (every page opens with real-data scenarios), each page's download links answer. Full-page
screenshots go to test-artifacts/browser/real-*.png."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import WIDER_THAN_VIEWPORT, _shot, visit

PAGES = ("/", "/balance", "/potential", "/headroom", "/plan", "/settlement", "/measures",
         "/data")
SIZES = ((1440, 900), (390, 844))
#: The plot area of every chart, in px (Plotly's own layout): a chart squeezed by its margins
#: or legend shows nothing.
PLOT_AREAS = """() => Array.from(document.querySelectorAll('.tg-chart')).map(el => ({
  title: el.getAttribute('aria-label'),
  w: el._fullLayout ? Math.round(el._fullLayout._size.w) : 0,
  h: el._fullLayout ? Math.round(el._fullLayout._size.h) : 0}))"""


def _name(path: str) -> str:
    return path.strip("/") or "overview"


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("path", PAGES)
def test_real_page(real_server: str, browser: Any, path: str, width: int, height: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: m.type == "error" and errors.append(m.text))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("request", lambda r: not r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
          and errors.append(f"external request {r.url}"))
    try:
        pg.set_default_timeout(90000)
        response = visit(pg, real_server + path, 180000)
        assert response is not None and response.status == 200, path
        charts = pg.locator(".tg-chart").count()
        if charts:
            pg.wait_for_function(
                "n => document.querySelectorAll('.tg-chart[data-rendered] .main-svg').length"
                " >= n", arg=charts)
        _shot(pg, f"real-{width}-{_name(path)}")
        fit = pg.evaluate(WIDER_THAN_VIEWPORT)
        assert fit["scroll"] <= fit["vw"] and not fit["out"], fit
        for area in pg.evaluate(PLOT_AREAS):
            assert area["w"] >= min(150, width // 3) and area["h"] >= 120, (path, area)
        assert pg.locator(".banner-synthetic").count() == 0, path
        assert "SYNTHETIC" not in pg.locator("main").inner_text(), path
        links = pg.eval_on_selector_all("p.downloads a[data-format=csv]",
                                        "els => els.map(a => a.getAttribute('href'))")
        assert links, path  # every page offers its tables
        if width == SIZES[0][0]:
            for link in dict.fromkeys(links):
                got = httpx.get(real_server + link, timeout=180)
                assert got.status_code == 200, link
                assert not got.text.startswith("# SYNTHETIC"), link
        assert errors == [], errors
    finally:
        context.close()
