"""The rebalancing planner: which products the surplus side should buy more of, year by year.

Objective and why. The target is a *constraint*: in every target year the extra purchases must
reach ``target_t`` (and, with ``stop_at_target``, never exceed the final target — the plan asks
for what is needed, not more). Among the plans that reach it, the solver maximises the
priority-weighted extra purchases ``Σ_t Σ_k w_g(k) x[k,t]``: with equal weights that is the gap
closed summed over the years (so earlier years close as much as the ramp-up allows); with unequal
weights, preferred groups are bought first. Keeping the target as a hard constraint means an
unreachable target is reported as infeasible and explained (see :mod:`tradegap.planning.explain`)
rather than silently under-delivered.

Linear programming duals (Dantzig 1963; Bertsimas & Tsitsiklis 1997, §4 and §5.1) give the
marginal value of each limit; for a MILP the integer choices are fixed at their optimum and the
LP re-solved for duals (the standard "fixed MILP" sensitivity; valid only for small moves that
keep the same products in the plan).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pandas as pd

from tradegap.errors import InputError
from tradegap.planning.highs import new_highs
from tradegap.planning.model import MONEY, Built, build, product_table
from tradegap.planning.scenario import (
    Scenario,
    load_scenario,
    read_candidates,
    validate_candidates,
)
from tradegap.provenance import Provenance

#: Status of a MILP stopped by its time limit with a feasible plan in hand (then "x.xx%)").
INCUMBENT = "time limit reached (MIP gap"

#: The relative MIP gap at which HiGHS stops by default (``[solver] mip_gap``): a plan within
#: 0.1 % of the best bound. Chasing the last fraction of it costs many times the LP's time in
#: sub-MIP heuristics for plans that differ by less than the data's own precision.
DEFAULT_MIP_GAP = 1e-3


@dataclass
class Solved:
    status: str
    optimal: bool  # optimal, or (for a MILP) the best solution found within the time limit
    objective: float  # of the minimisation as stated to HiGHS
    x: np.ndarray
    row_dual: np.ndarray | None
    col_dual: np.ndarray | None
    row_value: np.ndarray | None
    mip_gap: float | None = None  # achieved relative gap of a MILP's plan (None for an LP)
    nodes: int | None = None  # branch-and-bound nodes HiGHS explored (MILP only)
    seconds: float | None = None  # wall-clock time of the solve
    highs: Any = None  # the solved HiGHS instance, when asked to keep it (warm re-solves)




def solve(built: Built, *, time_limit: float = 120.0,
          mip_rel_gap: float = DEFAULT_MIP_GAP, keep: bool = False) -> Solved:
    """Solve ``built`` with HiGHS and return values and (for an LP) duals; for a MILP also the
    gap it achieved and how many nodes it explored (HiGHS's time limit is wall-clock time, so
    on a busy machine it can stop before exploring any)."""
    h = new_highs()
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", mip_rel_gap)
    h.passModel(built.to_highs())
    h.run()
    status = h.getModelStatus()
    text = h.modelStatusToString(status)
    info = h.getInfo()
    mip = bool(built.integer.any())
    nodes = int(info.mip_node_count) if mip else None
    seconds = float(h.getRunTime())
    optimal = status == highspy.HighsModelStatus.kOptimal
    if not optimal and status == highspy.HighsModelStatus.kTimeLimit and mip \
            and info.primal_solution_status == 2:  # a feasible incumbent: keep it
        text = f"{INCUMBENT} {info.mip_gap:.2%})"
        optimal = True
    if not optimal:
        return Solved(text, False, float("nan"), np.zeros(len(built.cost)), None, None, None,
                      nodes=nodes, seconds=seconds)
    sol = h.getSolution()
    dual_ok = bool(sol.dual_valid) and not mip
    return Solved(
        text, True, float(info.objective_function_value), np.asarray(sol.col_value),
        np.asarray(sol.row_dual) if dual_ok else None,
        np.asarray(sol.col_dual) if dual_ok else None, np.asarray(sol.row_value),
        mip_gap=float(info.mip_gap) if mip else None, nodes=nodes, seconds=seconds,
        highs=h if keep and not mip else None,
    )


def solver_note(solved: Solved, stated_gap: float, time_limit: float) -> str | None:
    """The sentence a MILP's plan carries about how far it is from optimal and why HiGHS
    stopped; None for an LP."""
    if solved.nodes is None:
        return None
    gap = f"{solved.mip_gap:.3%}" if solved.mip_gap is not None else "unknown"
    if solved.status == "Optimal":
        return (f"MILP solved to a relative gap of {gap} (stated [solver] mip_gap "
                f"{stated_gap:.3%}): the plan's objective is within that of the best possible "
                f"({solved.nodes:,} branch-and-bound nodes, {solved.seconds:.1f} s)")
    stopped = (f"HiGHS's time limit of {time_limit:g} s is wall-clock time and it stopped "
               f"after {solved.seconds:.1f} s")
    if solved.nodes == 0:
        stopped += (" before exploring a single branch-and-bound node (a busy machine "
                    "makes this likelier: raise [solver] time_limit)")
    else:
        stopped += f" after {solved.nodes:,} branch-and-bound nodes"
    if solved.optimal:
        return f"{stopped}; the plan kept is within a relative gap of {gap} of the best bound"
    return stopped


@dataclass
class Plan:
    """A solved scenario: the plan, the projected balance and what limits it."""

    scenario: Scenario
    status: str  # 'optimal', 'infeasible' or HiGHS' status text
    table: pd.DataFrame  # product, name, group, route, year, extra_usd, extra_tonnes
    path: pd.DataFrame  # year, baseline_gap, target_usd, extra_purchases, projected_gap, ...
    mix: pd.DataFrame  # group, extra_usd (final year), share
    binding: pd.DataFrame  # family, key, limit, shadow, per, sentence
    objective: float = float("nan")
    is_mip: bool = False
    mip_gap: float | None = None  # a MILP's achieved relative gap (see ``notes`` for the text)
    excluded_min_size: list[str] = field(default_factory=list)
    infeasibility: Any = None  # tradegap.planning.explain.Infeasibility when infeasible
    provenance: Provenance = field(default_factory=Provenance)
    notes: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        """A plan exists: optimal, or the best one found within the solver's time limit."""
        return self.status == "optimal" or self.status.startswith(INCUMBENT)

    def summary(self) -> dict[str, Any]:
        final = self.path.iloc[-1] if len(self.path) else None
        return {
            "scenario": self.scenario.name,
            "status": self.status,
            "final_year": int(final["year"]) if final is not None else None,
            "gap_closed_usd": float(final["extra_purchases"]) if final is not None else None,
            "share_closed": float(final["share_closed"]) if final is not None else None,
            "is_mip": self.is_mip,
            "mip_gap": self.mip_gap,
        }

    def to_dict(self) -> dict[str, Any]:
        out = {
            **self.summary(),
            "path": self.path,
            "mix": self.mix,
            "binding": self.binding,
            "plan": self.table,
            "notes": self.notes,
            "provenance": self.provenance.to_dict(),
        }
        if self.infeasibility is not None:
            out["infeasibility"] = self.infeasibility.to_dict()
        return out


def resolve_candidates(scenario: Scenario, candidates: pd.DataFrame | None,
                       warehouse: Any = None) -> pd.DataFrame:
    """The given candidates, else the scenario's file, else (``from potential``) those built
    from ``warehouse`` by :func:`tradegap.planning.candidates.scenario_candidates`."""
    if candidates is not None:
        return validate_candidates(candidates)
    if scenario.candidates_path is None:
        from tradegap.planning.candidates import scenario_candidates

        return scenario_candidates(scenario, warehouse)
    return read_candidates(scenario.candidates_path)


def plan(
    scenario: Scenario | str | Path,
    candidates: pd.DataFrame | None = None,
    *,
    provenance: Provenance | None = None,
    warehouse: Any = None,
) -> Plan:
    """Plan the extra purchases for ``scenario`` (a :class:`Scenario` or a TOML path).

    ``candidates`` (see :data:`~tradegap.planning.scenario.CANDIDATE_COLUMNS`) replaces the
    file the scenario names; pass the ``provenance`` of whatever produced them so the plan
    carries it (and is labelled synthetic if they were). A scenario whose candidates come
    ``from potential`` builds them from ``warehouse`` (a :class:`~tradegap.warehouse.Warehouse`)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    built_from_potential = candidates is None and scenario.candidates_path is None
    cands = resolve_candidates(scenario, candidates, warehouse)
    size = len(cands) * scenario.horizon
    if size > scenario.max_variables:
        raise InputError(
            f"{len(cands):,} candidates × {scenario.horizon} years = {size:,} model variables, "
            f"above the limit of {scenario.max_variables:,}",
            file=scenario.file, field="solver.max_variables",
            hint="filter the candidates (e.g. the top products by potential), or raise the "
            "limit with [solver] max_variables = N in the scenario",
        )
    if built_from_potential and provenance is None:
        provenance = cands.attrs.get("provenance")
    products = product_table(scenario, cands)
    if products.empty:
        raise InputError(
            "no candidate product belongs to the allowed groups", file=scenario.file,
            field="groups.allowed", hint="groups in the candidates: "
            + ", ".join(sorted(set(cands["group"]))))
    notes: list[str] = []
    if built_from_potential and cands.attrs.get("why"):
        notes.append(f"candidates from the export potential: {cands.attrs['why']}")
    known = set(cands["group"])
    for issue in scenario.unknown_groups(known):
        notes.append(f"{issue}, which no candidate has (groups: {', '.join(sorted(known))})")
    for route in scenario.logistics:
        if not (products["route"] == route).any():
            notes.append(f"logistics.{route}: no candidate travels on this route")
    prov = Provenance(
        sources=["scenario:" + scenario.name],
        datasets=["candidates (given)"] if candidates is not None else
        ["candidates from potential"] if built_from_potential else
        [str(scenario.candidates_path)],
        periods=[scenario.base_period or str(scenario.base_year)],
        synthetic=scenario.candidates_synthetic and candidates is None,
    )
    if provenance is not None:
        prov = prov.merge(provenance)
    built = build(scenario, products)
    is_mip = bool(built.integer.any())
    solved = solve(built, time_limit=scenario.time_limit, mip_rel_gap=scenario.mip_gap,
                   keep=True)
    mip_gap = solved.mip_gap
    said = solver_note(solved, scenario.mip_gap, scenario.time_limit)
    if said is not None:
        notes.append(said)
    status = "optimal" if solved.status == "Optimal" else solved.status
    if not solved.optimal:
        from tradegap.planning.explain import explain_infeasible

        status = "infeasible" if "nfeasible" in solved.status else solved.status
        if solved.status == "Time limit reached":
            status = "time limit reached before a feasible plan was found"
            notes.append(f"HiGHS stopped after {scenario.time_limit:g} s: raise "
                         "[solver] time_limit, or loosen limits.min_size_usd (each product "
                         "it applies to is a yes/no choice)")
        infeas = explain_infeasible(scenario, products) if status == "infeasible" else None
        empty = _empty_plan_frames(scenario)
        return Plan(scenario, status, *empty, is_mip=is_mip, mip_gap=mip_gap,
                    infeasibility=infeas, provenance=prov, notes=notes)
    include = None
    excluded: list[str] = []
    if is_mip:
        y = solved.x[built.n_x:built.n_x + len(built.binary_products)]
        include = np.zeros(built.K, dtype=bool)
        include[built.binary_products[y > 0.5]] = True
        excluded = products["product"].to_numpy()[~include & (products["cap"] > 0)].tolist()
        built = build(scenario, products, include=include)
        solved_lp = solve(built, keep=True)
        if not solved_lp.optimal:  # numerically the fixed LP should always be feasible
            raise RuntimeError(f"fixed-choice LP not optimal: {solved_lp.status}")
        solved = solved_lp
        notes.append("minimum size makes this a MILP: shadow prices come from the LP with the "
                     "product choices fixed at the optimum, valid for small moves only")
    x = solved.x[:built.n_x].reshape(built.K, built.T) * MONEY
    x[x < 1e-3] = 0.0
    table, path, mix = _frames(scenario, products, x)
    from tradegap.planning.explain import binding_constraints, confirm_by_resolving
    from tradegap.planning.sensitivity import WarmStart

    binding = binding_constraints(scenario, built, solved, x)
    weighted = products["weight"].nunique() > 1 or float(products["weight"].iloc[0]) != 1.0
    warm = WarmStart(built, solved.highs) if solved.highs is not None else None
    binding = confirm_by_resolving(binding, scenario, cands, include,
                                   -solved.objective * MONEY, weighted, warm=warm)
    return Plan(scenario, status, table, path, mix, binding, objective=-solved.objective * MONEY,
                is_mip=is_mip, mip_gap=mip_gap, excluded_min_size=excluded, provenance=prov,
                notes=notes)


def _empty_plan_frames(scenario: Scenario) -> tuple[pd.DataFrame, ...]:
    table = pd.DataFrame(columns=["product", "name", "group", "route", "year", "extra_usd",
                                  "extra_tonnes"])
    path = _path(scenario, np.full(scenario.horizon, np.nan))
    mix = pd.DataFrame(columns=["group", "extra_usd", "share"])
    binding = pd.DataFrame(columns=["family", "key", "shadow", "per", "sentence"])
    return table, path, mix, binding


def _path(scenario: Scenario, extra: np.ndarray) -> pd.DataFrame:
    gap = scenario.baseline_gap()
    return pd.DataFrame({
        "year": scenario.years,
        "baseline_gap": gap,
        "target_usd": scenario.targets(),
        "extra_purchases": extra,
        "projected_gap": gap - extra,
        "share_closed": extra / gap,
    })


def _frames(scenario: Scenario, products: pd.DataFrame, x: np.ndarray):
    years = np.array(scenario.years)
    keep = np.flatnonzero(x.sum(axis=1) > 0)
    K, T = len(keep), len(years)
    sub = products.iloc[keep]
    uv = sub["unit_value"].to_numpy(dtype=float)
    vals = x[keep].ravel()
    table = pd.DataFrame({
        "product": np.repeat(sub["product"].to_numpy(), T),
        "name": np.repeat(sub["name"].to_numpy(), T),
        "group": np.repeat(sub["group"].to_numpy(), T),
        "route": np.repeat(sub["route"].to_numpy(), T),
        "year": np.tile(years, K),
        "extra_usd": vals,
        "extra_tonnes": vals / np.repeat(np.where(uv > 0, uv, np.nan), T),
    })
    path = _path(scenario, x.sum(axis=0))
    final = pd.Series(x[:, -1], index=products["group"].to_numpy()).groupby(level=0).sum()
    total = final.sum()
    mix = pd.DataFrame({"group": final.index, "extra_usd": final.to_numpy(),
                        "share": final.to_numpy() / total if total > 0 else 0.0})
    mix = mix.sort_values("extra_usd", ascending=False).reset_index(drop=True)
    return table, path, mix


def compare(*plans: Plan) -> pd.DataFrame:
    """Side by side: status, gap closed in the final year, mix by group, binding constraints."""
    rows = []
    for p in plans:
        row: dict[str, Any] = p.summary()
        for g, share in zip(p.mix["group"], p.mix["share"], strict=True):
            row[f"mix_{g}"] = float(share)
        if p.feasible:
            row["binding"] = "; ".join(f"{f}:{k}" for f, k in zip(
                p.binding["family"], p.binding["key"], strict=True))
        elif p.infeasibility is not None:
            row["binding"] = "infeasible: " + "; ".join(p.infeasibility.conflicts)
        rows.append(row)
    out = pd.DataFrame(rows)
    mix_cols = sorted(c for c in out.columns if c.startswith("mix_"))
    out[mix_cols] = out[mix_cols].fillna(0.0)
    feasible = out["status"].eq("optimal") | out["status"].str.startswith(INCUMBENT)
    out.loc[~feasible, mix_cols] = np.nan
    front = ["scenario", "status", "final_year", "gap_closed_usd", "share_closed", "is_mip"]
    return out[front + mix_cols + [c for c in out.columns if c not in front + mix_cols]]
