"""Why a package is infeasible: the least relaxation of its targets and limits that makes it
feasible (an elastic programme, Chinneck 2008, *Feasibility and Infeasibility in Optimization*,
§6: each relaxable row gets a non-negative slack, costed per unit of its own limit so that
relaxing a small limit by half costs as much as relaxing a large one by half)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy import sparse

from tradegap.measures.model import MONEY, TONNE, Built
from tradegap.measures.scenario import MeasuresScenario
from tradegap.measures.solve import solve

#: Row families that may be relaxed, the side that is relaxed, and the unit of the limit.
RELAXABLE = {"trade_target": ("lo", "US$"), "countertrade": ("lo", "US$"),
             "idle_peak": ("hi", "US$ (local at the month's rate)"),
             "idle_final": ("hi", "US$ (local at the month's rate)"),
             "conservation": ("eq", "US$ of money the balance lacks"),
             "gate:": ("hi", "US$ a year"), "route:": ("hi", "tonnes a year")}


def _family_spec(name: str) -> tuple[str, str] | None:
    for prefix, spec in RELAXABLE.items():
        if name == prefix or (prefix.endswith(":") and name.startswith(prefix)):
            return spec
    return None


def explain_infeasible(sc: MeasuresScenario, built: Built) -> pd.DataFrame:
    """The relaxations (one row per family) of the least-cost elastic programme, with
    sentences; empty when even the elastic programme fails (then the data are inconsistent)."""
    lay = built.layout
    extra_i, extra_j, extra_v, cost, fams = [], [], [], [], []
    n = len(built.cost)
    for fam, rows in lay.rows.items():
        spec = _family_spec(fam)
        if spec is None or not len(rows):
            continue
        side = spec[0]
        bound = built.row_lo[rows] if side in ("lo", "eq") else built.row_hi[rows]
        scale = float(np.mean(np.abs(bound[np.isfinite(bound)]))) if np.isfinite(bound).any() \
            else 1.0
        scale = scale if scale > 0 else 1.0
        k = len(rows)
        extra_i.append(rows)
        extra_j.append(n + np.arange(k))
        # a slack raises a floor row (lo) and lowers a cap row (hi); on a conservation row (eq)
        # it is money paid into the balance: B[m] − B[m−1] + uses − slack = net inflow
        extra_v.append(np.full(k, 1.0 if side == "lo" else -1.0))
        cost.append(np.full(k, 1.0 / scale))
        fams.append((fam, rows, n, side))
        n += k
    if not fams:
        return pd.DataFrame()
    m = built.matrix.shape[0]
    slack = sparse.csr_matrix((np.concatenate(extra_v), (np.concatenate(extra_i),
                               np.concatenate(extra_j) - len(built.cost))),
                              shape=(m, n - len(built.cost)))
    elastic = dataclasses.replace(
        built, matrix=sparse.hstack([built.matrix, slack]).tocsr(),
        cost=np.concatenate([np.zeros(len(built.cost)), *cost]),
        lb=np.concatenate([built.lb, np.zeros(n - len(built.cost))]),
        ub=np.concatenate([built.ub, np.full(n - len(built.cost), np.inf)]))
    sol = solve(elastic, time_limit=sc.time_limit)
    if not sol.optimal:
        return pd.DataFrame()
    out = []
    for fam, rows, c0, side in fams:
        s = sol.x[c0:c0 + len(rows)]
        if not (s > 1e-7).any():
            continue
        names = lay.row_names.get(fam, [])
        where = [names[i] for i in np.flatnonzero(s > 1e-7)] if names else []
        bound = built.row_lo[rows] if side in ("lo", "eq") else built.row_hi[rows]
        unit = RELAXABLE.get(fam, RELAXABLE.get(fam.split(":")[0] + ":", ("", "")))[1]
        scale = TONNE if fam.startswith("route:") else MONEY
        if fam.startswith(("idle", "conservation")):
            amount = s / built.xi[:len(s)] if len(s) == built.M else s / built.xi[-1]
        else:
            amount = s
        total = float(np.max(amount) if fam.startswith("idle") else np.sum(amount)) * scale
        out.append({"family": fam, "where": ", ".join(where[:6]) + (" …" if len(where) > 6
                                                                  else ""),
                    "relaxation": total, "unit": unit,
                    "limit": float(np.max(np.abs(bound))) * scale,
                    "sentence": _sentence(fam, total, where)})
    return pd.DataFrame(out)


def _sentence(fam: str, amount: float, where: list[str]) -> str:
    when = f" ({where[0]}{'–' + where[-1] if len(where) > 1 else ''})" if where else ""
    a = f"{amount / 1e6:,.1f} m"
    if fam == "trade_target":
        return f"Lower the trade target by US$ {a}{when}: the purchases cannot reach it."
    if fam == "countertrade":
        return f"Lower the counter-trade floor by US$ {a} in total{when}."
    if fam.startswith("idle"):
        return f"Allow the idle balance US$ {a} more{when}: the drains cannot keep it under " \
               "the cap."
    if fam == "conservation":
        return f"The balance lacks US$ {a} in total{when}: payments from it exceed what flows " \
               "in; lower the baseline or plan settled shares, or add an opening balance."
    if fam.startswith("gate:"):
        return f"Give gate '{fam[5:]}' US$ {a} more capacity in total{when}."
    if fam.startswith("route:"):
        return f"Add {amount:,.0f} t of capacity to route '{fam[6:]}' in total{when}."
    return f"Relax {fam} by {a}{when}."
