"""Gravity-based export potential from ONE exporter's statistics (exports by product, market).

Model (per product group g, products p in g, markets j ≠ target):

    E[X_pj] = exp(α_p + β_g1 ln GDP_j + β_g2 ln dist_j + β_g3 contig_j + β_g4 comlang_j)

fitted by PPML (Santos Silva & Tenreyro 2006, "The Log of Gravity", REStat 88(4)) with product
fixed effects α_p and slopes common to the products of a group (default: the HS chapter, the
first two digits). Because α_p is nested in g, fitting each group separately gives exactly the
estimates of one pooled model with product effects and group-specific slopes, at a fraction of
the cost (about 100 small fits instead of one with ~400 regressors). A group with too few
products, or whose fit fails, does not converge or loses a regressor (e.g. no exports to any
contiguous market), uses the pooled model (all products, common slopes) instead.

Zeros matter in PPML: every eligible product is paired with every market of ``covariates``, and
the markets where it sold nothing are zeros. The target market is left out of the estimation by
default, so that a depressed actual flow (sanctions, payment frictions) does not drag its own
benchmark down.

The expected flow to the target uses the PPML adding-up property (the first-order condition for
α_p: Σ_j X_pj = Σ_j μ_pj; Arvis & Shepherd 2013, Applied Economics Letters 20(6); Fally 2015,
JIE 97(1)), so exp(α_p) = Σ_j X_pj / Σ_j exp(x_j β_g) over the estimation markets, and

    expected_pt = exp(x_t β_g) · Σ_j X_pj / Σ_j exp(x_j β_g),
    untapped_pt = max(expected_pt − actual_pt, 0),   ratio = actual_pt / expected_pt.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tradegap.analysis.gravity import fit_ppml
from tradegap.errors import InputError, NotFound
from tradegap.provenance import Provenance

REGRESSORS = ["ln_gdp", "ln_dist", "contig", "comlang"]
COVARIATE_COLUMNS = ["market", "gdp_usd", "dist_km", "contig", "comlang_off"]
_FORMULA = "value ~ ln_gdp + ln_dist + contig + comlang | product"
RESULT_COLUMNS = [
    "product", "group", "actual", "expected", "untapped", "ratio", "n_markets",
    "exports_total", "model",
]


def expected_flow(values: np.ndarray, eta: np.ndarray, eta_target: float) -> float:
    """Expected flow to the target given the linear index ``eta = x β`` of the estimation
    markets, their actual ``values`` and the target's index (PPML adding-up property)."""
    return float(np.exp(eta_target) * np.sum(values) / np.sum(np.exp(eta)))


#: CEPII GeoDist's legacy codes → ISO3 (used only when the ISO3 code itself is absent).
_GEODIST_LEGACY = {"ROM": ["ROU"], "ZAR": ["COD"], "TMP": ["TLS"], "PAL": ["PSE"],
                   "YUG": ["SRB", "MNE"]}


def market_covariates(exporter: str, year: int, *, weighted: bool = True) -> pd.DataFrame:
    """Covariates of every market for ``exporter``: ``market, gdp_usd, dist_km, contig,
    comlang_off`` (CEPII GeoDist via :mod:`tradegap.reference.distances`; GDP of ``year``, WDI
    with IMF gaps, via :mod:`tradegap.reference.macro`). ``weighted`` uses the
    population-weighted distance where it exists. GeoDist's legacy codes (ROM, ZAR, TMP, PAL,
    YUG) are mapped to ISO3 (ROU, COD, TLS, PSE, SRB/MNE) when the ISO3 row is absent."""
    from tradegap.reference.distances import distances
    from tradegap.reference.macro import gdp

    exporter = exporter.upper()
    dist = distances()
    dist = dist[(dist["exporter"] == exporter) & (dist["importer"] != exporter)]
    if dist.empty:
        raise NotFound(f"no distances from {exporter} in CEPII GeoDist", hint="use an ISO3 code")
    present = set(dist["importer"])
    extra = [dist[dist["importer"] == old].assign(importer=new)
             for old, news in _GEODIST_LEGACY.items() for new in news
             if old in present and new not in present]
    dist = pd.concat([dist, *extra], ignore_index=True)
    km = dist["distw_km"].fillna(dist["dist_km"]) if weighted else dist["dist_km"]
    frame = pd.DataFrame({
        "market": dist["importer"].to_numpy(),
        "dist_km": km.to_numpy(),
        "contig": dist["contig"].to_numpy(),
        "comlang_off": dist["comlang_off"].to_numpy(),
    })
    macro = gdp()
    macro = macro[macro["year"] == int(year)][["iso3", "gdp_usd"]]
    if macro.empty:
        raise NotFound(f"no GDP for {year}", hint="choose a year with WDI/IMF GDP data")
    frame = frame.merge(macro.rename(columns={"iso3": "market"}), on="market", how="inner")
    return frame[COVARIATE_COLUMNS].reset_index(drop=True)


def gravity_potential(
    exports: pd.DataFrame,
    covariates: pd.DataFrame,
    target: str,
    *,
    product_col: str = "product",
    market_col: str = "market",
    value_col: str = "value",
    group_col: str | None = None,
    group_digits: int = 2,
    min_markets: int = 5,
    min_group_products: int = 3,
    exclude_target: bool = True,
    provenance: Provenance | None = None,
) -> pd.DataFrame:
    """Rank products by untapped gravity potential in ``target`` (module docstring).

    ``exports``: one exporter's exports, columns ``product_col, market_col, value_col`` (US$;
    several rows per pair are summed). ``covariates``: one row per market with ``market,
    gdp_usd, dist_km, contig, comlang_off`` (see :func:`market_covariates`). Products exported
    to fewer than ``min_markets`` markets (besides the target) are not ranked. Returns
    ``product, group, actual, expected, untapped, ratio, n_markets, exports_total, model``,
    sorted by ``untapped``; ``attrs["coefficients"]`` holds each model's estimates (records:
    model, term, estimate, std_error, n_obs; ``pd.DataFrame(attrs["coefficients"])``),
    ``attrs["provenance"]`` a :class:`Provenance` and ``attrs["excluded"]`` what was left out.
    """
    target = str(target).upper()
    flows = _clean_exports(exports, product_col, market_col, value_col, group_col, group_digits)
    cov = _clean_covariates(covariates)
    if target not in set(cov["market"]):
        raise InputError(
            f"target market {target!r} has no covariates", field="target",
            hint="give an ISO3 code present in the covariates table (GDP and distance needed)",
        )
    excluded: dict[str, Any] = {}
    known = flows["market"].isin(cov["market"])
    excluded["value in markets without covariates (US$)"] = float(flows.loc[~known, "value"].sum())
    excluded["markets without covariates"] = sorted(flows.loc[~known, "market"].unique())
    flows = flows[known]

    est_markets = cov[cov["market"] != target] if exclude_target else cov
    est_flows = flows[flows["market"].isin(est_markets["market"]) & (flows["value"] > 0)]
    n_markets = est_flows[est_flows["market"] != target].groupby("product")["market"].nunique()
    eligible = n_markets[n_markets >= min_markets].index
    excluded["products below min_markets"] = int(flows["product"].nunique() - len(eligible))
    if len(eligible) == 0:
        raise InputError(
            f"no product is exported to at least {min_markets} markets with covariates",
            field="min_markets", hint="lower min_markets or give more markets",
        )
    groups = flows.drop_duplicates("product").set_index("product")["group"]

    grid = _grid(est_flows[est_flows["product"].isin(eligible)], est_markets, eligible, groups)
    x_target = cov.set_index("market").loc[target, REGRESSORS].to_numpy(dtype=float)

    coefs: list[pd.DataFrame] = []
    pooled_beta: np.ndarray | None = None
    group_sizes = grid.groupby("group")["product"].nunique()
    betas: dict[str, tuple[np.ndarray, str]] = {}
    fallback: list[str] = []
    for group, size in group_sizes.items():
        beta = None
        if size >= min_group_products:
            beta, table = _fit(fit_ppml, grid[grid["group"] == group])
            if beta is not None:
                betas[str(group)] = (beta, f"group {group}")
                coefs.append(table.assign(model=f"group {group}"))
        if beta is None:
            fallback.append(str(group))
    if fallback:
        pooled_beta, table = _fit(fit_ppml, grid)
        if pooled_beta is None:
            raise InputError(
                "the pooled gravity model could not be fitted", field="exports",
                hint="check that the exports vary across markets with different GDP and distance",
            )
        coefs.append(table.assign(model="pooled"))
        for group in fallback:
            betas[group] = (pooled_beta, "pooled")

    actual = flows[flows["market"] == target].groupby("product")["value"].sum()
    rows = []
    for (product, group), part in grid.groupby(["product", "group"], sort=False):
        beta, model = betas[str(group)]
        eta = part[REGRESSORS].to_numpy(dtype=float) @ beta
        values = part["value"].to_numpy(dtype=float)
        expected = expected_flow(values, eta, float(x_target @ beta))
        act = float(actual.get(product, 0.0))
        rows.append((product, group, act, expected, max(expected - act, 0.0),
                     act / expected if expected > 0 else np.nan, int(n_markets[product]),
                     float(values.sum()), model))
    result = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    result = result.sort_values(["untapped", "product"], ascending=[False, True])
    result = result.reset_index(drop=True)
    # attrs hold plain values only (a DataFrame there breaks pandas' attrs propagation)
    result.attrs["coefficients"] = pd.concat(coefs, ignore_index=True).to_dict(orient="records")
    result.attrs["excluded"] = excluded
    result.attrs["provenance"] = Provenance(
        sources=["exporter's own export statistics (given table)", "CEPII GeoDist", "WDI/IMF GDP"],
        notes=[
            f"gravity potential (PPML, product FE, slopes by group) for target {target}; "
            f"target {'excluded from' if exclude_target else 'included in'} the estimation",
            f"{len(eligible)} products ranked; {excluded['products below min_markets']} exported "
            f"to fewer than {min_markets} markets left out",
        ],
    ).merge(provenance or Provenance())
    return result


def _clean_exports(
    exports: pd.DataFrame, product_col: str, market_col: str, value_col: str,
    group_col: str | None, group_digits: int,
) -> pd.DataFrame:
    for col, what in ((product_col, "product"), (market_col, "market"), (value_col, "value"),
                      (group_col, "group")):
        if col is not None and col not in exports.columns:
            raise InputError(
                f"the exports table has no {what} column {col!r}", field=col,
                hint=f"name it with {what}_col=; columns: {', '.join(map(str, exports.columns))}",
            )
    values = pd.to_numeric(exports[value_col], errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        raise InputError(
            f"{int(bad.sum())} export values are missing, not numbers or negative "
            f"(first: {exports.loc[bad, value_col].iloc[0]!r})", field=value_col,
            hint="give non-negative US$ values; drop or fix those rows",
        )
    frame = pd.DataFrame({
        "product": exports[product_col].astype(str),
        "market": exports[market_col].astype(str).str.upper(),
        "value": values.astype(float),
    })
    frame["group"] = (exports[group_col].astype(str) if group_col
                      else frame["product"].str[:group_digits])
    return frame.groupby(["product", "market", "group"], as_index=False)["value"].sum()


def _clean_covariates(covariates: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in COVARIATE_COLUMNS if c not in covariates.columns]
    if missing:
        raise InputError(
            f"the covariates table lacks {', '.join(missing)}", field=missing[0],
            hint="give market, gdp_usd, dist_km, contig, comlang_off "
            "(tradegap.analysis.gravity_potential.market_covariates builds it)",
        )
    cov = covariates[COVARIATE_COLUMNS].copy()
    cov["market"] = cov["market"].astype(str).str.upper()
    cov = cov.dropna()
    cov = cov[(cov["gdp_usd"] > 0) & (cov["dist_km"] > 0)].drop_duplicates("market")
    cov["ln_gdp"] = np.log(cov["gdp_usd"].astype(float))
    cov["ln_dist"] = np.log(cov["dist_km"].astype(float))
    cov["contig"] = cov["contig"].astype(float)
    cov["comlang"] = cov["comlang_off"].astype(float)
    return cov.reset_index(drop=True)


def _grid(
    flows: pd.DataFrame, markets: pd.DataFrame, products: pd.Index, groups: pd.Series
) -> pd.DataFrame:
    """Every product × every estimation market, zeros where nothing was exported."""
    index = pd.MultiIndex.from_product([products, markets["market"]], names=["product", "market"])
    values = flows.groupby(["product", "market"])["value"].sum()
    grid = values.reindex(index, fill_value=0.0).reset_index()
    grid["group"] = groups.reindex(grid["product"]).to_numpy()
    return grid.merge(markets[["market", *REGRESSORS]], on="market", how="left")


def _fit(fit_ppml: Any, data: pd.DataFrame) -> tuple[np.ndarray | None, pd.DataFrame]:
    """Slopes of one PPML fit, or None if it fails, does not converge or loses a regressor."""
    try:
        res = fit_ppml(data, _FORMULA, separation=("fe",))
    except InputError:
        return None, pd.DataFrame()
    table = res.coefficients.set_index("term")
    if not res.converged or any(t not in table.index for t in REGRESSORS):
        return None, pd.DataFrame()
    beta = table.loc[REGRESSORS, "estimate"].to_numpy(dtype=float)
    if not np.isfinite(beta).all() or np.abs(beta).max() > 20:
        return None, pd.DataFrame()
    out = res.coefficients[["term", "estimate", "std_error"]].assign(n_obs=res.n_obs)
    return beta, out
