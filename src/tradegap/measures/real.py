"""Figures a scenario takes from the warehouse: the pair's trade in the data year (crude value and
tonnes, other sales, the deficit side's sales), the candidates from the potential, and the
price × volume decomposition of the gap between two years. Every figure is returned with the
dataset and period it comes from (``facts``)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from tradegap.analysis.headroom import HeadroomParams
from tradegap.errors import InputError
from tradegap.measures.decompose import gap_decomposition
from tradegap.measures.scenario import Crude, MeasuresScenario
from tradegap.warehouse import Warehouse

DEFAULT_GROUPS = ("agri", "pharma")


def _query(wh: Warehouse, sql: str, params: list[Any]) -> pd.DataFrame:
    con = wh.connect()
    try:
        return con.execute(sql, params).df()
    finally:
        con.close()


def pair_products(wh: Warehouse, dataset: str, exporter: str, importer: str,
                  year: int) -> pd.DataFrame:
    """Value (US$) and quantity (the dataset's unit, tonnes in the Russian-customs layout) by
    product for calendar ``year``, with the number of months present."""
    return _query(wh, "SELECT product, sum(value_usd) AS value, sum(quantity) AS quantity, "
                  "count(DISTINCT period) AS months FROM flows WHERE dataset = ? AND exporter = ? "
                  "AND importer = ? AND year = ? GROUP BY product",
                  [dataset, exporter, importer, year])


def pair_figures(wh: Warehouse, sc: MeasuresScenario) -> list[dict[str, Any]]:
    """The data year's crude value and tonnes, the surplus side's other sales and the deficit
    side's sales, each as a fact ``{key, value, dataset, period, note}``."""
    d = sc.data
    s = pair_products(wh, d.dataset, sc.surplus, sc.deficit, d.year)
    x = pair_products(wh, d.dataset, sc.deficit, sc.surplus, d.year)
    if s.empty or x.empty:
        raise InputError(f"the warehouse has no {d.dataset} flows between {sc.surplus} and "
                         f"{sc.deficit} in {d.year}", field="data.year",
                         hint="ingest the data first (tradegap ingest russia-customs …) or "
                         "choose another year")
    months = int(max(s["months"].max(), x["months"].max()))
    note = f"{months} months" + ("" if months == 12 else " — PARTIAL YEAR")
    crude = s[s["product"].str.startswith(d.crude_prefix)]
    period = f"calendar {d.year}"
    facts = [
        {"key": "crude_value_usd", "value": float(crude["value"].sum())},
        {"key": "crude_tonnes", "value": float(crude["quantity"].sum())},
        {"key": "surplus_other_exports_usd",
         "value": float(s["value"].sum() - crude["value"].sum())},
        {"key": "deficit_exports_usd", "value": float(x["value"].sum())},
    ]
    facts.append({"key": "crude_usd_per_tonne",
                  "value": facts[0]["value"] / facts[1]["value"] if facts[1]["value"] else
                  float("nan")})
    for f in facts:
        f.update(dataset=d.dataset, period=period, note=note)
    return facts


def resolve(sc: MeasuresScenario, wh: Warehouse) -> tuple[MeasuresScenario, list[dict]]:
    """Replace the scenario's ``"data"`` figures by the warehouse's (held flat over the plan
    years; crude scaled by ``volume_scale``/``price_scale``)."""
    if not sc.from_data:
        return sc, []
    facts = pair_figures(wh, sc)
    val = {f["key"]: f["value"] for f in facts}
    T = sc.years
    changes: dict[str, Any] = {}
    if "trade.other_exports_usd" in sc.from_data:
        changes["other_exports_usd"] = (val["surplus_other_exports_usd"],) * T
    if "trade.deficit_exports_usd" in sc.from_data:
        changes["deficit_exports_usd"] = (val["deficit_exports_usd"],) * T
    if sc.crude is not None:
        vol = np.array(sc.crude.volume_tonnes, float)
        price = np.array(sc.crude.price_usd_per_tonne, float)
        if "crude.volume_tonnes" in sc.from_data:
            vol = np.full(T, val["crude_tonnes"])
        if "crude.price_usd_per_tonne" in sc.from_data:
            price = np.full(T, val["crude_usd_per_tonne"])
        vs = np.array(sc.volume_scale or (1.0,) * T)
        ps = np.array(sc.price_scale or (1.0,) * T)
        changes["crude"] = Crude(tuple(vol * vs), tuple(price * ps), sc.crude.discount)
    gates = []
    for i, g in enumerate(sc.gates):
        if f"gates[{i}].capacity_per_plant_usd" not in sc.from_data:
            gates.append(g)
            continue
        x = pair_products(wh, sc.data.dataset, sc.deficit, sc.surplus, sc.data.year)
        hit = x["product"].str.startswith(tuple(g.products))
        sales = float(x.loc[hit, "value"].sum())
        per = sales / g.registered_plants
        facts.append({"key": f"gate_{g.name}_sales_usd", "value": sales,
                      "dataset": sc.data.dataset, "period": f"calendar {sc.data.year}",
                      "note": f"the deficit side's sales of {', '.join(g.products)}"})
        facts.append({"key": f"gate_{g.name}_capacity_per_plant_usd", "value": per,
                      "dataset": sc.data.dataset, "period": f"calendar {sc.data.year}",
                      "note": f"sales / {g.registered_plants:g} registered plants "
                      "(ASSUMPTION: a new plant sells like the average one)"})
        gates.append(dataclasses.replace(g, capacity_per_plant_usd=per))
    changes["gates"] = tuple(gates)
    return dataclasses.replace(sc, from_data=(), **changes), facts


def unit_values(wh: Warehouse, sc: MeasuresScenario) -> pd.Series:
    """US$ per tonne by HS4 of the deficit side's sales to the surplus side in the data year
    (value / quantity of the dataset's rows, whose quantity is in tonnes)."""
    d = sc.data
    f = pair_products(wh, d.dataset, sc.deficit, sc.surplus, d.year)
    f["hs4"] = f["product"].str[:4]
    sums = f.groupby("hs4")[["value", "quantity"]].sum()
    sums = sums[sums["quantity"] > 0]
    return (sums["value"] / sums["quantity"]).rename("unit_value")


def candidates_from_warehouse(wh: Warehouse, sc: MeasuresScenario) -> pd.DataFrame:
    """The planner's candidate table from the export potential the warehouse allows, through
    planning's public :func:`tradegap.planning.candidates.candidates_from_potential` (the same
    function ``plan`` uses for scenarios that read ``from potential``): ``untapped`` = the
    realistic estimate, unit values from the bilateral data (else the demand's net weight)."""
    from tradegap.planning.candidates import candidates_from_potential
    from tradegap.planning.scenario import PotentialOptions

    d = sc.data
    lim = sc.limits
    params = HeadroomParams(share_cap=float(lim.get("market_share_max", 0.30)),
                            share_cap_by_group=dict(lim.get("market_share_max_by_group",
                                                            {"pharma": 0.40})),
                            capacity_share=float(lim.get("capacity_share_max", 1.0)))
    uv = unit_values(wh, sc).rename(f"{d.dataset} {d.year} value/tonnes")
    out = candidates_from_potential(
        wh, sc.deficit, sc.surplus, groups=sc.groups or DEFAULT_GROUPS,
        options=PotentialOptions(basis="extra", route="any"), headroom_params=params,
        unit_values=uv)
    keep = out["unit_value"].notna() & (out["unit_value"] > 0)
    result = out[keep].reset_index(drop=True)
    result.attrs.update(out.attrs)
    return result


def gap_decomposition_from_warehouse(wh: Warehouse, sc: MeasuresScenario,
                                     base_year: int | None = None) -> pd.DataFrame:
    """The change of the pair's gap from ``base_year`` (default: the data year − 1) to the data
    year, split into price, volume, interaction and unsplit by product (HS codes as stored)."""
    d = sc.data
    y0 = base_year if base_year is not None else d.year - 1

    def side(exporter: str, importer: str) -> pd.DataFrame:
        a = pair_products(wh, d.dataset, exporter, importer, y0)
        b = pair_products(wh, d.dataset, exporter, importer, d.year)
        m = a.merge(b, on="product", how="outer", suffixes=("0", "1"))
        return pd.DataFrame({"product": m["product"], "v0": m["value0"], "q0": m["quantity0"],
                             "v1": m["value1"], "q1": m["quantity1"]})

    out = gap_decomposition(side(sc.surplus, sc.deficit), side(sc.deficit, sc.surplus),
                            {d.crude_prefix: "crude oil"})
    out.attrs.update(base_year=y0, year=d.year, dataset=d.dataset)
    return out
