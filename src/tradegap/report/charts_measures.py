"""Charts of a measures package: the idle balance with and without it, what drains it each year,
the extra purchases by group and route, and the price × volume decomposition of the gap."""

from __future__ import annotations

import plotly.graph_objects as go

from tradegap.measures import MeasuresResult
from tradegap.report.figures import label_synthetic
from tradegap.report.format import money


def idle_balance(result: MeasuresResult) -> go.Figure:
    """Idle balance (US$ bn) by month: without measures and with the package."""
    m = result.ledger
    fig = go.Figure()
    for col, name, dash in (("baseline_idle_usd", "without measures", "dot"),
                            ("idle_usd", "with the package", "solid")):
        fig.add_trace(go.Scatter(
            x=m["month"], y=m[col] / 1e9, name=name, mode="lines", line={"dash": dash},
            customdata=[money(v) for v in m[col]],
            hovertemplate="%{x}<br>%{customdata}<extra>%{fullData.name}</extra>"))
    fx = result.scenario.fx.currency
    fig.update_layout(title=f"Idle {fx} balance of {result.scenario.surplus}, US$ bn",
                      xaxis_title="month", yaxis_title="US$ bn", height=380,
                      legend={"orientation": "h", "y": -0.25})
    return label_synthetic(fig, result.provenance.synthetic)


def drains_by_year(result: MeasuresResult) -> go.Figure:
    """Stacked bars: what each measure moves out of the idle balance each year (US$ bn)."""
    pkg = result.package
    years = [c for c in pkg.columns if c.startswith("usd_")]
    fig = go.Figure()
    for _, row in pkg.iterrows():
        values = [row[c] for c in years]
        fig.add_trace(go.Bar(x=[c[4:] for c in years], y=[v / 1e9 for v in values],
                             name=row["measure"], customdata=[money(v) for v in values],
                             hovertemplate="%{x}<br>%{customdata}<extra>%{fullData.name}"
                             "</extra>"))
    fig.update_layout(barmode="stack", title="Size of each measure by year, US$ bn",
                      xaxis_title="plan year", yaxis_title="US$ bn", height=420,
                      legend={"orientation": "h", "y": -0.3})
    return label_synthetic(fig, result.provenance.synthetic)


def purchases_by_route(result: MeasuresResult) -> go.Figure:
    """Extra purchases by year and route (thousand tonnes)."""
    t = result.purchases
    fig = go.Figure()
    if len(t):
        g = t.groupby(["route", "year"])["tonnes"].sum().reset_index()
        for route, part in g.groupby("route"):
            fig.add_trace(go.Bar(x=part["year"], y=part["tonnes"] / 1e3, name=route or "any",
                                 hovertemplate="%{x}<br>%{y:,.1f} kt<extra>%{fullData.name}"
                                 "</extra>"))
    fig.update_layout(barmode="stack", title="Extra cargo by route, thousand tonnes",
                      xaxis_title="plan year", yaxis_title="kt", height=340)
    return label_synthetic(fig, result.provenance.synthetic)


def decomposition(result: MeasuresResult) -> go.Figure | None:
    """Grouped bars: the change of each side's sales and of the gap, by component (US$ bn)."""
    d = result.decomposition
    if d is None or d.empty:
        return None
    fig = go.Figure()
    labels = [f"{s}: {g}" for s, g in zip(d["side"], d["segment"], strict=True)]
    for comp in ("price", "volume", "interaction", "unsplit"):
        fig.add_trace(go.Bar(x=labels, y=d[comp] / 1e9, name=comp,
                             customdata=[money(v) for v in d[comp]],
                             hovertemplate="%{x}<br>%{customdata}<extra>%{fullData.name}"
                             "</extra>"))
    y0, y1 = d.attrs.get("base_year", ""), d.attrs.get("year", "")
    fig.update_layout(barmode="relative", height=380,
                      title=f"Change {y0}→{y1} by price, volume and their interaction, US$ bn",
                      yaxis_title="US$ bn", legend={"orientation": "h", "y": -0.35})
    return label_synthetic(fig, result.provenance.synthetic)


def figures(result: MeasuresResult) -> dict[str, go.Figure]:
    """Every chart of the brief that has something to show."""
    out = {"idle": idle_balance(result), "drains": drains_by_year(result),
           "routes": purchases_by_route(result), "decomposition": decomposition(result)}
    return {k: v for k, v in out.items() if v is not None}
