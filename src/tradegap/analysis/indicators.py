"""Trade outcome indicators as published by WITS, as pure vectorised pandas functions (no I/O).

Definitions follow the World Bank WITS "Online Trade Outcomes Indicators" user manual unless a
docstring says otherwise; each function cites the original reference.

Input conventions
-----------------
* Tables are *long*: one row per flow, with key columns (``exporter``, ``importer``,
  ``product``; names configurable) and a value column (default ``value_usd``, as in
  :data:`tradegap.warehouse.schema.FLOWS`). Rows with the same keys are summed; extra columns
  are ignored.
* A combination **absent** from a table is zero trade. A value that is **NaN** is *unknown*:
  every total it enters becomes NaN, and so does every indicator computed from such a total
  (a share of an unknown total is unknown; skipping it would bias the result silently).
* Negative or infinite values raise :class:`~tradegap.errors.InputError`.
* A ratio whose denominator is zero (no exports, no imports, no trade in a product) is NaN,
  never 0 and never inf: the indicator is undefined, not small. Each docstring says which
  totals must be positive.
* One period at a time: the functions do not group by period; filter first or use
  ``groupby("period")``.
* Bounded indices are clipped to their mathematical range to remove floating-point rounding of
  order 1e-16 (e.g. a complementarity index of -2e-14).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from tradegap.errors import InputError

__all__ = [
    "rca",
    "symmetric_rca",
    "trade_complementarity",
    "export_similarity",
    "trade_intensity",
    "grubel_lloyd",
    "grubel_lloyd_aggregate",
    "market_shares",
    "hhi",
    "concentration",
]

VALUE = "value_usd"


# --------------------------------------------------------------------------------------------
# helpers


def _checked(table: pd.DataFrame, keys: Sequence[str], value: str, what: str) -> pd.DataFrame:
    """Select ``keys`` + ``value`` from ``table`` as float, or raise InputError saying why."""
    missing = [c for c in [*keys, value] if c not in table.columns]
    if missing:
        raise InputError(
            f"{what} table lacks columns {missing} (has {list(table.columns)})",
            hint="pass the column names with exporter=, importer=, product=, value=",
        )
    out = table[list(keys)].copy()
    try:
        out[value] = pd.to_numeric(table[value], errors="raise").astype(float)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{what} values are not numbers: {exc}", field=value) from exc
    vals = out[value].to_numpy()
    if np.isinf(vals).any():
        raise InputError(f"{what} table has infinite values", field=value)
    if (vals < 0).any():
        raise InputError(
            f"{what} table has {int((vals < 0).sum())} negative values",
            field=value,
            hint="trade values are non-negative US dollars; net flows are not accepted",
        )
    if out[list(keys)].isna().any().any():
        raise InputError(f"{what} table has empty keys in {list(keys)}")
    return out


def _nan_sum(values: pd.Series, by: Sequence[str] | str | None = None) -> pd.Series | float:
    """Sum that is NaN as soon as one summand is NaN (grouped by index levels ``by``)."""
    if by is None:
        return float(values.sum()) if not values.isna().any() else float("nan")
    grouped = values.groupby(level=by, sort=False)
    total = grouped.sum()
    unknown = values.isna().groupby(level=by, sort=False).any()
    return total.mask(unknown.reindex(total.index, fill_value=False))


def _sum_by(table: pd.DataFrame, keys: Sequence[str], value: str) -> pd.Series:
    """Sum ``value`` by ``keys`` (NaN-propagating), as a Series indexed by ``keys``."""
    indexed = table.set_index(list(keys))[value]
    if indexed.index.is_unique:
        return indexed.sort_index()
    out = _nan_sum(indexed, list(keys) if len(keys) > 1 else keys[0])
    return out.sort_index()


def _div(num: pd.Series | np.ndarray, den: pd.Series | np.ndarray | float):
    """``num / den`` with NaN (never inf) wherever ``den`` is zero or NaN."""
    if np.isscalar(den):
        return num / den if den and not np.isnan(den) else num * np.nan
    if isinstance(den, pd.Series):
        return num / den.where(den != 0)
    den = np.asarray(den, dtype=float)
    return np.asarray(num, dtype=float) / np.where(den == 0, np.nan, den)


def _share_matrix(table: pd.DataFrame, row: str, product: str, value: str) -> pd.DataFrame:
    """Rows × products matrix of each row's product shares; NaN rows where the total is 0/NaN."""
    flows = _sum_by(table, [row, product], value).unstack(product, fill_value=0.0)
    totals = flows.sum(axis=1, skipna=False)
    return flows.div(totals.where(totals != 0), axis=0)


# --------------------------------------------------------------------------------------------
# revealed comparative advantage


def rca(
    exports: pd.DataFrame,
    *,
    world_by_product: pd.Series | None = None,
    world_total: float | None = None,
    exporter_totals: pd.Series | None = None,
    exporter: str = "exporter",
    product: str = "product",
    value: str = VALUE,
) -> pd.DataFrame:
    """Balassa's revealed comparative advantage and its symmetric form.

    ``RCA_ik = (x_ik / X_i) / (x_wk / X_w)`` (Balassa 1965, "Trade liberalisation and
    'revealed' comparative advantage"; WITS manual, "Revealed comparative advantage") with
    ``x_ik`` exports of product k by exporter i, ``X_i`` i's total exports, ``x_wk`` world
    exports of k and ``X_w`` total world exports. ``RSCA = (RCA - 1) / (RCA + 1)``
    (Dalum, Laursen & Villumsen 1998; Laursen 2015), see :func:`symmetric_rca`.

    The world aggregates are computed from ``exports`` (which must then cover the world)
    unless given: ``world_by_product`` (Series indexed by product), ``world_total`` (default:
    the sum of ``world_by_product`` when that is given, else of the table) and
    ``exporter_totals`` (Series indexed by exporter). Give them when the table holds only the
    countries or products of interest.

    Returns one row per (exporter, product) present in the table, columns
    ``[exporter, product, "rca", "rsca"]``; an absent pair has RCA 0. RCA is NaN when
    ``X_i``, ``x_wk`` or ``X_w`` is zero or unknown (NaN).
    """
    table = _checked(exports, [exporter, product], value, "exports")
    x = _sum_by(table, [exporter, product], value)
    given_x_i, given_x_w = exporter_totals is not None, world_by_product is not None
    x_i = exporter_totals.astype(float) if given_x_i else _nan_sum(x, exporter)
    x_w = world_by_product.astype(float) if given_x_w else _nan_sum(x, product)
    if world_total is None:
        world_total = _nan_sum(x_w if given_x_w else x)
    world_total = float(world_total)
    keys = x.index
    share_i = _div(x.to_numpy(), x_i.reindex(keys.get_level_values(exporter)).to_numpy())
    share_w = _div(x_w.reindex(keys.get_level_values(product)).to_numpy(), world_total)
    values = _div(share_i, share_w)
    out = keys.to_frame(index=False)
    out["rca"] = values
    out["rsca"] = symmetric_rca(values)
    return out


def symmetric_rca(rca_values: pd.Series | np.ndarray | float):
    """Revealed symmetric comparative advantage ``RSCA = (RCA - 1) / (RCA + 1)``.

    Maps RCA in [0, ∞) onto [-1, 1): 0 for RCA = 1, -1 for RCA = 0 (no exports of the
    product). Dalum, Laursen & Villumsen (1998), "Structural change in OECD export
    specialisation patterns"; Laursen (2015), "Revealed comparative advantage and the
    alternatives as measures of international specialization". NaN stays NaN.
    """
    return (rca_values - 1.0) / (rca_values + 1.0)


# --------------------------------------------------------------------------------------------
# complementarity, similarity, intensity


def trade_complementarity(
    exports: pd.DataFrame,
    imports: pd.DataFrame,
    *,
    exporter: str = "exporter",
    importer: str = "importer",
    product: str = "product",
    value: str = VALUE,
) -> pd.DataFrame:
    """Trade complementarity index between each exporter i and each importer j.

    ``TC_ij = 100 × (1 − Σ_k |m_jk − x_ik| / 2)`` with ``m_jk = M_jk / M_j`` the share of
    product k in j's total imports and ``x_ik = X_ik / X_i`` its share in i's total exports
    (Michaely 1996, "Trade preferential agreements in Latin America: an ex-ante assessment",
    as used in the WITS manual, "Trade complementarity index"). 0 = no overlap, 100 = i's export
    structure matches j's import structure exactly.

    ``exports``: long table (exporter, product, value) of each exporter's exports to the world;
    ``imports``: long table (importer, product, value) of each importer's imports from the
    world. Returns every pair, columns ``[exporter, importer, "tc"]``; TC is NaN when i's
    exports or j's imports total zero or are unknown.
    """
    ex = _checked(exports, [exporter, product], value, "exports")
    im = _checked(imports, [importer, product], value, "imports")
    xs = _share_matrix(ex, exporter, product, value)
    ms = _share_matrix(im, importer, product, value)
    cols = xs.columns.union(ms.columns)
    a = xs.reindex(columns=cols, fill_value=0.0).to_numpy()
    b = ms.reindex(columns=cols, fill_value=0.0).to_numpy()
    tc = np.empty((len(xs), len(ms)))
    for j in range(len(ms)):  # one importer at a time: memory O(exporters × products)
        tc[:, j] = np.abs(a - b[j]).sum(axis=1)  # NaN rows stay NaN
    tc = np.clip(100.0 * (1.0 - tc / 2.0), 0.0, 100.0)
    out = pd.DataFrame(tc, index=xs.index, columns=ms.index).stack(future_stack=True)
    out = out.rename("tc").rename_axis([exporter, importer]).reset_index()
    return out


def export_similarity(
    exports: pd.DataFrame,
    *,
    market: str | None = None,
    percent: bool = True,
    exporter: str = "exporter",
    importer: str = "importer",
    product: str = "product",
    value: str = VALUE,
) -> pd.DataFrame:
    """Finger–Kreinin export similarity index of every ordered pair of exporters (a, b).

    ``S(a, b) = Σ_k min(x_ak / X_a, x_bk / X_b)``, reported on **0–100** (× 100, as WITS
    reports it) unless ``percent=False`` (then 0–1). Finger & Kreinin (1979), "A measure of
    'export similarity' and its possible uses"; WITS manual, "Export similarity index".
    100 = identical export structures, 0 = no product in common. Symmetric: S(a,b) = S(b,a).

    With ``market`` the exports are those to that market (rows whose ``importer`` equals it);
    without, every row of the table counts (exports to the world). Returns columns
    ``[f"{exporter}_a", f"{exporter}_b", "similarity"]`` for all a ≠ b; NaN when either
    exporter's total is zero or unknown.
    """
    keys = [exporter, product] if market is None else [exporter, importer, product]
    table = _checked(exports, keys, value, "exports")
    if market is not None:
        table = table[table[importer] == market]
    shares = _share_matrix(table, exporter, product, value)
    s = shares.to_numpy()
    sim = np.empty((len(s), len(s)))
    for a in range(len(s)):
        sim[a] = np.minimum(s[a], s).sum(axis=1)  # NaN shares propagate
    sim = np.clip(sim, 0.0, 1.0) * (100.0 if percent else 1.0)
    names = [f"{exporter}_a", f"{exporter}_b"]
    out = pd.DataFrame(sim, index=shares.index, columns=shares.index).stack(future_stack=True)
    out = out.rename("similarity").rename_axis(names).reset_index()
    return out[out[names[0]] != out[names[1]]].reset_index(drop=True)


def trade_intensity(
    flows: pd.DataFrame,
    *,
    exclude_own_imports: bool = False,
    exporter: str = "exporter",
    importer: str = "importer",
    value: str = VALUE,
) -> pd.DataFrame:
    """Trade intensity index of exporter i's exports to partner j.

    ``TI_ij = (x_ij / X_i) / (x_wj / X_w)`` with ``x_ij`` i's exports to j, ``X_i`` i's total
    exports, ``x_wj`` world exports to j (= j's imports) and ``X_w`` total world exports
    (Brown 1949; Kojima 1964, "The pattern of international trade among advanced countries";
    WITS manual, "Trade intensity index"). Above 1: i exports more to j than j's weight in
    world trade would suggest.

    ``exclude_own_imports=True`` uses the variant that removes i's own imports from the
    benchmark, since i cannot export to itself: ``TI_ij = (x_ij / X_i) / (x_wj / (X_w − M_i))``
    with ``M_i`` = i's imports. Default ``False`` is the WITS formula.

    ``flows`` is a long bilateral table covering the world (products, if any, are summed).
    Rows with exporter = importer (domestic sales, as in the AGTPA gravity data) are left out
    of every total: X_i, x_wj and X_w are exports to other countries only (WITS), as in
    :func:`tradegap.analysis.many_pairs.balances`.
    Returns, for every exporter in the table, every partner j ≠ i, columns ``[exporter, importer,
    "intensity"]`` (0 where i does not export to j); NaN when ``X_i``, ``x_wj`` or the world
    total is zero or unknown.
    """
    table = _checked(flows, [exporter, importer], value, "flows")
    exporters = table[exporter].unique()
    table = table[table[exporter] != table[importer]]
    x = _sum_by(table, [exporter, importer], value).unstack(importer, fill_value=0.0)
    countries = x.index.union(x.columns)
    x = x.reindex(index=countries, columns=countries, fill_value=0.0)
    x_i = x.sum(axis=1, skipna=False).to_numpy()  # exports of i
    m_j = x.sum(axis=0, skipna=False).to_numpy()  # imports of j = world exports to j
    total = x.to_numpy().sum()  # NaN if any flow is unknown
    share_ij = _div(x.to_numpy(), x_i[:, None])
    if exclude_own_imports:
        # row i: world imports excluding i's own, summed directly (no cancellation X_w − M_i)
        world = np.where(np.eye(len(m_j), dtype=bool), 0.0, m_j[None, :]).sum(axis=1)
        share_wj = _div(m_j[None, :], world[:, None])
    else:
        share_wj = _div(m_j, total)[None, :]
    ti = pd.DataFrame(_div(share_ij, share_wj), index=countries, columns=countries)
    ti = ti.rename_axis(index=exporter, columns=importer).stack(future_stack=True)
    out = ti.rename("intensity").reset_index()
    out = out[(out[exporter] != out[importer]) & out[exporter].isin(exporters)]
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# intra-industry trade


def _aligned(exports: pd.Series, imports: pd.Series) -> tuple[pd.Series, pd.Series]:
    for name, s in (("exports", exports), ("imports", imports)):
        if not s.index.is_unique:
            raise InputError(f"{name} has repeated products", hint="sum by product first")
        v = s.to_numpy(dtype=float)
        if np.isinf(v).any() or (v < 0).any():
            raise InputError(f"{name} has negative or infinite values")
    idx = exports.index.union(imports.index)
    return (
        exports.astype(float).reindex(idx, fill_value=0.0),
        imports.astype(float).reindex(idx, fill_value=0.0),
    )


def grubel_lloyd(exports: pd.Series, imports: pd.Series) -> pd.DataFrame:
    """Grubel–Lloyd intra-industry trade index per product, plain and Aquino-adjusted.

    ``GL_k = 1 − |X_k − M_k| / (X_k + M_k)`` (Grubel & Lloyd 1975, "Intra-industry trade";
    WITS manual, "Intra-industry trade index"), in [0, 1]: 1 = exports equal imports.

    Aquino (1978), "Intra-industry trade and inter-industry specialization as concurrent
    sources of international trade in manufactures", rescales each product's flows so that
    total exports equal total imports: ``X_k^e = X_k · ½(X+M)/X``, ``M_k^e = M_k · ½(X+M)/M``,
    then ``Q_k = 1 − |X_k^e − M_k^e| / (X_k^e + M_k^e)``.

    ``exports`` and ``imports`` are Series indexed by product (a country's or a pair's, one
    direction each); a product absent from one side has 0 there. Returns a frame indexed by
    product with columns ``exports, imports, gl, gl_aquino``. ``gl`` is NaN for a product with
    no trade either way; ``gl_aquino`` is also NaN for every product when total exports or
    total imports are zero (no rescaling possible) or unknown.
    """
    x, m = _aligned(exports, imports)
    out = pd.DataFrame({"exports": x, "imports": m})
    out["gl"] = np.clip(1.0 - _div((x - m).abs(), x + m), 0.0, 1.0)
    xe, me = _aquino(x, m)
    out["gl_aquino"] = np.clip(1.0 - _div((xe - me).abs(), xe + me), 0.0, 1.0)
    return out


def _aquino(x: pd.Series, m: pd.Series) -> tuple[pd.Series, pd.Series]:
    tx, tm = _nan_sum(x), _nan_sum(m)
    half = (tx + tm) / 2.0
    return x * _div(half, tx), m * _div(half, tm)


def grubel_lloyd_aggregate(
    exports: pd.Series, imports: pd.Series, *, aquino: bool = False
) -> float:
    """Aggregate Grubel–Lloyd index over products, plain or Aquino-adjusted.

    ``GL = Σ_k (X_k + M_k − |X_k − M_k|) / Σ_k (X_k + M_k)`` (Grubel & Lloyd 1975), the
    trade-weighted mean of ``GL_k``. With ``aquino=True`` the same on Aquino's (1978)
    rescaled flows (see :func:`grubel_lloyd`), which equals ``1 − ½ Σ_k |X_k/X − M_k/M|``:
    it depends only on the export and import *structures*, not on the trade balance.
    Note it is **not** always ≥ the plain index (e.g. X = (10, 10), M = (10, 0) gives plain
    2/3, Aquino 1/2).

    NaN when there is no trade at all or any value is unknown; with ``aquino=True`` also when
    total exports or total imports are zero.
    """
    x, m = _aligned(exports, imports)
    if aquino:
        x, m = _aquino(x, m)
    gross = _nan_sum(x + m)
    if not gross or np.isnan(gross):
        return float("nan")
    overlap = _nan_sum(2.0 * np.minimum(x, m))  # = X_k + M_k − |X_k − M_k|, no cancellation
    return float(np.clip(overlap / gross, 0.0, 1.0))


# --------------------------------------------------------------------------------------------
# market shares and concentration


def market_shares(
    flows: pd.DataFrame,
    *,
    market: str | None = None,
    exporter: str = "exporter",
    importer: str = "importer",
    product: str = "product",
    value: str = VALUE,
) -> pd.DataFrame:
    """Share of each supplier in a market's imports of each product, with its rank.

    ``share_ik,j = x_ijk / Σ_s x_sjk``: supplier i's exports of k to market j over all
    suppliers' exports of k to j (as ITC Trade Map's "share in partner's imports", here from
    the flows given, so mirror or reported data as the caller chose). WITS' "market share"
    (i's share of *world* exports of k) is the same with every importer labelled alike, e.g.
    ``flows.assign(importer="WLD")``. Rank 1 is the largest supplier; ties share the lower
    rank ("1, 1, 3").

    ``flows`` is a long bilateral table; with ``market`` only rows whose importer equals it
    are used. Returns columns ``[importer, product, exporter, value, "share", "rank"]`` sorted
    by market, product and rank. Shares are NaN (and ranks missing) for a product whose
    market total is zero or unknown; otherwise they sum to 1 per (market, product).
    """
    table = _checked(flows, [importer, product, exporter], value, "flows")
    if market is not None:
        table = table[table[importer] == market]
    x = _sum_by(table, [importer, product, exporter], value)
    total = _nan_sum(x, [importer, product])
    idx = x.index.droplevel(exporter)
    out = x.index.to_frame(index=False)
    out[value] = x.to_numpy()
    out["share"] = _div(x.to_numpy(), total.reindex(idx).to_numpy())
    ranks = out.groupby([importer, product], sort=False)["share"].rank(
        method="min", ascending=False
    )
    out["rank"] = ranks.astype("Int64")
    out = out.sort_values([importer, product, "rank", exporter], na_position="last")
    return out.reset_index(drop=True)


def _hhi_core(sum_sq: np.ndarray, n: np.ndarray, normalised: bool, method: str) -> np.ndarray:
    if method not in ("wits", "unctad"):
        raise InputError(f"unknown HHI method {method!r}", hint="use 'wits' or 'unctad'")
    if not normalised:
        return np.sqrt(sum_sq) if method == "unctad" else sum_sq
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_n = np.where(n > 0, 1.0 / n, np.nan)
        if method == "unctad":
            h = (np.sqrt(sum_sq) - np.sqrt(inv_n)) / (1.0 - np.sqrt(inv_n))
        else:
            h = (sum_sq - inv_n) / (1.0 - inv_n)
    h = np.where(n == 1, 1.0, h)  # a single product: fully concentrated
    return np.where(np.isnan(sum_sq), np.nan, np.clip(h, 0.0, 1.0))


def hhi(
    values: pd.Series | np.ndarray | Sequence[float],
    *,
    normalised: bool = True,
    n: int | None = None,
    method: Literal["wits", "unctad"] = "wits",
) -> float:
    """Herfindahl–Hirschman concentration of values spread over N products (or partners).

    ``H = Σ_k s_k²`` with ``s_k = v_k / Σ v``; normalised (default)
    ``H* = (H − 1/N) / (1 − 1/N)`` in [0, 1] (WITS manual, "Hirschman Herfindahl index").
    ``method="unctad"`` gives UNCTADstat's concentration index, which uses square roots:
    ``(√H − √(1/N)) / (1 − √(1/N))`` (and ``√H`` when not normalised).

    N is the number of products with a positive value unless ``n`` is given (e.g. the size of
    the nomenclature). **N = 1** (a single product) is defined as H* = 1: all trade is in one
    product, the most concentrated case (the formula itself would be 0/0). NaN when the total
    is zero or any value is unknown.
    """
    v = np.asarray(values, dtype=float)
    if np.isinf(v).any() or (v < 0).any():
        raise InputError("HHI values must be non-negative and finite")
    positive = int((v > 0).sum())
    if n is not None and n < positive:
        raise InputError(f"n={n} is smaller than the {positive} products with positive value")
    total = v.sum()
    if np.isnan(total) or total == 0:
        return float("nan")
    sum_sq = np.array([((v / total) ** 2).sum()])
    count = np.array([n if n is not None else positive])
    return float(_hhi_core(sum_sq, count, normalised, method)[0])


def concentration(
    table: pd.DataFrame,
    *,
    by: str | Sequence[str],
    of: str = "product",
    value: str = VALUE,
    normalised: bool = True,
    method: Literal["wits", "unctad"] = "wits",
) -> pd.DataFrame:
    """:func:`hhi` for each group ``by`` (e.g. each exporter) over the items ``of`` (products).

    Rows with the same group and item are summed first. Returns columns
    ``[*by, "n", "hhi"]`` with ``n`` the number of items with a positive value; ``hhi`` as in
    :func:`hhi` (N = 1 → 1; NaN for a zero or unknown total).
    """
    by = [by] if isinstance(by, str) else list(by)
    data = _checked(table, [*by, of], value, "concentration")
    v = _sum_by(data, [*by, of], value)
    total = _nan_sum(v, by if len(by) > 1 else by[0])
    share = _div(v.to_numpy(), total.reindex(v.index.droplevel(of)).to_numpy())
    sq = pd.Series(share**2, index=v.index)
    sum_sq = _nan_sum(sq, by if len(by) > 1 else by[0])
    n = (v > 0).groupby(level=by, sort=False).sum().reindex(sum_sq.index)
    out = sum_sq.index.to_frame(index=False)
    out["n"] = n.to_numpy().astype(int)
    out["hhi"] = _hhi_core(sum_sq.to_numpy(), n.to_numpy(), normalised, method)
    return out
