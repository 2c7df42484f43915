"""Template contexts for the report sections, shared by the dashboard and the HTML/PDF report.

Each function takes a result of the Python API (``balance``, ``potential``, ``plan``,
``simulate``, the warehouse inspection) and returns a plain dict: headline numbers and table
rows formatted for reading (``money``, ``share``) and Plotly figures. Nothing here computes a
new number; it only selects and formats what the API returned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tradegap.provenance import SYNTHETIC_LABEL, Provenance
from tradegap.report.format import money, product_label, share, short


def _num(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _count(value: Any) -> str:
    """A count with thousands separators (``9959`` → ``'9,959'``); missing → ``''``."""
    v = _num(value)
    return "" if v is None else f"{int(v):,}"


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def provenance_view(prov: Provenance) -> dict[str, Any]:
    return {**prov.to_dict(), "synthetic_label": SYNTHETIC_LABEL}


# --------------------------------------------------------------------------- balance


def latest_period(summary: pd.DataFrame) -> pd.Series | None:
    """The latest complete period (both sides, all months and products): what headlines
    show. A partial period never heads a page (see docs/data-choice.md)."""
    from tradegap.analysis.balance import latest_complete

    return latest_complete(summary)


def headline(result: Any, period: str | None = None) -> dict[str, Any]:
    """Headline numbers of a :class:`BalanceResult` for ``period`` (default: the latest)."""
    s = result.summary
    row = None
    if period is not None and not s.empty:
        match = s[s["period"] == period]
        row = match.iloc[0] if not match.empty else None
    if row is None:
        row = latest_period(s)
    out: dict[str, Any] = {"a": result.a, "b": result.b, "period": None, "cards": []}
    if row is None:
        return out
    out["period"] = row["period"]
    out["partial"] = bool(row.get("partial")) and pd.notna(row.get("partial"))
    out["coverage"] = _text(row.get("coverage"))
    bal = _num(row.get("balance"))
    cards = [
        (f"{result.a} exports to {result.b}", money(row.get("exports")), ""),
        (f"{result.a} imports from {result.b}", money(row.get("imports")), ""),
        ("balance", money(bal), "surplus" if (bal or 0) > 0 else "deficit" if bal else ""),
        ("turnover", money(row.get("turnover")), ""),
    ]
    for side in ("exports", "imports"):
        fs = _num(row.get(f"{side}_fuel_share"))
        if fs is not None:
            cards.append((f"fuels (HS 27) in {result.a}'s {side}", share(fs), ""))
    out["cards"] = [{"label": lbl, "value": v, "note": n} for lbl, v, n in cards]
    official = s[s["official_balance"].notna()] if "official_balance" in s else s.iloc[0:0]
    if not official.empty:
        same = official[official["period"] == row["period"]]
        o = (same if not same.empty else official).iloc[-1]
        out["official"] = {
            "period": o["period"],
            "exports": money(o.get("official_exports")),
            "imports": money(o.get("official_imports")),
            "balance": money(o.get("official_balance")),
            "source": _text(o.get("official_balance_source")),
        }
    return out


def summary_rows(summary: pd.DataFrame) -> list[dict[str, str]]:
    rows = []
    for _, r in summary.iterrows():
        # each part once: both sides often carry the same dataset note
        parts = [p for c in ("exports_note", "imports_note", "balance_note")
                 for p in _text(r.get(c)).split("; ") if p]
        notes = "; ".join(dict.fromkeys(parts))
        partial = bool(r.get("partial")) and pd.notna(r.get("partial"))
        rows.append({
            "period": _text(r.get("period")) + (" (partial)" if partial else ""),
            "partial": partial,
            "exports": money(_num(r.get("exports"))),
            "imports": money(_num(r.get("imports"))),
            "balance": money(_num(r.get("balance"))),
            "official_balance": money(_num(r.get("official_balance"))),
            "notes": notes,
        })
    return rows


def balance_section(result: Any, period: str | None = None, charts: bool = True,
                    detail: pd.DataFrame | None = None) -> dict[str, Any]:
    """Headline, summary table, drivers, concentration and mirror of a ``BalanceResult``;
    ``detail``: its composition by HS6, for treemaps that drill down to HS6."""
    from tradegap.report import charts_balance as cb

    head = headline(result, period)
    d = result.drivers
    latest = head["period"] if head["period"] in set(d.get("period", [])) else (
        sorted(d["period"].unique())[-1] if not d.empty else None)
    drivers = []
    if latest is not None:
        for _, r in d[d["period"] == latest].iterrows():
            full = product_label(_text(r["code"]), r.get("name"))
            drivers.append({"code": _text(r["code"]), "name": short(full, 60), "full_name": full,
                            "exports": money(r["exports"]), "imports": money(r["imports"]),
                            "net": money(r["net"]), "contribution": share(r["contribution"])})
    conc = [
        {"side": r["side"], "period": r["period"], "products": int(r["products"]),
         "hhi": f"{r['hhi_normalised']:.3f}", "top_code": _text(r["top_code"]),
         "top_name": product_label(_text(r["top_code"])),
         "top_share": share(r["top_share"])}
        for _, r in result.concentration.iterrows()
    ]
    mirror = [
        {"side": r["side"], "period": r["period"], "exporter": money(r["exporter_declared"]),
         "importer": money(r["importer_declared"]), "gap": money(r["gap"])}
        for _, r in result.mirror_totals.iterrows()
    ]
    figs = {}
    if charts:
        figs = {
            "over_time": cb.balance_over_time(result),
            "drivers": cb.top_drivers(result, latest),
            "composition_imports": cb.composition_treemap(result, "imports", latest, detail),
            "composition_exports": cb.composition_treemap(result, "exports", latest, detail),
        }
    return {
        "a": result.a, "b": result.b, "headline": head, "summary": summary_rows(result.summary),
        "periods": [p for p in result.summary["period"]] if not result.summary.empty else [],
        "frequency": getattr(result, "frequency", ""),
        "drivers": drivers, "drivers_period": latest, "concentration": conc, "mirror": mirror,
        "charts": figs, "notes": list(result.notes), "provenance": provenance_view(
            result.provenance),
    }


# --------------------------------------------------------------------------- potential

#: Columns of the potential table a user may sort by (key → DataFrame column).
POTENTIAL_SORTS = {"product": "product", "group": "group", "rca": "rca",
                   "potential": "potential", "actual": "actual", "untapped": "untapped",
                   "realised": "realised_share"}


ITC_COLUMNS = [("product", "HS6", False), ("name", "product", False), ("group", "group", False),
               ("rca", "RCA", True), ("potential", "potential", True),
               ("actual", "actual exports", True), ("untapped", "untapped", True),
               ("realised", "realised", True)]
DEMAND_COLUMNS = [("product", "HS4", False), ("name", "product", False),
                  ("group", "group", False), ("market_imports", "market imports", True),
                  ("actual", "current sales", True), ("realised", "share now", True),
                  ("benchmark", "benchmark share", True), ("untapped", "realistic extra", True),
                  ("headroom", "headroom", True), ("binds", "set by", False)]


def _itc(result: Any) -> Any:
    """The ITC result inside an estimate (or the result itself)."""
    return result.itc if getattr(result, "method", "itc") == "itc" and \
        hasattr(result, "itc") else result


def potential_table(result: Any) -> pd.DataFrame:
    """The potential table with each product's group (for filtering and display): the ITC
    table, or the demand method's ranking under the same column names (``untapped`` = the
    realistic extra, ``actual`` = current sales, ``potential`` = their sum)."""
    from tradegap.reference.groups import group_of

    if getattr(result, "method", None) == "demand":
        r = result.table
        current = r["current"].fillna(0.0)
        return pd.DataFrame({
            "product": r["product"], "name": r["name"], "group": r["group"],
            "rca": np.nan, "potential": current + r["extra"], "actual": current,
            "untapped": r["extra"], "realised_share": r["share_now"],
            "market_imports": r["demand"], "benchmark_share": r["benchmark_share"],
            "headroom": r["headroom"], "binds": r["extra_basis"], "why": r["why"],
        })
    t = _itc(result).table.copy()
    if not t.empty:
        t["group"] = group_of(t["product"]).to_numpy()
    else:
        t["group"] = pd.Series(dtype=str)
    return t


def filter_potential(table: pd.DataFrame, *, min_untapped: float = 0.0, q: str = "",
                     sort: str = "untapped", order: str = "desc") -> pd.DataFrame:
    """Rows with untapped ≥ ``min_untapped`` whose code or name contains ``q``, sorted."""
    t = table[table["untapped"] >= min_untapped]
    if q:
        needle = q.strip().lower()
        names = t["name"].fillna("").str.lower() if "name" in t else ""
        t = t[t["product"].str.contains(needle, regex=False) |
              (names.str.contains(needle, regex=False) if "name" in t else False)]
    column = POTENTIAL_SORTS.get(sort, "untapped")
    return t.sort_values(column, ascending=order == "asc", kind="stable")


def potential_section(result: Any, table: pd.DataFrame | None = None, limit: int = 50,
                      charts: bool = True, groups: Sequence[str] = ()) -> dict[str, Any]:
    """Rows (formatted) and charts of a potential: a ``PotentialResult`` or a
    :class:`~tradegap.analysis.potential_estimate.PotentialEstimate` (ITC or demand method);
    ``table`` is a filtered view of :func:`potential_table`; ``groups``: the product groups
    it was filtered to (none: all products), as the chart's title says."""
    from tradegap.report import charts_potential as cp

    t = potential_table(result) if table is None else table
    demand = getattr(result, "method", None) == "demand"
    if demand:
        rows = [
            {"product": r["product"], "name": short(product_label(r["product"], r.get("name")), 60),
             "full_name": product_label(r["product"], r.get("name")), "group": r["group"],
             "market_imports": money(r["market_imports"]), "actual": money(r["actual"]),
             "realised": share(r["realised_share"]), "benchmark": share(r["benchmark_share"]),
             "untapped": money(r["untapped"]), "headroom": money(r["headroom"]),
             "binds": _text(r["binds"]), "why": _text(r["why"])}
            for _, r in t.head(limit).iterrows()]
    else:
        rows = [
            {"product": r["product"], "name": short(product_label(r["product"], r.get("name")), 60),
             "full_name": product_label(r["product"], r.get("name")), "group": r["group"],
             "rca": f"{r['rca']:.2f}", "potential": money(r["potential"]),
             "actual": money(r["actual"]), "untapped": money(r["untapped"]),
             "realised": share(r["realised_share"])}
            for _, r in t.head(limit).iterrows()
        ]
    figs = {}
    if charts and len(t) and demand:
        from tradegap.report.charts_headroom import headroom_ranking

        ranking = result.table[result.table["product"].isin(t["product"])]
        figs = {"top": headroom_ranking(ranking.sort_values("extra", ascending=False),
                                        min(20, len(ranking)), exporter=result.exporter,
                                        market=result.market,
                                        groups=list(groups) or ["all products"])}
    elif charts and len(t):
        itc = _itc(result)
        by_untapped = t.sort_values("untapped", ascending=False, kind="stable")
        shown = type(itc)(**{**itc.__dict__, "table": by_untapped})
        figs = {"top": cp.top_opportunities(shown, min(20, max(len(t), 1))),
                "scatter": cp.potential_vs_actual(shown)}
    itc = None if demand else _itc(result)
    prov = result.provenance
    return {
        "exporter": result.exporter, "market": result.market,
        "year": itc.year if itc is not None else None,
        "ease": f"{itc.ease:.3g}" if itc is not None else "",
        "method": "demand" if demand else "itc",
        "why": getattr(result, "why", "ITC method (Decreux & Spies 2016)"),
        "columns": DEMAND_COLUMNS if demand else ITC_COLUMNS,
        "rows": rows, "count": len(t), "total": len(result.table),
        "shown": len(rows), "untapped_total": money(float(t["untapped"].sum())) if len(t) else
        money(0.0), "params": itc.params.to_dict() if itc is not None else
        dict(result.table.attrs.get("params", {})), "charts": figs,
        "provenance": provenance_view(prov),
    }


# --------------------------------------------------------------------------- plan


def plan_status(feasible: bool, status: str, share_closed: float | None,
                target: float | None) -> tuple[str, str]:
    """A plan's status as a colour class and words: "good" only when it meets its target;
    a solved plan that closes little of the gap is a warning, not a success."""
    if not feasible:
        return "bad", "no plan meets every limit" if status == "infeasible" else status
    closed = share_closed or 0.0
    met = target is not None and closed + 1e-9 >= target
    if closed < 0.05:  # a floor met is no success when the gap barely moves
        return "warn", (f"meets its target of {share(target)}, but closes only {share(closed)} "
                        "of the gap" if met else f"solved, but closes only {share(closed)} of "
                        "the gap")
    if met:
        return "good", f"meets the target: closes {share(closed)} of the gap"
    return "warn" if target is not None else "good", f"closes {share(closed)} of the gap"


def plan_section(plan: Any, charts: bool = True) -> dict[str, Any]:
    """Status, path, mix, binding constraints and the products of a ``Plan``."""
    from tradegap.report import charts_plan

    sc = plan.scenario
    summary = plan.summary()
    path = [
        {"year": int(r["year"]), "baseline_gap": money(r["baseline_gap"]),
         "target": money(_num(r["target_usd"])), "extra": money(_num(r["extra_purchases"])),
         "projected_gap": money(_num(r["projected_gap"])),
         "share_closed": share(_num(r["share_closed"]))}
        for _, r in plan.path.iterrows()
    ]
    mix = [{"group": r["group"], "extra": money(r["extra_usd"]), "share": share(r["share"])}
           for _, r in plan.mix.iterrows()]
    binding = [{"family": r["family"], "key": r["key"], "sentence": _text(r.get("sentence"))}
               for _, r in plan.binding.iterrows()]
    products = []
    if not plan.table.empty:
        final = plan.table[plan.table["year"] == plan.table["year"].max()]
        final = final.sort_values("extra_usd", ascending=False)
        products = [{"product": r["product"], "name": _text(r["name"]), "group": r["group"],
                     "route": _text(r["route"]), "extra": money(r["extra_usd"])}
                    for _, r in final.iterrows() if r["extra_usd"] > 0]
    infeasible = None
    if plan.infeasibility is not None:
        inf = plan.infeasibility
        infeasible = {"sentence": inf.sentence, "conflicts": list(inf.conflicts),
                      "changes": [c.sentence for c in inf.combined],
                      # one family at a time: what a page can offer to apply ("href")
                      "fixes": [{"family": c.family, "key": c.key, "old": c.old,
                                 "new": c.new, "sentence": c.sentence, "href": ""}
                                for alt in inf.alternatives if len(alt) == 1 for c in alt]}
    settings = {
        "target share": share(sc.target_share[0]) if sc.target_share else "—",
        "market-share cap": share(sc.market_share_max) if sc.market_share_max is not None
        else "none",
        "ramp-up (share of potential per year)": share(sc.ramp_share)
        if sc.ramp_share is not None else "none",
        "groups": ", ".join(sc.groups) if sc.groups else "all",
        "baseline gap": money(sc.gap),
        "years": f"{sc.years[0]}–{sc.years[-1]}" if sc.years else "—",
    }
    figs = {}
    if charts:
        figs = {"path": charts_plan.balance_path(plan)}
        if not plan.mix.empty:
            figs["mix"] = charts_plan.mix_bars(plan)
    status_class, status_text = plan_status(plan.feasible, plan.status,
                                            _num(summary["share_closed"]),
                                            sc.target_share[-1] if sc.target_share else None)
    return {
        "name": sc.name, "exporter": sc.exporter, "market": sc.market,
        "status": plan.status, "feasible": plan.feasible, "status_class": status_class,
        "status_text": status_text,
        "closed": money(summary["gap_closed_usd"]), "share_closed": share(
            summary["share_closed"]), "final_year": summary["final_year"], "path": path,
        "mix": mix, "binding": binding, "products": products, "infeasible": infeasible,
        "settings": settings, "notes": list(plan.notes), "charts": figs,
        "provenance": provenance_view(plan.provenance),
    }


# --------------------------------------------------------------------------- settlement

_SETTLEMENT_HEADLINES = (
    ("peak_idle_usd", "peak idle balance"), ("final_idle_usd", "idle balance at the end"),
    ("average_idle_usd", "average idle balance"), ("total_cost_usd", "total cost"),
    ("converted_usd", "converted to a third currency"), ("fund_paid_usd", "paid into the fund"),
    ("imports_paid_usd", "imports paid from the balance"),
)


def settlement_section(result: Any, charts: bool = True) -> dict[str, Any]:
    """Headline numbers, percentile bands and charts of a ``SettlementResult``."""
    from tradegap.report import charts_settlement

    s = result.summary
    cards = [{"label": label, "value": money(s.get(key))}
             for key, label in _SETTLEMENT_HEADLINES if key in s]
    bands = []
    for key, label in (("peak_idle_usd", "peak idle balance"), ("total_cost_usd", "total cost")):
        if f"{key}_p5" in s:
            bands.append({"label": label, "p5": money(s[f"{key}_p5"]),
                          "p50": money(s[f"{key}_p50"]), "p95": money(s[f"{key}_p95"])})
    figs = {}
    if charts:
        figs = {"vostro": charts_settlement.vostro_path(result),
                "cost": charts_settlement.cumulative_cost(result)}
    return {
        "scenario": s.get("scenario"), "surplus": s.get("surplus"), "deficit": s.get("deficit"),
        "currency": s.get("currency"), "start": s.get("start"), "end": s.get("end"),
        "months": s.get("months"), "draws": s.get("draws"), "seed": s.get("seed"),
        "peak_month": s.get("peak_idle_month"), "cards": cards, "bands": bands, "charts": figs,
        "provenance": provenance_view(result.provenance),
        "compare": None,
    }


# --------------------------------------------------------------------------- data


#: A dataset's periods are listed one by one up to this many; beyond, summed by year.
MAX_PERIOD_ROWS = 24


def periods_by_year(per: pd.DataFrame) -> pd.DataFrame:
    """Monthly (or finer) rows of a dataset summary summed by year: rows and value added,
    products the largest of any period in the year."""
    year = per["period"].astype(str).str[:4]
    grouped = per.assign(period=year).groupby("period", sort=True)
    out = grouped.agg(rows=("rows", "sum"), value_usd=("value_usd", "sum"),
                      products=("products", "max"), months=("rows", "size")).reset_index()
    unit = "months" if per["period"].astype(str).str.fullmatch(r"\d{4}-\d{2}").all() \
        else "periods"
    out["period"] = [f"{p} ({m} {unit})" for p, m in zip(out["period"], out["months"],
                                                         strict=True)]
    return out


def data_section(wh: Any) -> dict[str, Any]:
    """What the warehouse holds: datasets, their sources, rows set aside and provenance."""
    from tradegap.warehouse.inspect import dataset_summary, list_datasets

    listing = list_datasets(wh)
    datasets = []
    for name in listing["name"]:
        for d in dataset_summary(wh, name):
            if d["name"] != name:
                continue
            per = d.get("per_period")
            periods = []
            summarised = isinstance(per, pd.DataFrame) and len(per) > MAX_PERIOD_ROWS
            if summarised:
                per = periods_by_year(per)
            if isinstance(per, pd.DataFrame):
                for _, r in per.iterrows():
                    periods.append({"period": _text(r.get("period")),
                                    "rows": f"{int(r['rows']):,}",
                                    "value": money(_num(r.get("value_usd"))),
                                    "products": _count(r.get("products"))})
            prov = d.get("provenance") or {}
            datasets.append({
                "name": d["name"], "source": d["source"], "kind": d["kind"],
                "rows": f"{int(d['rows']):,}", "synthetic": bool(d["synthetic"]),
                "ingested_at": d["ingested_at"],
                "set_aside": {k: f"{int(v):,}" for k, v in (d.get("set_aside") or {}).items()},
                "set_aside_total": f"{sum(int(v) for v in (d.get('set_aside') or {}).values()):,}",
                "revisions": _text(d.get("revisions")), "reporters": _text(d.get("reporters")),
                "exporters": _text(d.get("exporters")), "importers": _text(d.get("importers")),
                "products": _text(d.get("products")),
                "provenance_notes": list(prov.get("notes", [])),
                "provenance_datasets": list(prov.get("datasets", [])),
                "periods": periods, "periods_summarised": bool(summarised),
            })
    return {"home": str(wh.home), "datasets": datasets,
            "synthetic": any(d["synthetic"] for d in datasets)}


def balance_sources(result: Any) -> list[dict[str, str]]:
    """Where each number of the balance came from: dataset, reporter and rows per side and
    period (``BalanceResult.sources``)."""
    rows = []
    for _, r in result.sources.iterrows():
        rows.append({"side": r["side"], "period": _text(r["period"]), "dataset": r["dataset"],
                     "source": _text(r.get("source")), "reporter": _text(r.get("reporter")),
                     "value": money(_num(r.get("value_usd"))), "rows": _text(r.get("rows")),
                     "reason": _text(r.get("reason"))})
    return rows


# --------------------------------------------------------------------------- headroom (real data)

#: The warehouse datasets the headroom ranking reads (tradegap.analysis.headroom).
HEADROOM_DATASETS = ("russia-demand", "russia-customs-mirror", "india-dgcis")
HEADROOM_GROUPS = ("agri", "pharma")
#: Where the real-data gap comes from (the case study's ``gap_2024``).
GAP_DATASET, GAP_YEAR = "russia-customs-mirror", "2024"


def headroom_build_command(home: Any = None) -> str:
    """The command that ingests the real files the headroom needs into a warehouse."""
    return ("tradegap case-study russia-india --data ../shared/data --home "
            + (str(home) if home else "tradegap-real"))


@dataclass
class HeadroomView:
    """What the headroom section shows: the combined ranking of
    :func:`tradegap.analysis.headroom.headroom` and the plan of
    :func:`tradegap.casestudy.real_plan` built from it; or, when the warehouse lacks the real
    datasets, which ones are ``missing``."""

    exporter: str
    market: str
    groups: tuple[str, ...]
    home: str
    missing: list[str] = field(default_factory=list)
    ranking: pd.DataFrame | None = None
    plan: Any = None
    gap: float | None = None
    gap_note: str = ""
    notes: list[str] = field(default_factory=list)
    synthetic: bool = False

    @property
    def available(self) -> bool:
        return not self.missing and self.ranking is not None

    def missing_message(self) -> str:
        return (f"the warehouse {self.home} lacks what the headroom ranking needs: "
                f"{'; '.join(self.missing)}; build it from the real files with "
                f"`{headroom_build_command()}`")


def headroom_view(wh: Any, exporter: str = "IND", market: str = "RUS",
                  groups: tuple[str, ...] = HEADROOM_GROUPS, *,
                  keep: bool = False) -> HeadroomView:
    """The export potential by the demand method
    (:func:`tradegap.analysis.potential_estimate.estimate_potential`, what ``tradegap
    potential`` calls) with the real scenario's share caps, and the real-data plan
    (``plan scenarios/russia-india-real.toml`` on this warehouse). The gap is the case study's:
    the exporter's imports from the market minus its exports to it, calendar 2024,
    ``russia-customs-mirror``. Nothing is computed when the warehouse lacks the inputs.
    ``keep=True`` computes it once per warehouse version, code and scenario file and keeps it
    in the warehouse's ``cache/`` (:func:`tradegap.warehouse.kept.kept`)."""
    if keep:
        from tradegap.casestudy.pipeline import REAL_SCENARIO
        from tradegap.warehouse.kept import kept

        return kept(wh, "headroom-view", (exporter, market, tuple(groups)),
                    lambda: headroom_view(wh, exporter, market, groups),
                    files=[REAL_SCENARIO])
    from tradegap.analysis.balance import balance
    from tradegap.analysis.potential_estimate import demand_inputs, estimate_potential
    from tradegap.casestudy import real_plan, scenario_params
    from tradegap.casestudy.pipeline import REAL_SCENARIO
    from tradegap.planning import load_scenario

    inputs, missing = demand_inputs(wh, exporter, market)
    view = HeadroomView(exporter, market, tuple(groups), str(wh.home),
                        missing=missing.split("; ") if inputs is None else [])
    if inputs is None:
        return view
    est = estimate_potential(wh, exporter, market, view.groups, method="demand",
                             headroom_params=scenario_params())
    view.synthetic = est.provenance.synthetic
    view.ranking = est.table
    view.notes.append(f"method: {est.why}")
    names = {d.name for d in wh.datasets()}
    if GAP_DATASET in names:
        summary = balance(wh, exporter, market, datasets=[GAP_DATASET]).summary.set_index(
            "period")
        if GAP_YEAR in summary.index and pd.notna(summary.loc[GAP_YEAR, "balance"]):
            view.gap = -float(summary.loc[GAP_YEAR, "balance"])
            view.gap_note = (f"{exporter}'s imports from {market} minus its exports to it, "
                             f"calendar {GAP_YEAR} ({GAP_DATASET})")
    sc = load_scenario(REAL_SCENARIO)
    if (sc.exporter, sc.market) != (exporter, market):
        view.notes.append(f"no real-data plan: scenario {sc.name!r} is about "
                          f"{sc.exporter} → {sc.market}")
        return view
    if view.gap is None:
        view.gap_note = f"the scenario's baseline gap ({money(sc.gap)}): no {GAP_YEAR} data"
    view.plan = real_plan(wh, gap=view.gap)
    view.notes.append(
        "unit values (US$/t) are taken from the market's import demand (value / net weight); "
        "they enter only tonnage limits, which this scenario does not set")
    return view


#: Columns of the headroom table: key, label (``{e}`` exporter, ``{m}`` market), kind.
HEADROOM_TABLE = (
    ("rank", "rank", "int"), ("product", "HS4", "text"), ("name", "product", "text"),
    ("group", "group", "text"), ("demand", "{m}'s demand", "money"),
    ("current", "{e}'s sales to {m}", "money"), ("share_now", "{e}'s share", "share"),
    ("capacity", "{e}'s world sales", "money"), ("headroom", "headroom", "money"),
    ("gravity_untapped", "gravity untapped", "money"), ("extra", "realistic extra", "money"),
    ("extra_basis", "set by", "text"),
)
HEADROOM_SORTS = tuple(key for key, _, _ in HEADROOM_TABLE)


def headroom_caveats(view: HeadroomView) -> list[dict[str, str]]:
    """The caveats every reader of the ranking must see (ids for tests and links)."""
    from tradegap.casestudy.pipeline import CAPACITY_PERIOD, CURRENT_YEAR

    e, m = view.exporter, view.market
    return [
        {"id": "caveat-lower-bound", "text": f"{m}'s demand is a LOWER BOUND: its imports "
         "rebuilt from its partners' declarations, with no breakdown by supplier."},
        {"id": "caveat-periods", "text": f"Periods do not match: {m}'s demand is the latest "
         f"12-month window, {e}'s sales to {m} are calendar {CURRENT_YEAR}, its world sales "
         f"are the fiscal year {CAPACITY_PERIOD} (April–March)."},
        {"id": "caveat-rounding", "text": f"{e}'s sales to {m} are its own declarations "
         "(mirror rows), rounded to US$ 10,000 per row."},
        {"id": "caveat-extra", "text": f"Realistic extra = {e}'s share of {m}'s imports raised "
         f"to the share it reaches in the best tenth of comparable products of {m} (those in "
         f"which its world sales are as large relative to {m}'s imports), under the share cap "
         "and its world sales; headroom and gravity are bounds shown beside it "
         "(docs/export-potential.md)."},
    ]


def headroom_section(view: HeadroomView, limit: int | None = None,
                     charts: bool = True) -> dict[str, Any]:
    """Rows (raw values for sorting, formatted text), totals, caveats, charts and provenance
    of a :class:`HeadroomView`; the real-data plan as :func:`plan_section`."""
    out: dict[str, Any] = {
        "available": view.available, "exporter": view.exporter, "market": view.market,
        "groups": list(view.groups), "missing": list(view.missing), "home": view.home,
        "command": headroom_build_command(), "notes": list(view.notes),
    }
    if not view.available:
        return out
    from tradegap.report import charts_headroom

    r = view.ranking
    assert r is not None
    labels = {k: lbl.format(e=view.exporter, m=view.market) for k, lbl, _ in HEADROOM_TABLE}
    columns = [{"key": k, "label": labels[k], "kind": kind} for k, _, kind in HEADROOM_TABLE]

    def cell(key: str, kind: str, value: Any) -> dict[str, Any]:
        num = _num(value) if kind in ("money", "share", "int") else None
        text = (money(num) if kind == "money" else share(num) if kind == "share"
                else str(int(num)) if kind == "int" and num is not None
                else _text(value) if kind == "text" else "—")
        full = text
        if key == "name" and len(text) > 28:
            text = short(text, 28)
        return {"text": text, "sort": "" if num is None and kind != "text" else (
            num if num is not None else _text(value)), "num": kind != "text",
            "title": full if full != text else ""}

    shown = r if limit is None else r.head(limit)
    rows = [[cell(k, kind, row.get(k)) for k, _, kind in HEADROOM_TABLE]
            for row in shown.to_dict(orient="records")]
    totals = {k: money(float(r[k].sum())) for k in
              ("demand", "current", "capacity", "headroom", "gravity_untapped", "extra")}
    prov = r.attrs.get("provenance")
    figs = {}
    if charts and len(r):
        who = {"exporter": view.exporter, "market": view.market, "groups": view.groups}
        figs = {"ranking": charts_headroom.headroom_ranking(r, **who),
                "demand": charts_headroom.demand_vs_share(r, **who)}
    out.update({
        "columns": columns, "rows": rows, "count": len(r), "shown": len(rows),
        "totals": totals, "caveats": headroom_caveats(view), "charts": figs,
        "params": dict(r.attrs.get("params", {})), "synthetic": view.synthetic,
        "provenance": provenance_view(prov if prov is not None else Provenance()),
        "gap": money(view.gap), "gap_note": view.gap_note,
        "plan": plan_section(view.plan) if view.plan is not None else None,
    })
    return out


def headroom_payload(view: HeadroomView, sort: str = "extra", order: str = "desc",
                     limit: int | None = None) -> dict[str, Any]:
    """The JSON of ``/api/headroom``: the ranking's rows unchanged, the plan's summary, path and
    binding limits, the gap, parameters, caveats and provenance."""
    base: dict[str, Any] = {"available": view.available, "exporter": view.exporter,
                            "market": view.market, "groups": list(view.groups)}
    if not view.available:
        return {**base, "missing": view.missing, "hint": view.missing_message()}
    r = view.ranking
    assert r is not None
    t = r.sort_values(sort if sort in r.columns else "extra", ascending=order == "asc",
                      kind="stable")
    plan = view.plan
    prov = r.attrs.get("provenance")
    return {
        **base, "count": len(r), "rows": t if limit is None else t.head(limit),
        "totals": {k: float(r[k].sum()) for k in
                   ("demand", "current", "capacity", "headroom", "gravity_untapped", "extra")},
        "gap": {"value": view.gap, "note": view.gap_note},
        "plan": None if plan is None else {**plan.summary(), "path": plan.path,
                                           "binding": plan.binding, "mix": plan.mix,
                                           "provenance": plan.provenance.to_dict()},
        "params": dict(r.attrs.get("params", {})),
        "caveats": [c["text"] for c in headroom_caveats(view)], "notes": view.notes,
        "provenance": (prov or Provenance()).to_dict(),
    }


# --------------------------------------------------------------------------- settlement with a plan

_COMPARE_ROWS = (("peak_idle_usd", "peak idle balance"), ("average_idle_usd",
                 "average idle balance"), ("final_idle_usd", "idle balance at the end"),
                 ("total_cost_usd", "total cost"))


def check_plan_pair(plan: Any, scenario: Any) -> None:
    """A plan's extra purchases drain a settlement's balances only when the plan's market is
    the settlement's surplus side and its exporter the deficit side."""
    from tradegap.errors import InputError

    sc = plan.scenario
    if (sc.market, sc.exporter) != (scenario.surplus, scenario.deficit):
        raise InputError(f"the plan is about {sc.market} buying from {sc.exporter}, the "
                         f"settlement about {scenario.surplus}'s balances in "
                         f"{scenario.deficit}", field="plan",
                         hint="choose a plan and a settlement scenario about the same pair")


def settlement_compare_section(comparison: Any, with_plan: Any, plan: Any,
                               charts: bool = True) -> dict[str, Any]:
    """What a plan changes in a settlement (``settlement.compare``): each measure without and
    with the plan, the plan's purchases within the settlement's months, and a chart."""
    from tradegap.report.charts_settlement import idle_with_and_without_plan
    from tradegap.report.figures import label_synthetic

    label = plan.scenario.name
    rows = []
    for key, name in _COMPARE_ROWS:
        c = comparison.summary.get(key)
        if c is None:
            continue
        rows.append({"label": name, "baseline": money(c["baseline"]),
                     "with_plan": money(c["with_plan"]), "reduction": money(c["reduction"]),
                     "reduction_share": share(_num(c["reduction_share"]))})
    bought = float(with_plan.monthly["plan_usd"].sum())
    synthetic = bool(plan.provenance.synthetic or with_plan.provenance.synthetic)
    figs = {"compare": label_synthetic(idle_with_and_without_plan(comparison, label), synthetic)} \
        if charts else {}
    note = None if bought > 0 else (
        f"the plan's years ({int(plan.path['year'].min())}–{int(plan.path['year'].max())}) "
        "do not overlap the settlement's months: it changes nothing here")
    return {"plan": label, "rows": rows, "bought": money(bought), "note": note,
            "charts": figs, "synthetic": synthetic,
            "provenance": provenance_view(plan.provenance.merge(with_plan.provenance))}
