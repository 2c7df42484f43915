"""Charts of the bilateral balance: balance over time, composition treemap, top drivers."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from tradegap.analysis.balance import BalanceResult
from tradegap.report.figures import label_synthetic
from tradegap.report.format import money, product_label, short

_HOVER = "%{x}<br>%{customdata}<extra>%{fullData.name}</extra>"
_AXIS = {"calendar_year": "calendar year", "fiscal_year_in": "Indian fiscal year (April–March)"}


def _named(code: str) -> str:
    """'RUS (Russia)', or the code alone outside the reference list."""
    from tradegap.errors import NotFound
    from tradegap.reference.countries import country_name

    try:
        return f"{code} ({country_name(code)})"
    except NotFound:
        return code


def balance_over_time(result: BalanceResult) -> go.Figure:
    """Exports, imports (bars) and balance (line) by period, US$ bn."""
    s = result.summary
    partial = s["partial"].eq(True) if "partial" in s else pd.Series(False, index=s.index)
    # partial periods say so on the axis; missing values stay gaps (NaN), never zeros
    x = [f"{p} (partial)" if flag else p for p, flag in zip(s["period"], partial, strict=True)]
    fig = go.Figure()
    for column, name in (
        ("exports", f"{result.a} exports to {result.b}"),
        ("imports", f"{result.a} imports from {result.b}"),
        ("balance", "balance"),
    ):
        if column not in s:
            continue
        values = s[column] / 1e9
        if column == "balance" and partial.any():
            # a partial period's balance is not on the line (it would read as a collapse)
            fig.add_trace(
                go.Scatter(
                    x=[v for v, flag in zip(x, partial, strict=True) if flag],
                    y=values[partial],
                    name="balance, partial period",
                    mode="markers",
                    marker={"symbol": "circle-open", "size": 10},
                    customdata=[money(v) for v in s.loc[partial, column]],
                    hovertemplate=_HOVER,
                )
            )
            values = values.where(~partial)
        kind = go.Scatter if column == "balance" else go.Bar
        extra = {"mode": "lines+markers"} if column == "balance" else {}
        fig.add_trace(
            kind(
                x=x,
                y=values,
                name=name,
                customdata=[money(v) for v in s[column]],
                hovertemplate=_HOVER,
                **extra,
            )
        )
    if "official_balance" in s and s["official_balance"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=x,
                y=s["official_balance"] / 1e9,
                name="official balance",
                mode="markers",
                marker={"symbol": "diamond", "size": 10},
                customdata=[money(v) for v in s["official_balance"]],
                hovertemplate=_HOVER,
            )
        )
    fig.update_layout(
        title=f"{_named(result.a)}–{_named(result.b)} trade balance (seen from {result.a})",
        xaxis_title=_AXIS.get(getattr(result, "frequency", ""), "period"),
        xaxis_type="category",
        yaxis_title="US$ bn",
        barmode="group",
    )
    return label_synthetic(fig, result.provenance.synthetic)


def _by_section(comp: pd.DataFrame, labels: list[str]
                ) -> tuple[list[str], list[str], list[float], list[str]]:
    """Treemap nodes: HS sections (coloured apart) holding their chapters or headings."""
    from tradegap.reference.products import section_of_chapter, sections

    codes = comp["code"].astype(str)
    sec = section_of_chapter(codes.str[:2])
    titles = sections().set_index("section")
    ids, parents, values, names = [], [], [], []
    for s_id in sorted({int(x) for x in sec.dropna()}):
        mask = (sec == s_id).fillna(False).to_numpy()
        row = titles.loc[s_id]
        ids.append(f"s{s_id}")
        parents.append("")
        values.append(float(comp.loc[mask, "value_usd"].sum()))
        names.append(short(f"{row['roman']} {row['name']}", 40))
    for code, label, value, s_id in zip(codes, labels, comp["value_usd"], sec, strict=True):
        ids.append(f"c{code}")
        parents.append("" if pd.isna(s_id) else f"s{int(s_id)}")
        values.append(float(value))
        names.append(short(label, 36))
    return ids, parents, values, names


#: HS6 lines smaller than this share of a side's total stay inside their HS4 (the page stays
#: light; their value is in the HS4 box).
MIN_HS6_SHARE = 2e-4


def _drill_nodes(hs6: pd.DataFrame) -> tuple[list[str], list[str], list[float], list[str]]:
    """Treemap nodes section → HS2 → HS4 → HS6 from HS6 rows (code, name, value_usd)."""
    from tradegap.reference.products import product_name

    rows = hs6[hs6["value_usd"] > 0].assign(code=lambda f: f["code"].astype(str))
    rows = rows[rows["code"].str.fullmatch(r"\d{6}")]
    chapters = rows.groupby(rows["code"].str[:2])["value_usd"].sum()
    comp = pd.DataFrame({"code": chapters.index, "value_usd": chapters.to_numpy()})
    labels = [f"{c} {product_label(c, product_name(c))}" for c in comp["code"]]
    ids, parents, values, names = _by_section(comp, labels)
    total = float(rows["value_usd"].sum()) or 1.0
    for code, value in rows.groupby(rows["code"].str[:4])["value_usd"].sum().items():
        ids.append(f"h{code}")
        parents.append(f"c{code[:2]}")
        values.append(float(value))
        names.append(short(f"{code} {product_label(code, product_name(code))}", 36))
    for code, name, value in zip(rows["code"], rows["name"], rows["value_usd"], strict=True):
        if value >= MIN_HS6_SHARE * total:
            ids.append(f"p{code}")
            parents.append(f"h{code[:4]}")
            values.append(float(value))
            names.append(short(f"{code} {product_label(code, name)}", 36))
    return ids, parents, values, names


def composition_treemap(
    result: BalanceResult, side: str = "imports", period: str | None = None,
    detail: pd.DataFrame | None = None,
) -> go.Figure:
    """Treemap of one side's composition in one period (default: the latest), by HS section
    and chapter; with ``detail`` (the same composition by HS6, ``balance(level="hs6")``) it
    drills down section → HS2 → HS4 → HS6 on a click, two levels shown at a time."""
    comp = result.composition[result.composition["side"] == side]
    if period is None and not comp.empty:
        period = sorted(comp["period"].unique())[-1]
    comp = comp[comp["period"] == period]
    fine = None
    if detail is not None:
        fine = detail[(detail["side"] == side) & (detail["period"] == period)]
    if fine is not None and len(fine):
        ids, parents, values, names = _drill_nodes(fine)
    else:
        labels = [f"{c} {product_label(c, n)}"
                  for c, n in zip(comp["code"], comp["name"], strict=False)]
        ids, parents, values, names = _by_section(comp, labels)
    fig = go.Figure(
        go.Treemap(
            ids=ids, labels=names, parents=parents, values=values, branchvalues="total",
            maxdepth=2 if fine is not None and len(fine) else -1,
            customdata=[money(v) for v in values],
            texttemplate="%{label}<br>%{customdata} · %{percentRoot:.1%}",
            hovertemplate="%{label}<br>%{customdata}<br>%{percentRoot:.1%} of the total"
            "<extra></extra>",
            textfont={"size": 13}, marker={"line": {"width": 1, "color": "#fff"}},
            tiling={"pad": 2}, pathbar={"visible": True},
        )
    )
    fig.update_layout(height=520, margin={"l": 8, "r": 8, "t": 60, "b": 8})
    flow = f"{result.a}→{result.b}" if side == "exports" else f"{result.b}→{result.a}"
    fig.update_layout(title=f"Composition of {flow}, {period} (value, US$)")
    return label_synthetic(fig, result.provenance.synthetic)


def top_drivers(result: BalanceResult, period: str | None = None) -> go.Figure:
    """Horizontal bars of the products that contribute most to the balance."""
    d = result.drivers
    if period is None and not d.empty:
        period = sorted(d["period"].unique())[-1]
    d = d[d["period"] == period].iloc[::-1] if not d.empty else d
    names = [
        f"{c} {short(product_label(c, n), 40)}"
        for c, n in zip(
            d.get("code", pd.Series(dtype=str)), d.get("name", pd.Series(dtype=str)), strict=False
        )
    ]
    fig = go.Figure(
        go.Bar(
            x=d.get("net", pd.Series(dtype=float)) / 1e9,
            y=names,
            orientation="h",
            customdata=[money(v) for v in d.get("net", [])],
            hovertemplate="%{y}<br>net %{customdata}<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"Top drivers of the {result.a}–{result.b} balance, {period}",
        xaxis_title=f"net exports of {result.a}, US$ bn",
        yaxis_title="product",
    )
    return label_synthetic(fig, result.provenance.synthetic)
