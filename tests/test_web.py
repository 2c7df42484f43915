"""The dashboard's routes and guards, through real HTTP requests (FastAPI's TestClient) on a
demo warehouse: every page and JSON route answers from the same Python API call; parameters are
validated (ISO3, product groups, scenario names, numbers); nothing is taken as a path; bodies are
limited; errors are JSON without tracebacks; the warehouse is never written."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tradegap.analysis.balance import balance
from tradegap.analysis.potential_warehouse import potential
from tradegap.planning import load_scenario, plan
from tradegap.report.html import SHIPPED_SCENARIOS
from tradegap.settlement import load_scenario as load_settlement
from tradegap.settlement import simulate
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse
from tradegap.web import create_app
from tradegap.web.limits import MAX_BODY, ReadOnlyWarehouse

from .conftest import snapshot

TRAVERSAL = ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd", "..\\..\\win.ini"]
SQL = ["RUS' OR 1=1--", "IND; DROP TABLE flows", "R%27--"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "wh"
    ingest(Warehouse(path), "demo", [], scale="20000", years="2022,2023,2024", seed=1,
           max_bad_rows=0, name="demo")
    return path


@pytest.fixture(scope="module")
def client(home: Path) -> TestClient:
    return TestClient(create_app(home), raise_server_exceptions=False)


HTML = {"accept": "text/html"}


@pytest.mark.parametrize("path", ["/", "/balance", "/potential", "/plan", "/settlement",
                                  "/data"])
def test_pages_render_with_synthetic_banner(client: TestClient, path: str) -> None:
    r = client.get(path, headers=HTML)
    assert r.status_code == 200, r.text[:500]
    assert "<nav>" in r.text and "/static/htmx.min.js" in r.text
    if path != "/settlement":  # the shipped settlement scenario is not synthetic
        assert 'class="banner-synthetic"' in r.text
    assert "http://" not in r.text.replace("http://testserver", "")
    assert "cdn" not in r.text.lower()


def test_page_numbers_come_from_the_python_api(client: TestClient, home: Path) -> None:
    from tradegap.report.format import money

    result = balance(Warehouse(home), "RUS", "IND")
    latest = result.summary.dropna(subset=["exports", "imports"]).iloc[-1]
    page = client.get("/?a=RUS&b=IND", headers=HTML).text
    assert money(latest["exports"]) in page and money(latest["balance"]) in page
    api = client.get("/api/balance?a=RUS&b=IND").json()
    rows = {r["period"]: r for r in api["summary"]}
    assert rows[latest["period"]]["balance"] == pytest.approx(latest["balance"])
    assert api["provenance"]["synthetic"] is True


def test_potential_api_filters_sorts_and_searches(client: TestClient, home: Path) -> None:
    full = client.get("/api/potential?exporter=IND&market=RUS&limit=5000").json()
    assert full["count"] == full["total"] > 5
    # the same rows and numbers as the Python API's call
    table = potential(Warehouse(home), "IND", "RUS", None, None, None)[0].table
    assert full["total"] == len(table)
    assert [r["product"] for r in full["rows"]] == list(table["product"])
    for col in ("potential", "actual", "untapped", "rca", "demand"):
        assert [r[col] for r in full["rows"]] == pytest.approx(list(table[col]), rel=1e-12), col
    untapped = [r["untapped"] for r in full["rows"]]
    assert untapped == sorted(untapped, reverse=True)
    some = client.get("/api/potential?min_untapped=1e7&sort=product&order=asc&limit=5000").json()
    assert 0 < some["count"] < full["count"]
    assert all(r["untapped"] >= 1e7 for r in some["rows"])
    assert [r["product"] for r in some["rows"]] == sorted(r["product"] for r in some["rows"])
    code = full["rows"][0]["product"]
    found = client.get(f"/api/potential?q={code}").json()
    assert found["count"] >= 1 and all(code in r["product"] for r in found["rows"])
    fragment = client.get(f"/potential/results?q={code}", headers=HTML).text
    assert 'id="potential-results"' in fragment and code in fragment


def test_plan_api_resolves_with_changed_settings(client: TestClient) -> None:
    base = plan(load_scenario(SHIPPED_SCENARIOS / "all-sectors.toml"))
    r = client.post("/api/plan", json={"scenario": "all-sectors", "target_share": 0.1})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "optimal"
    assert body["share_closed"] == pytest.approx(0.1)
    assert body["share_closed"] != pytest.approx(base.summary()["share_closed"])
    # the HTML form (percentages) gives the same plan
    form = client.post("/plan/results", data={"scenario": "all-sectors", "target_pct": "10"},
                       headers={**HTML, "HX-Request": "true"})
    assert form.status_code == 200 and 'id="plan-share">10.0%' in form.text


def test_settlement_and_datasets_api(client: TestClient) -> None:
    s = client.get("/api/settlement?scenario=settlement-fund&draws=20&seed=1").json()
    assert s["summary"]["draws"] == 20 and len(s["bands"]) == s["summary"]["months"]
    # the same numbers as the Python API's simulate() with the same draws and seed
    ref = simulate(load_settlement(SHIPPED_SCENARIOS / "settlement-fund.toml"), draws=20, seed=1)
    for key in ("peak_idle_usd", "total_cost_usd", "total_cost_usd_p95", "converted_usd",
                "months"):
        assert s["summary"][key] == pytest.approx(ref.summary[key], rel=1e-12), key
    assert [b["idle_usd_p50"] for b in s["bands"]] == pytest.approx(
        list(ref.bands["idle_usd_p50"]), rel=1e-12)
    d = client.get("/api/datasets").json()
    assert [x["name"] for x in d["datasets"]] == ["demo"]
    assert d["summaries"][0]["synthetic"] is True
    scen = client.get("/api/scenarios").json()
    assert "all-sectors" in scen["plan"] and "settlement-fund" in scen["settlement"]


def test_openapi_documents_every_api_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for route in ("/api/balance", "/api/potential", "/api/plan", "/api/settlement",
                  "/api/datasets", "/api/scenarios", "/api/headroom"):
        assert route in spec["paths"]
    assert spec["paths"]["/api/balance"]["get"]["responses"]["422"]["content"][
        "application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/swagger-ui-bundle.js" in docs.text
    assert "http://" not in docs.text and "https://" not in docs.text  # no CDN


# --------------------------------------------------------------------------- security

GET_PARAMS = {
    "/api/balance": ["a", "b", "frequency"],
    "/api/potential": ["exporter", "market", "group", "sort", "order", "min_untapped", "q"],
    "/api/settlement": ["scenario", "draws", "seed"],
    "/": ["a", "b", "period", "frequency"],
    "/potential/results": ["exporter", "market", "group", "q"],
    "/settlement/results": ["scenario", "draws", "plan"],
    "/api/headroom": ["exporter", "market", "groups", "sort", "order"],
    "/headroom": ["exporter", "market", "group"],
    "/plan": ["scenario"],
    "/data": ["a", "b"],
}


@pytest.mark.parametrize("attack", TRAVERSAL)
def test_path_traversal_rejected_in_every_parameter(client: TestClient, attack: str) -> None:
    for route, params in GET_PARAMS.items():
        for name in params:
            r = client.get(route, params={name: attack})
            assert r.status_code == 422, (route, name, r.status_code)
            body = r.json()
            assert "error" in body and "Traceback" not in r.text and "root:" not in r.text
    r = client.post("/api/plan", json={"scenario": attack})
    assert r.status_code == 422
    r = client.post("/api/plan", json={"scenario": "all-sectors", "groups": [attack]})
    assert r.status_code == 422
    assert client.get("/static/" + attack).status_code == 404


@pytest.mark.parametrize("attack", SQL)
def test_sql_looking_input_is_refused_and_changes_nothing(client: TestClient, home: Path,
                                                          attack: str) -> None:
    before = snapshot(Warehouse(home))
    for url, params in (("/api/balance", {"a": attack}), ("/api/potential", {"market": attack}),
                        ("/api/potential", {"q": attack}), ("/api/potential", {"group": attack}),
                        ("/api/settlement", {"scenario": attack})):
        r = client.get(url, params=params)
        assert r.status_code == 422, (url, params, r.text)
        assert r.headers["content-type"].startswith("application/json")
    assert snapshot(Warehouse(home)) == before
    assert client.get("/api/balance?a=RUS&b=IND").status_code == 200


def test_numbers_are_range_checked(client: TestClient) -> None:
    for url in ("/api/settlement?draws=100000", "/api/settlement?draws=-1",
                "/api/potential?min_untapped=-5", "/api/potential?limit=0",
                "/api/potential?sort=__class__", "/api/balance?frequency=weekly"):
        assert client.get(url).status_code == 422, url
    for body in ({"target_share": 1.5}, {"market_share_max": 0}, {"ramp_share": "lots"},
                 {"unknown": 1}):
        r = client.post("/api/plan", json=body)
        assert r.status_code == 422 and "error" in r.json(), body
    r = client.post("/plan/results", data={"target_pct": "250"}, headers=HTML)
    assert r.status_code == 422 and "target: share of the gap closed" in r.text
    assert "0 to 100 %" in r.text and "250 %" in r.text and "target_share" not in r.text


def test_oversized_bodies_get_413(client: TestClient) -> None:
    big = b'{"scenario": "all-sectors", "pad": "' + b"x" * (MAX_BODY + 10) + b'"}'
    r = client.post("/api/plan", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "64 KB" in r.json()["error"]
    r = client.post("/plan/results", content=b"target_pct=1&" * 6000,
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413


def test_errors_are_json_with_a_message_never_a_traceback(client: TestClient) -> None:
    r = client.get("/api/balance?a=XXX&b=YYY")
    assert r.status_code == 422 and "XXX" in r.json()["error"]  # not a country: refused
    r = client.get("/api/settlement?scenario=no-such-scenario")
    assert r.status_code == 422 and "settlement-fund" in r.json()["hint"]
    r = client.get("/api/nowhere")
    assert r.status_code == 404 and r.json()["error"]
    page = client.get("/plan?scenario=no-such-scenario", headers=HTML)
    assert page.status_code == 422 and 'class="error"' in page.text
    assert "Traceback" not in page.text


def test_warehouse_is_read_only(home: Path) -> None:
    app = create_app(home)
    wh = app.state.services.wh
    assert isinstance(wh, ReadOnlyWarehouse)
    with pytest.raises(Exception, match="never writes"):
        wh.write()
    with pytest.raises(Exception, match="never writes"):
        wh.remove("demo")
    spec = TestClient(app).get("/openapi.json").json()["paths"]
    assert not any("ingest" in path for path in spec)
    methods = {(path, m) for path, ops in spec.items() for m in ops}
    assert {m for _, m in methods} == {"get", "post"}
    assert [path for path, m in methods if m == "post"] == ["/api/plan"]  # computes, stores nothing


def test_slow_requests_get_503_json(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A computation that has not finished within the limit: a 503 in JSON, on time (the
    computation here waits until the test releases it, so only the limit can end the wait)."""
    import threading
    import time

    from tradegap.web import limits

    app = create_app(home)
    release = threading.Event()
    monkeypatch.setattr(limits, "TIMEOUT", 0.2)
    monkeypatch.setattr(app.state.services, "balance", lambda *a: release.wait(30))
    try:
        started = time.monotonic()
        r = TestClient(app).get("/api/balance?a=RUS&b=IND")
        waited = time.monotonic() - started
    finally:
        release.set()
    assert r.status_code == 503
    assert r.json() == {"error": "the computation took longer than 0.2 s", "status": 503,
                        "hint": "narrow the request and try again"}
    assert waited < 10  # the limit ended the wait, not the computation


def test_an_unexpected_error_is_a_json_500_without_a_traceback(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug inside a computation (here an injected ZeroDivisionError): JSON 500 for the API,
    the error page for a browser, the traceback only in the server's log."""
    app = create_app(home)

    def broken(*args: object) -> None:
        raise ZeroDivisionError("secret detail")

    monkeypatch.setattr(app.state.services, "balance", broken)
    client = TestClient(app, raise_server_exceptions=False)
    r = client.get("/api/balance?a=RUS&b=IND")
    assert r.status_code == 500
    assert r.json() == {"error": "internal error: the server could not compute this",
                        "status": 500, "hint": "see the server's log"}
    page = client.get("/balance?a=RUS&b=IND", headers=HTML)
    assert page.status_code == 500 and 'class="error"' in page.text
    for text in (r.text, page.text):
        assert "Traceback" not in text and "secret detail" not in text


def test_charts_are_stamped_synthetic(client: TestClient) -> None:
    import html
    import re

    page = client.get("/balance", headers=HTML).text
    figures = re.findall(r'data-figure="([^"]*)"', page)
    assert len(figures) >= 4
    assert all("SYNTHETIC" in html.unescape(f) for f in figures)


def test_every_offered_scenario_renders(client: TestClient) -> None:
    names = client.get("/api/scenarios").json()
    assert names["plan"] and names["settlement"]
    for name in names["plan"]:
        page = client.get(f"/plan?scenario={name}", headers=HTML)
        assert page.status_code == 200 and 'id="plan-status"' in page.text, name
    for name in names["settlement"]:
        page = client.get(f"/settlement?scenario={name}&draws=10", headers=HTML)
        assert page.status_code == 200 and 'id="settlement-headline"' in page.text, name


def test_security_headers_and_host_check(home: Path) -> None:
    local = TestClient(create_app(home, allowed_hosts=["127.0.0.1", "localhost"]),
                       base_url="http://127.0.0.1")
    r = local.get("/api/scenarios")
    assert r.status_code == 200
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert local.get("/api/scenarios", headers={"host": "evil.example"}).status_code == 400


def test_identical_requests_compute_once_and_cached_answers_take_no_slot(home: Path) -> None:
    import threading
    import time

    from tradegap.web import limits
    from tradegap.web.services import Services

    s = Services(home, None)
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.3)
        return 42

    out: list[int] = []
    threads = [threading.Thread(target=lambda: out.append(s._cached(("k",), slow)))
               for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == [42] * 5 and len(calls) == 1  # single flight
    for _ in range(limits.CONCURRENCY):  # every slot busy …
        limits._slots.acquire()
    try:
        assert s._cached(("k",), slow) == 42  # … and the cached answer still comes back
    finally:
        for _ in range(limits.CONCURRENCY):
            limits._slots.release()
    with pytest.raises(ZeroDivisionError):  # a failure reaches every waiter, is not cached
        s._cached(("bad",), lambda: 1 / 0)
    assert s._cached(("bad",), lambda: 7) == 7


def test_warm_computes_the_likely_first_requests(home: Path) -> None:
    from tradegap.web.services import Services

    s = Services(home, None)
    done = s.warm(pairs=2)
    assert {"datasets", "balance RUS IND", "potential IND RUS"} <= set(done)
    assert len([d for d in done if d.startswith("balance ")]) >= 2
