"""Linear combinations of gravity coefficients with standard errors, as Stata's ``lincom``.

For a combination a'β of the estimates β̂ with covariance V: estimate a'β̂, standard error
√(a'Va), z = estimate / se, two-sided normal p-value and 95 % interval (Stata's ``lincom``
after ``ppml``/``poisson``, which reports z). Used for total effects, e.g.
``"RTA + RTA_LAG4 + RTA_LAG8"`` (Yotov et al. 2016, ch. 1, the cumulative RTA effect).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from tradegap.errors import InputError

_TERM = re.compile(r"\s*([+-]?)\s*(?:(\d+(?:\.\d*)?|\.\d+)\s*\*\s*)?([A-Za-z_][\w.()]*)\s*")


def parse_combination(text: str, terms: list[str]) -> dict[str, float]:
    """``"2*A - B + C"`` → {A: 2, B: -1, C: 1}; every name must be one of ``terms``."""
    weights: dict[str, float] = {}
    pos = 0
    text = text.strip()
    if not text:
        raise InputError("empty linear combination", field="--lincom",
                         hint='e.g. --lincom "RTA + RTA_LAG4 + RTA_LAG8"')
    while pos < len(text):
        match = _TERM.match(text, pos)
        if not match or match.end() == pos or (pos > 0 and not match.group(1)):
            raise InputError(f"cannot read the linear combination {text!r}", field="--lincom",
                             hint="write terms joined by + or -, each optionally times a "
                             'number: "RTA + RTA_LAG4", "2*A - B"')
        sign = -1.0 if match.group(1) == "-" else 1.0
        factor = float(match.group(2)) if match.group(2) else 1.0
        name = match.group(3)
        if name not in terms:
            raise InputError(f"{name!r} is not a coefficient of the model", field="--lincom",
                             hint=f"coefficients: {', '.join(terms)}")
        weights[name] = weights.get(name, 0.0) + sign * factor
        pos = match.end()
    return weights


def lincom(coefficients: pd.DataFrame, vcov: pd.DataFrame, expression: str) -> dict[str, Any]:
    """Estimate, standard error, z, p and 95 % interval of ``expression`` (see module doc)."""
    terms = [str(t) for t in coefficients["term"]]
    weights = parse_combination(expression, terms)
    a = np.array([weights.get(t, 0.0) for t in terms])
    beta = coefficients["estimate"].to_numpy(dtype=float)
    v = vcov.loc[terms, terms].to_numpy(dtype=float)
    estimate = float(a @ beta)
    se = float(np.sqrt(a @ v @ a))
    z = estimate / se if se > 0 else float("nan")
    crit = float(stats.norm.ppf(0.975))
    return {"expression": expression, "weights": weights, "estimate": estimate,
            "std_error": se, "z": z, "p": float(2 * stats.norm.sf(abs(z))),
            "conf_low": estimate - crit * se, "conf_high": estimate + crit * se}
