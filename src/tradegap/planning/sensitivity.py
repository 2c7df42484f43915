"""What a limit is worth, in the direction a sentence speaks of, established by re-solving.

At a degenerate optimum the LP dual of a limit is not unique: any value between the right
derivative of the optimal value ``V(θ)`` (raising θ) and the left derivative (lowering θ) is a
valid dual, and solver releases pick different ones (Bertsimas & Tsitsiklis 1997, §5.2: the
optimal value is piecewise linear in a right-hand side, with a kink where the basis changes).
A sentence "raising X by one step would close US$ y" must quote the one-sided change, so each
limit the duals flag is moved a little both ways and the programme re-solved:

    rate up = (V(θ + h) − V(θ)) / h        rate down = (V(θ) − V(θ − h)) / h

with h a thousandth of the step the sentence quotes (one-sided derivatives by finite
differences). For a MILP the product choices stay fixed at the optimum, as for its duals.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from tradegap.planning.model import MONEY, Built, build, product_table
from tradegap.planning.scenario import Scenario

#: A change of V per quoted step smaller than this (US$, over the whole horizon) is none.
ABS_TOL = 100.0


def perturb(scenario: Scenario, family: str, key: str, delta: float) -> Scenario | None:
    """``scenario`` with the limit ``family``/``key`` moved by ``delta`` (in the limit's own
    unit), or None when the move leaves the limit's valid range."""
    s = scenario

    def share(v: float | None) -> float | None:
        if v is None:
            return None
        new = v + delta
        return new if 0.0 <= new <= 1.0 else None

    if family == "market_share":
        new = share(s.market_share_cap(key))
        return None if new is None else replace(
            s, market_share_max_by_group={**s.market_share_max_by_group, key: new})
    if family == "ceiling":  # a share of untapped potential: may exceed one
        new = s.ceiling_share + delta
        return None if new < 0 else replace(s, ceiling_share=new)
    if family == "capacity":
        new = share(s.capacity_share_max)
        return None if new is None else replace(s, capacity_share_max=new)
    if family == "ramp" and key == "share":
        new = share(s.ramp_share)
        return None if new is None or new <= 0 else replace(s, ramp_share=new)
    if family == "ramp":
        new = (s.ramp_usd or 0.0) + delta
        return None if new <= 0 else replace(s, ramp_usd=new)
    if family == "logistics":
        caps = tuple(v + delta for v in s.logistics[key])
        return None if min(caps) < 0 else replace(s, logistics={**s.logistics, key: caps})
    if family in ("sector_min", "sector_max"):
        kind = "share_min" if family == "sector_min" else "share_max"
        sec = next(x for x in s.sectors if x.name == key)
        new = share(getattr(sec, kind))
        if new is None:
            return None
        return replace(s, sectors=tuple(replace(x, **{kind: new}) if x.name == key else x
                                        for x in s.sectors))
    if family == "target" and key == "share":
        vals = tuple(v + delta for v in s.target_share)
        return None if min(vals) < 0 else replace(s, target_share=vals)
    if family == "target":
        vals = tuple(v + delta for v in s.target_usd)
        return None if min(vals) < 0 else replace(s, target_usd=vals)
    if family == "min_size":
        new = (s.min_size_usd or 0.0) + delta
        return None if new < 0 else replace(s, min_size_usd=new)
    raise KeyError(f"no parameter for limit family {family!r}")


class WarmStart:
    """Re-solve moved copies of one solved programme from its optimal basis: the moved
    bounds and coefficients are changed in place in the solved HiGHS instance, it is re-run
    (a few simplex iterations from the basis instead of a solve from scratch), and the
    changes are undone. A copy whose shape or sparsity differs is solved afresh."""

    def __init__(self, built: Built, highs: Any) -> None:
        self.base, self.h = built, highs

    def same_shape(self, moved: Built) -> bool:
        b, m = self.base, moved
        return (len(m.cost) == len(b.cost) and len(m.row_lo) == len(b.row_lo)
                and np.array_equal(m.cost, b.cost) and np.array_equal(m.integer, b.integer)
                and np.array_equal(m.matrix.indptr, b.matrix.indptr)
                and np.array_equal(m.matrix.indices, b.matrix.indices))

    def _set(self, src: Built, cols: np.ndarray, rows: np.ndarray, coef: np.ndarray) -> None:
        h = self.h
        if len(cols):
            h.changeColsBounds(len(cols), cols.astype(np.int32), src.lb[cols], src.ub[cols])
        if len(rows):
            h.changeRowsBounds(len(rows), rows.astype(np.int32), src.row_lo[rows],
                               src.row_hi[rows])
        if len(coef):
            row_of = np.searchsorted(src.matrix.indptr, coef, side="right") - 1
            for r, k in zip(row_of, coef, strict=True):
                h.changeCoeff(int(r), int(src.matrix.indices[k]), float(src.matrix.data[k]))

    def value(self, moved: Built) -> float | None:
        """V of ``moved`` (US$), or None when it has no plan."""
        import highspy

        b = self.base
        cols = np.flatnonzero((moved.lb != b.lb) | (moved.ub != b.ub))
        rows = np.flatnonzero((moved.row_lo != b.row_lo) | (moved.row_hi != b.row_hi))
        coef = np.flatnonzero(moved.matrix.data != b.matrix.data)
        self._set(moved, cols, rows, coef)
        try:
            self.h.run()
            ok = self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal
            value = -float(self.h.getInfo().objective_function_value) * MONEY if ok else None
        finally:
            self._set(b, cols, rows, coef)
        return value


def optimal_value(scenario: Scenario, candidates: pd.DataFrame,
                  include: np.ndarray | None, warm: WarmStart | None = None) -> float | None:
    """V: the objective (US$, maximised) of ``scenario``, or None when it has no plan."""
    from tradegap.planning.planner import solve

    products = product_table(scenario, candidates)
    built = build(scenario, products, include=include)
    if warm is not None and warm.same_shape(built):
        return warm.value(built)
    res = solve(built)
    return -res.objective * MONEY if res.optimal else None


def one_sided(scenario: Scenario, candidates: pd.DataFrame, include: np.ndarray | None,
              family: str, key: str, step: float, base: float,
              warm: WarmStart | None = None) -> tuple[Any, Any]:
    """(up, down): V(θ + h) − V(θ) and V(θ) − V(θ − h) for the quoted step h; None where the
    moved limit is out of range, ``-inf``/``inf`` where the moved scenario has no plan."""
    out = []
    for sign in (1.0, -1.0):
        moved = perturb(scenario, family, key, sign * step)
        if moved is None:
            out.append(None)
            continue
        v = optimal_value(moved, candidates, include, warm)
        if v is None:
            out.append(-np.inf if sign > 0 else np.inf)
        else:
            out.append((v - base) if sign > 0 else (base - v))
    return out[0], out[1]
