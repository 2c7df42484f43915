"""The dashboard's Measures page, its HTMX partial and its JSON route, through real HTTP
requests (FastAPI's TestClient) with the shipped synthetic demo scenario."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tradegap.measures import measures
from tradegap.provenance import SYNTHETIC_LABEL
from tradegap.report.format import money
from tradegap.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(create_app(tmp_path_factory.mktemp("wh") / "wh"),
                      raise_server_exceptions=False)


def test_page_shows_the_package_with_controls(client: TestClient) -> None:
    r = client.get("/measures?draws=2", headers={"accept": "text/html"})
    assert r.status_code == 200
    html = r.text
    assert 'href="/measures"' in html and "Measures" in html
    assert SYNTHETIC_LABEL in html and 'hx-get="/measures/results"' in html
    assert 'id="package"' in html and "tg-chart" in html
    expected = measures(ROOT / "scenarios" / "measures-demo.toml", draws=0, check=False)
    assert money(expected.residual["idle_baseline_end_usd"]) in html  # same Python API


def test_partial_and_json(client: TestClient) -> None:
    part = client.get("/measures/results?scenario=measures-demo&draws=0&check=false",
                      headers={"hx-request": "true"})
    assert part.status_code == 200 and "<html" not in part.text and 'id="package"' in part.text
    js = client.get("/api/measures?scenario=measures-demo&check=false")
    assert js.status_code == 200
    body = js.json()
    assert body["status"] == "optimal" and body["synthetic"] is True
    assert {r["key"] for r in body["package"]} >= {"netting", "fund"}


def test_unknown_scenario_is_a_clear_422(client: TestClient) -> None:
    r = client.get("/api/measures?scenario=nope")
    assert r.status_code == 422
    assert "unknown measures scenario" in r.json()["error"]
    assert "measures-demo" in r.json()["hint"]
    assert client.get("/measures?draws=5000").status_code == 422
