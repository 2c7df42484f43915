"""Charts of an export-potential result: top untapped opportunities, potential vs actual."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from tradegap.analysis.potential import PotentialResult
from tradegap.report.figures import label_synthetic
from tradegap.report.format import money


def _labels(t) -> list[str]:  # type: ignore[no-untyped-def]
    if "name" in t.columns:
        return [f"{p} {str(n)[:40]}" if isinstance(n, str) else str(p)
                for p, n in zip(t["product"], t["name"], strict=True)]
    return [str(p) for p in t["product"]]


def top_opportunities(result: PotentialResult, top: int = 30) -> go.Figure:
    """Horizontal bars: actual exports and untapped potential per product (US$ m), largest
    untapped potential on top."""
    t = result.table.head(top).iloc[::-1]
    labels = _labels(t)
    fig = go.Figure()
    for column, name in (("actual", "actual exports"), ("untapped", "untapped potential")):
        fig.add_trace(go.Bar(
            y=labels, x=t[column] / 1e6, name=name, orientation="h",
            customdata=[money(v) for v in t[column]],
            hovertemplate="%{y}<br>%{customdata}<extra>%{fullData.name}</extra>",
        ))
    fig.update_layout(
        title=f"{result.exporter} → {result.market}: export potential by product "
        f"(ITC method, base {result.year})",
        xaxis_title="US$ m", barmode="stack", height=max(400, 22 * len(t) + 150),
    )
    return label_synthetic(fig, result.provenance.synthetic)


def potential_vs_actual(result: PotentialResult) -> go.Figure:
    """Scatter of potential against actual exports (log axes, US$), with the 45° line where
    potential is fully realised."""
    t = result.table[(result.table["potential"] > 0)]
    actual = t["actual"].clip(lower=1.0)
    fig = go.Figure(go.Scatter(
        x=t["potential"], y=actual, mode="markers", text=_labels(t),
        customdata=np.column_stack([[money(v) for v in t["potential"]],
                                    [money(v) for v in t["actual"]]]) if len(t) else None,
        hovertemplate="%{text}<br>potential %{customdata[0]}<br>actual %{customdata[1]}"
        "<extra></extra>",
        name="products",
    ))
    if len(t):
        lo = float(min(t["potential"].min(), actual.min()))
        hi = float(max(t["potential"].max(), actual.max()))
        fig.add_trace(go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="potential realised",
                                 line={"dash": "dash"}))
    fig.update_layout(
        title=f"{result.exporter} → {result.market}: potential vs actual exports",
        xaxis_title="potential (US$)", yaxis_title="actual (US$, 1 = none)",
        xaxis_type="log", yaxis_type="log",
    )
    return label_synthetic(fig, result.provenance.synthetic)
