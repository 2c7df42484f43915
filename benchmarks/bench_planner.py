"""The planner (``tradegap.planning.plan``, HiGHS) on 5,000 candidate products × 10 years with
every family of limits (market share, capacity, ramp, a sector floor, two logistics routes):
the instance of tests/test_planning_large.py. Median of three solves after a first one.
Target ≤ 2 s."""

from __future__ import annotations

import statistics
import time

from _common import load, record, say

TARGET_S = 2.0


def main() -> None:
    from tradegap.planning import plan
    from tradegap.planning.instances import large_instance

    load_before = load()
    scenario, cands = large_instance(5000, 10)
    t = time.perf_counter()
    first = plan(scenario, cands)
    cold = time.perf_counter() - t
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        plan(scenario, cands)
        runs.append(time.perf_counter() - t)
    median = statistics.median(runs)
    say(f"planner 5,000 × 10: status {first.status}, first {cold:.2f} s, median "
        f"{median:.2f} s; target/measured = {TARGET_S / median:.2f}×")
    record("planner", {
        "products": 5000, "years": 10, "status": first.status, "load_before": load_before,
        "first_s": round(cold, 3), "median_s": round(median, 3),
        "runs_s": [round(r, 3) for r in runs], "target_s": TARGET_S,
        "ratio_target_over_measured": round(TARGET_S / median, 2),
        "command": "python benchmarks/bench_planner.py",
    })


if __name__ == "__main__":
    main()
