"""Ingest of India's export statistics (DGCI&S, HS8 × partner × fiscal year, 2.8 M rows,
../shared/data/india_exports_eidb) through ``tradegap ingest india-dgcis``, against a plain
pandas ``read_parquet`` + ``to_parquet`` and DuckDB's bare Parquet → Parquet ``COPY`` (neither
validates, maps partner names to ISO3 nor converts units; they bound what is possible)."""

from __future__ import annotations

import shutil

from _common import SHARED, TRADEGAP, WORK, gb, load, python, record, run, say, target_row

INPUT = SHARED / "india_exports_eidb" / "india_exports_hs8_partner.parquet"


def main() -> None:
    if not INPUT.is_file():
        say(f"skipped: {INPUT} not found")
        return
    WORK.mkdir(parents=True, exist_ok=True)
    load_before = load()
    home = WORK / "wh-india"
    shutil.rmtree(home, ignore_errors=True)
    ours = run([TRADEGAP, "--home", str(home), "ingest", "india-dgcis", str(INPUT)]).check()
    say(f"tradegap ingest india-dgcis: {ours.seconds:.1f} s, peak {gb(ours.peak_rss)} GB")
    say(ours.stdout.strip().splitlines()[0] if ours.stdout.strip() else "")
    pandas = python(
        "import pandas as pd\n"
        f"pd.read_parquet({str(INPUT)!r}).to_parquet({str(WORK / 'india-pandas.parquet')!r})\n"
    ).check()
    say(f"pandas read_parquet + to_parquet: {pandas.seconds:.1f} s")
    duck = python(
        "import duckdb\n"
        f"duckdb.sql(\"COPY (SELECT * FROM '{INPUT}') TO '{WORK / 'india-duck.parquet'}' "
        "(FORMAT PARQUET)\")\n"
    ).check()
    say(f"DuckDB bare COPY: {duck.seconds:.1f} s")
    ratio = pandas.seconds / ours.seconds
    row = target_row("India DGCI&S ingest, 2.84 M rows", "bare pandas read_parquet + "
                     "to_parquet", f"{pandas.seconds:.2f} s", f"{ours.seconds:.2f} s", ratio,
                     "≥ 1.0 of its speed", ratio >= 1.0)
    record("ingest_india", {
        "rows_table": [row],
        "rows": 2_842_586, "load_before": load_before,
        "tradegap_s": round(ours.seconds, 2), "tradegap_peak_gb": gb(ours.peak_rss),
        "pandas_s": round(pandas.seconds, 2), "duckdb_bare_s": round(duck.seconds, 2),
        "ratio_vs_pandas": round(pandas.seconds / ours.seconds, 2),
        "ratio_vs_duckdb_bare": round(duck.seconds / ours.seconds, 2),
        "command": "python benchmarks/bench_ingest_india.py",
    })


if __name__ == "__main__":
    main()
