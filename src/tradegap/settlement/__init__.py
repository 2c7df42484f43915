"""Settlement in national currencies: a monthly simulation of vostro balances, their drains
(imports, government securities, a joint fund, conversion to a third currency) and their costs.

>>> from tradegap.settlement import load_scenario, simulate          # doctest: +SKIP
>>> result = simulate(load_scenario("scenarios/settlement-historical.toml"), draws=500)
"""

from __future__ import annotations

from tradegap.settlement.from_plan import monthly_from_plan_path, simulate_with_plan
from tradegap.settlement.scenario import DRAINS, Scenario, load_scenario, scenario_from_dict
from tradegap.settlement.simulator import (
    Comparison,
    SettlementResult,
    compare,
    load_plan,
    simulate,
)

__all__ = [
    "DRAINS",
    "Comparison",
    "Scenario",
    "SettlementResult",
    "compare",
    "load_plan",
    "load_scenario",
    "monthly_from_plan_path",
    "scenario_from_dict",
    "simulate",
    "simulate_with_plan",
]
