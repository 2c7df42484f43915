"""The headroom ranking and the real-data plan in the dashboard, the JSON API and the report:
on a warehouse built from ../shared/data every number is the one ``headroom`` / ``real_plan``
return; on the demo warehouse the page says which datasets are missing and how to build them,
and the report lists the reason under its assumptions."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tradegap.cli.main import app
from tradegap.report.format import money, share
from tradegap.report.html import SHIPPED_SCENARIOS
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse
from tradegap.web import create_app

HTML = {"accept": "text/html"}
COMMAND = "tradegap case-study russia-india --data ../shared/data --home"


@pytest.fixture(scope="module")
def real(real_home: Path) -> TestClient:
    return TestClient(create_app(real_home), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def expected(real_home: Path) -> dict:
    """The same Python calls a user makes, with the case study's settings."""
    from tradegap.analysis.balance import balance
    from tradegap.analysis.potential_estimate import estimate_potential
    from tradegap.casestudy import real_plan, scenario_params

    wh = Warehouse(real_home)
    ranking = estimate_potential(wh, "IND", "RUS", ("agri", "pharma"), method="demand",
                                 headroom_params=scenario_params()).table
    row = balance(wh, "IND", "RUS", datasets=["russia-customs-mirror"]).summary.set_index(
        "period").loc["2024"]
    gap = row["imports"] - row["exports"]
    return {"ranking": ranking, "gap": gap, "plan": real_plan(wh, gap=gap)}


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "wh"
    ingest(Warehouse(path), "demo", [], scale="20000", years="2023,2024", seed=1,
           max_bad_rows=0, name="demo")
    return path


@pytest.fixture(scope="module")
def demo(demo_home: Path) -> TestClient:
    return TestClient(create_app(demo_home), raise_server_exceptions=False)


# --------------------------------------------------------------------------- real data


def test_api_headroom_is_the_python_ranking_and_plan(real: TestClient, expected: dict) -> None:
    body = real.get("/api/headroom?exporter=IND&market=RUS&groups=agri,pharma").json()
    ranking, plan = expected["ranking"], expected["plan"]
    assert body["available"] is True and body["count"] == len(ranking) > 100
    got = {r["product"]: r for r in body["rows"]}
    for _, r in ranking.head(20).iterrows():
        assert got[r["product"]]["extra"] == pytest.approx(r["extra"])
        assert got[r["product"]]["headroom"] == pytest.approx(r["headroom"])
        assert got[r["product"]]["demand"] == pytest.approx(r["demand"])
    assert [r["product"] for r in body["rows"][:10]] == list(ranking["product"].head(10))
    assert body["totals"]["extra"] == pytest.approx(ranking["extra"].sum())
    # the case study's gap (India-reported calendar 2024) and plan
    assert body["gap"]["value"] == pytest.approx(expected["gap"])
    assert round(body["gap"]["value"] / 1e9, 2) == 59.61
    assert body["plan"]["status"] == "optimal" and body["plan"]["final_year"] == 2029
    assert body["plan"]["share_closed"] == pytest.approx(plan.summary()["share_closed"])
    assert body["plan"]["gap_closed_usd"] == pytest.approx(ranking["extra"].sum(), rel=1e-6)
    assert body["plan"]["binding"] and body["provenance"]["synthetic"] is False
    assert "russia-demand" in body["provenance"]["datasets"]
    assert any("lower bound" in c.lower() for c in body["caveats"])
    assert any("Periods do not match" in c for c in body["caveats"])
    # sorted and limited on request
    top = real.get("/api/headroom?sort=demand&order=desc&limit=5").json()["rows"]
    assert [r["demand"] for r in top] == sorted(ranking["demand"].dropna(), reverse=True)[:5]


def test_headroom_page_shows_ranking_caveats_and_plan(real: TestClient, expected: dict) -> None:
    r = real.get("/headroom", headers=HTML)
    assert r.status_code == 200, r.text[:500]
    page = r.text
    ranking, plan = expected["ranking"], expected["plan"]
    assert 'class="banner-synthetic"' not in page and 'id="headroom-missing"' not in page
    table = page[page.index('id="headroom-table"'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr>") == len(ranking) + 1  # heading + every product
    assert 'class="tg-sortable"' in page and 'data-numeric="1"' in page
    first = ranking.iloc[0]
    assert f'data-v="{first["extra"]}">{money(first["extra"])}<' in table
    for caveat in ("caveat-lower-bound", "caveat-periods", "caveat-rounding", "caveat-extra"):
        assert f'id="{caveat}"' in page
    assert f'id="headroom-extra">{money(ranking["extra"].sum())}<' in page
    summary = plan.summary()
    assert f'id="real-plan-share">{share(summary["share_closed"])}<' in page
    assert f'id="real-plan-closed">{money(summary["gap_closed_usd"])}<' in page
    binding = page[page.index('id="real-plan-binding"'):]
    for sentence in plan.binding["sentence"]:
        assert html.escape(sentence, quote=True)[:60] in binding
    figures = re.findall(r'data-figure="([^"]*)"', page)
    assert len(figures) == 3 and not any("SYNTHETIC" in html.unescape(f) for f in figures)
    assert "russia-demand" in page and "india-dgcis" in page  # provenance
    # cached: the same result object serves the next request
    services = real.app.state.services
    assert services.headroom() is services.headroom()


def test_settlement_with_the_real_plan_drains_balances(real: TestClient) -> None:
    r = real.get("/settlement?scenario=settlement-fund&draws=0&plan=russia-india-real",
                 headers=HTML)
    assert r.status_code == 200, r.text[:500]
    assert 'id="settlement-compare-table"' in r.text
    assert '<option value="russia-india-real" selected' in r.text
    bought = r.text.split('id="settlement-compare-bought">')[1].split("<")[0]
    assert bought.startswith("US$ ") and bought != "US$ 0"  # the plan buys within its months
    table = r.text.split('id="settlement-compare-table"')[1].split("</table>")[0]
    average = re.search(r"average idle balance</td>(.*?)</tr>", table).group(1)
    reduction = re.findall(r'class="num">([^<]*)<', average)[2]
    assert reduction.startswith("US$ ") and not reduction.startswith("US$ 0")


def test_report_has_the_headroom_and_real_plan_sections(real_home: Path, expected: dict,
                                                        tmp_path: Path) -> None:
    """With the real-data scenario and a settlement: the headroom and real-data plan sections,
    and the settlement with that plan (the plan is not solved a second time)."""
    out = tmp_path / "r.html"
    scenarios = Path(__file__).resolve().parents[1] / "scenarios"
    res = CliRunner().invoke(app, [
        "--home", str(real_home), "report", "RUS", "IND", "--out", str(out), "--scenario",
        str(scenarios / "russia-india-real.toml"), "--settlement",
        str(scenarios / "settlement-fund.toml"), "--draws", "0"])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert 'id="headroom"' in text and 'id="real-plan"' in text
    assert 'id="plan-result"' not in text  # shown once, as the real-data plan
    assert "With plan “russia-india-real”" in text
    from tradegap.settlement import load_scenario
    from tradegap.settlement.from_plan import monthly_from_plan_path

    sc = load_scenario(scenarios / "settlement-fund.toml")
    bought = monthly_from_plan_path(expected["plan"].path, str(sc.start), sc.months).sum()
    assert f'id="settlement-compare-bought">{money(bought)}<' in text
    assert "Headroom: where IND could sell more to RUS" in text
    share_closed = share(expected["plan"].summary()["share_closed"])
    assert f'id="real-plan-share">{share_closed}<' in text
    assert f"closes {share_closed} of the gap" in text  # the summary names it too
    assert 'id="headroom-count"' in text and "the first 50" in text
    assert "SYNTHETIC" not in text.split('id="headroom"')[1].split('id="data"')[0]


# --------------------------------------------------------------------------- demo warehouse


def test_demo_headroom_page_names_what_is_missing(demo: TestClient, demo_home: Path) -> None:
    r = demo.get("/headroom", headers=HTML)
    assert r.status_code == 200, r.text[:500]
    assert 'id="headroom-missing"' in r.text and 'id="headroom-table"' not in r.text
    for source in ("russia-demand", "russia-customs"):  # what to ingest (the demo world has
        assert source in r.text                      # India's exports to every market)
    assert COMMAND in r.text and 'id="real-plan"' not in r.text
    assert 'data-nav="headroom"' in r.text


def test_demo_api_headroom_says_unavailable(demo: TestClient) -> None:
    r = demo.get("/api/headroom")
    assert r.status_code == 200
    body = r.json()
    assert body["available"] is False and len(body["missing"]) == 2
    assert "import demand" in body["missing"][0] and "russia-customs" in body["missing"][1]
    assert COMMAND in body["hint"]
    spec = demo.get("/openapi.json").json()["paths"]["/api/headroom"]["get"]
    assert "tradegap.analysis.headroom" in spec["summary"]
    assert {p["name"] for p in spec["parameters"]} >= {"exporter", "market", "groups"}


@pytest.mark.parametrize("query", ["groups=bogus", "groups=agri,../etc", "exporter=ind",
                                   "groups=agri;DROP", "sort=__class__", "limit=0"])
def test_headroom_parameters_are_validated(demo: TestClient, query: str) -> None:
    r = demo.get(f"/api/headroom?{query}")
    assert r.status_code == 422 and "error" in r.json(), query
    if query.startswith(("groups", "exporter")):  # the page takes group=… (repeatable)
        page = demo.get("/headroom?" + query.replace("groups=", "group="), headers=HTML)
        assert page.status_code == 422 and 'class="error"' in page.text, query


def test_demo_report_lists_the_reason_under_assumptions(demo_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    res = CliRunner().invoke(app, ["--home", str(demo_home), "report", "RUS", "IND", "--out",
                                   str(out), "--no-plan"])
    assert res.exit_code == 0, res.output
    text = html.unescape(out.read_text(encoding="utf-8"))
    assert 'id="headroom"' not in text
    assumptions = text[text.index('id="assumptions"'):]
    assert "headroom ranking and real-data plan left out" in assumptions
    assert COMMAND in assumptions and "russia-demand" in assumptions
    res = CliRunner().invoke(app, ["--home", str(demo_home), "report", "RUS", "IND", "--out",
                                   str(out), "--no-plan", "--no-headroom"])
    assert res.exit_code == 0, res.output
    assert "real-data plan left out" not in out.read_text(encoding="utf-8")


def test_demo_settlement_with_a_shipped_plan(demo: TestClient) -> None:
    r = demo.get("/settlement?scenario=settlement-fund&draws=0&plan=all-sectors", headers=HTML)
    assert r.status_code == 200, r.text[:300]
    assert 'id="settlement-compare-table"' in r.text
    frag = demo.get("/settlement/results?scenario=settlement-fund&draws=0&plan=all-sectors",
                    headers={**HTML, "HX-Request": "true"})
    assert frag.status_code == 200 and 'id="settlement-compare"' in frag.text
    api = demo.get("/api/settlement?scenario=settlement-fund&draws=0&plan=all-sectors").json()
    from tradegap.settlement import load_scenario
    from tradegap.settlement.from_plan import monthly_from_plan_path

    sc = load_scenario(SHIPPED_SCENARIOS / "settlement-fund.toml")
    path = pd.DataFrame(api["plan_path"])
    expected = monthly_from_plan_path(path, str(sc.start), sc.months)
    paid = [m["plan_usd"] for m in api["with_plan"]["monthly"]]
    assert paid == pytest.approx(expected.tolist())
    assert [m["plan_usd"] for m in api["baseline"]["monthly"]] == [0.0] * sc.months
    avg = api["compare"]["summary"]["average_idle_usd"]
    assert avg["reduction"] == pytest.approx(avg["baseline"] - avg["with_plan"]) and \
        avg["reduction"] > 0
    r = demo.get("/settlement?plan=russia-india-real", headers=HTML)
    assert r.status_code == 422 and "all-sectors" in r.text  # not offered without real data
    assert "russia-india-real" not in demo.get("/settlement", headers=HTML).text


def test_headroom_is_computed_once_per_warehouse_version(real: TestClient,
                                                         real_home: Path) -> None:
    """The first app keeps the ranking and plan, and the page's section built from them, in
    the warehouse's cache/ (the section reads the scenario headroom_view reads); a new app (a
    restarted server) serves the same page from it; an app whose cache cannot be written (a
    file where the directory would be) still serves the page."""
    import shutil

    from tradegap.casestudy.pipeline import REAL_SCENARIO
    from tradegap.web.services import REAL_PLAN

    assert SHIPPED_SCENARIOS / f"{REAL_PLAN}.toml" == REAL_SCENARIO
    page = real.get("/headroom", headers=HTML)
    assert page.status_code == 200
    for kept in ("headroom-view", "headroom-section"):
        assert list((real_home / "cache").glob(f"{kept}-*.pickle")), kept
    fresh = TestClient(create_app(real_home), raise_server_exceptions=False)
    assert fresh.get("/headroom", headers=HTML).text == page.text
    blocked = real_home.parent / "blocked-cache"
    shutil.copytree(real_home, blocked, ignore=shutil.ignore_patterns("cache"))
    (blocked / "cache").write_text("not a directory")
    other = TestClient(create_app(blocked), raise_server_exceptions=False)
    again = other.get("/headroom", headers=HTML)
    assert again.status_code == 200
    assert again.text.count("<tr") == page.text.count("<tr")


def test_start_up_prepares_what_a_first_request_would_pay(demo_home: Path, tmp_path: Path) -> None:
    """A starting server (its lifespan: ``web.app.prepare``) compiles the page templates, reads
    the product groups and stamps the code before any request; a catalogue that cannot be read
    does not stop it from starting: the requests report it."""
    import shutil

    from tradegap.reference.groups import _groups
    from tradegap.warehouse.kept import code_stamp
    from tradegap.web import pages

    pages._env.cache.clear()
    code_stamp.cache_clear()
    _groups.cache_clear()
    app_ = create_app(demo_home)
    assert not any(name == "headroom.html.j2" for _, name in pages._env.cache)
    with TestClient(app_, raise_server_exceptions=False):
        compiled = {name for _, name in pages._env.cache}
        assert {"headroom.html.j2", "balance.html.j2", "measures.html.j2"} <= compiled
        assert code_stamp.cache_info().currsize == 1
        assert _groups.cache_info().currsize == 1
    damaged = tmp_path / "damaged"
    shutil.copytree(demo_home, damaged)
    (damaged / "catalog.duckdb").write_bytes(b"not a DuckDB file" * 100)
    with TestClient(create_app(damaged), raise_server_exceptions=False) as client:
        answer = client.get("/api/datasets")
    assert answer.status_code == 400
    assert "catalog" in answer.json()["error"].lower()


def test_start_up_tries_every_route_once(demo_home: Path) -> None:
    """Before the first visitor, the starting app serves itself one request for an address no
    route serves (every route is tried, so FastAPI builds their parameter models then): a 404
    that got past the host check of ``tradegap serve``."""
    app_ = create_app(demo_home, allowed_hosts=["127.0.0.1", "localhost", "[::1]"])
    answers: list[tuple[str, int]] = []

    @app_.middleware("http")
    async def record(request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        answers.append((request.url.path, response.status_code))
        return response

    with TestClient(app_, base_url="http://localhost") as client:
        assert answers == [("/.well-known/tradegap-start-up", 404)]
        assert client.get("/api/datasets").status_code == 200
    assert answers[1:] == [("/api/datasets", 200)]
