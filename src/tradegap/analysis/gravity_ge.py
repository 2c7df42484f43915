"""General-equilibrium counterfactuals with structural gravity (``tradegap gravity ge``).

Method: Yotov, Piermartini, Monteiro & Larch (2016), *An Advanced Guide to Trade Policy
Analysis: The Structural Gravity Model*, WTO/UNCTAD, ch. 2 (after Anderson & van Wincoop 2003),
step by step as its "trade without borders" do-file (``TradeWithoutBorder.log``):

1. Estimate the gravity model (PPML, :func:`tradegap.analysis.gravity.fit_ppml`); bilateral
   trade costs are t_ij^(1−σ) = exp(x_ij β̂).
2. Baseline: PPML of observed trade on exporter and importer effects with offset ln t_ij in the
   equilibrium year. With the reference country's importer effect normalised to 0,
   OMR_i = Π_i^(1−σ) = Y_i E_R / exp(π_i) and IMR_j = P_j^(1−σ) = E_j / (exp(χ_j) E_R).
3. Conditional GE: the same PPML with the counterfactual offset ln t_ij^CFL (output and
   expenditure fixed).
4. Full endowment GE: factory-gate prices change by
   p_i = [(exp(π_i^s)/exp(π_i^(s−1))) / (E_R^s/E_R^(s−1))]^(1/(1−σ)); trade is updated by
   p_i p_j / (ΔOMR_i ΔIMR_j), re-estimated, output Y_i = Σ_j X̂_ij and expenditure
   E_j = φ_j Y_j (φ_j = E_j/Y_j of the baseline) follow; the loop stops when both the standard
   deviation and the absolute maximum of the change in p between iterations (over all rows,
   as the do-file computes them) are at most ``tolerance`` (the book: 0.01).

Reported changes, per country: exports to other countries, P_j = IMR^(1/(1−σ)),
Π_i = OMR^(1/(1−σ)), factory-gate price, real GDP Y_i / P_i (conditional: output unchanged).
The structural PPMLs run with a tight inner (fixed-effect) tolerance: with pyfixest's default
the multilateral resistances differ from Stata's in the 6th digit.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tradegap.analysis.gravity import (
    FORMULA_FUNCTIONS,
    PPMLResult,
    _split_formula,
    fit_ppml,
    load_table,
    query_frame,
)
from tradegap.analysis.gravity_ge_scenario import GEScenario
from tradegap.errors import InputError
from tradegap.provenance import Provenance

#: Inner (fixed-effect demeaning) tolerance of every structural PPML.
FIXEF_TOL = 1e-13


@dataclass
class GEResult:
    """Per-country and per-pair results of a general-equilibrium counterfactual."""

    countries: pd.DataFrame
    pairs: pd.DataFrame
    estimate: PPMLResult
    iterations: list[dict[str, float]]
    sigma: float
    reference: str
    converged: bool
    provenance: Provenance = field(default_factory=Provenance)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "countries": self.countries, "estimate": self.estimate.to_dict(),
            "iterations": self.iterations, "sigma": self.sigma, "reference": self.reference,
            "converged": self.converged, "provenance": self.provenance.to_dict(),
            "notes": list(self.notes),
        }


# --------------------------------------------------------------------------- structural PPML


def structural_ppml(
    y: np.ndarray, offset: np.ndarray, exp_idx: np.ndarray, imp_idx: np.ndarray, n: int,
    ref: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PPML of ``y`` on exporter and importer effects with a fixed offset (pyfixest).

    Returns (fitted values μ, exporter effects π, importer effects χ) with χ_ref = 0, so that
    ln μ_ij = π_i + χ_j + offset_ij.
    """
    import pyfixest as pf

    frame = pd.DataFrame({"y": y, "o": offset, "e": exp_idx, "i": imp_idx})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = pf.fepois("y ~ 1 | e + i", frame, offset="o", vcov="iid", iwls_tol=1e-12,
                          iwls_maxiter=200, separation_check=["fe"], fixef_tol=FIXEF_TOL,
                          fixef_maxiter=1_000_000, fixef_rm="none")
    if int(model._N) != len(frame):
        raise InputError(
            f"{len(frame) - int(model._N)} flows of the equilibrium year were dropped by the "
            "structural PPML (a country with only zero flows)",
            hint="remove countries without trade in that year with [data] where",
        )
    eta = np.asarray(model._Y_hat_link, dtype=float).ravel()
    pi, chi = two_way_effects(eta - offset, exp_idx, imp_idx, n, ref)
    return np.exp(eta), pi, chi


def two_way_effects(
    s: np.ndarray, exp_idx: np.ndarray, imp_idx: np.ndarray, n: int, ref: int
) -> tuple[np.ndarray, np.ndarray]:
    """π, χ with s_ij = π_i + χ_j and χ_ref = 0 (alternating means; exact for additive s)."""
    pi = np.zeros(n)
    chi = np.zeros(n)
    count_e = np.bincount(exp_idx, minlength=n)
    count_i = np.bincount(imp_idx, minlength=n)
    for _ in range(10_000):
        pi_new = np.bincount(exp_idx, s - chi[imp_idx], minlength=n) / count_e
        chi_new = np.bincount(imp_idx, s - pi_new[exp_idx], minlength=n) / count_i
        change = max(np.abs(pi_new - pi).max(), np.abs(chi_new - chi).max())
        pi, chi = pi_new, chi_new
        if change < 1e-13:
            break
    shift = chi[ref]
    return pi + shift, chi - shift


# --------------------------------------------------------------------------- the equilibrium


def solve_ge(
    year_rows: pd.DataFrame, *, trade: str, ln_t_bln: np.ndarray, ln_t_cfl: np.ndarray,
    sigma: float, reference: str, exporter: str = "exporter", importer: str = "importer",
    tolerance: float = 0.01, max_iterations: int = 50,
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, float]], bool]:
    """Baseline, conditional and full-endowment equilibria of one year's flows (module doc).

    ``year_rows`` holds every flow of the year including domestic ones (exporter = importer);
    ``ln_t_bln`` and ``ln_t_cfl`` are ln t_ij^(1−σ) per row, baseline and counterfactual.
    Returns (countries, pairs, iteration log, converged).
    """
    ex = year_rows[exporter].astype(str).to_numpy()
    im = year_rows[importer].astype(str).to_numpy()
    countries = np.array(sorted(set(ex) | set(im)))
    _check_square(ex, im, countries, reference)
    n = len(countries)
    code = {c: k for k, c in enumerate(countries)}
    ei = np.array([code[c] for c in ex])
    ii = np.array([code[c] for c in im])
    ref = code[reference]
    x = year_rows[trade].to_numpy(dtype=float)
    intl = ei != ii
    k = 1.0 / (1.0 - sigma)

    def by_exporter(v: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        w = v if rows is None else np.where(rows, v, 0.0)
        return np.bincount(ei, w, minlength=n)

    y_bln = by_exporter(x)
    e_bln = np.bincount(ii, x, minlength=n)
    er_bln = e_bln[ref]
    phi = e_bln / y_bln

    mu_b, pi_b, chi_b = structural_ppml(x, ln_t_bln, ei, ii, n, ref)
    omr_b = y_bln * er_bln / np.exp(pi_b)
    imr_b = e_bln / (np.exp(chi_b) * er_bln)
    mu_c, pi_c, chi_c = structural_ppml(x, ln_t_cfl, ei, ii, n, ref)
    omr_c = y_bln * er_bln / np.exp(pi_c)
    imr_c = e_bln / (np.exp(chi_c) * er_bln)

    # Full endowment: the do-file's iteration, index s = 0 baseline, 1 conditional.
    pi = {0: pi_b, 1: pi_c}
    er = {0: er_bln, 1: er_bln}
    price = {0: np.zeros(n), 1: (np.exp(pi_c - pi_b) / 1.0) ** k}
    omr = {1: omr_c}
    imr = {1: imr_c}
    d_omr = {1: np.ones(n)}
    d_imr = {1: np.ones(n)}
    e_level = {1: e_bln}
    chi = {1: chi_c}
    fitted = mu_c
    log: list[dict[str, float]] = []
    converged = False
    s = 1
    while s <= max_iterations:
        target = fitted * price[s][ei] * price[s][ii] / (d_omr[s][ei] * d_imr[s][ii])
        fitted, pi_s, chi_s = structural_ppml(target, ln_t_cfl, ei, ii, n, ref)
        y_s = by_exporter(fitted)
        e_s = phi * y_s
        er_s = e_s[ref]
        t = s + 1
        pi[t], er[t], chi[t], e_level[t] = pi_s, er_s, chi_s, e_s
        price[t] = (np.exp(pi_s - pi[s]) / (er_s / er[s])) ** k
        omr[t] = y_s * er_s / np.exp(pi_s)
        d_omr[t] = omr[t] / omr[s]
        imr[t] = e_s / (np.exp(chi_s) * er_s)
        d_imr[t] = imr[t] / imr[s]
        diff = (price[s] - price[s - 1])[ei]  # per row, as the do-file summarises it
        entry = {"iteration": s, "mean": float(diff.mean()), "sd": float(diff.std(ddof=1)),
                 "min": float(diff.min()), "max": float(diff.max())}
        log.append(entry)
        s = t
        if entry["sd"] <= tolerance and abs(entry["max"]) <= tolerance:
            converged = True
            break
    last = s
    price_full = (np.exp(pi[last] - pi_b) / (er[last] / er_bln)) ** k
    y_full = price_full * y_bln
    e_full = phi * y_full
    omr_f = y_full * er[last] / np.exp(pi[last])
    imr_f = e_level[last] / (np.exp(chi[last]) * er[last])
    x_full = y_full[ei] * e_full[ii] * np.exp(ln_t_cfl) / (imr_f[ii] * omr_f[ei])

    def pct(new: np.ndarray, old: np.ndarray) -> np.ndarray:
        return (new / old - 1.0) * 100.0

    xi = {name: by_exporter(v, intl) for name, v in
          (("bln", mu_b), ("cdl", mu_c), ("full", x_full))}
    rgdp_b = y_bln / imr_b ** k
    rgdp_c = y_bln / imr_c ** k
    rgdp_f = y_full / imr_f ** k
    table = pd.DataFrame({
        "country": countries,
        "exports_bln": xi["bln"], "exports_cdl": xi["cdl"], "exports_full": xi["full"],
        "exports_cdl_pct": pct(xi["cdl"], xi["bln"]),
        "exports_full_pct": pct(xi["full"], xi["bln"]),
        "imr_bln": imr_b, "imr_cdl": imr_c, "imr_full": imr_f,
        "imr_cdl_pct": pct(imr_c ** k, imr_b ** k), "imr_full_pct": pct(imr_f ** k, imr_b ** k),
        "omr_bln": omr_b, "omr_cdl": omr_c, "omr_full": omr_f,
        "omr_cdl_pct": pct(omr_c ** k, omr_b ** k), "omr_full_pct": pct(omr_f ** k, omr_b ** k),
        "price_full": price_full, "price_full_pct": (price_full - 1.0) * 100.0,
        "output_bln": y_bln, "output_full": y_full,
        "rgdp_bln": rgdp_b, "rgdp_cdl": rgdp_c, "rgdp_full": rgdp_f,
        "rgdp_cdl_pct": pct(rgdp_c, rgdp_b), "rgdp_full_pct": pct(rgdp_f, rgdp_b),
    })
    pairs = pd.DataFrame({
        "exporter": ex, "importer": im, "trade": x, "trade_bln": mu_b, "trade_cdl": mu_c,
        "trade_full": x_full, "trade_cdl_pct": pct(mu_c, mu_b),
        "trade_full_pct": pct(x_full, mu_b),
    })
    return table, pairs, log, converged


def _check_square(ex: np.ndarray, im: np.ndarray, countries: np.ndarray, reference: str) -> None:
    if reference not in set(countries):
        raise InputError(f"reference country {reference!r} is not in the equilibrium year",
                         field="model.reference",
                         hint=f"use one of: {', '.join(countries[:20])}"
                         f"{', …' if len(countries) > 20 else ''}")
    pairs = set(zip(ex, im, strict=True))
    if len(pairs) != len(ex):
        raise InputError("the equilibrium year has more than one row for some pair",
                         field="data.year",
                         hint="give one year ([data] year) and one row per exporter–importer")
    missing = [c for c in countries if (c, c) not in pairs]
    if missing:
        raise InputError(
            f"{len(missing)} countries have no domestic flow (exporter = importer), e.g. "
            f"{', '.join(missing[:5])}",
            field="data",
            hint="structural gravity needs each country's sales to itself (output minus "
            "exports); add them or filter those countries out",
        )


# --------------------------------------------------------------------------- a scenario


def apply_sql(frame: pd.DataFrame, assignments: list[tuple[str, str]],
              where: str | None = None, *, file: str | None = None,
              field_name: str = "change.set") -> pd.DataFrame:
    """``frame`` with each ``column = SQL expression`` applied (on rows matching ``where``;
    all rows without it); a new column is added, an existing one replaced (DuckDB)."""
    import duckdb

    cond = f"({where})" if where else "TRUE"
    replaced, added = [], []
    for col, expr in assignments:
        value = f"CASE WHEN {cond} THEN ({expr}) ELSE \"{col}\" END" if col in frame.columns \
            else f"({expr})"
        (replaced if col in frame.columns else added).append(f'{value} AS "{col}"')
    select = "*" + (f" REPLACE ({', '.join(replaced)})" if replaced else "")
    if added:
        select += ", " + ", ".join(added)
    con = duckdb.connect()
    try:
        con.register("frame", frame)
        return con.execute(f"SELECT {select} FROM frame").df()
    except duckdb.Error as exc:
        raise InputError(f"cannot apply the assignment: {str(exc).splitlines()[0]}",
                         file=file, field=field_name,
                         hint="write SQL over the data's columns, e.g. RTA = 0") from exc
    finally:
        con.close()


def design(frame: pd.DataFrame, formula: str, names: list[str]) -> np.ndarray:
    """The formula's regressors (after its transformations) for ``frame``, in ``names`` order."""
    from formulaic import model_matrix

    _, rhs, _ = _split_formula(formula)
    with np.errstate(all="ignore"):
        matrix = model_matrix(rhs, frame, context=FORMULA_FUNCTIONS, na_action="ignore")
    missing = [n for n in names if n not in matrix.columns]
    if missing:
        raise InputError(f"cannot evaluate regressor {missing[0]!r} on the equilibrium year",
                         field="estimate.formula")
    values = np.asarray(matrix[names], dtype=float)
    if not np.isfinite(values).all():
        raise InputError("a regressor is missing or infinite on the equilibrium year",
                         field="estimate.formula",
                         hint="every flow of the year needs its covariates (no log of 0)")
    return values


def _check_effects(formula: str, exporter: str, importer: str) -> None:
    _, _, fes = _split_formula(formula)
    allowed = {exporter, importer}
    for term in fes:
        parts = {p.strip() for p in term.split("^")}
        if not parts & allowed or len(parts - allowed) > 1:
            raise InputError(
                f"fixed effect {term!r} is not supported in a general equilibrium",
                field="estimate.formula",
                hint="use exporter and importer (or exporter^year, importer^year) effects; "
                "pair effects with a second stage ([costs] fill) are not available yet",
            )


def _year_rows(frame: pd.DataFrame, scenario: GEScenario) -> pd.DataFrame:
    """The rows of the equilibrium year, checked for the reference country."""
    file = scenario.source
    rows = frame
    if scenario.year is not None:
        if "year" not in frame.columns:
            raise InputError("data.year is given but the data have no year column", file=file,
                             field="data.year")
        rows = frame.loc[frame["year"] == scenario.year].reset_index(drop=True)
        if rows.empty:
            raise InputError(f"no rows for year {scenario.year}", file=file, field="data.year")
    present = set(rows[scenario.exporter].astype(str))
    if scenario.reference not in present:
        raise InputError(f"reference country {scenario.reference!r} is not in the equilibrium "
                         "year", file=file, field="model.reference",
                         hint=f"use one of: {', '.join(sorted(present)[:20])}"
                         f"{', …' if len(present) > 20 else ''}")
    return rows


def run_scenario(scenario: GEScenario, frame: pd.DataFrame | None = None) -> GEResult:
    """Estimate, build the baseline of ``scenario.year``, apply the change and solve."""
    file = scenario.source
    if frame is None:
        frame = load_table(scenario.path or "", where=scenario.where)
    elif scenario.where:
        frame = query_frame(frame, where=scenario.where, file=file)
    if scenario.derive:
        frame = apply_sql(frame, list(scenario.derive.items()), file=file,
                          field_name="data.derive")
    for col in (scenario.exporter, scenario.importer):
        if col not in frame.columns:
            raise InputError(f"column {col!r} is not in the data", file=file,
                             field="data.exporter",
                             hint="name the columns with [data] exporter / importer")
    _check_effects(scenario.formula, scenario.exporter, scenario.importer)
    rows = _year_rows(frame, scenario)
    try:
        estimate = fit_ppml(frame, scenario.formula, cluster=scenario.cluster,
                            vcov=scenario.vcov, fixef_tol=FIXEF_TOL)
    except InputError as exc:
        raise InputError(exc.reason, file=exc.file or file, field=exc.field,
                         hint=exc.hint) from exc
    names = list(estimate.coefficients["term"])
    beta = estimate.coefficients["estimate"].to_numpy(dtype=float)
    lhs, _, _ = _split_formula(scenario.formula)
    changed = apply_sql(rows, scenario.changes, scenario.change_where, file=file)
    ln_t_bln = design(rows, scenario.formula, names) @ beta
    ln_t_cfl = design(changed, scenario.formula, names) @ beta
    try:
        countries, pairs, log, converged = solve_ge(
            rows, trade=lhs, ln_t_bln=ln_t_bln, ln_t_cfl=ln_t_cfl, sigma=scenario.sigma,
            reference=scenario.reference, exporter=scenario.exporter,
            importer=scenario.importer, tolerance=scenario.tolerance,
            max_iterations=scenario.max_iterations,
        )
    except InputError as exc:
        raise InputError(exc.reason, file=exc.file or file, field=exc.field,
                         hint=exc.hint) from exc
    notes = [
        f"σ = {scenario.sigma:g}; inward resistance of {scenario.reference} normalised to 1",
        f"full endowment: {len(log)} iterations of factory-gate prices, stopping when the sd "
        f"and |max| of their change are ≤ {scenario.tolerance:g} (Yotov et al. 2016, ch. 2)",
        "real GDP = output / P (conditional: output unchanged); exports exclude domestic sales",
    ]
    if not converged:
        notes.append(f"NOT CONVERGED in {scenario.max_iterations} iterations")
    prov = Provenance(sources=[str(scenario.path)], periods=[str(scenario.year or "")],
                      notes=["Yotov, Piermartini, Monteiro & Larch (2016), ch. 2"])
    return GEResult(countries=countries, pairs=pairs, estimate=estimate, iterations=log,
                    sigma=scenario.sigma, reference=scenario.reference, converged=converged,
                    provenance=prov, notes=notes)
