"""The measures brief: two pages a minister's office can read (the package, its numbers, what
binds, what each agency would have to do, the residual, the assumptions with their sources), then
the detail with charts. Written as HTML (charts interactive, plotly.js inlined), PDF (printed by
Chromium, vector charts: :mod:`tradegap.report.pdf`) or Markdown. Every number comes from the
result; the scenario's assumptions and citations are read from the scenario file's own
comments."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup

from tradegap.errors import InputError
from tradegap.measures import MeasuresResult
from tradegap.provenance import SYNTHETIC_LABEL
from tradegap.report.format import money, share

TEMPLATE = "measures_brief.html.j2"

#: Who acts on each kind of measure (a description of the channel, not data).
AGENCIES = {
    "purchases": "Importers of the surplus side, with the deficit side's export promotion "
                 "councils: contracts for the products listed; trade ministries: the purchase "
                 "programme and counter-trade terms.",
    "financial asset": "The deficit side's central bank: investment limits for vostro "
                       "balances in government securities, T-bills, bonds and commercial paper.",
    "investment": "Investment agencies of both sides: a pipeline of projects that can absorb "
                  "balances (project and direct investment).",
    "joint technology fund": "Both governments: the charter, size and disbursement schedule of "
                             "the joint fund for AI and emerging technology.",
    "conversion": "Central banks and authorised dealer banks: conversion windows into the "
                  "third currency and the reference rate.",
    "netting": "The three central banks: a netting arrangement that offsets the third "
               "country's flows against the bilateral imbalance.",
}
GATE_AGENCIES = {
    "sps": "The importer's veterinary authority (for Russia, Rosselkhoznadzor): approve more "
           "exporting plants on its register",
    "registration": "The importer's medicines regulator: register dossiers and schedule GMP "
                    "inspections",
    "certification": "The importer's certification body: recognise the exporter's certificates",
    "other": "The competent authority: open the gate",
}
_LINE = re.compile(r"^\s*([A-Za-z_][\w]*)\s*=\s*(.+?)\s+#\s*(.+)$")
_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")


def assumptions(path: str | None) -> pd.DataFrame:
    """``key = value  # comment`` lines of the scenario file, with their section and whether the
    comment marks an ASSUMPTION (else it cites a source or says where the figure comes from)."""
    rows: list[dict[str, str]] = []
    if not path or not Path(path).is_file():
        return pd.DataFrame(columns=["section", "key", "value", "note", "kind"])
    section, counts = "", {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        t = _TABLE.match(line)
        if t:
            name = t.group(1)
            counts[name] = counts.get(name, -1) + 1
            section = f"{name}[{counts[name]}]" if line.lstrip().startswith("[[") else name
            continue
        m = _LINE.match(line)
        if m:
            note = m.group(3).strip()
            kind = "ASSUMPTION" if "ASSUMPTION" in note else (
                "data" if m.group(2).strip() == '"data"' or "from the warehouse" in note
                else "cited")
            rows.append({"section": section, "key": m.group(1), "value": m.group(2).strip(),
                         "note": note, "kind": kind})
    return pd.DataFrame(rows, columns=["section", "key", "value", "note", "kind"])


def agency_actions(result: MeasuresResult) -> list[dict[str, str]]:
    """One line per kind of measure in the package (and per gate): who must act, and on what."""
    out = []
    pkg = result.package
    for kind, text in AGENCIES.items():
        rows = pkg[pkg["kind"] == kind] if len(pkg) else pkg
        if len(rows):
            out.append({"who": kind, "what": text, "measures": ", ".join(rows["measure"]),
                        "size": money(float(rows["total_usd"].sum()))})
    for g in result.scenario.gates:
        sentence = next((s for f, k, s in zip(result.shadow.get("family", []),
                                               result.shadow.get("key", []),
                                               result.shadow.get("sentence", []), strict=False)
                         if k == g.name), "")
        out.append({"who": f"gate: {g.name}", "what": GATE_AGENCIES[g.kind] + ".",
                    "measures": sentence, "size": ""})
    if result.scenario.routes:
        names = ", ".join(r.name for r in result.scenario.routes)
        out.append({"who": "logistics", "what": "Transport ministries and operators: capacity "
                    f"for the extra cargo on {names}.", "measures": "", "size": ""})
    return out


def headline(result: MeasuresResult) -> list[str]:
    """The first paragraph, in sentences, every number from the result."""
    sc, r = result.scenario, result.residual
    first, last = sc.year_labels[0], sc.year_labels[-1]
    years = first if first == last else f"{first}–{last}"  # "2026", not "2026–2026"
    if not result.feasible:
        return [f"The package as specified is {result.status} over {years}."]
    out = [
        f"Over {years} the package lowers the idle {sc.fx.currency} balance of {sc.surplus} "
        f"from {money(r['idle_baseline_end_usd'])} (no measures) to {money(r['idle_end_usd'])} "
        f"at the end: {share(r['idle_gap_closed_share'])} of the idle-balance gap closed; its "
        f"peak is {money(r['idle_peak_usd'])} ({r['idle_peak_month']}).",
        f"Extra purchases from {sc.deficit} reach {money(r['extra_purchases_final_usd'])} in "
        f"{r['final_year']}: {share(r['trade_gap_closed_share'])} of that year's trade gap of "
        f"{money(r['trade_gap_baseline_usd'])}; {money(r['trade_gap_residual_usd'])} remains.",
    ]
    if len(result.package):
        top = result.package.iloc[0]
        out.append(f"The largest measure is {top['measure']} ({money(top['total_usd'])} over "
                   f"the horizon, {share(top['share_idle_gap'])} of the idle-balance gap).")
    return out


def closers(result: MeasuresResult, n: int = 4) -> list[str]:
    """The binding limits whose one-step move changes the package most (re-solved)."""
    s = result.shadow
    if s is None or s.empty:
        return []
    s = s.assign(weight=s["resolved_change_usd"].abs().fillna(0)
                 + s["purchases_change_usd_per_year"].abs().fillna(0))
    return list(s.sort_values("weight", ascending=False)["sentence"].head(n))


def _usd(value: float) -> str:
    """``money`` without the currency (the table's header says US$)."""
    return money(value).replace("US$ ", "")


def package_rows(result: MeasuresResult) -> tuple[list[str], list[list[str]]]:
    """Header and formatted rows of the package table (money in US$)."""
    pkg = result.package
    years = [c for c in pkg.columns if c.startswith("usd_")]
    head = ["#", "measure", *[c[4:] for c in years], "trade gap", "idle gap", "cost", "from",
            "band p5–p95", "binds"]
    rows = []
    for _, p in pkg.iterrows():
        band = (f"{_usd(p['total_usd_p5'])}–{_usd(p['total_usd_p95'])}"
                if "total_usd_p5" in pkg.columns and pd.notna(p["total_usd_p5"]) else "—")
        rows.append([str(p["rank"]), p["measure"], *[_usd(p[c]) for c in years],
                     share(p["share_trade_gap"]), share(p["share_idle_gap"]),
                     _usd(p["cost_usd"]), str(p["time_to_effect"] or "—"), band,
                     str(p.get("binds", "") or "—")])
    return head, rows


def context(result: MeasuresResult) -> dict[str, Any]:
    """Everything the template shows."""
    from tradegap.report.charts_measures import figures

    sc = result.scenario
    head, rows = package_rows(result)
    purchases = result.purchases
    top = (purchases.groupby(["product", "name", "group"])[["extra_usd", "tonnes"]].sum()
           .sort_values("extra_usd", ascending=False).head(15).reset_index()
           if len(purchases) else pd.DataFrame())
    return {
        "title": f"Measures to soften the {sc.surplus}–{sc.deficit} imbalance",
        "result": result, "scenario": sc, "synthetic": result.provenance.synthetic,
        "label": result.provenance.label, "SYNTHETIC_LABEL": SYNTHETIC_LABEL,
        "headline": headline(result), "package_head": head, "package_rows": rows,
        "agencies": agency_actions(result) if result.feasible else [],
        "closers": closers(result), "assumptions": assumptions(sc.file),
        "figures": figures(result) if result.feasible else {},
        "top_products": top, "generated": dt.date.today().isoformat(),
        "draws": int(result.bands["draws"].max()) if result.bands is not None
        and len(result.bands) else 0,
        "money": money, "share": share,
    }


def _interactive(fig: go.Figure | None) -> Markup:
    if fig is None:
        return Markup("")
    return Markup(fig.to_html(include_plotlyjs=False, full_html=False,
                              config={"displaylogo": False, "responsive": True}))


def render_html(result: MeasuresResult, *, pdf: bool = False) -> str:
    """The brief as one HTML document (``pdf``: in print mode, charts as divs that the
    printer's scripts draw, :mod:`tradegap.report.pdf`)."""
    from tradegap.report.html import environment, interactive_chart, plotly_js

    ctx = context(result)
    env = environment()
    env.globals["chart"] = interactive_chart if pdf else _interactive
    return env.get_template(TEMPLATE).render(**ctx, pdf=pdf,
                                             plotly_js="" if pdf else Markup(plotly_js()))


def write_brief(result: MeasuresResult, out: str | Path) -> Path:
    """Write the brief to ``out`` (.html, .pdf or .md)."""
    out = Path(out)
    suffix = out.suffix.lower()
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".html":
        out.write_text(render_html(result), encoding="utf-8")
    elif suffix == ".md":
        out.write_text(render_markdown(result), encoding="utf-8")
    elif suffix == ".pdf":
        from tradegap.report.pdf import print_to

        print_to(render_html(result, pdf=True), out)
    else:
        raise InputError(f"unknown brief format {suffix or '(no extension)'!r}", file=str(out),
                         field="--out", hint="name it .html, .pdf or .md")
    return out


def _md_table(head: list[str], rows: list[list[str]]) -> str:
    def cell(v: Any) -> str:
        return str(v).replace("|", "/").replace("\n", " ")

    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def render_markdown(result: MeasuresResult) -> str:
    """The brief as Markdown (no charts; the same numbers and sentences)."""
    ctx = context(result)
    sc = result.scenario
    parts = [f"# {ctx['title']}", ""]
    if ctx["synthetic"]:
        parts += [f"**{SYNTHETIC_LABEL}**", ""]
    parts += [f"Scenario `{sc.name}` ({sc.file or 'built in Python'}); {ctx['label']}.", "",
              "## The package", "", " ".join(ctx["headline"]), ""]
    if ctx["package_rows"]:
        parts += [_md_table(ctx["package_head"], ctx["package_rows"]), ""]
    if result.infeasibility is not None and len(result.infeasibility):
        parts += ["## Why it is infeasible (least relaxation)", ""]
        parts += [f"- {s}" for s in result.infeasibility["sentence"]] + [""]
    if ctx["closers"]:
        parts += ["## What binds, and what would close the residual", ""]
        parts += [f"- {s}" for s in ctx["closers"]] + [""]
    if ctx["agencies"]:
        parts += ["## What each agency would have to do", ""]
        parts += [f"- **{a['who']}**: {a['what']}" + (f" ({a['measures']}; {a['size']})"
                                                       if a["size"] else
                                                       f" {a['measures']}" if a["measures"]
                                                       else "") for a in ctx["agencies"]]
        parts += [""]
    a = ctx["assumptions"]
    parts += ["## Assumptions and sources", "",
              f"{(a['kind'] == 'ASSUMPTION').sum()} figures are ASSUMPTIONS, "
              f"{(a['kind'] == 'cited').sum()} are cited, {(a['kind'] == 'data').sum()} come "
              "from the data.", ""]
    if len(a):
        parts += [_md_table(["section", "key", "value", "kind", "note"],
                            a[["section", "key", "value", "kind", "note"]].values.tolist()), ""]
    parts += ["# Detail", ""]
    if len(result.shadow):
        parts += ["## Shadow prices, checked by re-solving", ""]
        rows = [[s["step"], money(s["dual_prediction_usd"]), money(s["resolved_change_usd"]),
                 money(s["purchases_change_usd_per_year"]), money(s["idle_end_change_usd"])]
                for _, s in result.shadow.iterrows()]
        parts += [_md_table(["step", "LP dual predicts (cost)", "re-solved (cost)",
                             "purchases a year", "idle at end"], rows), ""]
    if len(ctx["top_products"]):
        t = ctx["top_products"]
        parts += ["## Largest extra purchases (over the horizon)", "",
                  _md_table(["product", "name", "group", "US$", "tonnes"],
                            [[r.product, r.name, r.group, money(r.extra_usd),
                              f"{r.tonnes:,.0f}"] for r in t.itertuples()]), ""]
    d = result.decomposition
    if d is not None and len(d):
        parts += [f"## Price × volume decomposition of the gap, {d.attrs.get('base_year')}→"
                  f"{d.attrs.get('year')} ({d.attrs.get('dataset')})", "",
                  _md_table(["side", "segment", "price", "volume", "interaction", "unsplit",
                             "total"], [[r.side, r.segment, money(r.price), money(r.volume),
                                         money(r.interaction), money(r.unsplit),
                                         money(r.total)] for r in d.itertuples()]), ""]
    if result.facts:
        parts += ["## Figures from the data", "",
                  _md_table(["figure", "value", "dataset", "period", "note"],
                            [[f["key"], f"{f['value']:,.2f}", f["dataset"], f["period"],
                              f["note"]] for f in result.facts]), ""]
    parts += [f"Generated by tradegap on {ctx['generated']}."]
    return "\n".join(parts) + "\n"
