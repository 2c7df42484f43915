"""The Russia–India case study (``tradegap case-study russia-india``) on ../shared/data, cold
(a new warehouse: every file ingested, the gravity benchmark fitted) against warm (the same
``--home`` again: unchanged files are not read, the fit is read from the cache). Target: the
warm re-run at least 4× faster. Both runs write the document without charts (``--no-charts``):
the PNGs are the same work in both and are timed apart."""

from __future__ import annotations

import shutil

from _common import SHARED, TRADEGAP, WORK, load, record, run, say

TARGET = 4.0


def main() -> None:
    if not (SHARED / "russia_india_bilateral").is_dir():
        say(f"skipped: {SHARED} lacks the case study's files")
        return
    WORK.mkdir(parents=True, exist_ok=True)
    home, out = WORK / "wh-case-study", WORK / "case-study-doc"
    shutil.rmtree(home, ignore_errors=True)
    load_before = load()
    cmd = [TRADEGAP, "case-study", "russia-india", "--data", str(SHARED), "--home", str(home),
           "--out", str(out), "--no-charts"]
    cold = run(cmd).check()
    say(f"cold: {cold.seconds:.1f} s (CPU {cold.cpu_s:.1f} s)")
    warm = run(cmd).check()
    say(f"warm: {warm.seconds:.1f} s (CPU {warm.cpu_s:.1f} s)")
    charts = run([*cmd[:-1], "--charts"]).check()
    say(f"warm with the PNG charts: {charts.seconds:.1f} s")
    ratio = cold.seconds / warm.seconds
    record("case_study", {
        "load_before": load_before, "cold_s": round(cold.seconds, 2),
        "cold_cpu_s": round(cold.cpu_s, 2), "warm_s": round(warm.seconds, 2),
        "warm_cpu_s": round(warm.cpu_s, 2), "warm_with_charts_s": round(charts.seconds, 2),
        "ratio": round(ratio, 2), "cpu_ratio": round(cold.cpu_s / max(warm.cpu_s, 1e-9), 2),
        "targets": {"ratio": TARGET},
        "command": "python benchmarks/bench_case_study.py",
    })


if __name__ == "__main__":
    main()
