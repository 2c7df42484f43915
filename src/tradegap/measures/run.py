"""``tradegap.measures(...)``: solve a measures scenario and return the ranked package.

Steps: read the scenario and the candidates (a file, a DataFrame, or the warehouse's potential),
fill figures written ``"data"`` from the warehouse, build and solve the one programme
(:mod:`tradegap.measures.model`), read the package back, put what binds into sentences checked by
re-solving (:mod:`tradegap.measures.sensitivity`), explain an infeasible target by its least
relaxation (:mod:`tradegap.measures.relax`), and re-solve for each Monte Carlo exchange-rate path
(GBM as in :mod:`tradegap.settlement.fx`) to give every measure a band."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradegap.errors import InputError
from tradegap.measures.model import Built, build, products
from tradegap.measures.package import measure_table, residual
from tradegap.measures.relax import explain_infeasible
from tradegap.measures.scenario import MeasuresScenario, load_scenario
from tradegap.measures.sensitivity import shadow_prices
from tradegap.measures.solve import Solution, ledger, purchases, solve
from tradegap.planning import validate_candidates
from tradegap.provenance import Provenance

BAND = (5, 95)  # percentiles of the Monte Carlo band


@dataclass
class MeasuresResult:
    """A solved measures scenario."""

    scenario: MeasuresScenario
    status: str
    package: pd.DataFrame  # one row per measure, ranked
    ledger: pd.DataFrame  # monthly idle balance and every flow
    purchases: pd.DataFrame  # by product, route and year
    shadow: pd.DataFrame  # binding limits in sentences, re-solved
    residual: dict[str, Any]
    objective_usd: float = float("nan")
    bands: pd.DataFrame | None = None
    infeasibility: pd.DataFrame | None = None
    decomposition: pd.DataFrame | None = None
    facts: list[dict[str, Any]] = field(default_factory=list)
    provenance: Provenance = field(default_factory=Provenance)
    notes: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return self.status == "optimal"

    def summary(self) -> dict[str, Any]:
        return {"scenario": self.scenario.name, "status": self.status,
                "synthetic": self.provenance.synthetic, "label": self.provenance.label,
                "objective_usd": self.objective_usd, **self.residual}

    def to_dict(self) -> dict[str, Any]:
        return {**self.summary(), "package": self.package, "shadow": self.shadow,
                "purchases": self.purchases, "ledger": self.ledger, "bands": self.bands,
                "infeasibility": self.infeasibility, "decomposition": self.decomposition,
                "facts": self.facts, "notes": self.notes,
                "provenance": self.provenance.to_dict()}


def _candidates(sc: MeasuresScenario, candidates: Any, warehouse: Any) -> pd.DataFrame:
    if isinstance(candidates, pd.DataFrame):
        return validate_candidates(candidates)
    path = Path(candidates) if candidates is not None else sc.candidates_path
    if path is None:
        if warehouse is None:
            raise InputError("the scenario takes its candidates from the potential, which "
                             "needs a warehouse", file=sc.file, field="purchases.candidates",
                             hint="pass --home (a warehouse with the pair's data) or give "
                             "a candidates CSV")
        from tradegap.measures.real import candidates_from_warehouse

        return validate_candidates(candidates_from_warehouse(warehouse, sc))
    if not path.exists():
        raise InputError("candidates file not found", file=str(path),
                         field="purchases.candidates", hint="a CSV or Parquet path relative "
                         "to the scenario")
    frame = (pd.read_parquet(path) if path.suffix.lower() == ".parquet"
             else pd.read_csv(path, dtype={"product": str, "route": str}, comment="#"))
    return validate_candidates(frame, file=str(path))


def fx_paths(sc: MeasuresScenario, draws: int, seed: int) -> np.ndarray:
    """``draws`` GBM paths of the deficit side's currency (the settlement simulator's model)."""
    from tradegap.settlement.fx import gbm_draws

    rng = np.random.default_rng(seed)
    return gbm_draws(sc.fx, rng.standard_normal((draws, sc.months)))


def measures(
    scenario: str | Path | MeasuresScenario,
    candidates: str | Path | pd.DataFrame | None = None,
    *,
    warehouse: Any = None,
    draws: int | None = None,
    seed: int | None = None,
    check: bool = True,
    decompose: bool = True,
    provenance: Provenance | None = None,
) -> MeasuresResult:
    """Devise the package of measures for ``scenario`` (a TOML path or a
    :class:`MeasuresScenario`). ``candidates`` overrides the scenario's table; ``warehouse``
    (a :class:`tradegap.warehouse.Warehouse`) supplies figures written ``"data"`` and candidates
    ``"from potential"``; ``draws`` Monte Carlo exchange-rate paths (default: the scenario's);
    ``check`` puts binding limits into sentences by re-solving."""
    sc = load_scenario(scenario) if not isinstance(scenario, MeasuresScenario) else scenario
    facts: list[dict[str, Any]] = []
    if sc.from_data:
        if warehouse is None:
            raise InputError(f"the scenario reads {', '.join(sc.from_data)} from the data",
                             file=sc.file, field=sc.from_data[0],
                             hint="pass --home (a warehouse with the pair's data)")
        from tradegap.measures.real import resolve

        sc, facts = resolve(sc, warehouse)
    cands = _candidates(sc, candidates, warehouse)
    prov = provenance or Provenance()
    cprov = cands.attrs.get("provenance")
    if cprov is not None:
        prov = prov.merge(cprov)
    if sc.synthetic:
        prov = prov.merge(Provenance(synthetic=True, sources=[f"scenario {sc.name}"]))
    if sc.data is not None:
        prov = prov.merge(Provenance(datasets=[sc.data.dataset],
                                     periods=[f"calendar {sc.data.year}"]))
    prods = products(sc, cands)
    built = build(sc, prods)
    sol = solve(built, time_limit=sc.time_limit)
    decomposition = None
    if decompose and sc.data is not None and warehouse is not None:
        from tradegap.measures.real import gap_decomposition_from_warehouse

        decomposition = gap_decomposition_from_warehouse(warehouse, sc)
    if not sol.optimal:
        return MeasuresResult(sc, sol.status if sol.status != "Infeasible" else "infeasible",
                              pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(),
                              {}, infeasibility=explain_infeasible(sc, built),
                              decomposition=decomposition, facts=facts, provenance=prov)
    result = _read(sc, built, sol, facts, prov, decomposition)
    if check:
        result.shadow = shadow_prices(sc, built, sol, cands)
        result.package["binds"] = [
            "; ".join(result.shadow.loc[result.shadow["measure"] == k, "family"]
                      .drop_duplicates()) for k in result.package["key"]] \
            if len(result.package) else []
    n = sc.draws if draws is None else draws
    if n:
        result.bands = monte_carlo(sc, prods, n, sc.seed if seed is None else seed)
        if len(result.package):
            b = result.bands.set_index("key")
            for col in ("total_usd_p5", "total_usd_p95"):
                result.package[col] = result.package["key"].map(b[col])
    return result


def _read(sc: MeasuresScenario, built: Built, sol: Solution, facts: list, prov: Provenance,
          decomposition: pd.DataFrame | None) -> MeasuresResult:
    table = purchases(sc, built, sol.x)
    led = ledger(sc, built, sol.x)
    pkg = measure_table(sc, built, sol.x, table)
    return MeasuresResult(sc, "optimal", pkg, led, table, pd.DataFrame(),
                          residual(sc, built, sol.x, led, table),
                          objective_usd=sol.objective * 1e6, decomposition=decomposition,
                          facts=facts, provenance=prov)


def monte_carlo(sc: MeasuresScenario, prods: pd.DataFrame, draws: int,
                seed: int) -> pd.DataFrame:
    """Re-solve the programme on each exchange-rate draw; per measure (and for the residual
    idle balance) the 5th, 50th and 95th percentiles of its total size (US$)."""
    paths = fx_paths(sc, draws, seed)
    seen: list[dict[str, float]] = []
    infeasible = 0
    for d in range(draws):
        b = build(sc, prods, paths[d])
        s = solve(b, time_limit=sc.time_limit)
        if not s.optimal:
            infeasible += 1
            continue
        pkg = measure_table(sc, b, s.x, purchases(sc, b, s.x))
        row = dict(zip(pkg["key"], pkg["total_usd"], strict=True)) if len(pkg) else {}
        row["residual:idle_end"] = float(ledger(sc, b, s.x)["idle_usd"].iloc[-1])
        seen.append(row)
    frame = pd.DataFrame(seen).fillna(0.0)
    return pd.DataFrame([{
        "key": k, "draws": len(frame), "infeasible_draws": infeasible,
        "total_usd_p5": float(np.percentile(frame[k], BAND[0])),
        "total_usd_p50": float(np.percentile(frame[k], 50)),
        "total_usd_p95": float(np.percentile(frame[k], BAND[1]))} for k in frame.columns])


def replace(sc: MeasuresScenario, **changes: Any) -> MeasuresScenario:
    """A copy of ``sc`` with ``changes`` (a convenience for what-if runs)."""
    return dataclasses.replace(sc, **changes)
