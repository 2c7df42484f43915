"""Load on the dashboard and its JSON API: `tradegap serve` in a subprocess on 127.0.0.1 with a
small demo warehouse, 50 concurrent clients for a bounded time and request count, twice.
Asserts zero errors and that the server's memory (VmRSS) after the second identical round has
not grown by more than a set margin over the first (a bounded cache, no leak per request).
Prints the latency percentiles for BENCHMARKS.md (run with ``-s`` to see them); no timing is
asserted."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import snapshot
from tests.servers import start_serve, stop
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 50
REQUESTS_PER_CLIENT = 16  # at most 800 requests a round
ROUND_SECONDS = 15.0  # and at most this long
#: Growth of the server's resident memory allowed between two identical rounds.
RSS_MARGIN_BYTES = 40 * 1024 * 1024

PAGES = ["/", "/balance", "/potential", "/settlement", "/data"]


def urls(i: int) -> list[str]:
    """The requests of client ``i``: pages and API routes, with parameters that vary (more
    distinct settlement seeds than the server's cache holds, so entries are evicted)."""
    return [
        *PAGES,
        "/api/balance?a=RUS&b=IND",
        f"/api/potential?exporter=IND&market=RUS&limit=50&min_untapped={(i % 7) * 1000}",
        "/api/scenarios",
        f"/api/settlement?scenario=settlement-fund&draws=10&seed={i % 40}",
        "/api/datasets",
        "POST /api/plan",  # re-solves a shipped scenario (cached after the first)
    ]

PLAN_BODY = {"scenario": "all-sectors", "target_share": 0.25}


def send(http: httpx.Client, url: str) -> httpx.Response:
    if url.startswith("POST "):
        return http.post(url[5:], json=PLAN_BODY)
    return http.get(url)


def rss(pid: int) -> int:
    """Resident memory of process ``pid`` in bytes (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("load") / "wh"
    ingest(Warehouse(path), "demo", [], scale="20000", years="2022,2023,2024", seed=1,
           name="demo")
    return path


@pytest.fixture(scope="module")
def server(home: Path) -> tuple[subprocess.Popen[str], str]:
    if not sys.platform.startswith("linux"):
        pytest.skip("reads the server's memory from /proc")
    served = start_serve(home)
    try:
        yield served.proc, served.base
    finally:
        stop(served.proc, signal.SIGINT)


def one_round(base: str) -> tuple[list[float], list[str]]:
    """``CLIENTS`` threads, each with its own connection pool, until each has sent
    ``REQUESTS_PER_CLIENT`` requests or ``ROUND_SECONDS`` have passed."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)
    deadline = time.monotonic() + ROUND_SECONDS

    def client(i: int) -> None:
        mine: list[float] = []
        bad: list[str] = []
        todo = urls(i)
        with httpx.Client(base_url=base, timeout=60) as http:
            start.wait()
            for n in range(REQUESTS_PER_CLIENT):
                if time.monotonic() > deadline:
                    break
                url = todo[(i + n) % len(todo)]
                t0 = time.perf_counter()
                try:
                    response = send(http, url)
                    if response.status_code != 200:
                        bad.append(f"{url}: HTTP {response.status_code} {response.text[:200]}")
                except httpx.HTTPError as exc:
                    bad.append(f"{url}: {type(exc).__name__} {exc}")
                mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=ROUND_SECONDS + 120)
    assert not any(t.is_alive() for t in threads)
    return latencies, errors


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def test_fifty_clients_no_errors_and_memory_does_not_grow(
    server: tuple[subprocess.Popen[bytes], str], home: Path
) -> None:
    proc, base = server
    before = snapshot(Warehouse(home))
    # warm up: every distinct request once, so that both rounds see the same cache state
    distinct = sorted({url for i in range(CLIENTS) for url in urls(i)})
    with httpx.Client(base_url=base, timeout=120) as http:
        for url in distinct:
            assert send(http, url).status_code == 200, url
    first, errors1 = one_round(base)
    rss1 = rss(proc.pid)
    second, errors2 = one_round(base)
    rss2 = rss(proc.pid)
    assert not errors1 and not errors2, (errors1 + errors2)[:10]
    assert len(first) > 0 and len(second) > 0
    both = first + second
    print(f"\nload: {CLIENTS} clients, {len(first)} + {len(second)} requests; latency "
          f"p50 {percentile(both, 0.5) * 1000:.0f} ms, p95 {percentile(both, 0.95) * 1000:.0f} "
          f"ms, max {max(both) * 1000:.0f} ms; server RSS {rss1 / 2**20:.0f} MB after round 1, "
          f"{rss2 / 2**20:.0f} MB after round 2")
    assert rss2 - rss1 <= RSS_MARGIN_BYTES, (rss1, rss2)
    assert proc.poll() is None  # still serving
    assert snapshot(Warehouse(home)) == before  # the dashboard never wrote the warehouse
