"""The Russia–India case study on real data (``tradegap case-study russia-india``).

>>> from tradegap.casestudy import run_case_study                  # doctest: +SKIP
>>> result = run_case_study("../shared/data", "docs/")
"""

from __future__ import annotations

from tradegap.casestudy.pipeline import (
    REAL_SCENARIO,
    bilateral_unit_values,
    build_warehouse,
    measure_balance,
    real_candidates,
    real_plan,
    run_case_study,
    scenario_params,
)

__all__ = [
    "REAL_SCENARIO",
    "bilateral_unit_values",
    "build_warehouse",
    "measure_balance",
    "real_candidates",
    "real_plan",
    "run_case_study",
    "scenario_params",
]
