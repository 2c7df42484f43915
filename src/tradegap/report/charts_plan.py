"""Charts of a purchase plan: the balance path it projects and its mix by product group."""

from __future__ import annotations

import plotly.graph_objects as go

from tradegap.planning import Plan
from tradegap.planning.explain import constraint_words
from tradegap.report.figures import label_synthetic
from tradegap.report.format import money


def balance_path(plan: Plan) -> go.Figure:
    """Baseline gap, extra purchases (bars) and the projected gap (line) per plan year, US$ bn."""
    p = plan.path
    years = [str(y) for y in p["year"]]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=years,
            y=p["extra_purchases"] / 1e9,
            name="extra purchases under the plan",
            customdata=[money(v) for v in p["extra_purchases"]],
            hovertemplate="%{x}<br>%{customdata}<extra>%{fullData.name}</extra>",
        )
    )
    for column, name, dash in (
        ("baseline_gap", "baseline gap", "dot"),
        ("projected_gap", "projected gap with the plan", "solid"),
        ("target_usd", "target of extra purchases", "dash"),
    ):
        if column not in p or p[column].isna().all():
            continue
        fig.add_trace(
            go.Scatter(
                x=years,
                y=p[column] / 1e9,
                name=name,
                mode="lines+markers",
                line={"dash": dash},
                customdata=[money(v) for v in p[column]],
                hovertemplate="%{x}<br>%{customdata}<extra>%{fullData.name}</extra>",
            )
        )
    sc = plan.scenario
    fig.update_layout(
        title=f"{sc.exporter}–{sc.market} gap under scenario {sc.name!r} ({plan.status})",
        xaxis_title="year",
        yaxis_title="US$ bn",
        xaxis_type="category",
        legend={"orientation": "h", "y": -0.2},
    )
    return label_synthetic(fig, plan.provenance.synthetic)


def mix_bars(plan: Plan) -> go.Figure:
    """Extra purchases in the final plan year by product group, US$ m."""
    m = plan.mix
    fig = go.Figure(
        go.Bar(
            x=list(m["group"]),
            y=m["extra_usd"] / 1e6,
            customdata=[
                f"{money(v)} ({s:.0%})" for v, s in zip(m["extra_usd"], m["share"], strict=True)
            ],
            hovertemplate="%{x}<br>%{customdata}<extra></extra>",
        )
    )
    final = int(plan.path["year"].iloc[-1]) if len(plan.path) else ""
    fig.update_layout(
        title=f"Extra purchases by product group, {final}",
        xaxis_title="product group",
        yaxis_title="US$ m",
    )
    return label_synthetic(fig, plan.provenance.synthetic)


def binding_constraints(plan: Plan, top: int = 12) -> go.Figure:
    """The limits that bind, by how much their natural step (1 pp, 1,000 t/yr, US$ 1 m) would
    add to the objective per year (the LP's shadow prices; see planning.explain)."""
    b = plan.binding.head(top).iloc[::-1] if len(plan.binding) else plan.binding
    labels = [constraint_words(f"{f}:{k}" if k else str(f))
              for f, k in zip(b.get("family", []), b.get("key", []), strict=False)]
    values = b["per_step_per_year"] / 1e6 if len(b) else []
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            customdata=list(b["sentence"]) if len(b) else [],
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"What binds in scenario {plan.scenario.name!r}: value of one step per year",
        xaxis_title="US$ m per year for one step of the limit",
        yaxis_title="limit",
    )
    return label_synthetic(fig, plan.provenance.synthetic)
