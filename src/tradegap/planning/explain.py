"""Put the planner's duals into words, and explain an infeasible scenario.

Binding constraints. For a family of limits that share one parameter θ (e.g. the pharma
market-share ceiling), the marginal value is ``dV/dθ = Σ_i (dV/db_i)(db_i/dθ)`` over the rows and
bounds ``b_i`` that θ sets, where ``dV/db_i`` is the dual of row or bound i (sensitivity analysis,
Bertsimas & Tsitsiklis 1997, §5.1). A sector-share row ``Σ (1[k∈S] − f) x ≥ 0`` moves like a
right-hand side of ``df·Σ_k x[k,t]`` (envelope theorem).

Infeasibility. An elastic programme (Chinneck 2008, "Feasibility and Infeasibility in
Optimization", ch. 7) adds one non-negative slack per constraint family — lowering the target,
raising a route's tonnage, raising a group's market-share ceiling, loosening a sector share or the
ramp-up — each costed relative to its own limit, and minimises the total. The families whose
slack is positive conflict; solving once with each family alone gives the alternative single
relaxations ("… only if the INSTC cap rises by 1.2 Mt/yr, or the target is lowered to 18 %").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from tradegap.planning.model import MONEY, TONNE, Built, build
from tradegap.planning.scenario import Scenario

REL_TOL = 1e-7
#: The step each family's marginal value is quoted for, and how it is said.
STEP = {
    "market_share": (0.01, "one percentage point"),
    "ceiling": (0.01, "one percentage point of untapped potential"),
    "capacity": (0.01, "one percentage point of the exporter's world sales"),
    "ramp_share": (0.01, "one percentage point of the ceiling per year"),
    "ramp_usd": (1e6, "US$1 m a year"),
    "logistics": (1e3, "1,000 t a year"),
    "sector_min": (0.01, "one percentage point"),
    "sector_max": (0.01, "one percentage point"),
    "target": (0.01, "one percentage point of the gap"),
    "target_usd": (1e6, "US$1 m"),
    "min_size": (1e6, "US$1 m"),
}


def _money(v: float) -> str:
    a = abs(v)
    if round(a / 1e9, 2) >= 1:
        return f"US${a / 1e9:,.2f} bn"
    if round(a / 1e6, 1) >= 1:
        return f"US${a / 1e6:,.1f} m"
    return f"US${_three_figures(a):,.0f}"  # the rates are finite differences: no false digits


def _three_figures(a: float) -> float:
    import math

    return round(a, 2 - int(math.floor(math.log10(a)))) if a > 0 else 0.0


def _tonnes(v: float) -> str:
    if v >= 1e5:
        return f"{v / 1e6:,.2f} Mt"
    if v >= 1e3:
        return f"{v / 1e3:,.1f} kt"
    return f"{v:,.0f} t"


def binding_constraints(scenario: Scenario, built: Built, solved: Any,
                        x: np.ndarray) -> pd.DataFrame:
    """One row per limit with a non-zero marginal value: family, key, limit, ``shadow``
    (dV/dθ, V = the objective summed over the plan years), ``per_step_per_year`` (the change in
    V per year for the quoted step) and a plain-words ``sentence``."""
    rd, cd = solved.row_dual, solved.col_dual
    p = built.products
    K, T = built.K, built.T
    fam = np.array(built.row_family, dtype=object)
    key = np.array(built.row_key, dtype=object)
    n_x = built.n_x
    # d V / d (upper bound) of each x column, V maximised: −min(col_dual, 0)
    d_ub = -np.minimum(cd[:n_x], 0.0)
    d_lb = -np.maximum(cd[:n_x], 0.0)
    d_row = -rd  # dV/d(active bound) of each row
    ramp_rows = built.ramp_rows
    has_ramp = ramp_rows >= 0
    d_ramp_row = np.zeros(n_x)
    d_ramp_row[has_ramp] = -np.minimum(rd[ramp_rows[has_ramp]], 0.0)
    ramp_tag = p["ramp_tag"].to_numpy()
    share_tag = (ramp_tag == "share").astype(float)
    ramp_share = scenario.ramp_share or 0.0
    dC = (built.ub_dc * d_ub).reshape(K, T).sum(axis=1) + \
        ramp_share * share_tag * d_ramp_row.reshape(K, T).sum(axis=1)
    cap_tag = np.where(p["cap_clipped"].to_numpy(), "clipped", p["cap_tag"].to_numpy())
    group = p["group"].to_numpy()
    scale = max(abs(float(-solved.objective)) * MONEY / T, 1.0)
    weighted = len(set(p["weight"])) > 1 or (len(p) and float(p["weight"].iloc[0]) != 1.0)
    rows: list[dict[str, Any]] = []

    def add(family: str, key_: str, limit: float | None, shadow: float, what: str,
            step_key: str | None = None) -> None:
        step, said = STEP[step_key or family]
        per = shadow * step / T
        if abs(per) <= REL_TOL * scale and abs(shadow) * step <= 1e-6:
            return
        verb = "close" if not weighted else "add"
        obj = "of the gap" if not weighted else "of priority-weighted purchases"
        if per > 0:
            s = f"Raising {what} by {said} would {verb} {_money(per)} more {obj} per year"
        else:
            s = f"Lowering {what} by {said} would {verb} {_money(-per)} more {obj} per year"
        rows.append({"family": family, "key": key_, "limit": limit, "shadow": shadow,
                     "step": step, "per_step_per_year": per, "what": what, "said": said,
                     "sentence": s + f" (average over {T} year{'s' if T > 1 else ''}, "
                     "at the margin)."})

    imports = p["market_imports"].to_numpy(dtype=float)
    for g in sorted(set(group[cap_tag == "market_share"])):
        sel = (cap_tag == "market_share") & (group == g)
        ms = scenario.market_share_cap(g)
        add("market_share", g, ms, float((imports[sel] * dC[sel]).sum()),
            f"the {g} market-share ceiling ({ms:.0%} of {scenario.market}'s imports)")
    sel = cap_tag == "untapped"
    if sel.any():
        add("ceiling", "untapped", scenario.ceiling_share,
            float((p["untapped"].to_numpy()[sel] * dC[sel]).sum()),
            f"the per-product ceiling ({scenario.ceiling_share:.0%} of untapped potential)")
    sel = cap_tag == "capacity"
    if sel.any():
        add("capacity", "capacity", scenario.capacity_share_max,
            float((p["exporter_capacity"].to_numpy()[sel] * dC[sel]).sum()),
            f"the cap on diverting the exporter's world sales ({scenario.capacity_share_max:.0%})")
    # ramp-up: the first-year bound and the yearly rows
    first_dub = d_ub.reshape(K, T)[:, 0] * built.first_is_ramp
    per_k = d_ramp_row.reshape(K, T).sum(axis=1) + first_dub
    if scenario.ramp_share is not None:
        add("ramp", "share", scenario.ramp_share,
            float((p["cap"].to_numpy() * share_tag * per_k).sum()),
            f"the yearly ramp-up limit ({scenario.ramp_share:.0%} of each ceiling)", "ramp_share")
    if scenario.ramp_usd is not None:
        add("ramp", "usd", scenario.ramp_usd, float((per_k * (ramp_tag == "usd")).sum()),
            f"the yearly ramp-up limit ({_money(scenario.ramp_usd)})", "ramp_usd")
    # logistics
    for route, caps in scenario.logistics.items():
        sel = (fam == "logistics") & (key == route)
        if sel.any():
            add("logistics", route, float(np.mean(caps)),
                float(d_row[sel].sum()) * MONEY / TONNE,
                f"the {route} logistics cap ({_tonnes(float(np.mean(caps)))}/yr)")
    # sector shares
    totals = x.sum(axis=0)
    for sec in scenario.sectors:
        for kind, f in (("sector_min", sec.share_min), ("sector_max", sec.share_max)):
            if f is None:
                continue
            idx = [built.sector_rows[(kind, sec.name, t)] for t in range(T)]
            sign = 1.0 if kind == "sector_min" else -1.0
            shadow = float((d_row[idx] * totals).sum()) * sign
            word = "floor" if kind == "sector_min" else "ceiling"
            add(kind, sec.name, f, shadow, f"the {sec.name} {word} ({f:.0%} of extra purchases)")
    # target
    sel = np.flatnonzero(fam == "target")
    if len(sel):
        years = built.row_year[sel]
        duals = d_row[sel]
        share_target = scenario.target_usd is None
        gap = scenario.baseline_gap()
        targets = scenario.targets()
        final_t = int(np.flatnonzero(~np.isnan(targets))[-1])
        lower = solved.row_dual[sel] > 0
        dbound = np.where(lower, gap[years] if share_target else 1.0,
                          gap[final_t] if share_target else 1.0)
        shadow = float((duals * dbound).sum())
        val = (scenario.target_share if share_target else scenario.target_usd)[-1]
        what = (f"the target ({val:.0%} of the gap)" if share_target
                else f"the target ({_money(val)})")
        add("target", "share" if share_target else "usd", val, shadow, what,
            "target" if share_target else "target_usd")
    # minimum size
    if scenario.min_size_usd:
        last = np.arange(K) * T + T - 1
        add("min_size", "min_size", scenario.min_size_usd, float(d_lb[last].sum()),
            f"the minimum size ({_money(scenario.min_size_usd)})")
    cols = ["family", "key", "limit", "shadow", "step", "per_step_per_year", "what", "said",
            "sentence"]
    out = pd.DataFrame(rows, columns=cols)
    order = out["per_step_per_year"].abs().sort_values(ascending=False).index
    return out.loc[order].reset_index(drop=True)


def confirm_by_resolving(binding: pd.DataFrame, scenario: Scenario, candidates: pd.DataFrame,
                         include: np.ndarray | None, base: float, weighted: bool,
                         max_rows: int = 40, warm: Any = None) -> pd.DataFrame:
    """Replace each flagged limit's dual by its one-sided rates, obtained by re-solving with
    the limit moved a thousandth of its quoted step up and down (see
    :mod:`tradegap.planning.sensitivity`), and state the rate in the direction that helps;
    where the other direction's rate differs, say so. Limits that help in neither direction
    go. Only the ``max_rows`` largest are re-solved (each costs two solves)."""
    from tradegap.planning.sensitivity import ABS_TOL, one_sided

    T = scenario.horizon
    verb = "add" if weighted else "close"
    obj = "of priority-weighted purchases" if weighted else "of the gap"
    rows = []
    for _, r in binding.head(max_rows).iterrows():
        step = float(r["step"])
        h = step * 1e-3
        up, down = one_sided(scenario, candidates, include, r["family"], r["key"], h, base,
                             warm)
        rate_up = None if up is None else up / h  # dV/dθ to the right
        rate_down = None if down is None else down / h  # dV/dθ to the left
        gain_up = rate_up * step if rate_up is not None and np.isfinite(rate_up) else 0.0
        gain_down = -rate_down * step if rate_down is not None and np.isfinite(rate_down) \
            else 0.0
        if gain_up > ABS_TOL:
            main, per, other, other_loss, shadow = "Raising", gain_up, "lowering", \
                (None if rate_down is None else rate_down * step), rate_up
        elif gain_down > ABS_TOL:
            main, per, other, other_loss, shadow = "Lowering", gain_down, "raising", \
                (None if rate_up is None else -rate_up * step), rate_down
        else:
            continue
        sentence = (f"{main} {r['what']} by {r['said']} would {verb} {_money(per / T)} more "
                    f"{obj} per year")
        if other_loss is not None and not np.isfinite(other_loss):
            sentence += f"; {other} it would leave the target out of reach"
        elif other_loss is not None and abs(other_loss - per) > max(ABS_TOL, 1e-4 * per):
            sentence += (f"; {other} it by as much would lose {_money(other_loss / T)} a year "
                         "(the plan's value changes at a different rate in each direction "
                         "here)")
        sentence += f" (average over {T} year{'s' if T > 1 else ''}, at the margin)."
        row = r.to_dict()
        row.update(shadow=shadow, per_step_per_year=(per if main == "Raising" else -per) / T,
                   rate_up=rate_up, rate_down=rate_down, sentence=sentence)
        rows.append(row)
    cols = list(dict.fromkeys([*binding.columns, "rate_up", "rate_down"]))
    out = pd.DataFrame(rows, columns=cols)
    order = out["per_step_per_year"].abs().sort_values(ascending=False).index
    return out.loc[order].reset_index(drop=True)


# --------------------------------------------------------------------------- infeasibility


@dataclass
class Change:
    """One relaxation: ``family``/``key`` moves from ``old`` to ``new``."""

    family: str
    key: str
    old: float
    new: float
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        return {"family": self.family, "key": self.key, "old": self.old, "new": self.new,
                "sentence": self.sentence}


@dataclass
class Infeasibility:
    """Why a scenario has no plan, and the smallest relaxations that give it one."""

    conflicts: list[str]
    combined: list[Change]  # the least total relaxation over all families at once
    alternatives: list[list[Change]] = field(default_factory=list)  # one family at a time
    sentence: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "conflicts": self.conflicts,
            "combined": [c.to_dict() for c in self.combined],
            "alternatives": [[c.to_dict() for c in a] for a in self.alternatives],
            "sentence": self.sentence,
        }


def relaxable_families(scenario: Scenario, products: pd.DataFrame) -> list[str]:
    """Constraint families present in the scenario that the elastic model can loosen."""
    fams = []
    if not np.isnan(scenario.targets()).all():
        fams.append("target")
    if any((products["route"] == r).any() for r in scenario.logistics):
        fams.append("logistics")
    if any(s.share_min is not None for s in scenario.sectors):
        fams.append("sector_min")
    if any(s.share_max is not None for s in scenario.sectors):
        fams.append("sector_max")
    if (products["cap_tag"] == "market_share").any():
        fams.append("market_share")
    if (products["ramp"] < products["cap"]).any():
        fams.append("ramp")
    return fams


def explain_infeasible(scenario: Scenario, products: pd.DataFrame) -> Infeasibility:
    """Conflicting families, the least combined relaxation and each single-family relaxation."""
    from tradegap.planning.planner import solve

    fams = relaxable_families(scenario, products)
    combined = _relax(scenario, products, frozenset(fams), solve)
    alternatives = []
    for f in fams:
        ch = _relax(scenario, products, frozenset([f]), solve)
        if ch:
            alternatives.append(ch)
    conflicts = sorted({f"{c.family}:{c.key}" for a in [combined or [], *alternatives]
                        for c in a})
    if combined is None:
        sentence = ("No relaxation of the target, logistics, sector shares, market-share "
                    "ceilings or ramp-up makes the scenario feasible; check the candidates and "
                    "the minimum size.")
        combined = []
    else:
        others = [c for c in conflicts if not c.startswith("target:")]
        names = ", ".join(others) or "the per-product ceilings (untapped potential)"
        options = alternatives or [combined]
        sentence = (f"The target conflicts with {names}. It can be met only if "
                    + ", or if ".join(" and ".join(c.sentence for c in a) for a in options)
                    + ("" if alternatives else " (no single family of limits suffices)") + ".")
        if alternatives and {c.family for c in combined} not in [
                {c.family for c in a} for a in alternatives]:
            sentence += " The least change overall: " + " and ".join(
                c.sentence for c in combined) + "."
    return Infeasibility(conflicts, combined, alternatives, sentence)


def _relax(scenario: Scenario, products: pd.DataFrame, fams: frozenset[str],
           solve: Any) -> list[Change] | None:
    built = build(scenario, products, relax=fams)
    res = solve(built)
    if not res.optimal:
        return None
    x = res.x[:built.n_x].reshape(built.K, built.T) * MONEY
    changes = []
    for s in built.slacks:
        amount = float(res.x[s.col]) * {"usd": MONEY, "tonnes": TONNE}.get(s.unit, 1.0)
        if float(res.x[s.col]) <= 1e-9:
            continue
        changes.append(_change(scenario, built, s.family, s.key, amount, x))
    return changes


def _change(scenario: Scenario, built: Built, family: str, key: str, amount: float,
            x: np.ndarray) -> Change:
    pad = amount * 1e-6 + 1e-9
    if family == "target":
        old = (scenario.target_share or scenario.target_usd)[-1]
        new = max(old - amount - pad, 0.0)
        said = f"{new:.1%}" if key == "share" else _money(new)
        return Change(family, key, old, new, f"the target is lowered to {said}")
    if family == "logistics":
        old = float(np.mean(scenario.logistics[key]))
        new = old + amount * (1 + 1e-6) + 1e-3
        return Change(family, key, old, new, f"the logistics cap on {key} rises by "
                      f"{_tonnes(amount)}/yr (to {_tonnes(new)}/yr)")
    if family == "market_share":
        old = scenario.market_share_cap(key)
        new = min(old + amount + pad, 1.0)
        return Change(family, key, old, new,
                      f"the {key} market-share ceiling rises to {new:.1%}")
    if family == "ramp":
        old = scenario.ramp_share if key == "share" else scenario.ramp_usd
        new = old + amount + pad
        said = f"{new:.1%} of the ceiling" if key == "share" else _money(new)
        return Change(family, key, old, new, f"the yearly ramp-up limit rises to {said}")
    sec = next(s for s in scenario.sectors if s.name == key)
    member = np.isin(built.products["group"].to_numpy(), sec.groups)
    tot = x.sum(axis=0)
    shares = np.where(tot > 0, x[member].sum(axis=0) / np.where(tot > 0, tot, 1), np.nan)
    if family == "sector_min":
        old = sec.share_min
        new = max(float(np.nanmin(shares)) - 1e-7, 0.0) if np.isfinite(shares).any() else 0.0
        return Change(family, key, old, new, f"the {key} floor falls to {new:.1%}")
    old = sec.share_max
    new = min(float(np.nanmax(shares)) + 1e-7, 1.0) if np.isfinite(shares).any() else 1.0
    return Change(family, key, old, new, f"the {key} ceiling rises to {new:.1%}")


def apply_changes(scenario: Scenario, changes: list[Change]) -> Scenario:
    """The scenario with the relaxations applied (to re-solve and check feasibility)."""
    s = scenario
    for c in changes:
        if c.family == "target":
            if c.key == "share":
                s = replace(s, target_share=tuple(max(v - (c.old - c.new), 0.0)
                                                  for v in s.target_share))
            else:
                s = replace(s, target_usd=tuple(max(v - (c.old - c.new), 0.0)
                                                for v in s.target_usd))
        elif c.family == "logistics":
            s = replace(s, logistics={**s.logistics, c.key: tuple(
                v + (c.new - c.old) for v in s.logistics[c.key])})
        elif c.family == "market_share":
            s = replace(s, market_share_max_by_group={**s.market_share_max_by_group,
                                                      c.key: c.new})
        elif c.family == "ramp":
            s = replace(s, **{"ramp_share" if c.key == "share" else "ramp_usd": c.new})
        else:
            kind = "share_min" if c.family == "sector_min" else "share_max"
            s = replace(s, sectors=tuple(replace(sec, **{kind: c.new}) if sec.name == c.key
                                         else sec for sec in s.sectors))
    return s


CONSTRAINT_WORDS = {"target": "target", "ramp": "ramp-up limit",
                    "ceiling": "per-product ceiling", "market_share": "market-share ceiling",
                    "capacity": "capacity", "min_size": "minimum order size",
                    "budget": "budget", "logistics": "route capacity"}


def constraint_words(key: str) -> str:
    """``'market_share:agri'`` → ``'market-share ceiling (agri)'``; ``'capacity:capacity'``
    → ``'capacity'``."""
    kind, _, name = str(key).partition(":")
    words = CONSTRAINT_WORDS.get(kind, kind.replace("_", " "))
    generic = {kind, "", "share", "untapped", "capacity", "min_size"}
    return words if name in generic else f"{words} ({name.replace('_', ' ')})"
