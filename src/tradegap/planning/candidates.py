"""The planner's candidates from the export potential the warehouse allows: one public function
for ``plan`` (a scenario whose ``[candidates] path = "from potential"``), the case study, the
report and the measures package."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tradegap.analysis.headroom import HeadroomParams
from tradegap.errors import InputError
from tradegap.planning.scenario import (
    BASES,
    CANDIDATE_COLUMNS,
    PotentialOptions,
    Scenario,
    validate_candidates,
)
from tradegap.warehouse import Warehouse

if TYPE_CHECKING:
    from tradegap.analysis.potential_estimate import PotentialEstimate


def scenario_headroom_params(sc: Scenario) -> HeadroomParams:
    """The headroom's share caps from the scenario's ``[limits]`` (one source of truth)."""
    return HeadroomParams(
        share_cap=sc.market_share_max if sc.market_share_max is not None else 0.30,
        share_cap_by_group=dict(sc.market_share_max_by_group),
        capacity_share=sc.capacity_share_max if sc.capacity_share_max is not None else 1.0,
    )


def candidates_from_potential(
    wh: Warehouse,
    exporter: str,
    market: str,
    *,
    groups: Sequence[str] | None = None,
    options: PotentialOptions | None = None,
    headroom_params: HeadroomParams | None = None,
    unit_values: pd.Series | None = None,
) -> pd.DataFrame:
    """The planner's candidates (:data:`~tradegap.planning.scenario.CANDIDATE_COLUMNS`) of
    ``exporter`` in ``market`` from :func:`tradegap.analysis.potential_estimate.estimate_potential`
    on ``wh``: ``untapped`` = the realistic estimate (``options.basis = 'extra'``; for the ITC
    method its untapped potential) or the headroom. Extra columns ``binds`` and ``why`` say what
    sets each figure. ``unit_values`` (US$/t by product) replace the fallback from the
    market's demand (value / net weight). ``attrs['provenance']``, ``attrs['method']`` and
    ``attrs['why']`` describe the source; products with no room are left out."""
    options = options or PotentialOptions()
    est = _every_group(wh, exporter.upper(), market.upper(), options, headroom_params)
    t = est.table if not groups else est.table[est.table["group"].isin(list(groups))]
    if est.method == "itc":
        out = pd.DataFrame({
            "product": t["product"].astype(str), "name": t.get("name", t["product"]),
            "group": t["group"], "current": t["actual"], "untapped": t["untapped"],
            "market_imports": t["market_imports"], "exporter_capacity": np.nan,
            "unit_value": np.nan, "route": options.route,
            "binds": "ITC untapped potential", "why": "ITC: supply × demand × ease − actual"})
        out = out[out["untapped"] > 0]
    else:
        out = _from_ranking(t, options, unit_values)
    out = validate_candidates(out.reset_index(drop=True))
    out.attrs.update(provenance=est.provenance, method=est.method, why=est.why)
    return out


#: Potentials already computed in this process, by warehouse state and options (a plan compare
#: of several scenarios on one warehouse computes the potential once).
_CACHE: dict[tuple, PotentialEstimate] = {}


def _every_group(wh: Warehouse, exporter: str, market: str, options: PotentialOptions,
                 headroom_params: HeadroomParams | None) -> PotentialEstimate:
    """The potential of every product group (a product's figure does not depend on the groups
    selected: the benchmarks come from every product the market imports)."""
    from tradegap.analysis.potential_estimate import estimate_potential

    state = tuple(sorted((d.name, d.fingerprint) for d in wh.datasets()))
    key = (str(wh.home), state, exporter, market, options.method, options.gravity,
           repr(headroom_params))
    if key not in _CACHE:
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = estimate_potential(wh, exporter, market, None, method=options.method,
                                         gravity=options.gravity,
                                         headroom_params=headroom_params)
    return _CACHE[key]


def _from_ranking(r: pd.DataFrame, options: PotentialOptions,
                  unit_values: pd.Series | None) -> pd.DataFrame:
    basis = options.basis
    r = r[(r["binding"] != "no demand") & (r[basis] > 0)]
    fallback = (r["demand"] / (r["demand_net_weight_kg"] / 1000.0)).replace([np.inf], np.nan)
    uv = (r["product"].map(unit_values) if unit_values is not None
          else pd.Series(np.nan, index=r.index))
    given = uv.notna() & (uv > 0)
    return pd.DataFrame({
        "product": r["product"].astype(str),
        "name": r["name"].fillna(r["product"]),
        "group": r["group"],
        "current": r["current"],
        "untapped": r[basis],
        "market_imports": r["demand"],
        "exporter_capacity": r["capacity"],
        "unit_value": uv.where(given, fallback),
        "unit_value_source": np.where(given, str(getattr(unit_values, "name", None) or "given"),
                                      "market's imports (demand net weight)"),
        "route": options.route,
        "binds": r["extra_basis"] if basis == "extra" else r["binding"],
        "why": r["why"] if basis == "extra" else "headroom: the upper bound",
    })


def scenario_candidates(sc: Scenario, wh: Warehouse | None) -> pd.DataFrame:
    """The candidates of a scenario that reads them ``from potential``, built from ``wh`` with
    the scenario's pair, allowed groups, share caps and ``[candidates]`` options."""
    if wh is None:
        raise InputError(
            "the scenario reads its candidates from the export potential: it needs a "
            "warehouse", file=sc.file, field="candidates.path",
            hint="run it on a warehouse: tradegap --home WAREHOUSE plan FILE.toml (or pass "
            "--candidates FILE)")
    return candidates_from_potential(
        wh, sc.exporter, sc.market, groups=sc.groups, options=sc.potential_options,
        headroom_params=scenario_headroom_params(sc))


__all__ = ["BASES", "CANDIDATE_COLUMNS", "PotentialOptions", "candidates_from_potential",
           "scenario_candidates", "scenario_headroom_params"]
