"""Measures: one package across purchases, market access, logistics and settlement.

One HiGHS programme whose state is the idle balance month by month chooses extra purchases by
product (with the planner's limits), within market-access gates and on logistics routes, together
with the drains of the idle balance (securities, bonds, investment, a joint technology fund,
conversion to a third currency, multilateral netting) and counter-trade tied to crude value.

>>> from tradegap.measures import measures                        # doctest: +SKIP
>>> result = measures("scenarios/measures-demo.toml")            # doctest: +SKIP
>>> result.package[["measure", "share_trade_gap", "share_idle_gap"]]  # doctest: +SKIP
"""

import sys as _sys
import types as _types

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


class _CallableModule(_types.ModuleType):
    """``tradegap.measures`` is both this package and the function: importing the package sets
    the attribute ``tradegap.measures`` to the module, so the module itself must be callable for
    ``tradegap.measures(...)`` to keep working."""

    def __call__(self, *args: object, **kwargs: object) -> MeasuresResult:
        return measures(*args, **kwargs)  # type: ignore[arg-type]


_sys.modules[__name__].__class__ = _CallableModule
