"""The dashboard's JSON API (``tradegap serve``, started here as a subprocess on 127.0.0.1 and
stopped by its pid) under 20 concurrent clients, each sending a fixed number of requests that
cycle through /api/balance, /api/potential and /api/datasets, on the demo world at the scale of
``make demo`` (small), over 8 pairs (13 distinct requests; the app caches results, so each is
computed once). Cold caches: a fresh server, measured from its first answer on, with no warm-up
request of our own (the server warms the likely first requests itself at start-up). Target:
p95 ≤ 300 ms, no error.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from _common import TRADEGAP, WORK, load, record, run, say, target_row

HOME = WORK / "wh-small"
CLIENTS = 20
REQUESTS_PER_CLIENT = 15
TARGET_P95_MS = 300.0
PAIRS = (("RUS", "IND"), ("CHN", "USA"), ("DEU", "FRA"), ("BRA", "ARG"), ("JPN", "KOR"),
         ("IND", "ARE"), ("TUR", "RUS"), ("GBR", "NLD"))
#: 8 balances, 4 potentials, the dataset list: each served from the app's cache after its
#: first request, so the mix has 13 uncached requests (the warm-up covers 3 of them).
PATHS = (
    *(f"/api/balance?a={a}&b={b}" for a, b in PAIRS),
    *(f"/api/potential?exporter={a}&market={b}&limit=50" for a, b in PAIRS[:4]),
    "/api/datasets",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _client(base: str, offset: int) -> list[tuple[str, float, bool]]:
    out = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for i in range(REQUESTS_PER_CLIENT):
            path = PATHS[(offset + i) % len(PATHS)]
            t = time.perf_counter()
            try:
                ok = client.get(path).status_code == 200
            except httpx.HTTPError:
                ok = False
            out.append((path.split("?")[0], (time.perf_counter() - t) * 1000, ok))
    return out


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    if not (HOME / "catalog.duckdb").exists():
        run([TRADEGAP, "--home", str(HOME), "ingest", "demo", "--scale", "small"]).check()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([TRADEGAP, "--home", str(HOME), "serve", "--host", "127.0.0.1",
                               "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 120
        while True:
            try:
                if httpx.get(base + "/api/datasets", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.time() > deadline:
                raise RuntimeError("tradegap serve did not start: "
                                   + server.stderr.read().decode()[-1000:])
            time.sleep(0.5)
        load_before = load()
        t = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            results = [r for part in pool.map(lambda c: _client(base, c), range(CLIENTS))
                       for r in part]
        wall = time.perf_counter() - t
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    times = [ms for _, ms, _ in results]
    errors = sum(1 for *_, ok in results if not ok)
    per = {p: {"p50_ms": round(statistics.median([ms for q, ms, _ in results if q == p]), 1),
               "p95_ms": round(_pct([ms for q, ms, _ in results if q == p], 0.95), 1)}
           for p in sorted({q for q, _, _ in results})}
    p50, p95 = statistics.median(times), _pct(times, 0.95)
    say(f"{len(results)} requests, {CLIENTS} clients: p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
        f"errors {errors}, {len(results) / wall:.1f} req/s; target/p95 = "
        f"{TARGET_P95_MS / p95:.2f}×; per endpoint {per}")
    row = target_row("dashboard, 20 clients, cold caches", "—", "—",
                     f"p95 {p95:.0f} ms, {errors} errors", p95 / TARGET_P95_MS,
                     "p95 ≤ 300 ms, 0 errors", p95 <= TARGET_P95_MS and errors == 0)
    record("web_api", {
        "clients": CLIENTS, "requests": len(results), "load_before": load_before,
        "distinct_requests": len(PATHS),
        "warmup": "none (cold caches)", "rows_table": [row], "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1), "errors": errors,
        "throughput_rps": round(len(results) / wall, 1), "per_endpoint": per,
        "target_p95_ms": TARGET_P95_MS, "ratio_target_over_p95": round(TARGET_P95_MS / p95, 2),
        "command": "python benchmarks/bench_web.py",
    })


if __name__ == "__main__":
    main()
