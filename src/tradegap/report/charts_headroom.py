"""Charts of the headroom ranking (:func:`tradegap.analysis.headroom.headroom`): the top
products by realistic extra sales, and the market's demand against the exporter's share of it;
titles and axes name the pair and the product groups chosen."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tradegap.report.format import money


def _who(iso3: str) -> str:
    """A country's short name (its ISO3 code when the reference list lacks it)."""
    from tradegap.errors import NotFound
    from tradegap.reference.countries import country_name

    try:
        return country_name(iso3)
    except NotFound:
        return iso3


def group_words(groups: Sequence[str]) -> str:
    """Product groups as a title says them: "Agri & pharma", "Agri, pharma & chemicals"."""
    names = [g for g in dict.fromkeys(groups) if g]
    if not names:
        return "All products"
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " & " + names[-1]
    return text[0].upper() + text[1:]


def _groups(ranking: pd.DataFrame, groups: Sequence[str] | None) -> list[str]:
    if groups:
        return list(groups)
    return sorted(ranking["group"].dropna().unique()) if "group" in ranking else []


def headroom_ranking(ranking: pd.DataFrame, top: int = 15, *, exporter: str = "IND",
                     market: str = "RUS", groups: Sequence[str] | None = None) -> go.Figure:
    """For the top products of the combined ranking: the exporter's current sales to the
    market, the headroom, the gravity untapped potential and the realistic extra (share
    benchmark), US$ m. The title names the pair and the product groups chosen (``groups``;
    default: those in the ranking)."""
    from tradegap.casestudy.pipeline import CAPACITY_PERIOD, CURRENT_YEAR

    r = ranking.head(top).iloc[::-1]
    labels = [f"{p} {(n or '')[:38]}" for p, n in zip(r["product"], r["name"], strict=True)]
    e, m = _who(exporter), _who(market)
    fig = go.Figure()
    for column, name in (("current", f"{e}'s sales to {m}, {CURRENT_YEAR}"),
                         ("headroom", "headroom (share cap × demand, capacity)"),
                         ("gravity_untapped", f"gravity untapped ({CAPACITY_PERIOD})"),
                         ("extra", "realistic extra (share benchmark)")):
        fig.add_trace(go.Bar(
            y=labels, x=r[column].fillna(0) / 1e6, name=name, orientation="h",
            customdata=[money(v) for v in r[column]],
            hovertemplate="%{y}<br>%{customdata}<extra>%{fullData.name}</extra>",
        ))
    fig.update_layout(
        title=f"{group_words(_groups(ranking, groups))}: where {e} could sell more to {m} "
        f"(top {len(r)} by realistic extra)",
        xaxis_title=f"US$ m per year ({e} → {m})", yaxis_title=None, barmode="group",
        height=max(450, 38 * len(r) + 200),
        legend={"orientation": "h", "y": -0.1, "yanchor": "top"}, margin={"l": 330, "b": 130},
    )
    fig.update_yaxes(automargin=True)
    return fig


def demand_vs_share(ranking: pd.DataFrame, min_demand: float = 1e6, *, exporter: str = "IND",
                    market: str = "RUS", groups: Sequence[str] | None = None) -> go.Figure:
    """The market's demand (log scale) against the exporter's current share of it, sized by
    headroom (area ∝ headroom); products the market imports less than ``min_demand`` of are
    left out."""
    r = ranking[(ranking["demand"] >= min_demand) & ranking["share_now"].notna()]
    size = 6 + 40 * np.sqrt(r["headroom"] / max(r["headroom"].max(), 1.0))
    e, m = _who(exporter), _who(market)
    fig = go.Figure()
    for group, part in r.groupby("group"):
        fig.add_trace(go.Scatter(
            x=part["demand"] / 1e6, y=part["share_now"] * 100, mode="markers", name=group,
            marker={"size": size[part.index].to_numpy(), "opacity": 0.6},
            text=[f"{p} {(n or '')[:40]}<br>headroom {money(h)}" for p, n, h in
                  zip(part["product"], part["name"], part["headroom"], strict=True)],
            hovertemplate=f"%{{text}}<br>demand US$ %{{x:,.0f}} m, {e} %{{y:.1f}}%"
            "<extra></extra>",
        ))
    fig.update_layout(
        title=f"{group_words(_groups(ranking, groups))}: {m}'s imports by HS4 (lower bound) "
        f"and {e}'s share of them; size = headroom",
        xaxis_title=f"{m}'s imports, US$ m per year (log)", xaxis_type="log",
        yaxis_title=f"{e}'s share, %",
    )
    return fig
