"""Solve the measures programme with HiGHS and read the solution back as tables: the monthly
ledger of the idle balance (every unit accounted for), the purchases by product, route and year,
and each measure's size by year."""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd

from tradegap.measures.model import MONEY, Built
from tradegap.measures.scenario import MONTHS_PER_YEAR, MeasuresScenario
from tradegap.planning.highs import new_highs


@dataclass
class Solution:
    """HiGHS' answer: status, objective (US$m) and, when optimal, values and duals."""

    status: str
    optimal: bool
    objective: float
    x: np.ndarray
    row_value: np.ndarray | None = None
    row_dual: np.ndarray | None = None
    col_dual: np.ndarray | None = None


def solve(built: Built, *, time_limit: float = 120.0) -> Solution:
    """Solve ``built`` (an LP) and return its values and duals."""
    h = new_highs()
    h.setOptionValue("time_limit", float(time_limit))
    h.passModel(built.to_highs())
    h.run()
    status = h.getModelStatus()
    text = h.modelStatusToString(status)
    if status != highspy.HighsModelStatus.kOptimal:
        return Solution(text, False, float("nan"), np.zeros(len(built.cost)))
    sol = h.getSolution()
    return Solution("optimal", True, float(h.getInfo().objective_function_value),
                    np.asarray(sol.col_value), np.asarray(sol.row_value),
                    np.asarray(sol.row_dual), np.asarray(sol.col_dual))


def ledger(sc: MeasuresScenario, built: Built, x: np.ndarray) -> pd.DataFrame:
    """The monthly ledger in the deficit side's currency (``*_local``) and US$ (``idle_usd``).

    ``conservation_error`` = sources − uses, cumulated: opening balance + inflows − baseline
    payments − (idle + asset stocks + everything drained so far); zero up to rounding."""
    lay, M, xi = built.layout, built.M, built.xi
    unit = built.x_ref * MONEY  # local units per model unit
    out = pd.DataFrame({"month": sc.month_labels(), "fx_local": xi * built.x_ref})
    inflow = np.repeat(sc.surplus_exports(), MONTHS_PER_YEAR) / MONTHS_PER_YEAR \
        * sc.settled_share / MONEY * xi
    base = np.repeat(np.asarray(sc.deficit_exports_usd, float), MONTHS_PER_YEAR) \
        / MONTHS_PER_YEAR * sc.import_settled_share / MONEY * xi
    out["inflow_local"] = inflow * unit
    out["baseline_paid_local"] = base * unit
    drains = drain_series(sc, built, x)
    for name, series in drains.items():
        out[f"{name}_local"] = series * unit
    idle = x[lay.b0:lay.b0 + M]
    out["idle_local"] = idle * unit
    out["idle_usd"] = idle / xi * MONEY
    stocks = np.zeros(M)
    for a, (_, s0) in zip(sc.assets, lay.assets, strict=True):
        stock = x[s0:s0 + M]
        out[f"stock:{a.name}_local"] = stock * unit
        stocks += stock
    opening = sc.opening_balance_usd / MONEY * xi[0]
    baseline_idle = opening + np.cumsum(inflow - base)
    out["baseline_idle_local"] = baseline_idle * unit
    out["baseline_idle_usd"] = baseline_idle / xi * MONEY
    flows = sum((v for k, v in drains.items() if not k.startswith("asset:")), np.zeros(M))
    uses = idle + stocks + np.cumsum(flows)
    out["conservation_error_local"] = (baseline_idle - uses) * unit
    return out


def drain_series(sc: MeasuresScenario, built: Built, x: np.ndarray) -> dict[str, np.ndarray]:
    """What leaves the idle balance each month (model units), by measure."""
    lay, M, xi = built.layout, built.M, built.xi
    a = built.matrix
    cons = lay.rows["conservation"]
    out: dict[str, np.ndarray] = {}
    T = built.T
    n_agg = int(lay.pair_agg.max()) + 1 if len(lay.pair_agg) else 0
    a_cols = slice(lay.a0, lay.a0 + n_agg * T)
    sub = a[cons][:, a_cols]  # payments per unit of each aggregate
    f = x[lay.f0:lay.f0 + len(lay.pair_k) * T].reshape(-1, T)
    groups = lay.products["group"].to_numpy()[lay.pair_k]
    for g in sorted(set(groups)):
        agg = np.zeros((n_agg, T))
        on = groups == g
        np.add.at(agg, lay.pair_agg[on], f[on])
        out[f"purchases:{g}"] = sub @ agg.ravel()
    for asset, (b, _) in zip(sc.assets, lay.assets, strict=True):
        out[f"asset:{asset.name}"] = x[b:b + M]
    for name, c0 in (("investment", lay.inv0), ("conversion", lay.conv0),
                     ("netting", lay.net0)):
        if c0 >= 0:
            out[name] = x[c0:c0 + M]
    if lay.fund_col >= 0:
        sigma = np.repeat(np.asarray(sc.fund.schedule), MONTHS_PER_YEAR) / MONTHS_PER_YEAR
        out["fund"] = sigma * xi * x[lay.fund_col]
    return out


def purchases(sc: MeasuresScenario, built: Built, x: np.ndarray) -> pd.DataFrame:
    """Extra purchases by product, route and year: US$, tonnes, freight and landed price."""
    lay, T = built.layout, built.T
    prods = lay.products
    f = x[lay.f0:lay.f0 + len(lay.pair_k) * T].reshape(-1, T) * MONEY
    keep = np.argwhere(f > 1e-3)
    if not len(keep):
        return pd.DataFrame(columns=["product", "name", "group", "route", "year", "extra_usd",
                                     "tonnes", "freight_usd", "landed_usd_per_tonne"])
    pi, t = keep[:, 0], keep[:, 1]
    k = lay.pair_k[pi]
    route = np.array(lay.routes)[lay.pair_r[pi]]
    costs = {r.name: r.cost_per_tonne for r in sc.routes}
    uv = prods["unit_value"].to_numpy(dtype=float)[k]
    usd = f[pi, t]
    tonnes = usd / uv
    per_t = np.array([costs.get(r, 0.0) for r in route])
    return pd.DataFrame({
        "product": prods["product"].to_numpy()[k], "name": prods["name"].to_numpy()[k],
        "group": prods["group"].to_numpy()[k], "route": route,
        "year": np.array(sc.year_labels)[t], "extra_usd": usd, "tonnes": tonnes,
        "freight_usd": tonnes * per_t, "landed_usd_per_tonne": uv + per_t,
    }).sort_values(["year", "extra_usd"], ascending=[True, False]).reset_index(drop=True)
