"""Chart of a general-equilibrium counterfactual (:func:`tradegap.analysis.gravity_ge.solve_ge`):
the % change in each country's real GDP, full endowment and conditional."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from tradegap.report.figures import label_synthetic


def real_gdp_changes(countries: pd.DataFrame, title: str, synthetic: bool = False) -> go.Figure:
    """Horizontal bars of ``rgdp_full_pct`` (and ``rgdp_cdl_pct``) per country, largest first."""
    r = countries.sort_values("rgdp_full_pct")
    fig = go.Figure()
    fig.add_trace(go.Bar(y=r["country"], x=r["rgdp_full_pct"], orientation="h",
                         name="full endowment"))
    fig.add_trace(go.Bar(y=r["country"], x=r["rgdp_cdl_pct"], orientation="h",
                         name="conditional (output fixed)"))
    fig.update_layout(title=title, xaxis_title="% change in real GDP", barmode="group",
                      height=max(450, 22 * len(r) + 160), legend={"orientation": "h"})
    return label_synthetic(fig, synthetic)
