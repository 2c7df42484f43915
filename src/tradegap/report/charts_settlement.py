"""Charts of a settlement simulation: the idle vostro balance with its Monte Carlo bands."""

from __future__ import annotations

import plotly.graph_objects as go

from tradegap.report.figures import label_synthetic
from tradegap.report.format import money
from tradegap.settlement import Comparison, SettlementResult


def vostro_path(result: SettlementResult) -> go.Figure:
    """Idle vostro balance in US$ bn per month on the central path, with the p5–p95 band of the
    Monte Carlo draws when there are any."""
    m = result.monthly
    fig = go.Figure()
    b = result.bands
    if b is not None and "idle_usd_p5" in b:
        fig.add_trace(go.Scatter(
            x=b["month"], y=b["idle_usd_p95"] / 1e9, name="95th percentile", mode="lines",
            line={"width": 0}, customdata=[money(v) for v in b["idle_usd_p95"]],
            hovertemplate="%{x}<br>p95 %{customdata}<extra></extra>", showlegend=False,
        ))
        fig.add_trace(go.Scatter(
            x=b["month"], y=b["idle_usd_p5"] / 1e9, name="5th–95th percentile of draws",
            mode="lines", line={"width": 0}, fill="tonexty", fillcolor="rgba(31,119,180,0.2)",
            customdata=[money(v) for v in b["idle_usd_p5"]],
            hovertemplate="%{x}<br>p5 %{customdata}<extra></extra>",
        ))
        fig.add_trace(go.Scatter(
            x=b["month"], y=b["idle_usd_p50"] / 1e9, name="median of draws", mode="lines",
            line={"dash": "dot"}, customdata=[money(v) for v in b["idle_usd_p50"]],
            hovertemplate="%{x}<br>median %{customdata}<extra></extra>",
        ))
    fig.add_trace(go.Scatter(
        x=m["month"], y=m["idle_usd"] / 1e9, name="central path", mode="lines+markers",
        customdata=[money(v) for v in m["idle_usd"]],
        hovertemplate="%{x}<br>%{customdata}<extra>central path</extra>",
    ))
    s = result.summary
    fig.update_layout(
        title=f"Idle {s.get('currency', '')} vostro balance of {s.get('surplus', '')} "
        f"in {s.get('deficit', '')} (scenario {s.get('scenario', '')!r})",
        xaxis_title="month", yaxis_title="US$ bn", legend={"orientation": "h", "y": -0.2},
    )
    return label_synthetic(fig, result.provenance.synthetic)


def cumulative_cost(result: SettlementResult) -> go.Figure:
    """Cumulative cost of holding and clearing the balances (US$ m) by month."""
    m = result.monthly
    fig = go.Figure(go.Scatter(
        x=m["month"], y=m["cum_cost_usd"] / 1e6, mode="lines", name="cumulative cost",
        customdata=[money(v) for v in m["cum_cost_usd"]],
        hovertemplate="%{x}<br>%{customdata}<extra></extra>",
    ))
    fig.update_layout(title="Cumulative cost: forgone interest, FX loss and conversion spread",
                      xaxis_title="month", yaxis_title="US$ m")
    return label_synthetic(fig, result.provenance.synthetic)


def idle_with_and_without_plan(comparison: Comparison, label: str) -> go.Figure:
    """Idle balance (US$ bn) per month without and with the plan."""
    m = comparison.monthly
    fig = go.Figure()
    for column, name, dash in (("idle_usd_baseline", "without the plan", "dot"),
                               ("idle_usd_with_plan", f"with plan {label!r}", "solid")):
        fig.add_trace(go.Scatter(
            x=m["month"], y=m[column] / 1e9, name=name, mode="lines", line={"dash": dash},
            customdata=[money(v) for v in m[column]],
            hovertemplate="%{x}<br>%{customdata}<extra>%{fullData.name}</extra>"))
    fig.update_layout(title=f"Idle balance without and with plan {label!r} (central path)",
                      xaxis_title="month", yaxis_title="US$ bn",
                      legend={"orientation": "h", "y": -0.2})
    return fig
