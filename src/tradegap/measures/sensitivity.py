"""What binds the package, in sentences, each checked by re-solving.

For every limit that is at its bound at the optimum, the programme is solved again with the limit
moved one step in the direction the sentence speaks of (more plants approved, more route capacity,
a larger fund, a gate opened a year earlier, a tighter idle cap, …). The sentence reports what the
re-solve changed: extra purchases, the idle balance at the end and at its peak, and the package's
objective. Where the limit is a row or a column bound, the LP dual's prediction (dual × step) is
shown beside it; at a degenerate optimum the dual is not unique and the one-sided re-solve is the
number to trust (Bertsimas & Tsitsiklis 1997, §5.1; Jansen et al. 1997, "Sensitivity analysis in
linear programming: just be careful!", EJOR 101)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tradegap.measures.model import MONEY, TONNE, Built, build
from tradegap.measures.scenario import MONTHS_PER_YEAR, MeasuresScenario
from tradegap.measures.solve import Solution, solve

STEP = 0.10  # a limit is moved by 10 % of itself (ASSUMPTION: a step small enough to be local)
PLANTS = 10  # approving this many more plants is the step for a plant-based gate


@dataclass
class Limit:
    """A limit at its bound and how to move it one step."""

    family: str
    key: str
    measure: str  # the measure key it binds (or "" for the whole package)
    step_text: str
    rows: np.ndarray | None = None
    d_lo: np.ndarray | None = None
    d_hi: np.ndarray | None = None
    cols: np.ndarray | None = None
    d_ub: np.ndarray | None = None
    scenario: MeasuresScenario | None = None  # a structural change: rebuild
    years: int = 1


def _at(value: np.ndarray, bound: np.ndarray) -> np.ndarray:
    finite = np.isfinite(bound) & (np.abs(bound) < 1e29)
    return finite & (np.abs(value - bound) <= 1e-7 * np.maximum(1.0, np.abs(bound)))


def binding_limits(sc: MeasuresScenario, built: Built, sol: Solution) -> list[Limit]:
    """The limits at their bounds, each with the step that moves it."""
    lay, M = built.layout, built.M
    rv, x = sol.row_value, sol.x
    out: list[Limit] = []
    for g in sc.gates:
        rows = lay.rows.get(f"gate:{g.name}")
        covered = lay.products["gates"].str.split(";").apply(lambda n, g=g: g.name in n)
        if rows is not None and _at(rv[rows], built.row_hi[rows]).any():
            if g.plants is not None:
                step = PLANTS * g.capacity_per_plant_usd / MONEY
                text = (f"approving {PLANTS} more plants under '{g.name}' (+US$ "
                        f"{PLANTS * g.capacity_per_plant_usd / 1e6:,.1f} m a year of capacity)")
            else:
                step = STEP * g.capacity(sc.years)[0] / MONEY
                text = f"raising the capacity of '{g.name}' by {STEP:.0%}"
            share = built.row_hi[rows] / np.maximum(
                g.capacity(sc.years)[[sc.year_labels.index(y) for y in
                                      lay.row_names[f"gate:{g.name}"]]] / MONEY, 1e-12)
            out.append(Limit("gate capacity", g.name, _group_key(lay, covered), text, rows=rows,
                             d_hi=step * share, years=len(rows)))
        if g.eligible_from > 0 and (lay.products.loc[covered, "cap"] > 0).any():
            earlier = max(0, g.eligible_from - MONTHS_PER_YEAR)
            gates = tuple(dataclasses.replace(h, eligible_from=earlier) if h is g else h
                          for h in sc.gates)
            out.append(Limit("gate date", g.name, _group_key(lay, covered),
                             f"opening '{g.name}' 12 months earlier ({sc.start + earlier} "
                             f"instead of {sc.start + g.eligible_from})",
                             scenario=dataclasses.replace(sc, gates=gates), years=1))
    for r in sc.routes:
        rows = lay.rows.get(f"route:{r.name}")
        if rows is not None and _at(rv[rows], built.row_hi[rows]).any():
            cap = np.array(r.capacity_tonnes) / TONNE
            out.append(Limit("route capacity", r.name, "", f"adding {STEP:.0%} capacity to "
                             f"route '{r.name}' (+{STEP * cap[0] * TONNE:,.0f} t a year)",
                             rows=rows, d_hi=STEP * cap, years=len(rows)))
    for a, (b0, s0) in zip(sc.assets, lay.assets, strict=True):
        for what, c0, cap in (("stock cap", s0, a.stock_cap_usd),
                              ("monthly cap", b0, None if a.monthly_cap_usd is None
                               else a.monthly_cap_usd[0])):
            cols = np.arange(c0, c0 + M)
            if cap is None or not _at(x[cols], built.ub[cols]).any():
                continue
            d = STEP * built.ub[cols] * (built.ub[cols] > 0)
            out.append(Limit(f"{what}", a.name, f"asset:{a.name}", f"raising the {what} of "
                             f"'{a.name}' by {STEP:.0%} (+US$ {STEP * cap / 1e6:,.0f} m"
                             f"{' a month' if what == 'monthly cap' else ''})",
                             cols=cols, d_ub=d, years=sc.years))
    for name, c0, ch in (("investment", lay.inv0, sc.investment),
                         ("conversion", lay.conv0, sc.conversion),
                         ("netting", lay.net0, sc.netting)):
        if c0 < 0:
            continue
        cols = np.arange(c0, c0 + M)
        if _at(x[cols], built.ub[cols]).any() and (built.ub[cols] > 0).any():
            out.append(Limit(f"{name} capacity", name, name, f"raising the {name} capacity "
                             f"by {STEP:.0%} (+US$ {STEP * ch.capacity_usd[0] / 1e6:,.0f} m a "
                             "year)", cols=cols, d_ub=STEP * built.ub[cols], years=sc.years))
    if lay.fund_col >= 0 and _at(x[[lay.fund_col]], built.ub[[lay.fund_col]]).all() \
            and sc.fund.size_usd_max > 0:
        out.append(Limit("fund size", "fund", "fund", f"a fund {STEP:.0%} larger (+US$ "
                         f"{STEP * sc.fund.size_usd_max / 1e6:,.0f} m)",
                         cols=np.array([lay.fund_col]),
                         d_ub=np.array([STEP * built.ub[lay.fund_col]]), years=sc.years))
    rows = lay.rows.get("countertrade")
    if rows is not None and _at(rv[rows], built.row_lo[rows]).any():
        crude = sc.crude_value() / MONEY
        step = STEP * sc.countertrade.share
        out.append(Limit("counter-trade", "share", "", "raising the counter-trade share by "
                         f"{STEP:.0%} (from {sc.countertrade.share:.2%} to "
                         f"{sc.countertrade.share + step:.2%} of crude value)", rows=rows,
                         d_lo=step * crude, years=len(rows)))
    rows = lay.rows.get("trade_target")
    if rows is not None and _at(rv[rows], built.row_lo[rows]).any():
        out.append(Limit("trade target", "target", "", f"a trade target {STEP:.0%} higher",
                         rows=rows, d_lo=STEP * built.row_lo[rows], years=len(rows)))
    for fam in ("idle_peak", "idle_final"):
        rows = lay.rows.get(fam)
        if rows is not None and _at(rv[rows], built.row_hi[rows]).any():
            out.append(Limit("idle cap", fam, "", f"a {'peak' if fam == 'idle_peak' else 'final'}"
                             f" idle-balance cap {STEP:.0%} lower", rows=rows,
                             d_hi=-STEP * built.row_hi[rows], years=sc.years))
    return out


def _group_key(lay: Any, covered: pd.Series) -> str:
    groups = sorted(set(lay.products.loc[covered.to_numpy(), "group"]))
    return f"purchases:{groups[0]}" if len(groups) == 1 else ""


def _resolve(sc: MeasuresScenario, built: Built, lim: Limit, fx: np.ndarray | None,
             candidates: pd.DataFrame) -> tuple[Built, Solution]:
    if lim.scenario is not None:
        from tradegap.measures.model import products

        b = build(lim.scenario, products(lim.scenario, candidates), fx)
        return b, solve(b, time_limit=sc.time_limit)
    b = dataclasses.replace(built, row_lo=built.row_lo.copy(), row_hi=built.row_hi.copy(),
                            ub=built.ub.copy())
    if lim.rows is not None:
        if lim.d_hi is not None:
            b.row_hi[lim.rows] += lim.d_hi
        if lim.d_lo is not None:
            b.row_lo[lim.rows] += lim.d_lo
    if lim.cols is not None:
        b.ub[lim.cols] += lim.d_ub
    return b, solve(b, time_limit=sc.time_limit)


def _effects(sc: MeasuresScenario, built: Built, x: np.ndarray) -> dict[str, float]:
    lay, T, M = built.layout, built.T, built.M
    p = x[lay.p0:lay.p0 + built.K * T].sum() * MONEY
    idle = x[lay.b0:lay.b0 + M] / built.xi * MONEY
    return {"purchases": float(p), "idle_end": float(idle[-1]), "idle_peak": float(idle.max())}


def shadow_prices(sc: MeasuresScenario, built: Built, sol: Solution, candidates: pd.DataFrame,
                  fx: np.ndarray | None = None) -> pd.DataFrame:
    """One row per binding limit: the step, the LP dual's prediction and the re-solved change
    in objective (US$), purchases (US$ a year), idle balance; and a sentence."""
    base = _effects(sc, built, sol.x)
    rows = []
    for lim in binding_limits(sc, built, sol):
        predicted = None
        if lim.rows is not None and sol.row_dual is not None:
            d = lim.d_hi if lim.d_hi is not None else lim.d_lo
            predicted = float(sol.row_dual[lim.rows] @ d) * MONEY
        elif lim.cols is not None and sol.col_dual is not None:
            predicted = float(sol.col_dual[lim.cols] @ lim.d_ub) * MONEY
        b2, s2 = _resolve(sc, built, lim, fx, candidates)
        if not s2.optimal:
            rows.append({"family": lim.family, "key": lim.key, "measure": lim.measure,
                         "step": lim.step_text, "dual_prediction_usd": predicted,
                         "resolved_change_usd": None, "purchases_change_usd_per_year": None,
                         "idle_end_change_usd": None, "idle_peak_change_usd": None,
                         "sentence": f"{_cap(lim.step_text)} makes the package infeasible "
                         f"({s2.status})."})
            continue
        after = _effects(sc, b2, s2.x)
        d_obj = (s2.objective - sol.objective) * MONEY
        d_p = (after["purchases"] - base["purchases"]) / max(lim.years, 1)
        d_end = after["idle_end"] - base["idle_end"]
        d_peak = after["idle_peak"] - base["idle_peak"]
        rows.append({"family": lim.family, "key": lim.key, "measure": lim.measure,
                     "step": lim.step_text, "dual_prediction_usd": predicted,
                     "resolved_change_usd": d_obj, "purchases_change_usd_per_year": d_p,
                     "idle_end_change_usd": d_end, "idle_peak_change_usd": d_peak,
                     "sentence": sentence(lim, d_obj, d_p, d_end, d_peak, predicted)})
    return pd.DataFrame(rows, columns=["family", "key", "measure", "step",
                                       "dual_prediction_usd", "resolved_change_usd",
                                       "purchases_change_usd_per_year", "idle_end_change_usd",
                                       "idle_peak_change_usd", "sentence"])


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _m(v: float) -> str:
    return f"US$ {abs(v) / 1e6:,.1f} m"


def sentence(lim: Limit, d_obj: float, d_p: float, d_end: float, d_peak: float,
             predicted: float | None) -> str:
    """``Approving 10 more plants … adds US$ 48.0 m a year of purchases, lowers the idle balance
    at the end by US$ 40.0 m and lowers the package's cost by US$ 2.1 m (dual: 2.1).``"""
    parts = []
    if abs(d_p) >= 5e4:
        per = " a year" if lim.years > 1 else ""
        parts.append(f"{'adds' if d_p > 0 else 'removes'} {_m(d_p)}{per} of extra purchases")
    if abs(d_end) >= 5e4:
        parts.append(f"{'lowers' if d_end < 0 else 'raises'} the idle balance at the end by "
                     f"{_m(d_end)}")
    if abs(d_peak) >= 5e4 and abs(d_peak - d_end) >= 5e4:
        parts.append(f"{'lowers' if d_peak < 0 else 'raises'} its peak by {_m(d_peak)}")
    cost = f"{'lowers' if d_obj < 0 else 'raises'} the package's net cost by {_m(d_obj)}"
    if predicted is not None:
        cost += f" (LP dual predicts {_m(predicted)})" if abs(predicted) >= 5e3 else \
            " (LP dual predicts no change: a degenerate optimum)"
    parts.append(cost)
    if abs(d_obj) < 5e3 and abs(d_p) < 5e4 and abs(d_end) < 5e4:
        return f"{_cap(lim.step_text)} changes nothing: the limit is at its bound but not " \
               "what holds the package back."
    return f"{_cap(lim.step_text)} " + ", ".join(parts[:-1]) + (" and " if len(parts) > 1
                                                                 else "") + parts[-1] + "."
