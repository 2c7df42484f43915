"""Ingest of a BACI-format CSV of 11 million rows (the demo world at BACI scale, written by
``sources.demo.write_baci_csv``) through ``tradegap ingest baci``, against a plain pandas
``read_csv`` + ``to_parquet`` and against DuckDB's own bare CSV → Parquet ``COPY`` (the
practical limit: no validation, no country mapping). Targets: ≥ 5× pandas, ≥ ½ DuckDB's speed.
"""

from __future__ import annotations

import shutil

from _common import PYTHON, TRADEGAP, WORK, gb, load, python, record, run, say, target_row

ROWS = "baci"  # 11 M flows
#: Where the ingest's time goes: parse (read and checks) and the write, timed apart.
PHASES = """
import shutil, time
from pathlib import Path
from tradegap.sources import baci
from tradegap.warehouse import Warehouse
t = time.perf_counter()
parsed = baci.parse([Path({csv!r})])
t1 = time.perf_counter()
shutil.rmtree({home!r}, ignore_errors=True)
Warehouse({home!r}).write_many([parsed.request()])
print(t1 - t, time.perf_counter() - t1)
shutil.rmtree({home!r}, ignore_errors=True)
"""


def baci_csv():
    directory = WORK / "baci"
    found = sorted(directory.glob("BACI_*_Y2024_*.csv"))
    if found:
        return found[0]
    say("writing the 11 M-row BACI-format CSV (once) …")
    run([PYTHON, "-c", "from tradegap.sources.demo import write_baci_csv; "
         f"write_baci_csv({str(directory)!r}, {ROWS!r}, year=2024)"]).check()
    return sorted(directory.glob("BACI_*_Y2024_*.csv"))[0]


def main() -> None:
    csv = baci_csv()
    with open(csv, "rb") as fh:
        rows = sum(1 for _ in fh) - 1
    load_before = load()
    home = WORK / "wh-baci-ingest"
    shutil.rmtree(home, ignore_errors=True)
    ours = run([TRADEGAP, "--home", str(home), "ingest", "baci", str(csv)]).check()
    say(f"tradegap ingest baci: {ours.seconds:.1f} s, peak {gb(ours.peak_rss)} GB")

    out = WORK / "pandas-baseline.parquet"
    pandas = python(
        "import pandas as pd\n"
        f"df = pd.read_csv({str(csv)!r}, dtype={{'k': str}})\n"
        f"df.to_parquet({str(out)!r}, index=False)\n"
    ).check()
    say(f"pandas read_csv + to_parquet: {pandas.seconds:.1f} s, peak {gb(pandas.peak_rss)} GB")

    bare = WORK / "duckdb-bare.parquet"
    duck = python(
        "import duckdb\n"
        f"duckdb.sql(\"COPY (SELECT * FROM read_csv('{csv}')) TO '{bare}' (FORMAT PARQUET)\")\n"
    ).check()
    say(f"DuckDB bare COPY: {duck.seconds:.1f} s, peak {gb(duck.peak_rss)} GB")

    phases = python(PHASES.format(csv=str(csv), home=str(WORK / "wh-baci-phases"))).check()
    parse_s, write_s = (float(x) for x in phases.stdout.strip().splitlines()[-1].split()[-2:])
    say(f"  of which parse (typed read, reject tables, checks) {parse_s:.1f} s, canonical "
        f"relation + Parquet write {write_s:.1f} s (separate run)")

    speedup_pandas = pandas.seconds / ours.seconds
    share_of_duckdb = duck.seconds / ours.seconds
    say(f"ratio pandas/tradegap = {speedup_pandas:.2f}× (target ≥ 5); "
        f"tradegap speed / DuckDB bare = {share_of_duckdb:.2f} (target ≥ 0.8)")
    row = target_row("BACI ingest, 11 M rows", "bare DuckDB `COPY … TO parquet`",
                     f"{duck.seconds:.2f} s", f"{ours.seconds:.2f} s (every check)",
                     share_of_duckdb, "≥ 0.8 of its speed", share_of_duckdb >= 0.8)
    record("ingest_baci", {
        "rows_table": [row],
        "rows": rows, "load_before": load_before,
        "tradegap_s": round(ours.seconds, 2), "tradegap_peak_gb": gb(ours.peak_rss),
        "pandas_s": round(pandas.seconds, 2), "pandas_peak_gb": gb(pandas.peak_rss),
        "duckdb_bare_s": round(duck.seconds, 2), "duckdb_bare_peak_gb": gb(duck.peak_rss),
        "tradegap_cpu_s": round(ours.cpu_s, 1), "pandas_cpu_s": round(pandas.cpu_s, 1),
        "duckdb_bare_cpu_s": round(duck.cpu_s, 1),
        "parse_s": round(parse_s, 2), "write_s": round(write_s, 2),
        "speedup_vs_pandas": round(speedup_pandas, 2),
        "speed_vs_duckdb_bare": round(share_of_duckdb, 2),
        "targets": {"speedup_vs_pandas": 5.0, "speed_vs_duckdb_bare": 0.8},
        "command": "python benchmarks/bench_ingest_baci.py",
    })


if __name__ == "__main__":
    main()
