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

from tradegap.planning.model import MONEY, build, product_table
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


def optimal_value(scenario: Scenario, candidates: pd.DataFrame,
                  include: np.ndarray | None) -> float | None:
    """V: the objective (US$, maximised) of ``scenario``, or None when it has no plan."""
    from tradegap.planning.planner import solve

    products = product_table(scenario, candidates)
    res = solve(build(scenario, products, include=include))
    return -res.objective * MONEY if res.optimal else None


def one_sided(scenario: Scenario, candidates: pd.DataFrame, include: np.ndarray | None,
              family: str, key: str, step: float, base: float) -> tuple[Any, Any]:
    """(up, down): V(θ + h) − V(θ) and V(θ) − V(θ − h) for the quoted step h; None where the
    moved limit is out of range, ``-inf``/``inf`` where the moved scenario has no plan."""
    out = []
    for sign in (1.0, -1.0):
        moved = perturb(scenario, family, key, sign * step)
        if moved is None:
            out.append(None)
            continue
        v = optimal_value(moved, candidates, include)
        if v is None:
            out.append(-np.inf if sign > 0 else np.inf)
        else:
            out.append((v - base) if sign > 0 else (base - v))
    return out[0], out[1]
