"""Write BENCHMARKS.md from the figures in benchmarks/results/*.json (the latest run of each
benchmark), with the machine, the load at the time and the command to rerun."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from _common import RESULTS, ROOT, machine

OUT = ROOT / "BENCHMARKS.md"


def _get(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def _load(r: dict[str, Any]) -> str:
    before = r.get("load_before", {}).get("loadavg")
    return f"load avg {before} before, {r['load_after']['loadavg']} after ({r['measured_at']})"


def _load_line(cores: int) -> str:
    """The machine line on load: each section gives the load of its own run (this file is
    regenerated after the runs, so the load at writing says nothing of them); the sections
    whose run began with a 1-minute load above the number of cores are named."""
    loaded = sorted(
        path.stem for path in RESULTS.glob("*.json")
        if ((_get(path.stem) or {}).get("load_before", {}).get("loadavg") or [0])[0] > cores)
    line = "- load: each section below gives the load before and after its run"
    if loaded:
        line += (f"; **measured under load** ({', '.join(loaded)}): other jobs shared the "
                 f"machine's {cores} cores, so their absolute times are inflated and noisy; "
                 "compare the ratios, each measured within one run (alternating baseline and "
                 "tradegap where both are short)")
    return line


def _cpu(r: dict[str, Any], key: str) -> str:
    return f" (CPU {r[key]} s)" if key in r else ""


def _ok(flag: bool) -> str:
    return "met" if flag else "**missed**"


def _ingest_baci(r: dict[str, Any]) -> list[str]:
    fast = r["speedup_vs_pandas"] >= r["targets"]["speedup_vs_pandas"]
    near = r["speed_vs_duckdb_bare"] >= r["targets"]["speed_vs_duckdb_bare"]
    rows = [
        f"| `tradegap ingest baci` ({r['rows']:,} rows) | {r['tradegap_s']} s"
        f"{_cpu(r, 'tradegap_cpu_s')}, "
        f"{r['tradegap_peak_gb']} GB | 1.00 | |",
        f"| pandas `read_csv` + `to_parquet` | {r['pandas_s']} s{_cpu(r, 'pandas_cpu_s')}, "
        f"{r['pandas_peak_gb']} GB | "
        f"**{r['speedup_vs_pandas']}×** faster | ≥ 5×: {_ok(fast)} |",
        f"| DuckDB bare `COPY` CSV → Parquet | {r['duckdb_bare_s']} s"
        f"{_cpu(r, 'duckdb_bare_cpu_s')}, "
        f"{r['duckdb_bare_peak_gb']} GB | **{r['speed_vs_duckdb_bare']}** of its speed | "
        f"≥ {r['targets']['speed_vs_duckdb_bare']}: {_ok(near)} |",
    ]
    return rows


#: The targets table (issue 19), in this order; each benchmark records its rows.
TARGET_ORDER = ("ingest_baci", "ingest_india", "startup", "pair_balance", "web_api", "planner",
                "potential_global", "real")
#: What was tried for a target not met in the latest run, and why it is not met here (keyed
#: by the row's metric). Written from the measurements of that run; see each section below.
WHY_MISSED = {
    "BACI ingest, 11 M rows": (
        "Tried: one hashing pass per input (the provenance digest comes from the "
        "fingerprint's pass), row groups of 122,880 rows. Measured on a quiet machine (load "
        "below 2, 2026-12-01): 11.9–13.1 s against the bare copy's 6.2–6.4 s, 0.49–0.52 of "
        "its speed (under a load of 16 the same code measured 0.35). Why it stays below 0.8: "
        "the bare copy streams the CSV into Parquet in one pass and checks nothing; the "
        "ingest reads it typed into a temporary table with DuckDB's reject tables, so that "
        "every bad line is reported with its number before anything is written, runs the "
        "product, value, year and duplicate checks and the ISO3 mapping on that table, then "
        "writes it: two passes over 11 M rows where the bare copy makes one. Tried this round "
        "(a script, not kept): one streaming pass, the typed read with its reject tables "
        "straight into the Parquet file in the canonical columns, then the checks on the "
        "written file: the write alone took 22 s on the same file (the bare copy 5.4–6.3 s "
        "alternating), because without a first pass the product codes are built as text "
        "for each of the 11 M rows; the ingest's ENUM lookups, which make its write cheap, "
        "need the distinct products before the write, i.e. the first pass. With every check "
        "kept, 0.8 of a copy that checks nothing is not reachable on 2 cores."),
    "India DGCI&S ingest, 2.84 M rows": (
        "Tried (kept): the text columns are read dictionary-encoded; codes and partner names "
        "are checked, normalised and mapped once per distinct value; duplicates are found on "
        "one packed integer key; the text columns go to the warehouse dictionary-encoded and "
        "are written from their dictionaries (the Parquet file reads back as the canonical "
        "plain text, tests/test_warehouse.py); repeated keys are first looked for with one "
        "sort; no pandas block is consolidated: 6.6 s → 4.0 s, the stored rows identical (a "
        "hash of every stored value). In this run 4.05 s against the bare pandas copy's "
        "2.38 s (0.59). Where the rest goes (profile of the command, 5.3 s under the "
        "profiler): imports and start-up ≈ 0.8 s, reading ≈ 0.5 s, the row checks and "
        "mapping ≈ 1.3 s, the Parquet write ≈ 1.3 s (zstd is already at level 1; snappy "
        "would save 0.2 s and make the file 25 % larger), fingerprint and catalogue commit "
        "≈ 0.8 s. The copy does none of the checks, mapping, fsync or commit; ≥ 1.0 of its "
        "speed with every check kept is not reachable here."),
    "one pair, warm, 11 M-row warehouse": (
        "Tried: the catalogue and the views' database are reused while no file changed "
        "(one stat instead of three catalogue opens and a view rebuild per call), row "
        "groups of 122,880 rows and a pair filter that DuckDB checks against each row "
        "group's min and max (only the groups holding the pair are read); the candidates "
        "of both kinds of year in one query, the shadowed partial fiscal years found in the "
        "statement that builds the pair's rows, the drivers reshaped by unstack. Quiet "
        "machine: 0.26–0.28 s for `balance` with every section against the bare pair sum's "
        "0.029–0.036 s; the pair query alone 0.13 s. The profile (CPU, warm, 5 calls): the "
        "pair's rows and the choice of datasets and periods ≈ 160 ms a call, the summary "
        "≈ 90 ms, the drivers ≈ 50 ms, composition ≈ 30, concentration ≈ 20, unit values "
        "≈ 12. Why ≤ 2× is not reachable: the baseline is one aggregate over the pair; "
        "`balance` computes six sections, and even the pair's query alone is 4× the sum. A "
        "layout sorted by pair (the issue's 3.8× on the pair query) would speed the "
        "baseline too, since it reads the same files, so the ratio would not come near 2."),
    "dashboard, 20 clients, cold caches": (
        "Tried: cached answers take no computation slot, identical requests compute once, "
        "the server warms the default pair and the largest flows at start-up, every "
        "start-up imports the analyses and builds the query views before the first answer "
        "(the first balance of a process: 0.8 s → 0.2 s), and (this round) it serves itself "
        "one request for an address no route serves, so that FastAPI builds every route's "
        "parameter models before the first visitor (the first request of a fresh app: 85 → "
        "8 ms). This run: p95 2.3 s, 0 errors. Why not here: the first wave of 20 clients "
        "asks for 13 different uncached results at once (8 balances of 0.16–0.32 s and 4 "
        "potentials of 0.3–0.4 s each, measured one by one) on 2 cores: about 1.5 s of "
        "computation queue behind two slots, and the requests waiting for them are more "
        "than 5 % of the 300. p95 ≤ 300 ms with cold caches needs each first answer under "
        "≈ 50 ms (see the one-pair row: a balance is ≈ 0.26 s) or more cores."),
    "planner MILP 5,000 × 10 with minimum sizes": (
        "Tried: the default stated gap is 0.1 % (HiGHS stops once within it; at 1e-6 the "
        "MILP plan took 122 s against 30 s at 1e-3 in one run under load, the solve alone "
        "1.35× the LP's). Since issue 12 every plan also re-solves up to 40 binding limits "
        "twice for its shadow prices, which dominates both the LP's and the MILP's time "
        "here; HiGHS's time varies with the load."),
    "global potential, 11 M flows": (
        "Tried: countries and products as small integers from the first stage on (two "
        "registered dictionaries), one packed integer key per flow, the codes joined back "
        "only in the last projection, from categorical dictionaries that DuckDB writes as "
        "ENUMs (this round: ≈ 10 % of the time), and the result file in snappy "
        "(`engine/base.RESULT_PARQUET_CODEC`): 78 s and 3.34 GB (spilling) → 18.5–22.7 s "
        "and 2.2–2.6 GB in the last four runs, the same 19,163,956 rows. Where the rest goes "
        "(DuckDB's profile, CPU): writing 19 M rows of 15 columns, the flows' aggregation, "
        "the join that finds each row's current trade, the hypothetical trade's sum over "
        "products. Packing the exporter–importer pair into one integer made it slower (DuckDB "
        "reordered the joins)."),
    "real-data Headroom page, first load": (
        "Tried (issue 19): the ranking, the real-data plan and the page's section (charts "
        "rendered to their divs) are computed once per warehouse version, code and scenario "
        "file and kept in the warehouse's `cache/` (`warehouse/kept.py`); a fresh app reads "
        "them back; its start-up compiles the templates and stamps the code."),
    "real-data PDF report": (
        "Tried (this round): the PDF is Chromium's print of the HTML report "
        "(`report/chromium_pdf.py`, choreographer) instead of WeasyPrint's layout with "
        "Kaleido PNGs (20.7 s against the HTML's 5.9 s): vector charts drawn by plotly.js, "
        "the contents' page numbers from a first print run in a second tab while the charts "
        "are drawn, Chromium started (niced) while the report is computed, the charts drawn "
        "with the rest of the page set aside. In the runs of this round the ratio was "
        "1.8–2.2 (the timeline of one: computation 5 s, drawing 1.5 s, the final print "
        "0.8 s, closing the browser 0.3 s; Chromium's start and plotly.js's compilation, "
        "≈ 3 s of CPU, slow the computation on 2 cores even when niced): at the target, "
        "not reliably under it. What is left is Chromium's own work, which the HTML report "
        "does not do."),
}


def _targets() -> list[str]:
    rows = []
    for name in TARGET_ORDER:
        r = _get(name)
        if r:
            rows += [(row, r) for row in r.get("rows_table", [])]
    if not rows:
        return []
    out = ["## Targets", "",
           "Each row compares tradegap with its baseline measured in the same run (alternating "
           "where both are short), under the load given in its section below. Ratio: as the "
           "target states it (speed: baseline time / ours; ×: ours / baseline; without a "
           "baseline: measured / target). Each section gives the time and load of its run: "
           "where they differ, that benchmark was run on its own (e.g. the planner with "
           "`TRADEGAP_BENCH_REPEATS=1`, the global potential with `TRADEGAP_BENCH_SPARK=0` "
           "when the machine is too busy for minutes-long repeats).", "",
           "| metric | baseline | tradegap | ratio | target | met |", "|---|---|---|---|---|---|"]
    for row, _ in rows:
        base = row["baseline"] if row["baseline_value"] == "—" else \
            f"{row['baseline']}: {row['baseline_value']}"
        out.append(f"| {row['metric']} | {base} | {row['tradegap']} | {row['ratio']} | "
                   f"{row['target']} | {_ok(row['met'])} |")
    out.append("")
    for row, _ in rows:
        if not row["met"] and row["metric"] in WHY_MISSED:
            out += [f"**{row['metric']}** — missed: {WHY_MISSED[row['metric']]}", ""]
    return out


def _section(title: str, rows: list[str], r: dict[str, Any], notes: list[str]) -> list[str]:
    out = [f"### {title}", "", "| what | measured | ratio | target |", "|---|---|---|---|",
           *rows, "", f"Rerun: `{r['command']}` — {_load(r)}.", ""]
    for note in notes:
        out += [note, ""] if note else []
    return out


def build() -> str:
    m = machine()
    lines = [
        "# Benchmarks",
        "",
        "Figures from the latest run of `benchmarks/` (each ratio measured within one run, on "
        "this machine, under whatever else ran on it: the load is given for every figure). "
        "Regenerate everything with `python benchmarks/run_all.py` (or one script, then "
        "`python benchmarks/report.py`). Big inputs are generated into `$TRADEGAP_BENCH_DIR` "
        "(default `/tmp/tradegap-bench`), never into the repository.",
        "",
        "## Machine",
        "",
        f"- `nproc`: {m['nproc']}; CPU: {m['cpu']}",
        f"- {m['os']}; Python {m['python']}; {m['java'] or 'no Java'}",
        _load_line(m["nproc"] or 1),
        "",
        "```",
        "$ free -h",
        m["free_h"],
        "```",
        "",
    ]
    lines += _targets()
    lines += ["## Results", ""]
    r = _get("ingest_baci")
    if r:
        notes = []
        if r["speedup_vs_pandas"] < 5:
            notes.append(
                "The 5× target over pandas is missed because the practical limit itself is "
                f"only {r['pandas_s'] / r['duckdb_bare_s']:.1f}× pandas here: DuckDB's bare "
                f"copy, with no validation at all, took {r['duckdb_bare_s']} s, pandas "
                f"{r['pandas_s']} s, and our ingest (typed read with reject tables, checks "
                "of products, values, years and duplicates, ISO3 mapping, canonical schema, "
                f"atomic write) {r['tradegap_s']} s, {r['speed_vs_duckdb_bare']} of the bare "
                "copy's speed. On 2 cores shared with other jobs DuckDB's parallel CSV reader "
                "has little to work with, while pandas' single-threaded reader loses nothing; "
                "5× over pandas needs a machine where the bare copy is itself ≥ 5× pandas, "
                "i.e. several more free cores (DuckDB's read scales with them, pandas' does "
                "not). The remaining gap to the bare copy is our validation and mapping.")
        if "parse_s" in r:
            notes.append(
                f"Where our time goes (separate run): parse {r['parse_s']} s (typed read into a "
                "temporary table with reject tables, then the post-read checks), canonical "
                f"relation and zstd Parquet write {r['write_s']} s.")
        if r["speed_vs_duckdb_bare"] < r["targets"]["speed_vs_duckdb_bare"]:
            notes.append(
                "The target against DuckDB's bare copy is missed in this run: the bare copy "
                "reads and writes in one streaming pass, while the ingest materialises the "
                "typed rows first (to report rejects and duplicates with line numbers before "
                "anything is written) and reads them again for the write. What would reach "
                "it: stream the typed read straight into the Parquet write and run the "
                "duplicate and range checks on the written file (a failed check then deletes "
                "the staged file, which the atomic write already allows). The ratio moves "
                "with the free cores, since DuckDB's bare copy uses both and our checks are "
                "partly serial.")
        lines += _section("Ingest: BACI-format CSV, 11 M rows", _ingest_baci(r), r, notes)
    r = _get("ingest_india")
    if r:
        rows = [
            f"| `tradegap ingest india-dgcis` ({r['rows']:,} rows) | {r['tradegap_s']} s, "
            f"{r['tradegap_peak_gb']} GB | 1.00 | — |",
            f"| pandas `read_parquet` + `to_parquet` (no checks) | {r['pandas_s']} s | "
            f"{r['ratio_vs_pandas']}× | — |",
            f"| DuckDB bare `COPY` (no checks) | {r['duckdb_bare_s']} s | "
            f"{r['ratio_vs_duckdb_bare']}× | — |",
        ]
        lines += _section("Ingest: India's export statistics (DGCI&S), 2.8 M rows", rows, r,
                          ["Ratio = baseline time / our time (target: ≥ 1.0 of pandas, see "
                           "Targets). The baselines only copy the file, while the ingest "
                           "validates every row, maps partner names to ISO3, converts US$ "
                           "million to dollars, labels fiscal years and writes the canonical "
                           "schema atomically. Since this round it reads the text columns "
                           "dictionary-encoded and checks, normalises and maps each distinct "
                           "code and partner name once (categoricals), finds duplicates on one "
                           "packed integer key per row and builds the Arrow columns from the "
                           "codes; its output is identical (same table, provenance and "
                           "fingerprint)."])
    r = _get("potential_global")
    if r:
        t_ok = r["duckdb_s"] <= r["targets"]["duckdb_s"]
        m_ok = r["duckdb_peak_gb"] <= r["targets"]["duckdb_peak_gb"]
        duck_row = (
            f"| DuckDB (memory limit {r['duckdb_memory_limit']}), {r['rows_out']:,} rows out | "
            f"{r['duckdb_s']} s{_cpu(r, 'duckdb_cpu_s')}, peak {r['duckdb_peak_gb']} GB | 1.00 "
            f"| ≤ 60 s: {_ok(t_ok)}; ≤ 4 GB: {_ok(m_ok)} |")
        rows = [duck_row,
                f"| Spark `{r['spark_master']}` (driver {r['spark_driver_memory']}) | "
                f"{r['spark_s']} s, peak {r['spark_peak_gb']} GB (JVM + Python) | "
                f"{r['spark_over_duckdb']}× DuckDB's time | — |",
                ] if "spark_s" in r else [duck_row, f"| Spark | {r.get('spark', 'not run')} "
                                                    "| — | — |"]
        notes = [] if "spark_s" not in r else [
                 f"Both write the same {r['spark_rows_out']:,} rows; largest relative "
                 f"difference of `potential` between them: {r['max_rel_diff']:.1e}. Spark in "
                 "local mode on 2 cores pays for the JVM, task scheduling and shuffles that "
                 "only pay off across a cluster's many machines; it is there for data that "
                 "outgrow one machine (`TRADEGAP_SPARK_MASTER=spark://…`).", ""]
        notes += ["History: the first version of the query looked up distances and pairs for "
                 "each of the ≈89 M exporter × market × product terms of the ease "
                 "denominator and took 313 s (3.5 GB) here under the same kind of load; "
                 "factoring `d_ij^(−δ)` out of the sum over products (see "
                 "`analysis/potential_sql.py`) aggregates first and looks up 40 k pairs "
                 "instead, with the same numbers to 1e-14."]
        lines += _section("Global export potential, one year, BACI scale (11 M flows)", rows,
                          r, notes)
    r = _get("pair_balance")
    if r:
        ok = r["warm_median_s"] <= r["target_s"]
        rows = [f"| `balance(wh, 'RUS', 'IND')` warm, median of 5 | {r['warm_median_s']} s "
                f"(cold, with imports: {r['cold_s']} s) | target/measured "
                f"{r['ratio_target_over_measured']}× | ≤ 1 s: {_ok(ok)} |"]
        lines += _section("One pair's full analysis on the demo world at BACI scale", rows, r,
                          [])
    r = _get("ppml")
    if r:
        g = r["gme"]
        gme_row = (f"| gme (USITC; statsmodels GLM with dummies) | {g['seconds']:.2f} s "
                   f"(ln DIST {g['ln_DIST']:.4f}) | fit_ppml {r['gme_over_fit_ppml']}× faster "
                   "| — |") if "seconds" in g else (
                   f"| gme | not measured: {g.get('error')} | — | — |")
        rows = [
            f"| `fit_ppml`, AGTPA ch. 1 (N = {r['n_obs']:,}, exporter-year + importer-year "
            f"FE, clustered) | {r['fit_ppml_s']} s (ln DIST {r['estimate_ln_dist']}) | "
            f"overhead {r['overhead']}× | — |",
            f"| plain `pyfixest.fepois`, same model | {r['pyfixest_s']} s | 1.00 | — |",
            f"| `fit_ppml`, trade without border (N = 4,761) | {r['border_fit_ppml_s']} s | "
            f"overhead {r['border_overhead']}× vs {r['border_pyfixest_s']} s | — |",
            gme_row,
        ]
        lines += _section("PPML gravity on the published panels", rows, r, [])
    r = _get("planner")
    if r:
        ok = r["median_s"] <= r["target_s"]
        n = len(r.get("runs_s", [0] * 3))
        rows = [f"| `plan()` 5,000 products × 10 years ({r['status']}), median of {n} | "
                f"{r['median_s']} s (first {r['first_s']} s) | target/measured "
                f"{r['ratio_target_over_measured']}× | ≤ 2 s: {_ok(ok)} |"]
        notes = []
        if "milp" in r:
            m = r["milp"]
            notes.append(
                f"MILP (minimum size US$ {m['min_size_usd'] / 1e6:.0f} m per product): runs "
                f"{m['runs_s']} s against the LP's {m['lp_runs_s']} s, alternating; status "
                f"{m['status']}, achieved gap {m['mip_gap']:.3%} (stated {m['stated_gap']:.1%}), "
                f"objective {m['objective_below_lp']:.2%} below the LP's (its upper bound).")
        if not ok:
            notes.append(
                "The ≤ 2 s target is missed in this run: since issue 12, `plan()` confirms "
                "each binding limit's shadow price by re-solving with the limit moved both "
                "ways (up to 40 limits, two solves each), so a plan costs up to 81 solves; "
                "the first solve is a small part of that.")
        lines += _section("Planner", rows, r, notes)
    else:
        lines += ["### Planner", "", "TODO: not measured yet (`benchmarks/bench_planner.py`).",
                  ""]
    r = _get("case_study")
    if r:
        ok = r["ratio"] >= r["targets"]["ratio"]
        rows = [f"| `tradegap case-study russia-india --no-charts`, cold (new `--home`: ingest, "
                f"gravity fit, everything computed) | {r['cold_s']} s (CPU {r['cold_cpu_s']} s)"
                " | 1.00 | |",
                f"| the same, warm (same `--home`: nothing re-ingested or recomputed) | "
                f"{r['warm_s']} s (CPU {r['warm_cpu_s']} s) | **{r['ratio']}×** faster | "
                f"≥ 4×: {_ok(ok)} |",
                f"| warm, with the 7 PNG charts | {r['warm_with_charts_s']} s | — | — |"]
        lines += _section("Case study: cold against warm re-run", rows, r, [
            "Warm: unchanged input files (size and mtime in the manifest) are not ingested "
            "again, and the results are read back when the datasets, scenario files, settings "
            "and code are the same; the document is rendered anew."])
    r = _get("measures")
    if r:
        rows = [f"| `measures()` 5,000 products × 10 years × 120 months ({r['status']}; "
                f"{r['columns']:,} columns, {r['rows']:,} rows, {r['nonzeros']:,} nonzeros), "
                f"median of {len(r['runs_s'])} | {r['median_s']} s (CPU "
                f"{', '.join(str(c) for c in r.get('cpu_s', []))} s; build {r['build_s']} s) | — "
                "| not timed in tests |",
                f"| the same with {r['shadow_prices']} shadow prices checked by re-solving | "
                f"{r['with_shadow_prices_s']} s | — | — |"]
        lines += _section("Measures (one LP over purchases, gates, routes and the idle "
                          "balance)", rows, r, [])
    r = _get("web_api")
    if r:
        ok = r["p95_ms"] <= r["target_p95_ms"] and r["errors"] == 0
        per = "; ".join(f"{p}: p50 {v['p50_ms']} ms, p95 {v['p95_ms']} ms"
                        for p, v in r["per_endpoint"].items())
        rows = [f"| {r['requests']} requests, {r['clients']} concurrent clients | p50 "
                f"{r['p50_ms']} ms, p95 {r['p95_ms']} ms, errors {r['errors']}, "
                f"{r['throughput_rps']} req/s | target/p95 {r['ratio_target_over_p95']}× | "
                f"p95 ≤ 300 ms, 0 errors: {_ok(ok)} |"]
        lines += _section("Dashboard JSON API (`tradegap serve`, 127.0.0.1, demo world "
                          "small)", rows, r,
                          [f"Per endpoint: {per}. {r.get('distinct_requests', 3)} distinct "
                           "requests (pairs and endpoints); the app caches each result per "
                           "warehouse state, so only the first of each is computed.", "",
                           *([] if ok else [
                               "The p95 target is missed because of the uncached requests: "
                               "the first balance or potential of each pair is computed "
                               "while the requests that arrive meanwhile queue behind it on "
                               "2 cores. p50 shows the cached path. An earlier run with "
                               "3 distinct requests, all warmed up, measured p95 40 ms, 0 "
                               "errors. The server already warms the default pair and the "
                               "largest flows at start-up; the benchmark's 8 pairs are not "
                               "among them, as a visitor's need not be. Answering a computing "
                               "request with 202 and a poll would free the connection but "
                               "not bring the answer sooner. What would reach it: each first "
                               "answer under about 50 ms, or more cores."])])
    else:
        lines += ["### Dashboard JSON API", "",
                  "TODO: not measured yet (`benchmarks/bench_web.py`).", ""]
    r = _get("real")
    if r and "headroom_computing_s" in r:
        warm = sorted(r["headroom_warm_s"])[len(r["headroom_warm_s"]) // 2]
        rows = [f"| Headroom page, first load computing (no kept result: the first visitor "
                f"after an ingest) | {r['headroom_computing_s']} s | "
                f"{round(r['headroom_computing_s'] / warm, 1)}× warm | — |",
                f"| Headroom page, first load of a fresh app (the result kept once per "
                f"warehouse version) | {r['headroom_first_s']} s | "
                f"{round(r['headroom_first_s'] / warm, 1)}× warm | ≤ 3× warm: "
                f"{_ok(r['headroom_first_s'] <= 3 * warm)} |",
                f"| the same page warm, median of {len(r['headroom_warm_s'])} | {warm} s | 1.00 "
                "| |"]
        if r.get("report_pdf_s"):
            rows.append(f"| PDF report / HTML report, best of {len(r['report_pdf_s'])} | "
                        f"{round(min(r['report_pdf_s']), 1)} s / "
                        f"{round(min(r['report_html_s']), 1)} s | "
                        f"{round(min(r['report_pdf_s']) / min(r['report_html_s']), 2)}× | "
                        "≤ 2×: " + _ok(min(r["report_pdf_s"]) <= 2 * min(r["report_html_s"]))
                        + " |")
        notes = []
        if r.get("report_pdf_s"):
            pairs = ", ".join(f"{pdf / html:.2f}" for html, pdf in
                              zip(r["report_html_s"], r["report_pdf_s"], strict=False))
            notes.append(
                f"Each run's PDF over the HTML run before it: {pairs}. The PDF is Chromium's "
                "print of the HTML report (`report/chromium_pdf.py`): its own costs are "
                "Chromium's start and plotly.js's compilation (overlapping the computation), "
                "drawing the charts, the final print and closing the browser; runs of the "
                "same code measured 1.8–2.2 on this machine, so the target is met at the line, "
                "not with a margin.")
        if r.get("report_measured_at"):
            notes.append(f"The two reports were not run this time "
                         f"(`TRADEGAP_BENCH_REAL_REPORT=0`): their figures are from "
                         f"{r['report_measured_at']}, load avg {r['report_load']} after.")
        lines += _section("Real-data warehouse: Headroom page and reports", rows, r, notes)
    lines += LOAD_TEST
    return "\n".join(lines).rstrip() + "\n"


#: Figures printed by tests/test_load.py (a test, not a benchmark script: it asserts zero errors
#: and bounded memory; its timings are copied here by hand from its last run).
LOAD_TEST = [
    "### Load test of the dashboard (`tests/test_load.py`)", "",
    "50 concurrent clients (threads + httpx) against `tradegap serve` on 127.0.0.1, two rounds "
    "of at most 16 requests per client or 15 s, over pages, the JSON API and POST /api/plan; "
    "the server runs at most 2 computations at a time.", "",
    "| run | requests | p50 | p95 | max | errors | server RSS round 1 → 2 |",
    "|---|---|---|---|---|---|---|",
    "| 2026-11-22, load avg ≈ 2 | 800 + 800 | 644 ms | 1,195 ms | 1,596 ms | 0 | 271 → 272 MB |",
    "| 2026-11-22, load avg ≈ 6.5 | 622 + 481 | 1,193 ms | 2,337 ms | 3,950 ms | 0 | flat |",
    "",
    "Zero errors and flat memory are asserted by the test; the latencies are higher than the "
    "20-client benchmark above because 50 clients share 2 cores and 2 computation slots.", "",
]


def main() -> Path:
    OUT.write_text(build())
    print(f"wrote {OUT}")
    return OUT


if __name__ == "__main__":
    main()
