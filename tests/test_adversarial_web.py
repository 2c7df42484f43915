"""Adversarial suite, dashboard side (issue 14): the warehouse's path never leaves the server,
unknown query parameters are refused, a code that is no country is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tradegap.sources import ingest
from tradegap.warehouse import Warehouse
from tradegap.web import create_app

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("advweb") / "secret-warehouse-location"
    ingest(Warehouse(path), "demo", [], scale="1000", seed=4)
    return path


@pytest.fixture(scope="module")
def client(home: Path) -> TestClient:
    return TestClient(create_app(home), raise_server_exceptions=False)


def test_no_answer_reveals_the_warehouse_path(client: TestClient, home: Path) -> None:
    for url, headers in (("/api/datasets", {}), ("/api/headroom", {}), ("/data", HTML),
                         ("/headroom", HTML)):
        r = client.get(url, headers=headers)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
        assert "secret-warehouse-location" not in r.text, url
        assert str(home.parent) not in r.text, url
    assert "home" not in client.get("/api/datasets").json()


def test_unknown_query_parameters_are_refused(client: TestClient) -> None:
    r = client.get("/api/balance?a=RUS&b=IND&frequncy=calendar_year")
    assert r.status_code == 422 and "frequncy" in r.json()["error"]
    assert "frequency" in r.json()["error"]  # says what the address takes
    many = "&".join(f"p{i}=1" for i in range(5000))
    r = client.get(f"/api/datasets?{many}")
    assert r.status_code == 422 and "5000 query parameters" in r.json()["error"]
    page = client.get("/balance?a=RUS&b=IND&evil=1", headers=HTML)
    assert page.status_code == 422 and "evil" in page.text and "Traceback" not in page.text
    assert client.get("/api/balance?a=RUS&b=IND").status_code == 200  # the declared ones pass


def test_unknown_country_is_refused(client: TestClient) -> None:
    r = client.get("/api/balance?a=RUS&b=XXX")
    assert r.status_code == 422 and "'XXX'" in r.json()["error"]
    assert "country" in r.json()["error"]
