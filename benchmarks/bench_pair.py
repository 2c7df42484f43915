"""One pair's full analysis (``tradegap.balance(wh, "RUS", "IND")``: summary, composition,
drivers, concentration, unit values, mirror) on the demo world at BACI scale (11 M flows):
the first call in a fresh process (cold: imports, reference data, file cache) and the median
of the next five (warm). Target warm ≤ 1 s."""

from __future__ import annotations

import statistics
import time

from _common import TRADEGAP, WORK, load, record, run, say

HOME = WORK / "wh-demo"
TARGET_S = 1.0


def main() -> None:
    if not (HOME / "catalog.duckdb").exists():
        run([TRADEGAP, "--home", str(HOME), "ingest", "demo", "--scale", "baci"]).check()
    load_before = load()
    start = time.perf_counter()
    import tradegap
    from tradegap.analysis.balance import balance

    wh = tradegap.open_warehouse(HOME)
    result = balance(wh, "RUS", "IND")
    cold = time.perf_counter() - start
    warm = []
    for _ in range(5):
        t = time.perf_counter()
        balance(wh, "RUS", "IND")
        warm.append(time.perf_counter() - t)
    median = statistics.median(warm)
    say(f"balance RUS IND: cold {cold:.2f} s (with imports), warm median {median:.3f} s "
        f"(runs {', '.join(f'{w:.3f}' for w in warm)}); target/measured = "
        f"{TARGET_S / median:.1f}×")
    record("pair_balance", {
        "flows": 11_000_000, "load_before": load_before, "cold_s": round(cold, 3),
        "warm_median_s": round(median, 3), "warm_runs_s": [round(w, 3) for w in warm],
        "summary_rows": len(result.summary), "target_s": TARGET_S,
        "ratio_target_over_measured": round(TARGET_S / median, 2),
        "command": "python benchmarks/bench_pair.py",
    })


if __name__ == "__main__":
    main()
