"""PPML gravity estimation with high-dimensional fixed effects (pyfixest's ``fepois``).

Method: Santos Silva & Tenreyro (2006), "The Log of Gravity", REStat 88(4); applied with
exporter-time and importer-time effects as in Yotov, Piermartini, Monteiro & Larch (2016),
"An Advanced Guide to Trade Policy Analysis: The Structural Gravity Model", WTO/UNCTAD, ch. 1.
The fixed effects are absorbed with the ppmlhdfe algorithm (Correia, Guimarães & Zylkin 2020,
Stata Journal 20(1)) as implemented in pyfixest.

Formulas use pyfixest / ppmlhdfe syntax: ``"trade ~ log(DIST) + CNTG | exporter^year +
importer^year"``. ``log``/``ln``/``exp``/``sqrt`` and ``np.*`` functions may be applied to
variables inside the formula; ``a^b`` in the fixed-effect part is the interacted effect.

Small-sample convention (``ssc``):

* ``"stata"`` (default): Stata's maximum-likelihood convention, which the published results were
  produced with (``ppml``, ``poisson``, ``glm``): heteroskedasticity-robust variance × N/(N−1),
  cluster-robust variance × G/(G−1), no (N−1)/(N−K) degrees-of-freedom factor, inference with
  the normal distribution (z). It reproduces the AGTPA book's clustered standard errors
  (Table 1.1: 0.031658, 0.083160, 0.076539, 0.116244 against 0.0317, 0.0832, 0.0765, 0.1162,
  equal at the 4 decimals printed) and the robust ones of ``TradeWithoutBorder.log`` to 6
  significant digits. (Not checked against a ppmlhdfe log: none is in ../shared/data.)
* ``"pyfixest"``: pyfixest's defaults (``ssc()``, like R fixest): robust × N/(N−K), cluster ×
  (N−1)/(N−K) × G/(G−1), where K counts the slopes and the fixed-effect levels not nested in
  the clusters. With hundreds of exporter-year effects this inflates the SEs by ~1.5 %.

The pseudo log-likelihood is the full Poisson log-likelihood Σ[y ln μ − μ − ln Γ(y+1)], on the
same scale as Stata's ``ppml``/``ppmlhdfe`` (−2,284,121.47 vs −2,284,121.5 for the border model).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from tradegap.errors import InputError

#: Functions a formula may call without the ``np.`` prefix, as Stata users write them.
FORMULA_FUNCTIONS: dict[str, Any] = {
    "np": np,
    "log": np.log,
    "ln": np.log,
    "exp": np.exp,
    "sqrt": np.sqrt,
}

SSC_CONVENTIONS = ("stata", "pyfixest")

_SSC_WORDS = {
    ("stata", "hetero"): "Stata ML convention: robust variance × N/(N−1), no (N−1)/(N−K) factor; "
    "z-statistics (matches Stata ppml/poisson vce(robust))",
    ("stata", "CRV1"): "Stata ML convention: cluster-robust variance × G/(G−1), no (N−1)/(N−K) "
    "factor; z-statistics (matches Stata ppml/poisson vce(cluster))",
    ("stata", "iid"): "Stata ML convention: inverse Hessian, no adjustment; z-statistics",
    ("pyfixest", "hetero"): "pyfixest default ssc(): robust variance × N/(N−K), K = slopes "
    "plus fixed-effect levels; z-statistics",
    ("pyfixest", "CRV1"): "pyfixest default ssc(): cluster-robust variance × (N−1)/(N−K) × "
    "G/(G−1), K = slope coefficients plus non-nested fixed effects; z-statistics",
    ("pyfixest", "iid"): "pyfixest default ssc(): inverse Hessian × (N−1)/(N−K); z-statistics",
}


@dataclass
class PPMLResult:
    """A fitted PPML model: coefficients, sample, what was dropped and why, and conventions."""

    formula: str
    coefficients: pd.DataFrame
    n_obs: int
    n_input: int
    dropped: dict[str, int]
    vcov_type: str
    cluster: str | None
    small_sample: str
    pseudo_loglik: float
    deviance: float
    converged: bool
    n_clusters: int | None = None
    notes: list[str] = field(default_factory=list)
    estimator: str = "ppml"
    offset: str | None = None
    #: covariance matrix of the coefficients (terms × terms), with the ``ssc`` convention
    vcov: pd.DataFrame | None = None
    #: the rows used: the fixed-effect columns, ``fe_sum`` (sum of the fixed effects),
    #: ``linear`` (linear predictor incl. offset) and ``fitted``; index = the input's index
    rows: pd.DataFrame | None = field(default=None, repr=False)
    fixed_effect_terms: list[str] = field(default_factory=list)

    @property
    def n_dropped(self) -> int:
        """Rows of the input not used in the fit (sum of ``dropped``)."""
        return int(sum(self.dropped.values()))

    def coef(self, term: str) -> float:
        """The estimate of ``term``."""
        return float(self.coefficients.set_index("term").loc[term, "estimate"])

    def se(self, term: str) -> float:
        """The standard error of ``term``."""
        return float(self.coefficients.set_index("term").loc[term, "std_error"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "formula": self.formula,
            "coefficients": self.coefficients.to_dict(orient="records"),
            "n_obs": self.n_obs,
            "n_input": self.n_input,
            "n_dropped": self.n_dropped,
            "dropped": dict(self.dropped),
            "vcov_type": self.vcov_type,
            "cluster": self.cluster,
            "n_clusters": self.n_clusters,
            "small_sample": self.small_sample,
            "pseudo_loglik": self.pseudo_loglik,
            "deviance": self.deviance,
            "converged": self.converged,
            "notes": list(self.notes),
            "estimator": self.estimator,
            "offset": self.offset,
            "vcov": None if self.vcov is None else {
                "terms": list(self.vcov.columns), "matrix": self.vcov.to_numpy().tolist()},
        }


# --------------------------------------------------------------------------- loading


def load_table(
    path: str | Path, where: str | None = None, derive: list[str] | None = None
) -> pd.DataFrame:
    """Read a .dta, .csv or .parquet file; optionally filter rows and add derived columns.

    ``where`` is a SQL condition and ``derive`` a list of ``"name = SQL expression"``; both run
    in a local DuckDB query over this file's rows only (e.g. ``where="year IN (1986, 1990) AND
    exporter <> importer"``, ``derive=["ln_dist = ln(DIST)"]``).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(
            "file not found", file=str(path), hint="check the path (.dta, .csv or .parquet)"
        )
    suffix = path.suffix.lower()
    try:
        if suffix == ".dta":
            frame = pd.read_stata(path, convert_categoricals=False)
        elif suffix == ".csv":
            frame = _read_csv(path)
        elif suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        else:
            raise InputError(
                f"unknown file type {suffix or '(no extension)'!r}",
                file=str(path),
                hint="give a .dta, .csv or .parquet file",
            )
    except InputError:
        raise
    except Exception as exc:  # unreadable or corrupt file
        raise InputError(
            f"cannot read the file ({type(exc).__name__}: {exc})",
            file=str(path),
            hint="check that it is a valid Stata, CSV or Parquet file",
        ) from exc
    if where or derive:
        frame = query_frame(frame, where=where, derive=derive, file=str(path))
    return frame


def _read_csv(path: Path) -> pd.DataFrame:
    """CSV with codes kept as text: a column with a value like '0101' stays a string (product
    codes keep their leading zeros); other columns that parse as numbers become numbers."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=["", "NA", "NaN"])
    for col in frame.columns:
        text = frame[col].dropna()
        if text.str.match(r"^0\d").any():
            continue
        numbers = pd.to_numeric(frame[col], errors="coerce")
        if numbers.notna().sum() == len(text):
            frame[col] = numbers
    return frame


_DERIVE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$", re.S)


def query_frame(
    frame: pd.DataFrame,
    *,
    where: str | None = None,
    derive: list[str] | None = None,
    file: str | None = None,
) -> pd.DataFrame:
    """Filter ``frame`` with a SQL condition and add ``name = expression`` columns (DuckDB)."""
    import duckdb

    selects = ["*"]
    for spec in derive or []:
        match = _DERIVE.match(spec)
        if not match:
            raise InputError(
                f"cannot read derived column {spec!r}",
                file=file,
                field="--derive",
                hint="write it as NAME = SQL expression, e.g. ln_dist = ln(DIST)",
            )
        selects.append(f'{match.group(2)} AS "{match.group(1)}"')
    sql = f"SELECT {', '.join(selects)} FROM frame"
    if where:
        sql += f" WHERE {where}"
    con = duckdb.connect()
    try:
        con.register("frame", frame)
        return con.execute(sql).df()
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        raise InputError(
            f"the filter or derived columns failed: {first}",
            file=file,
            field="--where" if where else "--derive",
            hint=f"use SQL over the file's columns ({', '.join(map(str, frame.columns[:12]))}"
            f"{', …' if len(frame.columns) > 12 else ''}); quote strings with '...'",
        ) from exc
    finally:
        con.close()


# --------------------------------------------------------------------------- formula


def _split_formula(formula: str) -> tuple[str, str, list[str]]:
    """(dependent variable, right-hand side, fixed-effect terms) of a pyfixest formula."""
    if formula.count("~") != 1:
        raise InputError(
            f"formula {formula!r} needs exactly one '~'",
            field="formula",
            hint='write it as "y ~ x1 + x2 | fe1 + fe2", e.g. "trade ~ log(DIST) + CNTG | '
            'exporter^year + importer^year"',
        )
    lhs, rhs = (part.strip() for part in formula.split("~"))
    parts = [p.strip() for p in rhs.split("|")]
    if len(parts) > 2:
        raise InputError(
            f"formula {formula!r} has more than one '|'",
            field="formula",
            hint="only one fixed-effect part is supported: y ~ x | fe1 + fe2",
        )
    fes = [t.strip() for t in parts[1].split("+")] if len(parts) == 2 else []
    if not lhs or not parts[0] or any(not t for t in fes):
        raise InputError(
            f"formula {formula!r} has an empty part",
            field="formula",
            hint='write it as "y ~ x1 + x2 | fe1 + fe2"',
        )
    return lhs, parts[0], fes


def _check_columns(data: pd.DataFrame, formula: str, cluster: str | None,
                   offset: str | None = None) -> list[str]:
    lhs, _, fes = _split_formula(formula)
    needed = {lhs: "dependent variable"}
    if offset:
        needed[offset] = "offset"
    for term in fes:
        for var in term.split("^"):
            needed[var.strip()] = "fixed effect"
    for var in (cluster or "").replace("^", "+").split("+"):
        if var.strip():
            needed[var.strip()] = "cluster"
    for var, role in needed.items():
        if var not in data.columns:
            raise InputError(
                f"{role} {var!r} is not a column of the data",
                field=var,
                hint=f"use one of: {', '.join(map(str, data.columns[:30]))}"
                f"{', …' if len(data.columns) > 30 else ''}",
            )
    if not pd.api.types.is_numeric_dtype(data[lhs]):
        raise InputError(
            f"dependent variable {lhs!r} is not numeric",
            field=lhs,
            hint="the PPML dependent variable must be a non-negative number (trade value)",
        )
    if (data[lhs] < 0).any():
        raise InputError(
            f"dependent variable {lhs!r} has {int((data[lhs] < 0).sum())} negative values",
            field=lhs,
            hint="PPML needs y ≥ 0; filter those rows out with --where",
        )
    return list(needed)


# --------------------------------------------------------------------------- fitting


def fit_ppml(
    data: pd.DataFrame,
    formula: str,
    cluster: str | None = None,
    vcov: str | None = None,
    *,
    ssc: str = "stata",
    separation: tuple[str, ...] | str = "auto",
    offset: str | None = None,
    tol: float = 1e-10,
    maxiter: int = 100,
    fixef_tol: float | None = 1e-12,
) -> PPMLResult:
    """Fit a PPML model with absorbed fixed effects and return a :class:`PPMLResult`.

    ``cluster`` names the cluster variable (``"a+b"`` for two-way); otherwise ``vcov`` is
    ``"hetero"`` (default, = Stata ``vce(robust)``) or ``"iid"``. Rows with missing values are
    dropped first, then pyfixest drops singletons of the fixed effects and observations
    separated by them (all-zero groups, ``"fe"``) or by the regressors (``"ir"``, Correia et al.
    2019, arXiv:1903.01633). ``ssc`` is the small-sample convention (module docstring).

    ``separation``: ``"auto"`` (default) runs both checks when the dependent variable has zeros
    and none otherwise (without zeros nothing can be separated; the iterative-rectifier check
    costs about a third of a run), or a tuple of ``"fe"``/``"ir"`` (``()`` for none).
    ``offset`` names a column entered with coefficient 1 (Stata's ``offset()``), e.g. the log
    of counterfactual trade costs. ``fixef_tol`` is the inner (demeaning) tolerance: with
    pyfixest's default (1e-8) fixed effects differ from Stata's in the 6th digit; 1e-12
    reproduces the printed 7 digits (None = pyfixest's default).
    """
    import pyfixest as pf

    if ssc not in SSC_CONVENTIONS:
        raise InputError(
            f"unknown small-sample convention {ssc!r}", field="ssc",
            hint=f"use one of {', '.join(SSC_CONVENTIONS)}",
        )
    vcov_type, vcov_arg = _vcov_spec(cluster, vcov)
    columns = _check_columns(data, formula, cluster, offset)
    n_input = len(data)
    separation = separation_checks(data[_split_formula(formula)[0]], separation)

    frame = data.copy()
    # Rows with a missing value in a named column (the formula's own variables are checked by
    # formulaic below: a transformation yielding ±inf or NaN is counted the same way).
    missing = frame[columns].isna().any(axis=1)
    frame = frame.loc[~missing]
    original_index = frame.index
    frame = frame.reset_index(drop=True)
    n_missing = int(missing.sum())

    if ssc == "stata":
        pf_ssc = pf.ssc(k_adj=False, G_adj=vcov_type == "CRV1", G_df="min")
    else:
        pf_ssc = pf.ssc()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = pf.fepois(
                formula,
                frame,
                vcov=vcov_arg,
                ssc=pf_ssc,
                offset=offset,
                context=FORMULA_FUNCTIONS,
                separation_check=list(separation),
                iwls_tol=tol,
                iwls_maxiter=maxiter,
                fixef_tol=fixef_tol,
                fixef_maxiter=None if fixef_tol is None else 1_000_000,
            )
    except InputError:
        raise
    except Exception as exc:
        raise InputError(
            f"the model could not be fitted: {_first_line(exc)}",
            field="formula",
            hint="check the variable names and functions in the formula "
            f"(columns: {', '.join(map(str, frame.columns[:20]))}"
            f"{', …' if len(frame.columns) > 20 else ''}); functions: log, exp, sqrt, np.*",
        ) from exc

    n_obs = int(model._N)
    n_separated = int(getattr(model, "n_separation_na", 0) or 0)
    n_other = len(frame) - n_obs - n_separated
    dropped = {"missing values": n_missing, "singletons": 0, "separated": n_separated}
    notes: list[str] = []
    if n_other:
        # pyfixest drops rows whose formula variables are NaN/inf (e.g. log(0)) together with
        # the fixed-effect singletons; tell them apart by re-counting non-finite regressors.
        n_nonfinite = _count_nonfinite(model, frame)
        dropped["missing values"] += n_nonfinite
        dropped["singletons"] = n_other - n_nonfinite
        if n_nonfinite:
            notes.append(f"{n_nonfinite} rows had a regressor that is missing or infinite "
                         "after transformation (e.g. log of 0)")

    vc = np.asarray(model._vcov, dtype=float)
    if ssc == "stata" and vcov_type == "hetero":
        vc = vc * n_obs / (n_obs - 1)
    names = list(model._coefnames)
    est = np.asarray(model._beta_hat, dtype=float)
    vc = vc.reshape(len(est), len(est))
    se = np.sqrt(np.diag(vc))
    z = est / se
    crit = stats.norm.ppf(0.975)
    table = pd.DataFrame(
        {
            "term": [str(n) for n in names],
            "estimate": est,
            "std_error": se,
            "z": z,
            "p": 2 * stats.norm.sf(np.abs(z)),
            "conf_low": est - crit * se,
            "conf_high": est + crit * se,
        }
    )
    collinear = list(getattr(model, "_collin_vars", []) or [])
    if collinear:
        notes.append(f"dropped as collinear: {', '.join(map(str, collinear))}")
    converged = bool(getattr(model, "convergence", False))
    if not converged:
        notes.append(f"IRLS did not converge in {maxiter} iterations: the estimates are not "
                     "final (raise maxiter, or look for separation)")
    n_clusters = None
    if vcov_type == "CRV1":
        g = np.atleast_1d(np.asarray(model._G))
        n_clusters = int(g.min())
    _, _, fe_terms = _split_formula(formula)
    return PPMLResult(
        estimator="ppml",
        offset=offset,
        vcov=pd.DataFrame(vc, index=table["term"].tolist(), columns=table["term"].tolist()),
        rows=_used_rows(model, frame, original_index, fe_terms, offset),
        fixed_effect_terms=fe_terms,
        formula=formula,
        coefficients=table,
        n_obs=n_obs,
        n_input=n_input,
        dropped=dropped,
        vcov_type={"CRV1": f"cluster-robust by {cluster}", "hetero": "heteroskedasticity-robust",
                   "iid": "iid (inverse Hessian)"}[vcov_type],
        cluster=cluster,
        small_sample=_SSC_WORDS[(ssc, vcov_type)],
        pseudo_loglik=float(model._loglik),
        deviance=float(model.deviance),
        converged=converged,
        n_clusters=n_clusters,
        notes=notes,
    )


def separation_checks(y: pd.Series, choice: tuple[str, ...] | str) -> tuple[str, ...]:
    """The separation checks to run: ``"auto"`` = both when ``y`` has zeros, else none."""
    if isinstance(choice, str):
        words = {"auto": None, "none": (), "fe": ("fe",), "ir": ("ir",), "both": ("fe", "ir"),
                 "fe,ir": ("fe", "ir")}
        if choice not in words:
            raise InputError(f"unknown separation check {choice!r}", field="separation",
                             hint="use auto, none, fe, ir or both")
        picked = words[choice]
        if picked is None:
            return ("fe", "ir") if bool((pd.to_numeric(y, errors="coerce") == 0).any()) else ()
        return picked
    bad = [c for c in choice if c not in ("fe", "ir")]
    if bad:
        raise InputError(f"unknown separation check {bad[0]!r}", field="separation",
                         hint="use fe and/or ir")
    return tuple(choice)


def _used_rows(model: Any, frame: pd.DataFrame, original_index: pd.Index,
               fe_terms: list[str], offset: str | None) -> pd.DataFrame | None:
    """Fixed-effect columns, their per-row sum, the linear predictor and the fitted values of
    the rows the model used (None if they cannot be aligned with the input)."""
    dropped = sorted(int(i) for i in (getattr(model, "_na_index", ()) or ()))
    keep = np.ones(len(frame), dtype=bool)
    keep[[i for i in dropped if 0 <= i < len(frame)]] = False
    eta = np.asarray(model._Y_hat_link, dtype=float).ravel()
    if int(keep.sum()) != len(eta):
        return None
    used = frame.loc[keep]
    variables = list(dict.fromkeys(v.strip() for t in fe_terms for v in t.split("^")))
    out = used[variables].copy() if variables else pd.DataFrame(index=used.index)
    fe_sum = eta - (used[offset].to_numpy(dtype=float) if offset else 0.0)
    if len(model._coefnames):
        try:
            from formulaic import model_matrix

            _, rhs, _ = _split_formula(model._fml)
            with np.errstate(all="ignore"):
                mm = model_matrix(rhs, used, context=FORMULA_FUNCTIONS, na_action="ignore")
            beta = np.asarray(model._beta_hat, dtype=float)
            fe_sum = fe_sum - np.asarray(mm[list(model._coefnames)], dtype=float) @ beta
        except Exception:  # a label for the user; never fail the fit over it
            fe_sum = np.full(len(eta), np.nan)
    out["fe_sum"] = fe_sum if fe_terms else 0.0
    out["linear"] = eta
    out["fitted"] = np.exp(eta)
    out.index = original_index[keep]
    return out


def _vcov_spec(cluster: str | None, vcov: str | None) -> tuple[str, Any]:
    if cluster:
        if vcov not in (None, "cluster", "CRV1"):
            raise InputError(
                f"--vcov {vcov} conflicts with --cluster {cluster}",
                field="vcov",
                hint="give either --cluster VAR or --vcov hetero/iid, not both",
            )
        return "CRV1", {"CRV1": cluster}
    kind = (vcov or "hetero").lower()
    aliases = {"hetero": "hetero", "robust": "hetero", "hc1": "hetero", "iid": "iid"}
    if kind not in aliases:
        raise InputError(
            f"unknown vcov {vcov!r}",
            field="vcov",
            hint="use hetero (robust), iid, or --cluster VAR for cluster-robust errors",
        )
    return aliases[kind], aliases[kind]


def _count_nonfinite(model: Any, frame: pd.DataFrame) -> int:
    """Rows whose regressors are NaN/inf after the formula's transformations."""
    try:
        from formulaic import model_matrix

        _, rhs, _ = _split_formula(model._fml)
        with np.errstate(all="ignore"):
            mm = model_matrix(rhs, frame, context=FORMULA_FUNCTIONS, na_action="ignore")
        values = np.asarray(mm, dtype=float)
        return int((~np.isfinite(values)).any(axis=1).sum())
    except Exception:  # only used to label drops; never fail the fit over it
        return 0


def _first_line(exc: Exception) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m|[⧛⧚]", "", str(exc)).strip()
    return text.splitlines()[0] if text else type(exc).__name__
