"""The dashboard's limits and errors over real HTTP: ``tradegap serve`` (the console script) in
a subprocess on 127.0.0.1, with httpx as the client. Bodies over 64 KB are refused whether
announced (Content-Length) or streamed (chunked); errors are JSON; the Host header is checked
on a loopback server and not on one bound to every interface (read from the kernel's socket
table), as ``--host`` promises."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import Served, serving
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse
from tradegap.web.limits import MAX_BODY

from .test_security_more import _listening

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads /proc/net")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("srv") / "wh"
    ingest(Warehouse(path), "demo", [], scale="5000", years="2023,2024", seed=2, name="demo")
    return path


@pytest.fixture(scope="module")
def served(home: Path) -> Iterator[Served]:
    with serving(home, sig=signal.SIGINT) as s:
        yield s


def chunks(total: int, size: int = 8192) -> Iterator[bytes]:
    """``total`` bytes of a JSON string body, sent in chunks (no Content-Length)."""
    yield b'{"scenario": "all-sectors", "pad": "'
    left = total
    while left > 0:
        yield b"x" * min(size, left)
        left -= size
    yield b'"}'


def test_bodies_over_64_kb_are_refused_announced_or_chunked(served: Served) -> None:
    refusal = {"error": "request body larger than 64 KB", "status": 413}
    with httpx.Client(base_url=served.base, timeout=60) as http:
        big = b'{"scenario": "all-sectors", "pad": "' + b"x" * MAX_BODY + b'"}'
        r = http.post("/api/plan", content=big, headers={"content-type": "application/json"})
        assert (r.status_code, r.json()) == (413, refusal)
        assert r.request.headers["content-length"] == str(len(big))
        r = http.post("/api/plan", content=chunks(MAX_BODY + 1),
                      headers={"content-type": "application/json"})
        assert r.request.headers.get("transfer-encoding") == "chunked"
        assert (r.status_code, r.json()) == (413, refusal)
        # just under the limit, chunked: read whole and answered (the pad is not a setting)
        r = http.post("/api/plan", content=chunks(MAX_BODY - 100),
                      headers={"content-type": "application/json"})
        assert r.status_code == 422 and "pad" in r.json()["error"], r.text[:300]
        r = http.post("/api/plan", content=iter([b'{"scenario": ', b'"all-sectors"}']),
                      headers={"content-type": "application/json"})
        assert r.status_code == 200 and r.json()["status"] == "optimal", r.text[:300]


def test_errors_are_json_over_http(served: Served) -> None:
    with httpx.Client(base_url=served.base, timeout=60) as http:
        r = http.get("/api/nowhere")
        assert (r.status_code, r.json()) == (404, {"error": "Not Found", "status": 404})
        r = http.get("/api/balance", params={"a": "russia", "b": "IND"})
        assert r.status_code == 422
        assert r.json()["error"] == "a: String should match pattern '^[A-Z]{3}$'"
        r = http.get("/api/settlement", params={"scenario": "no-such-scenario"})
        assert r.status_code == 422 and "settlement-fund" in r.json()["hint"]
        for resp in (r, http.get("/api/nowhere")):
            assert resp.headers["content-type"] == "application/json"
            assert resp.headers["x-content-type-options"] == "nosniff"


def test_a_loopback_server_refuses_foreign_host_names(served: Served) -> None:
    assert _listening(served.port) == {"0100007F"}
    assert httpx.get(served.base + "/api/scenarios").status_code == 200
    for name in ("localhost", f"localhost:{served.port}", f"127.0.0.1:{served.port}"):
        r = httpx.get(served.base + "/api/scenarios", headers={"host": name})
        assert r.status_code == 200, name
    r = httpx.get(served.base + "/api/scenarios", headers={"host": "evil.example"})
    assert r.status_code == 400 and "Invalid host header" in r.text  # DNS rebinding


def test_host_0_0_0_0_listens_on_every_interface(home: Path) -> None:
    with serving(home, "--host", "0.0.0.0", sig=signal.SIGINT) as s:
        assert s.output[0].startswith(f"tradegap dashboard on http://0.0.0.0:{s.port}/")
        assert _listening(s.port) == {"00000000"}  # every IPv4 interface
        r = httpx.get(s.base + "/api/scenarios", headers={"host": "trade.example"})
        assert r.status_code == 200  # a network server answers its own name


def test_a_port_in_use_is_a_clean_error(served: Served, home: Path) -> None:
    import subprocess

    from tests.servers import TRADEGAP

    proc = subprocess.run([TRADEGAP, "--home", str(home), "serve", "--port", str(served.port)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: field '--port': cannot listen on 127.0.0.1:"), proc.stderr
    assert "Traceback" not in proc.stderr and "choose another --port" in proc.stderr
