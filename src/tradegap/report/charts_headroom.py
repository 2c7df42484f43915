"""Charts of the headroom ranking (:func:`tradegap.analysis.headroom.headroom`): the top
products by realistic extra sales, and Russia's demand against India's share of it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tradegap.report.format import money


def headroom_ranking(ranking: pd.DataFrame, top: int = 15) -> go.Figure:
    """For the top products of the combined ranking: India's current sales to Russia, the
    headroom, the gravity untapped potential and the realistic extra (share benchmark), US$ m."""
    r = ranking.head(top).iloc[::-1]
    labels = [f"{p} {(n or '')[:38]}" for p, n in zip(r["product"], r["name"], strict=True)]
    fig = go.Figure()
    for column, name in (("current", "India's sales to Russia, 2024"),
                         ("headroom", "headroom (share cap × demand, capacity)"),
                         ("gravity_untapped", "gravity untapped (FY2024-25)"),
                         ("extra", "realistic extra (share benchmark)")):
        fig.add_trace(go.Bar(
            y=labels, x=r[column].fillna(0) / 1e6, name=name, orientation="h",
            customdata=[money(v) for v in r[column]],
            hovertemplate="%{y}<br>%{customdata}<extra>%{fullData.name}</extra>",
        ))
    fig.update_layout(
        title="Agri & pharma: where India could sell more to Russia (top by realistic extra)",
        xaxis_title="US$ m per year", barmode="group", height=max(450, 38 * len(r) + 200),
        legend={"orientation": "h", "y": -0.1, "yanchor": "top"}, margin={"l": 330, "b": 130},
    )
    return fig


def demand_vs_share(ranking: pd.DataFrame, min_demand: float = 1e6) -> go.Figure:
    """Russia's demand (log scale) against India's current share of it, sized by headroom
    (area ∝ headroom); products Russia imports less than ``min_demand`` of are left out."""
    r = ranking[(ranking["demand"] >= min_demand) & ranking["share_now"].notna()]
    size = 6 + 40 * np.sqrt(r["headroom"] / max(r["headroom"].max(), 1.0))
    fig = go.Figure()
    for group, part in r.groupby("group"):
        fig.add_trace(go.Scatter(
            x=part["demand"] / 1e6, y=part["share_now"] * 100, mode="markers", name=group,
            marker={"size": size[part.index].to_numpy(), "opacity": 0.6},
            text=[f"{p} {(n or '')[:40]}<br>headroom {money(h)}" for p, n, h in
                  zip(part["product"], part["name"], part["headroom"], strict=True)],
            hovertemplate="%{text}<br>demand US$ %{x:,.0f} m, India %{y:.1f}%<extra></extra>",
        ))
    fig.update_layout(
        title="Russia's imports by HS4 (lower bound) and India's share of them; size = headroom",
        xaxis_title="Russia's imports, US$ m per year (log)", xaxis_type="log",
        yaxis_title="India's share, %",
    )
    return fig
