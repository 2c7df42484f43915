"""tradegap: devise measures to soften a bilateral trade imbalance, from real trade data.

The public API is small and imported lazily so that ``import tradegap`` stays cheap:

>>> import tradegap
>>> wh = tradegap.open_warehouse("/tmp/wh")          # doctest: +SKIP
>>> tradegap.balance(wh, "RUS", "IND")                # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "open_warehouse": ("tradegap.warehouse", "open_warehouse"),
    "Warehouse": ("tradegap.warehouse", "Warehouse"),
    "ingest": ("tradegap.sources", "ingest"),
    "balance": ("tradegap.analysis.balance", "balance"),
    "potential": ("tradegap.analysis.potential_warehouse", "potential"),
    "export_potential": ("tradegap.analysis.potential", "export_potential"),
    "estimate_potential": ("tradegap.analysis.potential_estimate", "estimate_potential"),
    "candidates_from_potential": ("tradegap.planning.candidates", "candidates_from_potential"),
    "fit_ppml": ("tradegap.analysis.gravity", "fit_ppml"),
    "gravity_potential": ("tradegap.analysis.gravity_potential", "gravity_potential"),
    "headroom": ("tradegap.analysis.headroom", "headroom"),
    "balances": ("tradegap.analysis.many_pairs", "balances"),
    "potential_global": ("tradegap.analysis.potential_warehouse", "potential_global"),
    "plan": ("tradegap.planning", "plan"),
    "compare_plans": ("tradegap.planning", "compare"),
    "simulate_settlement": ("tradegap.settlement", "simulate"),
    "measures": ("tradegap.measures", "measures"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    raise AttributeError(f"module 'tradegap' has no attribute {name!r}")
