"""OLS of log trade on the same gravity formula, for comparison with PPML
(``gravity fit --estimator ols``).

The log-linear gravity regression ln X_ij = x_ij β + fixed effects + ε (Yotov et al. 2016,
ch. 1, Table 1's OLS columns) with pyfixest's ``feols``. Zero flows have no logarithm and are
dropped (counted as such) — one reason PPML is preferred (Santos Silva & Tenreyro 2006).
Standard errors use pyfixest's default small-sample correction (as Stata's ``reghdfe``:
robust × N/(N−K), cluster × G/(G−1) × (N−1)/(N−K)) and t-statistics.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from tradegap.analysis.gravity import (
    FORMULA_FUNCTIONS,
    PPMLResult,
    _check_columns,
    _count_nonfinite,
    _first_line,
    _split_formula,
    _vcov_spec,
)
from tradegap.errors import InputError


def fit_ols(data: pd.DataFrame, formula: str, cluster: str | None = None,
            vcov: str | None = None) -> PPMLResult:
    """Fit ln(y) on the right-hand side of ``formula`` (y > 0 only) and return the same result
    type as :func:`tradegap.analysis.gravity.fit_ppml`, with ``estimator = "ols"``."""
    import pyfixest as pf

    vcov_type, vcov_arg = _vcov_spec(cluster, vcov)
    columns = _check_columns(data, formula, cluster)
    lhs, rhs, fes = _split_formula(formula)
    missing = data[columns].isna().any(axis=1)
    zero = ~missing & (data[lhs] <= 0)
    frame = data.loc[~missing & ~zero].copy()
    frame["__log_y"] = np.log(frame[lhs].to_numpy(dtype=float))
    fml = f"__log_y ~ {rhs}" + (f" | {' + '.join(fes)}" if fes else "")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = pf.feols(fml, frame, vcov=vcov_arg, context=FORMULA_FUNCTIONS)
    except Exception as exc:
        raise InputError(f"the OLS model could not be fitted: {_first_line(exc)}",
                         field="formula") from exc
    tidy = model.tidy()
    table = pd.DataFrame({
        "term": [str(t) for t in tidy.index], "estimate": tidy["Estimate"].to_numpy(),
        "std_error": tidy["Std. Error"].to_numpy(), "z": tidy["t value"].to_numpy(),
        "p": tidy["Pr(>|t|)"].to_numpy(), "conf_low": tidy["2.5%"].to_numpy(),
        "conf_high": tidy["97.5%"].to_numpy(),
    })
    n_obs = int(model._N)
    # pyfixest drops rows whose regressors are NaN/inf together with fixed-effect singletons:
    # tell them apart as fit_ppml does
    n_other = len(frame) - n_obs
    n_nonfinite = _count_nonfinite(model, frame) if n_other else 0
    vc = np.asarray(model._vcov, dtype=float).reshape(len(table), len(table))
    return PPMLResult(
        estimator="ols",
        formula=f"ln({lhs}) ~ {rhs}" + (f" | {' + '.join(fes)}" if fes else ""),
        coefficients=table, n_obs=n_obs, n_input=len(data),
        dropped={"missing values": int(missing.sum()) + n_nonfinite,
                 "zero flows (no log)": int(zero.sum()), "singletons": n_other - n_nonfinite},
        vcov_type={"CRV1": f"cluster-robust by {cluster}", "hetero": "heteroskedasticity-robust",
                   "iid": "iid"}[vcov_type],
        cluster=cluster,
        small_sample="pyfixest default ssc(): N/(N−K) (cluster: × G/(G−1)); t-statistics",
        pseudo_loglik=float("nan"), deviance=float("nan"), converged=True,
        n_clusters=int(np.atleast_1d(model._G).min()) if vcov_type == "CRV1" else None,
        vcov=pd.DataFrame(vc, index=table["term"].tolist(), columns=table["term"].tolist()),
        notes=[f"OLS of ln({lhs}): {int(zero.sum())} zero flows dropped (PPML keeps them)"],
    )
