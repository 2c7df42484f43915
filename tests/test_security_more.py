"""More security checks of the dashboard (beyond tests/test_web.py): random text, SQL-looking
and path-like values in every parameter of every route never give a 500 or a traceback; a
sweep of hostile requests leaves the warehouse byte-for-byte unchanged (no file created,
changed or removed under its home); `tradegap serve` listens on 127.0.0.1 only unless told
otherwise (read from the kernel's socket table)."""

from __future__ import annotations

import signal
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import snapshot
from tests.servers import serving
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse
from tradegap.web import create_app

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = [
    "RUS' OR 1=1--", "IND; DROP TABLE flows", "'; ATTACH '/tmp/x.db' AS x; --",
    "1); COPY flows TO '/tmp/out.csv' --", "../../etc/passwd", "/etc/passwd",
    "..%2F..%2Fcatalog.duckdb", "catalog.duckdb", "C:\\windows\\win.ini", "\x00", "%00",
    "<script>alert(1)</script>", "{{7*7}}", "${jndi:ldap://x}", "A" * 5000, "é" * 100,
    "-1", "1e309", "nan", "inf", "", " ",
]
#: Page routes and their query parameters (the HTML side of the dashboard).
PAGE_PARAMS = {
    "/": ["a", "b", "period", "frequency"],
    "/balance": ["a", "b", "frequency"],
    "/potential": ["exporter", "market", "group", "q"],
    "/potential/results": ["exporter", "market", "group", "q", "sort", "order",
                           "min_untapped"],
    "/plan": ["scenario"],
    "/settlement": ["scenario", "draws", "plan"],
    "/settlement/results": ["scenario", "draws", "seed", "plan"],
    "/data": ["a", "b"],
}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sec") / "wh"
    ingest(Warehouse(path), "demo", [], scale="5000", years="2023,2024", seed=2, name="demo")
    return path


@pytest.fixture(scope="module")
def client(home: Path) -> TestClient:
    return TestClient(create_app(home), raise_server_exceptions=False)


def routes(client: TestClient) -> dict[str, list[str]]:
    """Every GET route with its query parameters: the API's from the OpenAPI document, and
    the pages'."""
    spec = client.get("/openapi.json").json()["paths"]
    out = {path: [p["name"] for p in ops["get"].get("parameters", []) if p["in"] == "query"]
           for path, ops in spec.items() if "get" in ops}
    return {**out, **PAGE_PARAMS}


def files_under(home: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(home)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in home.rglob("*") if p.is_file()}


def assert_handled(r: object, where: object, expect: frozenset[int] = frozenset({200, 422}),
                   field: str | None = None) -> None:
    """Answered with one of the ``expect`` statuses (never a 500 or a 503 under this light
    load); an error is JSON that says what was wrong (naming ``field``); no traceback."""
    status = r.status_code  # type: ignore[attr-defined]
    text = r.text  # type: ignore[attr-defined]
    assert status in expect, (where, status, text[:300])
    assert "Traceback" not in text and 'File "' not in text, where
    if status != 200 and r.headers["content-type"].startswith("text/html"):  # a page
        assert field is None or field in text, (where, text[:300])
    elif status != 200:
        body = r.json()  # type: ignore[attr-defined]
        assert body["status"] == status and body["error"].strip(), (where, body)
        if field is not None:
            assert field in body["error"], (where, body)


def test_hostile_values_in_every_parameter_change_nothing(client: TestClient,
                                                          home: Path) -> None:
    before, files = snapshot(Warehouse(home)), files_under(home)
    table = routes(client)
    assert "/api/balance" in table and "/api/potential" in table
    for path, params in table.items():
        if "{" in path:
            continue
        for name in params:
            for value in HOSTILE:
                r = client.get(path, params={name: value})
                # a dataset the warehouse does not hold is a resource not found, named
                expect = frozenset({200, 404, 422}) if name == "dataset" else None
                assert_handled(r, (path, name, value[:40]), *([expect] if expect else []),
                               field=name)
                if path.startswith("/api/"):
                    assert r.headers["content-type"].startswith("application/json"), path
    for value in HOSTILE:
        for body in ({"scenario": value}, {"scenario": "all-sectors", "groups": [value]},
                     {"scenario": "all-sectors", "target_share": value}):
            assert_handled(client.post("/api/plan", json=body), body, frozenset({422}),
                           field=next(reversed(body)))
        assert_handled(client.post("/plan/results", data={"scenario": value}), value[:40],
                       frozenset({422}), field="scenario")
        name = value if value.isprintable() else quote(value, safe="")
        assert_handled(client.get("/static/" + name), value[:40], frozenset({404}))
    assert snapshot(Warehouse(home)) == before
    assert files_under(home) == files  # nothing created, changed or removed under home
    assert client.get("/api/balance?a=RUS&b=IND").status_code == 200  # still serving


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_text_in_any_parameter_is_handled(client: TestClient, data: st.DataObject
                                                 ) -> None:
    table = {p: v for p, v in routes(client).items() if v and "{" not in p}
    path = data.draw(st.sampled_from(sorted(table)))
    names = data.draw(st.lists(st.sampled_from(table[path]), min_size=1, max_size=3,
                               unique=True))
    params = {n: data.draw(st.text(max_size=60)) for n in names}
    assert_handled(client.get(path, params=params), (path, params))


def _listening(port: int) -> set[str]:
    """Local addresses listening on ``port`` (IPv4 and IPv6), from /proc/net."""
    found = set()
    for table in ("tcp", "tcp6"):
        path = Path("/proc/net") / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.split(":")
            if int(hexport, 16) == port and state == "0A":  # LISTEN
                found.add(addr)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads /proc/net/tcp")
def test_serve_listens_on_loopback_only(home: Path) -> None:
    with serving(home, sig=signal.SIGINT) as served:
        assert served.output[0].startswith(f"tradegap dashboard on {served.base}/")
        assert _listening(served.port) == {"0100007F"}  # 127.0.0.1, and nothing else
