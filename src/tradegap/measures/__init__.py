"""Measures: one package across purchases, market access, logistics and settlement.

One HiGHS programme whose state is the idle balance month by month chooses extra purchases by
product (with the planner's limits), within market-access gates and on logistics routes, together
with the drains of the idle balance (securities, bonds, investment, a joint technology fund,
conversion to a third currency, multilateral netting) and counter-trade tied to crude value.

>>> from tradegap.measures import measures                        # doctest: +SKIP
>>> result = measures("scenarios/measures-demo.toml")            # doctest: +SKIP
>>> result.package[["measure", "share_trade_gap", "share_idle_gap"]]  # doctest: +SKIP
"""

from tradegap.measures.decompose import decompose, gap_decomposition
from tradegap.measures.run import MeasuresResult, measures
from tradegap.measures.scenario import MeasuresScenario, load_scenario, scenario_from_dict

__all__ = [
    "MeasuresResult",
    "MeasuresScenario",
    "decompose",
    "gap_decomposition",
    "load_scenario",
    "measures",
    "scenario_from_dict",
]
