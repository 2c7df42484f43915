"""The Russia–India case study on real data, made of the public commands' functions: ingest
../shared/data into a persistent warehouse (``--home``, by default a cache directory; ingest is
skipped for files already ingested unchanged), measure the balance (``balance``), estimate the
export potential of agri and pharma (``potential``: the demand method), plan the extra
purchases (``plan`` with candidates from the potential; also every sector, ``plan compare``) and
replay the historical rupee settlement (``settle``). Every number is returned with the dataset
and period it comes from (``facts``). This layer computes only; the document and its charts are
written by :mod:`tradegap.report.case_study`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd

from tradegap.analysis.balance import BalanceResult, balance
from tradegap.analysis.headroom import HeadroomParams, hs6_detail
from tradegap.analysis.potential_estimate import estimate_potential
from tradegap.errors import InputError
from tradegap.planning import Plan, compare, load_scenario, plan
from tradegap.planning.candidates import candidates_from_potential
from tradegap.provenance import Provenance
from tradegap.warehouse import Warehouse

#: The shipped scenarios (the repository's scenarios/ folder).
SCENARIOS_DIR = Path(__file__).resolve().parents[3] / "scenarios"
REAL_SCENARIO = SCENARIOS_DIR / "russia-india-real.toml"
#: Real-data scenarios compared with agri + pharma (every sector; industry only).
SECTOR_SCENARIOS = (SCENARIOS_DIR / "russia-india-real-all-sectors.toml",
                    SCENARIOS_DIR / "russia-india-real-industry.toml")
#: Which input files the warehouse already holds, unchanged (size, mtime): ingest is skipped.
MANIFEST = "case-study-inputs.json"
SETTLEMENT_SCENARIO = SCENARIOS_DIR / "settlement-historical.toml"

#: The real files the case study reads, relative to the data directory (../shared/data).
FILES = {
    "russia-customs": "russia_india_bilateral/russia_india_monthly_by_product.parquet",
    "russia-demand": "russia_imports_hs4/russia_trade_by_hs4_12m_windows.parquet",
    "india-dgcis": "india_exports_eidb/india_exports_hs8_partner.parquet",
}
GROUPS = ("agri", "pharma")
CURRENT_YEAR = 2024
CAPACITY_PERIOD = "FY2024-25"
MIRROR = "russia-customs-mirror"
FTS = "russia-customs-fts"


def _files(data_dir: Path) -> dict[str, Path]:
    paths = {src: Path(data_dir) / rel for src, rel in FILES.items()}
    for src, path in paths.items():
        if not path.is_file():
            raise InputError(f"the case study needs {path} ({src})", file=str(path),
                             field="--data", hint="point --data at ../shared/data")
    return paths


def default_home() -> Path:
    """The case study's persistent warehouse: ``$XDG_CACHE_HOME/tradegap/case-study`` (else
    ``~/.cache/tradegap/case-study``)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "tradegap" / "case-study"


def _stamp(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def build_warehouse(data_dir: str | Path, home: str | Path) -> Warehouse:
    """Ingest the case study's real files into the warehouse at ``home`` with
    :func:`tradegap.sources.ingest` (what ``tradegap ingest`` calls). Idempotent: a file whose
    size and modification time match the manifest (``case-study-inputs.json`` in ``home``),
    and whose datasets are still in the catalogue, is not read again."""
    from tradegap.sources import ingest

    wh = Warehouse(Path(home))
    manifest_path = Path(home) / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    stored = {d.name: d.fingerprint for d in wh.datasets()}
    for src, path in _files(Path(data_dir)).items():
        seen = manifest.get(src, {})
        datasets = seen.get("datasets", {})
        if (seen.get("file") == str(path.resolve()) and seen.get("stamp") == _stamp(path)
                and datasets and all(stored.get(n) == f for n, f in datasets.items())):
            continue
        results = ingest(wh, src, [path])
        manifest[src] = {"file": str(path.resolve()), "stamp": _stamp(path),
                         "datasets": {o.dataset.name: o.dataset.fingerprint
                                      for _, o in results}}
        tmp = manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        tmp.replace(manifest_path)
    return wh


def scenario_params(path: Path = REAL_SCENARIO) -> HeadroomParams:
    """The headroom's share caps, read from the scenario's ``[limits]`` (one source of truth)."""
    with path.open("rb") as fh:
        limits = tomllib.load(fh).get("limits", {})
    return HeadroomParams(
        share_cap=float(limits.get("market_share_max", 0.30)),
        share_cap_by_group=dict(limits.get("market_share_max_by_group", {})),
        capacity_share=float(limits.get("capacity_share_max", 1.0)),
    )


def bilateral_unit_values(data_dir: str | Path, year: int = CURRENT_YEAR) -> pd.Series:
    """US$ per tonne by HS4 of India's sales to Russia in calendar ``year`` (India-reported
    mirror rows: STOIM / NETTO). In these rows NETTO is in TONNES, not kg as the data README
    says: unit values read that way match known prices (rice 1006 ≈ US$ 580/t, frozen bovine
    meat 0202 ≈ US$ 3,700/t), while read as kg they are 1,000 times too high."""
    path = _files(Path(data_dir))["russia-customs"]
    raw = pd.read_parquet(path, columns=["TNVED", "STOIM", "NETTO"], filters=[
        ("Source", "==", "MIRROR"), ("NAPR", "==", "ИМ"),
        ("PERIOD", ">=", dt.date(year, 1, 1)), ("PERIOD", "<", dt.date(year + 1, 1, 1))])
    raw["hs4"] = raw["TNVED"].astype(str).str.zfill(6).str[:4]
    sums = raw.groupby("hs4")[["STOIM", "NETTO"]].sum()
    sums = sums[sums["NETTO"] > 0]
    return (sums["STOIM"] / sums["NETTO"]).rename(f"India→Russia {year} (mirror NETTO)")


def real_candidates(
    wh: Warehouse, unit_values: pd.Series | None = None, *, basis: str = "extra",
    scenario: Path = REAL_SCENARIO,
) -> pd.DataFrame:
    """The real scenario's candidates from the potential
    (:func:`tradegap.planning.candidates.candidates_from_potential`, as ``plan`` builds them),
    with the bilateral unit values (US$/t) where known."""
    from tradegap.planning.candidates import scenario_headroom_params

    sc = load_scenario(scenario)
    return candidates_from_potential(
        wh, sc.exporter, sc.market, groups=sc.groups,
        options=dataclasses.replace(sc.potential_options, basis=basis),
        headroom_params=scenario_headroom_params(sc), unit_values=unit_values)


def real_plan(
    wh: Warehouse, *, gap: float | None = None, unit_values: pd.Series | None = None,
    basis: str = "extra", scenario: Path = REAL_SCENARIO,
) -> Plan:
    """Solve a real-data scenario on the warehouse ``wh`` (``plan`` builds the candidates from
    the potential); ``gap`` replaces the scenario's baseline gap (e.g. measured from the data),
    ``basis='headroom'`` plans on the upper bound."""
    sc = load_scenario(scenario)
    if gap is not None:
        sc = dataclasses.replace(sc, gap=float(gap))
    if basis != "extra":
        sc = dataclasses.replace(sc, name=f"{sc.name} ({basis} bound)")
    cands = real_candidates(wh, unit_values, basis=basis, scenario=scenario)
    return plan(sc, cands, provenance=cands.attrs.get("provenance") or Provenance())


# -- measures ------------------------------------------------------------------------------------


def _fact(facts: list[dict[str, Any]], key: str, value: float | None, dataset: str,
          period: str, note: str = "") -> float | None:
    value = None if value is None or pd.isna(value) else float(value)
    facts.append({"key": key, "value": value, "dataset": dataset, "period": period,
                  "note": note})
    return value


def measure_balance(wh: Warehouse, facts: list[dict[str, Any]]) -> dict[str, Any]:
    """Calendar and fiscal-year balance, fuel share, drivers and the 2021 mirror gap."""
    cal = balance(wh, "IND", "RUS", frequency="calendar_year", datasets=[MIRROR])
    s = cal.summary.set_index("period")
    row = s.loc[str(CURRENT_YEAR)]
    exports = _fact(facts, "india_exports_2024", row["exports"], MIRROR, "calendar 2024",
                    "India's own declarations, rounded to US$10,000 per row")
    imports = _fact(facts, "india_imports_2024", row["imports"], MIRROR, "calendar 2024",
                    "India's own declarations, rounded to US$10,000 per row")
    fuels = _fact(facts, "india_imports_fuels_2024", row["imports_fuels"], MIRROR,
                  "calendar 2024", "HS chapter 27")
    _fact(facts, "fuel_share_2024", fuels / imports if imports else None, MIRROR,
          "calendar 2024", "chapter 27 / all imports from Russia")
    _fact(facts, "gap_2024", imports - exports, MIRROR, "calendar 2024",
          "India's imports from Russia − its exports to Russia")
    partial = s.loc["2025"] if "2025" in s.index else None
    if partial is not None:
        _fact(facts, "india_exports_2025_partial", partial["exports"], MIRROR, "2025-01 only",
              str(partial.get("exports_note") or "partial year"))
    fy = balance(wh, "IND", "RUS", frequency="fiscal_year_in", datasets=[MIRROR])
    fys = fy.summary.set_index("period")
    for period in ("FY2023-24", "FY2024-25"):
        if period in fys.index:
            r = fys.loc[period]
            months = _months_in_fiscal_year(wh, int(period[2:6]))
            note = "mirror months summed to India's fiscal year" + (
                f"; PARTIAL: {months} of 12 months (the mirror rows end in 2025-01)"
                if months < 12 else "")
            _fact(facts, f"india_exports_{period}", r["exports"], MIRROR, period, note)
            _fact(facts, f"india_imports_{period}", r["imports"], MIRROR, period, note)
            _fact(facts, f"official_exports_{period}", r.get("official_exports"),
                  "reference facts (published)", period, str(r.get("official_exports_source")))
            _fact(facts, f"official_imports_{period}", r.get("official_imports"),
                  "reference facts (published)", period, str(r.get("official_imports_source")))
    both = balance(wh, "IND", "RUS", frequency="calendar_year", datasets=[MIRROR, FTS])
    totals = both.mirror_totals.set_index(["side", "period"])
    if ("exports", "2021") in totals.index:
        m = totals.loc[("exports", "2021")]
        _fact(facts, "mirror_2021_india_declared", m["exporter_declared"], MIRROR,
              "calendar 2021", "India's declared exports to Russia")
    fts = balance(wh, "RUS", "IND", frequency="calendar_year", datasets=[FTS]).summary
    fts = fts.set_index("period")
    _fact(facts, "russia_customs_2021_imports_from_india", fts.loc["2021", "imports"], FTS,
          "calendar 2021", "Russia's Federal Customs Service")
    _fact(facts, "russia_customs_2021_exports_to_india", fts.loc["2021", "exports"], FTS,
          "calendar 2021", "Russia's Federal Customs Service")
    drivers = cal.drivers[cal.drivers["period"] == str(CURRENT_YEAR)] if "period" in \
        cal.drivers.columns else cal.drivers
    return {"calendar": cal, "fiscal": fy, "drivers_2024": drivers.reset_index(drop=True)}


def _months_in_fiscal_year(wh: Warehouse, start: int) -> int:
    con = wh.connect()
    try:
        return int(con.execute(
            "SELECT count(DISTINCT period) FROM flows WHERE dataset = ? AND exporter = 'IND' "
            "AND importer = 'RUS' AND period BETWEEN ? AND ?",
            [MIRROR, f"{start}-04", f"{start + 1}-03"]).fetchone()[0])
    finally:
        con.close()


def settlement_history(draws: int = 200) -> Any:
    """The documented historical rupee-settlement scenario (scenarios/settlement-historical)."""
    from tradegap.settlement import load_scenario as load_settlement
    from tradegap.settlement import simulate

    return simulate(load_settlement(SETTLEMENT_SCENARIO), draws=draws, seed=0)


def _value(facts: list[dict[str, Any]], key: str) -> float | None:
    return next((f["value"] for f in facts if f["key"] == key), None)


def _results_key(wh: Warehouse, draws: int) -> str:
    """What the case study's results depend on: the datasets' versions, the scenario files,
    the settings and the code (each module's size and modification time)."""
    import hashlib

    import tradegap

    digest = hashlib.sha256(json.dumps([
        sorted((d.name, d.fingerprint) for d in wh.datasets()), draws, GROUPS, CURRENT_YEAR,
        CAPACITY_PERIOD]).encode())
    for path in (REAL_SCENARIO, *SECTOR_SCENARIOS, SETTLEMENT_SCENARIO):
        digest.update(path.read_bytes())
    package = Path(tradegap.__file__).parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".toml", ".csv") and "__pycache__" not in path.parts:
            st = path.stat()
            digest.update(f"{path.relative_to(package)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]


def case_study(
    data_dir: str | Path, home: str | Path | None = None, *, draws: int = 200,
    reuse: bool = True,
) -> dict[str, Any]:
    """:func:`compute_case_study`, kept in ``home/cache``: a re-run on the same datasets,
    scenarios, settings and code reads the results back instead of recomputing them
    (``reuse=False`` always recomputes). The document is always rendered anew."""
    import pickle

    data_dir = Path(data_dir)
    home = Path(home) if home is not None else default_home()
    wh = build_warehouse(data_dir, home)
    path = home / "cache" / f"case-study-{_results_key(wh, draws)}.pickle"
    if reuse and path.is_file():
        try:
            with path.open("rb") as fh:
                result = pickle.load(fh)
            return {**result, "data_dir": str(data_dir), "reused": str(path)}
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass  # an unreadable cache entry is recomputed
    result = compute_case_study(data_dir, home, draws=draws)
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob("case-study-*.pickle"):
        old.unlink(missing_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return result


def compute_case_study(
    data_dir: str | Path, home: str | Path | None = None, *, draws: int = 200,
) -> dict[str, Any]:
    """Run the whole case study on the real files in ``data_dir`` (../shared/data): ingest,
    balance, export potential (demand method), the real-data plans (realistic and upper bound;
    every sector and industry for comparison) and the historical settlement. ``home``: the
    warehouse directory (default: :func:`default_home`, kept between runs). Returns every table
    and number, each number in ``facts`` with its dataset and period. The document is written by
    :func:`tradegap.report.case_study.run_case_study`."""
    data_dir = Path(data_dir)
    home = Path(home) if home is not None else default_home()
    wh = build_warehouse(data_dir, home)
    facts: list[dict[str, Any]] = []
    measured = measure_balance(wh, facts)
    params = scenario_params()
    estimate = estimate_potential(wh, "IND", "RUS", GROUPS, headroom_params=params,
                                  gravity_cache=home / "cache")
    ranking = estimate.table
    fuels = estimate_potential(wh, "IND", "RUS", ("fuels",), headroom_params=params,
                               gravity=False).table
    refined = fuels.set_index("product").loc["2710"]
    _fact(facts, "russia_imports_2710", refined["demand"], "russia-demand", "last12 window",
          "refined petroleum: Russia's imports (lower bound)")
    _fact(facts, "russia_exports_2710", refined["market_exports"], "russia-demand",
          "last12 window", f"refined petroleum: Russia's exports; binding: {refined['binding']}")
    gap = _value(facts, "gap_2024")
    uv = bilateral_unit_values(data_dir)
    plans = {basis: real_plan(wh, gap=gap, unit_values=uv, basis=basis)
             for basis in ("extra", "headroom")}
    sectors = {"agri+pharma": plans["extra"]}
    for path in SECTOR_SCENARIOS:
        sc_plan = real_plan(wh, gap=gap, unit_values=uv, scenario=path)
        sectors[sc_plan.scenario.name] = sc_plan
    comparison = compare(*sectors.values())
    sums = ranking[["demand", "current", "capacity", "headroom", "gravity_untapped", "extra"]]
    for col, value in sums.sum().items():
        _fact(facts, f"ranking_total_{col}", value, _ranking_dataset(col),
              _ranking_period(col), "agri + pharma, HS4")
    for name, p in sectors.items():
        if name != "agri+pharma":
            _fact(facts, f"plan_{name}_share_closed", p.summary()["share_closed"],
                  f"scenario {name}", f"plan year {p.summary()['final_year']}",
                  "of the 2024 gap; candidates from the potential of its groups")
    for basis, p in plans.items():
        summary = p.summary()
        _fact(facts, f"plan_{basis}_gap_closed_usd", summary["gap_closed_usd"],
              "scenario russia-india-real", f"plan year {summary['final_year']}",
              f"candidates' untapped = {basis}")
        _fact(facts, f"plan_{basis}_share_closed", summary["share_closed"],
              "scenario russia-india-real", f"plan year {summary['final_year']}",
              "of the 2024 gap")
    settlement = settlement_history(draws)
    result = {
        "facts": facts,
        "balance": measured,
        "ranking": ranking,
        "hs6": hs6_detail(wh, ranking["product"].head(5), current_year=CURRENT_YEAR,
                          capacity_period=CAPACITY_PERIOD, top=2),
        "candidates": real_candidates(wh, uv),
        "plans": plans,
        "sectors": sectors,
        "comparison": comparison,
        "method": estimate.why,
        "benchmarks": ranking.attrs.get("benchmarks"),
        "home": str(home),
        "settlement": settlement,
        "params": ranking.attrs.get("params", {}),
        "provenance": ranking.attrs.get("provenance"),
        "data_dir": str(data_dir),
    }
    return result


def _ranking_dataset(col: str) -> str:
    return {"demand": "russia-demand", "current": MIRROR, "capacity": "india-dgcis",
            "headroom": "russia-demand + russia-customs-mirror + india-dgcis",
            "gravity_untapped": "india-dgcis + CEPII GeoDist + WDI/IMF GDP",
            "extra": "russia-demand + russia-customs-mirror + india-dgcis (share benchmark)"}[col]


def _ranking_period(col: str) -> str:
    return {"demand": "last12 window (most likely 2025-06…2026-05)",
            "current": "calendar 2024", "capacity": CAPACITY_PERIOD,
            "headroom": f"last12 / calendar 2024 / {CAPACITY_PERIOD}",
            "gravity_untapped": f"{CAPACITY_PERIOD}, GDP 2024",
            "extra": f"last12 / calendar 2024 / {CAPACITY_PERIOD}"}[col]


def to_payload(result: dict[str, Any]) -> dict[str, Any]:
    """The case study's results as plain tables and numbers (for ``--json`` and the web)."""
    cal: BalanceResult = result["balance"]["calendar"]
    prov = result.get("provenance")
    return {
        "facts": result["facts"],
        "balance_calendar": cal.summary,
        "balance_fiscal": result["balance"]["fiscal"].summary,
        "drivers_2024": result["balance"]["drivers_2024"],
        "ranking": result["ranking"],
        "hs6": result["hs6"],
        "candidates": result["candidates"],
        "plans": {basis: {**p.summary(), "path": p.path, "binding": p.binding,
                          "mix": p.mix} for basis, p in result["plans"].items()},
        "settlement": result["settlement"].summary,
        "params": result["params"],
        "provenance": prov.to_dict() if prov is not None else None,
        "written": result.get("written", []),
    }
