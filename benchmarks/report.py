"""Write BENCHMARKS.md from the figures in benchmarks/results/*.json (the latest run of each
benchmark), with the machine, the load at the time and the command to rerun."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from _common import RESULTS, ROOT, load, machine

OUT = ROOT / "BENCHMARKS.md"


def _get(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def _load(r: dict[str, Any]) -> str:
    before = r.get("load_before", {}).get("loadavg")
    return f"load avg {before} before, {r['load_after']['loadavg']} after ({r['measured_at']})"


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
        "fingerprint's pass), row groups of 122,880 rows. Not done: streaming the typed read "
        "straight into the Parquet write with the range and duplicate checks run on the "
        "written file, which is what the bare copy does; the parsing in sources/baci.py was "
        "being changed for issue 14 at the same time, so it was left as it is."),
    "India DGCI&S ingest, 2.84 M rows": (
        "Tried (and kept): the text columns are read dictionary-encoded; codes and partner "
        "names are checked, normalised and mapped once per distinct value; duplicates are "
        "found on one packed integer key; the Arrow columns are built from the codes. parse() "
        "alone went from 74.9 s to 9.0 s in one side-by-side run under load, with the same "
        "table, provenance and fingerprint. What is left of the gap is the command's own "
        "start-up, the zstd write with fsync and the catalogue commit, which the bare "
        "pandas copy (snappy, no fsync) does not do."),
    "one pair, warm, 11 M-row warehouse": (
        "Tried: the catalogue and the views' database are reused while no file changed "
        "(one stat instead of three catalogue opens and a view rebuild per call), row "
        "groups of 122,880 rows and a pair filter that DuckDB checks against each row "
        "group's min and max (only the groups holding the pair are read). Second round "
        "(issue 19): the candidates of both kinds of year in one query (three before), the "
        "shadowed partial fiscal years found in the statement that builds the pair's rows "
        "(no UPDATE), the drivers reshaped by unstack; results equal to before (to the "
        "tie order and last bits in which DuckDB's parallel sums already differ from run "
        "to run on the real warehouse), but the CPU time per call did not measurably move "
        "(0.26–0.34 s before and after, alternating, load ≈ 5–7). The profile (CPU, warm): "
        "building the pair's 3,700 rows with their 15 columns costs about 100 ms against "
        "the bare sum's 35–45 ms, because every column chunk of the 122,880-row groups "
        "holding the pair is decompressed; the other statements 30–40 ms; the sections' "
        "pandas work about 150 ms (summary 55, drivers 40, composition and concentration "
        "20 each). What would reach it: smaller row groups or a layout sorted by pair at "
        "write (an ingest change, so the 11 M-row warehouse is written again), and the "
        "sections computed in one SQL pass over the pair."),
    "dashboard, 20 clients, cold caches": (
        "Tried: cached answers take no computation slot, identical requests compute once, "
        "and the server warms the default pair and the largest flows at start-up. The first "
        "wave of 20 clients asks for 13 different uncached results at once on 2 cores: those "
        "requests still wait for the computations, and they are more than 5 % of the 300."),
    "planner MILP 5,000 × 10 with minimum sizes": (
        "Tried: the default stated gap is 0.1 % (HiGHS stops once within it; at 1e-6 the "
        "MILP plan took 122 s against 30 s at 1e-3 in one run under load, the solve alone "
        "1.35× the LP's). Since issue 12 every plan also re-solves up to 40 binding limits "
        "twice for its shadow prices, which dominates both the LP's and the MILP's time "
        "here; HiGHS's time varies with the load."),
    "global potential, 11 M flows": (
        "Not worked on in this round. What would reach it (from the profile): integer "
        "surrogate keys for exporter, importer and product from the first stage on (the "
        "main join was 2.5× faster with them in isolation), which also stops the spilling "
        "under the 3 GB limit."),
    "real-data Headroom page, first load": (
        "Tried (issue 19): the ranking, the real-data plan and the page's section (charts "
        "rendered to their divs) are computed once per warehouse version, code and scenario "
        "file and kept in the warehouse's `cache/` (`warehouse/kept.py`); a fresh app reads "
        "them back. Against the previous code, alternating in one run (load ≈ 5): first "
        "load 10.7 and 13.3 s before, 0.43 and 0.51 s after, the same page bytes. In four "
        "runs of this benchmark (load 5–7) the fresh app's first load was 0.24–1.26 s "
        "against 0.04–0.10 s warm (3.9–13×). It stays above 3× because the warm page is now "
        "a cached section rendered (against 0.2–0.5 s of chart building per request "
        "before), while a fresh process's first request still reads the catalogue to prove "
        "the kept result current (≈ 0.08 s), stamps the code (≈ 0.02 s), compiles the "
        "template and imports what the page needs. The computation itself (18–24 s in "
        "these runs: 23 PPML fits with pyfixest's and scipy's imports, the headroom inputs "
        "twice, the gap's balance) now runs once per warehouse version, or at `tradegap "
        "serve` start-up."),
    "real-data PDF report": (
        "Not worked on in this round (the report templates were being reworked for "
        "issue 16): WeasyPrint lays out every page and Kaleido renders every chart to PNG."),
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
        f"- load when this file was written: {load()['loadavg']}"
        + (" — **measured under load**: other jobs shared the machine's "
           f"{m['nproc']} cores, so absolute times are inflated and noisy; compare the ratios, "
           "each measured within one run (alternating baseline and tradegap where both are "
           "short)" if load()["loadavg"][1] > (m["nproc"] or 1) else ""),
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
                               "errors. What would reach it for first requests: warm the "
                               "cache for the likely pairs at start-up, or answer a computing "
                               "request with 202 + poll instead of holding a worker."])])
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
