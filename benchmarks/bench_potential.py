"""Global export potential (every exporter × market × product) for one year at BACI scale
(the demo world, 11 M flows), with ``tradegap potential-global --out FILE.parquet`` on DuckDB
and on Spark (local mode), each in its own process; peak memory is the process tree's
(Spark: Python driver plus JVM). Target on DuckDB: ≤ 60 s and ≤ 4 GB."""

from __future__ import annotations

import os

import pyarrow.parquet as pq
from _common import PYTHON, TRADEGAP, WORK, gb, load, record, run, say, target_row

HOME = WORK / "wh-demo"
DUCKDB_MEMORY = "3GB"
SPARK_MASTER = "local[2]"
SPARK_DRIVER_MEMORY = "8g"


def ensure_world() -> None:
    if (HOME / "catalog.duckdb").exists():
        return
    say("building the demo world at BACI scale (once) …")
    run([TRADEGAP, "--home", str(HOME), "ingest", "demo", "--scale", "baci"]).check()


def main() -> None:
    ensure_world()
    load_before = load()
    base = [TRADEGAP, "--home", str(HOME), "potential-global", "--year", "2024"]
    duck_out = WORK / "potential-duckdb.parquet"
    duck = run([*base, "--engine", "duckdb", "--memory-limit", DUCKDB_MEMORY,
                "--out", str(duck_out)]).check()
    rows = pq.read_metadata(duck_out).num_rows
    say(f"DuckDB: {duck.seconds:.1f} s, peak {gb(duck.peak_rss)} GB, {rows:,} rows")
    row = target_row("global potential, 11 M flows", "—", "—",
                     f"{duck.seconds:.1f} s, {gb(duck.peak_rss)} GB", duck.seconds / 25,
                     "≤ 25 s, ≤ 3 GB", duck.seconds <= 25 and gb(duck.peak_rss) <= 3)
    if os.environ.get("TRADEGAP_BENCH_SPARK", "1") == "0":  # Spark takes minutes on 2 cores
        record("potential_global", {
            "flows": 11_000_000, "rows_out": rows, "load_before": load_before,
            "duckdb_s": round(duck.seconds, 2), "duckdb_peak_gb": gb(duck.peak_rss),
            "duckdb_cpu_s": round(duck.cpu_s, 1), "duckdb_memory_limit": DUCKDB_MEMORY,
            "rows_table": [row], "spark": "skipped (TRADEGAP_BENCH_SPARK=0)",
            "targets": {"duckdb_s": 60, "duckdb_peak_gb": 4},
            "command": "TRADEGAP_BENCH_SPARK=0 python benchmarks/bench_potential.py",
        })
        return
    spark_out = WORK / "potential-spark.parquet"
    spark = run([*base, "--engine", "spark", "--out", str(spark_out)],
                env={"TRADEGAP_SPARK_MASTER": SPARK_MASTER,
                     "TRADEGAP_SPARK_DRIVER_MEMORY": SPARK_DRIVER_MEMORY}, timeout=3600).check()
    spark_rows = pq.read_metadata(spark_out).num_rows
    say(f"Spark {SPARK_MASTER}: {spark.seconds:.1f} s, peak {gb(spark.peak_rss)} GB, "
        f"{spark_rows:,} rows")
    same = run([PYTHON, "-c", (
        "import duckdb; c = duckdb.connect(); c.execute('SET enable_progress_bar = false'); "
        "print(c.execute(\""
        f"SELECT max(abs(a.potential - b.potential) / greatest(abs(a.potential), 1e-300)) "
        f"FROM '{duck_out}' a JOIN '{spark_out}' b USING (exporter, importer, product)"
        "\").fetchall()[0][0])")]).check()
    max_rel = float(same.stdout.strip().splitlines()[-1].split()[-1])
    say(f"Spark/DuckDB time = {spark.seconds / duck.seconds:.2f}; same rows: "
        f"{rows == spark_rows}; max relative difference of potential: {max_rel:.2e}")
    record("potential_global", {
        "flows": 11_000_000, "rows_out": rows, "load_before": load_before, "rows_table": [row],
        "duckdb_s": round(duck.seconds, 2), "duckdb_peak_gb": gb(duck.peak_rss),
        "duckdb_cpu_s": round(duck.cpu_s, 1), "spark_cpu_s": round(spark.cpu_s, 1),
        "duckdb_memory_limit": DUCKDB_MEMORY,
        "spark_s": round(spark.seconds, 2), "spark_peak_gb": gb(spark.peak_rss),
        "spark_master": SPARK_MASTER, "spark_driver_memory": SPARK_DRIVER_MEMORY,
        "spark_rows_out": spark_rows, "max_rel_diff": max_rel,
        "spark_over_duckdb": round(spark.seconds / duck.seconds, 2),
        "targets": {"duckdb_s": 60, "duckdb_peak_gb": 4},
        "command": "python benchmarks/bench_potential.py",
    })


if __name__ == "__main__":
    main()
