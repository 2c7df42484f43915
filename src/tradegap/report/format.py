"""Number formats that read naturally: US$ 63.8 bn, US$ 412 m, US$ 5.3 k."""

from __future__ import annotations

import math


def money(value: float | None, currency: str = "US$") -> str:
    """``63_840_000_000`` → ``'US$ 63.8 bn'``; missing → ``'—'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    sign = "−" if value < 0 else ""
    v = abs(float(value))
    for threshold, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if v >= threshold:
            scaled = v / threshold
            digits = 1 if scaled < 100 else 0
            return f"{sign}{currency} {scaled:,.{digits}f} {suffix}"
    return f"{sign}{currency} {v:,.0f}"


def share(value: float | None) -> str:
    """``0.8812`` → ``'88.1%'``; missing → ``'—'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.1%}"
