"""The measures programme (``tradegap.measures.measures``, HiGHS) on 5,000 candidate products ×
10 years with monthly settlement (120 months): three routes with capacities, two market-access
gates, two financial assets, investment, the joint fund, conversion, netting and counter-trade
(SYNTHETIC: the planner's random candidates, tradegap.planning.instances). Times the build and
solve without shadow prices or Monte Carlo (each of those is one more solve), then one run with
the shadow prices checked by re-solving. Not timed in the tests."""

from __future__ import annotations

import statistics
import time

import numpy as np
import pandas as pd
from _common import load, record, say


def instance(k: int = 5000, years: int = 10):
    """A large SYNTHETIC measures scenario and its candidates."""
    from tradegap.measures.scenario import (
        Asset,
        Channel,
        Countertrade,
        Crude,
        Fund,
        Gate,
        MeasuresScenario,
        Route,
    )
    from tradegap.planning.instances import random_candidates
    from tradegap.settlement.fx import FxSpec

    cands = random_candidates(k).assign(route="any")
    sc = MeasuresScenario(
        surplus="RUS", deficit="IND", start=pd.Period("2026-01", "M"), years=years,
        deficit_exports_usd=(5e9,) * years, settled_share=0.15,
        fx=FxSpec("INR", np.full(12 * years, 88.0), 0.02, 0.05),
        other_exports_usd=(13e9,) * years, import_settled_share=0.6, opening_balance_usd=3e9,
        crude=Crude((88e6,) * years, (580.0,) * years, (0.0,) * years),
        trade_value=0.05, limits={"market_share_max": 0.3, "capacity_share_max": 0.5,
                                  "ramp_share": 0.2},
        gates=(Gate("agri SPS", "sps", groups=("agri",), eligible_from=0, plants=200,
                    capacity_per_plant_usd=5e6),
               Gate("pharma registration", "registration", groups=("pharma",),
                    eligible_from=24)),
        routes=(Route("INSTC", 187.0, 25, (3e6,) * years), Route("Suez", 270.0, 50),
                Route("air", 2000.0, 2, (5e4,) * years)),
        assets=(Asset("G-secs", "securities", 0.07, (1.5e9,) * years, 11e9),
                Asset("bonds", "bonds", 0.08, (0.2e9,) * years, 2e9, 9)),
        investment=Channel((1e9,) * years), fund=Fund(1e9, (0.1,) * years),
        conversion=Channel((6.6e9,) * years, 0.02), netting=Channel((2e9,) * years, 0.005),
        countertrade=Countertrade(0.001, ("agri", "pharma")), name="bench-large",
        time_limit=3600.0,
        synthetic=True)
    return sc, cands


def main() -> None:
    from tradegap.measures import measures
    from tradegap.measures.model import build, products

    load_before = load()
    sc, cands = instance()
    prods = products(sc, cands)
    t = time.perf_counter()
    built = build(sc, prods)
    build_s = time.perf_counter() - t
    say(f"measures 5,000 × 10 y × 120 months: {len(built.cost):,} columns, "
        f"{len(built.row_lo):,} rows, {built.matrix.nnz:,} nonzeros; build {build_s:.2f} s")
    runs, cpus, status = [], [], ""
    for _ in range(2):
        t, c = time.perf_counter(), time.process_time()
        r = measures(sc, cands, check=False, draws=0)
        runs.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        status = r.status
    median = statistics.median(runs)
    t = time.perf_counter()
    checked = measures(sc, cands, check=True, draws=0)
    check_s = time.perf_counter() - t
    say(f"  status {status}; solve and read back median {median:.2f} s (runs "
        f"{', '.join(f'{x:.2f}' for x in runs)}; CPU "
        f"{', '.join(f'{x:.1f}' for x in cpus)} s); with {len(checked.shadow)} shadow prices "
        f"checked by re-solving {check_s:.2f} s")
    record("measures", {
        "products": 5000, "years": 10, "months": 120, "status": status,
        "columns": len(built.cost), "rows": len(built.row_lo), "nonzeros": int(built.matrix.nnz),
        "build_s": round(build_s, 3), "median_s": round(median, 3),
        "runs_s": [round(x, 3) for x in runs], "cpu_s": [round(x, 2) for x in cpus],
        "shadow_prices": len(checked.shadow),
        "with_shadow_prices_s": round(check_s, 3), "load_before": load_before,
        "command": "python benchmarks/bench_measures.py",
    })


if __name__ == "__main__":
    main()
