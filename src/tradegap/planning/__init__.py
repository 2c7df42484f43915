"""Planning: scenarios (TOML) and the rebalancing planner (HiGHS).

>>> from tradegap.planning import plan, compare, load_scenario   # doctest: +SKIP
>>> p = plan("scenarios/agri-pharma-only.toml")                    # doctest: +SKIP
"""

from tradegap.planning.explain import Change, Infeasibility, apply_changes
from tradegap.planning.planner import Plan, compare, plan
from tradegap.planning.scenario import (
    CANDIDATE_COLUMNS,
    FROM_POTENTIAL,
    Scenario,
    Sector,
    load_scenario,
    scenario_from_dict,
    validate_candidates,
)

__all__ = [
    "CANDIDATE_COLUMNS",
    "FROM_POTENTIAL",
    "Change",
    "Infeasibility",
    "Plan",
    "Scenario",
    "Sector",
    "apply_changes",
    "compare",
    "load_scenario",
    "plan",
    "scenario_from_dict",
    "validate_candidates",
]
