"""Every control of every page is in the page's address: set the controls as a user would (in
headless Chromium on the demo warehouse), reload the address, and the controls and the view
come back. Pages that swap their results by HTMX write the address after each swap."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import _shot, reload, visit

pytestmark = pytest.mark.usefixtures("demo_server")


def _open(pg: Any, url: str) -> None:
    pg.set_default_timeout(60000)
    visit(pg, url)


def _reload(pg: Any) -> str:
    """Reload the page's address; the address it reloaded."""
    url = pg.url
    reload(pg)
    assert pg.url == url
    return url


def test_balance_controls_survive_a_reload(demo_server: str, page: Any) -> None:
    pg = page
    _open(pg, demo_server + "/balance")
    pg.fill("#pair-form input[name=a]", "IND")
    pg.fill("#pair-form input[name=b]", "RUS")
    pg.select_option("#pair-form select[name=frequency]", "calendar_year")
    with pg.expect_navigation():
        pg.click("#pair-form button[type=submit]")
    pg.wait_for_load_state("networkidle")
    url = _reload(pg)
    assert "a=IND" in url and "frequency=calendar_year" in url
    assert pg.input_value("#pair-form input[name=a]") == "IND"
    assert pg.input_value("#pair-form input[name=b]") == "RUS"
    assert pg.input_value("#pair-form select[name=frequency]") == "calendar_year"
    assert pg.locator("h1").inner_text() == "Balance of IND with RUS"
    assert pg.errors == []


def test_overview_period_survives_a_reload(demo_server: str, page: Any) -> None:
    pg = page
    _open(pg, demo_server + "/")
    options = pg.eval_on_selector_all("#pair-form select[name=period] option",
                                      "os => os.map(o => o.value)")
    assert len(options) >= 2
    first = options[0]
    pg.select_option("#pair-form select[name=period]", first)
    with pg.expect_navigation():
        pg.click("#pair-form button[type=submit]")
    _reload(pg)
    assert pg.input_value("#pair-form select[name=period]") == first
    assert f"({first})" in pg.locator("#headline").inner_text()
    assert pg.errors == []


def test_potential_filters_and_sort_survive_a_reload(demo_server: str, page: Any) -> None:
    pg = page
    _open(pg, demo_server + "/potential")
    pg.locator("input[name=group][value=pharma]").check()
    pg.wait_for_function("location.search.includes('group=pharma')")
    pg.wait_for_load_state("networkidle")
    pg.select_option("#min-untapped", "1000000")
    pg.wait_for_function("location.search.includes('min_untapped=1000000')")
    pg.wait_for_load_state("networkidle")
    pg.click("#potential-table a[data-sort=rca]")
    pg.wait_for_function("location.search.includes('sort=rca')")
    pg.wait_for_load_state("networkidle")
    order = "asc" if "order=asc" in pg.url else "desc"
    # the form's hidden sort follows the link, so a further filter keeps the sort
    assert pg.input_value("#potential-filters input[name=sort]") == "rca"
    url = _reload(pg)
    assert "group=pharma" in url and "sort=rca" in url
    assert pg.locator("input[name=group][value=pharma]").is_checked()
    assert pg.locator("input[name=group][value=agri]").is_checked() is False
    assert pg.input_value("#min-untapped") == "1000000"
    assert pg.input_value("#potential-filters input[name=sort]") == "rca"
    assert pg.input_value("#potential-filters input[name=order]") == order
    arrow = pg.locator("#potential-table a[data-sort=rca]").inner_text()
    assert arrow.endswith("▲" if order == "asc" else "▼")
    groups = set(pg.locator("#potential-table tbody td:nth-child(3)").all_inner_texts())
    assert groups == {"pharma"}
    _shot(pg, "url-potential-reloaded")
    assert pg.errors == []


def test_headroom_controls_survive_a_reload(demo_server: str, page: Any) -> None:
    pg = page
    _open(pg, demo_server + "/headroom")
    assert pg.locator("#headroom-form input[name=group][value=agri]").is_checked()
    pg.locator("#headroom-form input[name=group][value=agri]").uncheck()  # pharma stays
    with pg.expect_navigation():
        pg.click("#headroom-form button[type=submit]")
    url = _reload(pg)
    assert "group=pharma" in url and "group=agri" not in url
    assert pg.locator("#headroom-form input[name=group][value=pharma]").is_checked()
    assert pg.locator("#headroom-form input[name=group][value=agri]").is_checked() is False
    assert "(pharma, real data)" in pg.locator("#headroom h2").inner_text()
    assert pg.errors == []


def test_settlement_controls_survive_a_reload(demo_server: str, page: Any) -> None:
    pg = page
    _open(pg, demo_server + "/settlement")
    pg.select_option("#settlement-plan", "agri-pharma-only")
    pg.fill("#settlement-form input[name=draws]", "50")
    pg.fill("#settlement-form input[name=seed]", "3")
    pg.click("#settlement-form button[type=submit]")
    pg.wait_for_function("location.search.includes('plan=agri-pharma-only')")
    pg.wait_for_selector("#settlement-compare")
    pg.wait_for_load_state("networkidle")
    lead = pg.locator("#settlement-result > p.lead").inner_text()
    assert "50 Monte Carlo draws" in lead and "seed 3" in lead
    url = _reload(pg)
    assert "draws=50" in url and "seed=3" in url
    assert pg.input_value("#settlement-plan") == "agri-pharma-only"
    assert pg.input_value("#settlement-form input[name=draws]") == "50"
    assert pg.input_value("#settlement-form input[name=seed]") == "3"
    assert pg.locator("#settlement-compare").is_visible()
    assert pg.locator("#settlement-result > p.lead").inner_text() == lead
    assert pg.errors == []


def test_measures_controls_survive_a_reload(demo_server: str, page: Any) -> None:
    pg = page
    _open(pg, demo_server + "/measures")
    pg.fill("#measures-form input[name=draws]", "0")
    pg.fill("#measures-form input[name=seed]", "7")
    pg.select_option("#measures-form select[name=check]", "false")
    pg.click("#measures-form button[type=submit]")
    pg.wait_for_function("location.search.includes('seed=7')")
    pg.wait_for_load_state("networkidle")
    url = _reload(pg)
    assert "draws=0" in url and "check=false" in url
    assert pg.input_value("#measures-form input[name=draws]") == "0"
    assert pg.input_value("#measures-form input[name=seed]") == "7"
    assert pg.input_value("#measures-form select[name=check]") == "false"
    assert "(none drawn: no band)" in pg.locator("#measures-results").inner_text()
    assert pg.errors == []


def test_data_controls_survive_a_reload(demo_server: str, page: Any) -> None:
    pg = page
    _open(pg, demo_server + "/data")
    pg.fill("#pair-form input[name=a]", "IND")
    pg.fill("#pair-form input[name=b]", "RUS")
    pg.select_option("#pair-form select[name=frequency]", "fiscal_year_in")
    with pg.expect_navigation():
        pg.click("#pair-form button[type=submit]")
    url = _reload(pg)
    assert "frequency=fiscal_year_in" in url
    assert pg.input_value("#pair-form input[name=a]") == "IND"
    assert pg.input_value("#pair-form select[name=frequency]") == "fiscal_year_in"
    assert "IND–RUS" in pg.locator("p.lead").first.inner_text()
    assert pg.locator("#sources-table tbody tr").count() > 0
    assert pg.errors == []
