"""The estimated fixed effects of a gravity fit, level by level.

The fit gives, per row, the sum of its fixed effects s_r = η_r − offset_r − x_r β̂ (η the
linear predictor). The levels α are recovered from s = Σ_k D_k α_k by alternating projections
(the method of Gaure 2013, "OLS with multiple high dimensional category variables", CSDA 66,
used on the fitted sums, which are exactly additive). The effects are identified only up to
normalisation: every term after the first has its last level (in sorted order) set to 0 and
the first absorbs the constant — with exporter and importer effects this is Stata's
dummies with the last importer dropped (the AGTPA do-files put the reference country last).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tradegap.analysis.gravity import PPMLResult
from tradegap.errors import InputError


def _levels(rows: pd.DataFrame, term: str) -> pd.Series:
    parts = [p.strip() for p in term.split("^")]
    values = rows[parts[0]].astype(str)
    for part in parts[1:]:
        values = values + "^" + rows[part].astype(str)
    return values


def fixed_effects(result: PPMLResult, *, tol: float = 1e-12,
                  max_iter: int = 100_000) -> pd.DataFrame:
    """Columns ``effect``, ``level``, ``estimate`` for every fixed-effect term of ``result``."""
    if result.rows is None or not result.fixed_effect_terms:
        raise InputError("the model has no fixed effects to recover", field="formula",
                         hint="add fixed effects after '|' in the formula")
    rows = result.rows
    s = rows["fe_sum"].to_numpy(dtype=float)
    codes, names = [], []
    for term in result.fixed_effect_terms:
        cat = pd.Categorical(_levels(rows, term))
        codes.append(np.asarray(cat.codes))
        names.append(list(cat.categories))
    alphas = [np.zeros(len(n)) for n in names]
    counts = [np.bincount(c, minlength=len(n)) for c, n in zip(codes, names, strict=True)]
    for _ in range(max_iter):
        change = 0.0
        for k, code in enumerate(codes):
            others = sum((alphas[m][codes[m]] for m in range(len(codes)) if m != k),
                         np.zeros(len(s)))
            new = np.bincount(code, s - others, minlength=len(names[k])) / counts[k]
            change = max(change, float(np.abs(new - alphas[k]).max()))
            alphas[k] = new
        if change < tol:
            break
    for k in range(1, len(alphas)):
        shift = alphas[k][-1]
        alphas[k] = alphas[k] - shift
        alphas[0] = alphas[0] + shift
    return pd.DataFrame({
        "effect": [t for t, n in zip(result.fixed_effect_terms, names, strict=True) for _ in n],
        "level": [lv for n in names for lv in n],
        "estimate": np.concatenate(alphas),
    })


def rows_with_effects(result: PPMLResult) -> pd.DataFrame:
    """The used rows with one ``fe_<term>`` column per fixed-effect term (for ``--save``)."""
    if result.rows is None:
        raise InputError("the fitted rows are not available for this model")
    rows = result.rows.copy()
    if result.fixed_effect_terms:
        table = fixed_effects(result)
        for term in result.fixed_effect_terms:
            lookup = table[table["effect"] == term].set_index("level")["estimate"]
            rows[f"fe_{term.replace('^', '_')}"] = _levels(rows, term).map(lookup).to_numpy()
    return rows
