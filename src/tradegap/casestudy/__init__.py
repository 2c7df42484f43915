"""The Russia–India case study on real data (``tradegap case-study russia-india``): this
package computes; :mod:`tradegap.report.case_study` writes the document and its charts.

>>> from tradegap.casestudy import case_study                      # doctest: +SKIP
>>> result = case_study("../shared/data")        # every number in result["facts"]
"""

from __future__ import annotations

from tradegap.casestudy.pipeline import (
    REAL_SCENARIO,
    bilateral_unit_values,
    build_warehouse,
    case_study,
    measure_balance,
    real_candidates,
    real_plan,
    scenario_params,
    to_payload,
)

__all__ = [
    "REAL_SCENARIO",
    "bilateral_unit_values",
    "build_warehouse",
    "case_study",
    "measure_balance",
    "real_candidates",
    "real_plan",
    "scenario_params",
    "to_payload",
]
