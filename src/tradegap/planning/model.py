"""Build the planner's linear (or mixed-integer) programme as arrays for HiGHS.

Variables ``x[k, t] ≥ 0``: extra sales of product k from the exporter to the market in plan year
t, US$ (column ``k·T + t``). Optional binaries ``y[k]`` choose whether a product is in the plan at
all (minimum size). The model is stated as a minimisation of ``−Σ w_k x[k,t]`` so that HiGHS'
duals keep their textbook signs; :mod:`tradegap.planning.planner` turns them round.

Constraints (each row carries its family, key and year so duals can be put into words):

* ceiling ``x[k,t] ≤ c_k`` with ``c_k = max(0, min(ceiling_share·untapped_k,
  ms_g·market_imports_k − current_k, capacity_share·exporter_capacity_k − current_k))`` — column
  bounds, tagged with the term that sets the minimum;
* ramp-up ``x[k,t] − x[k,t−1] ≤ r_k`` with ``x[k,0] = 0`` and ``r_k = min(ramp_share·c_k,
  ramp_usd)``; the first year is a bound;
* target ``Σ_k x[k,t] ≥ target_t`` in target years, and ``≤ final target`` in every year when
  ``stop_at_target``;
* logistics ``Σ_{k on route} x[k,t] / unit_value_k ≤ cap_{route,t}`` (tonnes of extra cargo);
* sector shares ``Σ_k (1[k∈S] − f) x[k,t] ≥ 0`` (floor f) or ``≤ 0`` (ceiling);
* minimum size ``x[k,t] ≤ c_k y_k`` for all t and ``x[k,T] ≥ m y_k``.

For the elastic (relaxed) model used to explain infeasibility, ``relax`` names the constraint
families that get a non-negative slack column, each costed relative to its own limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd
from scipy import sparse

from tradegap.errors import InputError
from tradegap.planning.scenario import Scenario

INF = highspy.kHighsInf
#: The programme counts money in US$ millions and cargo in kilotonnes: HiGHS' tolerances are
#: absolute, so values near 1 keep reduced costs well above them.
MONEY = 1e6
TONNE = 1e3


@dataclass
class Slack:
    """One elastic column: relaxing ``family``/``key`` by one ``unit`` costs ``cost``."""

    family: str
    key: str
    unit: str
    cost: float
    col: int = -1


@dataclass
class Built:
    """The programme as arrays, plus what each row and column means."""

    products: pd.DataFrame  # candidates in the plan, with cap, cap_tag, ramp, weight
    K: int
    T: int
    cost: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    integer: np.ndarray
    matrix: sparse.csr_matrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    row_family: list[str] = field(default_factory=list)
    row_key: list[str] = field(default_factory=list)
    row_year: np.ndarray | None = None
    ub_dc: np.ndarray | None = None  # d ub / d c_k for each x column
    ramp_rows: np.ndarray | None = None  # row index of ramp row (k, t) or -1
    slacks: list[Slack] = field(default_factory=list)
    binary_products: np.ndarray | None = None  # product index of each binary column
    sector_rows: dict[tuple[str, str, int], int] = field(default_factory=dict)
    first_is_ramp: np.ndarray | None = None  # product's first-year bound is its ramp limit

    @property
    def n_x(self) -> int:
        return self.K * self.T

    def to_highs(self) -> highspy.HighsLp:
        from tradegap.planning.highs import highs_lp

        return highs_lp(self.cost, self.lb, self.ub, self.matrix, self.row_lo, self.row_hi,
                        self.integer)


def product_table(scenario: Scenario, candidates: pd.DataFrame) -> pd.DataFrame:
    """Candidates in allowed groups, with ceiling ``cap`` (US$/yr), what sets it (``cap_tag``),
    the yearly ramp ``ramp`` (US$/yr, inf if none), what sets it (``ramp_tag``) and ``weight``."""
    p = candidates
    if scenario.groups is not None:
        p = p[p["group"].isin(scenario.groups)]
    p = p.reset_index(drop=True).copy()
    terms = {"untapped": scenario.ceiling_share * p["untapped"].to_numpy()}
    ms = np.array([scenario.market_share_cap(g) if scenario.market_share_cap(g) is not None
                   else np.nan for g in p["group"]], dtype=float)
    if not np.all(np.isnan(ms)):
        terms["market_share"] = np.where(
            np.isnan(ms), np.inf, ms * p["market_imports"].to_numpy() - p["current"].to_numpy())
    if scenario.capacity_share_max is not None:
        capacity = p["exporter_capacity"].to_numpy()
        terms["capacity"] = np.where(
            np.isnan(capacity), np.inf,
            scenario.capacity_share_max * capacity - p["current"].to_numpy())
    names = list(terms)
    stack = np.vstack([terms[n] for n in names])
    which = np.argmin(stack, axis=0)
    raw = stack[which, np.arange(len(p))]
    p["cap"] = np.maximum(raw, 0.0)
    p["cap_clipped"] = raw <= 0  # current sales already at or above the limit
    p["cap_tag"] = [names[i] for i in which]
    p["market_share_max"] = ms
    ramp = np.full(len(p), np.inf)
    tag = np.array(["none"] * len(p), dtype=object)
    if scenario.ramp_share is not None:
        ramp = scenario.ramp_share * p["cap"].to_numpy()
        tag[:] = "share"
    if scenario.ramp_usd is not None:
        use_usd = scenario.ramp_usd < ramp
        ramp = np.where(use_usd, scenario.ramp_usd, ramp)
        tag[use_usd] = "usd"
    p["ramp"] = ramp
    p["ramp_tag"] = tag
    p["weight"] = [scenario.weights.get(g, 1.0) for g in p["group"]]
    for route in scenario.logistics:
        on = (p["route"] == route).to_numpy()
        uv = p["unit_value"].to_numpy()
        bad = on & ~(uv > 0)
        if bad.any():
            raise InputError(
                f"product {p['product'].iloc[np.flatnonzero(bad)[0]]!r} travels on route "
                f"{route!r}, which has a logistics cap, but has no unit value",
                field="unit_value", hint="give unit_value (US$ per tonne) for every product on "
                "a capped route")
    return p


def build(  # noqa: C901 - one block per constraint family
    scenario: Scenario,
    products: pd.DataFrame,
    *,
    include: np.ndarray | None = None,
    relax: frozenset[str] = frozenset(),
) -> Built:
    """Assemble the programme. ``include`` fixes the min-size choices (no binaries: excluded
    products get ceiling 0, included ones must reach the minimum size by the final year)."""
    K, T = len(products), scenario.horizon
    n_x = K * T
    cap = products["cap"].to_numpy(dtype=float) / MONEY
    ramp = products["ramp"].to_numpy(dtype=float) / MONEY
    weight = products["weight"].to_numpy(dtype=float)
    kk = np.repeat(np.arange(K), T)
    tt = np.tile(np.arange(T), K)

    cost = [np.zeros(n_x) if relax else -weight[kk]]
    lb = [np.zeros(n_x)]
    ub_x = cap[kk].copy()
    ub_dc = np.ones(n_x)
    first = tt == 0
    ramp_first = first & (ramp[kk] < cap[kk])
    ub_x[ramp_first] = ramp[kk][ramp_first]
    share_first = ramp_first & (products["ramp_tag"].to_numpy()[kk] == "share")
    ub_dc[ramp_first] = 0.0
    ub_dc[share_first] = scenario.ramp_share or 0.0
    m_size = (scenario.min_size_usd or 0.0) / MONEY
    if include is not None:
        ub_x[~include[kk]] = 0.0
        ub_dc[~include[kk]] = 0.0
        last = (tt == T - 1) & include[kk]
        lb[0][last] = np.minimum(m_size, ub_x[last])
    integer = [np.zeros(n_x, dtype=bool)]
    ub = [ub_x]
    n_col = n_x
    target = scenario.targets() / MONEY
    ref = float(np.nanmax(target)) if not np.isnan(target).all() else 1.0
    ref = ref if ref > 0 else 1.0  # slack costs: relative change of each limit, × ref

    rows_i: list[np.ndarray] = []
    rows_j: list[np.ndarray] = []
    rows_v: list[np.ndarray] = []
    lo: list[np.ndarray] = []
    hi: list[np.ndarray] = []
    fam: list[str] = []
    key: list[str] = []
    year: list[np.ndarray] = []
    slacks: list[Slack] = []
    n_row = 0

    def add_rows(i, j, v, lo_, hi_, family, keys, years):
        nonlocal n_row
        rows_i.append(np.asarray(i) + n_row)
        rows_j.append(np.asarray(j))
        rows_v.append(np.asarray(v, dtype=float))
        lo.append(np.asarray(lo_, dtype=float))
        hi.append(np.asarray(hi_, dtype=float))
        fam.extend([family] * len(lo_))
        key.extend(keys if isinstance(keys, list) else [keys] * len(lo_))
        year.append(np.asarray(years))
        start = n_row
        n_row += len(lo_)
        return start

    def add_slack(family, key_, unit, cost_):
        nonlocal n_col
        s = Slack(family, key_, unit, cost_, n_col)
        slacks.append(s)
        cost.append(np.array([cost_]))
        lb.append(np.zeros(1))
        ub.append(np.array([INF]))
        integer.append(np.zeros(1, dtype=bool))
        n_col += 1
        return s

    # ramp-up rows x[k,t] − x[k,t−1] ≤ r_k (only where the ramp can bind)
    ramp_rows = np.full(n_x, -1)
    first_row = np.full(K, -1)  # row of the first-year ramp limit, when it is a row
    ramp_k = np.flatnonzero(ramp < cap)
    start, k_r = 0, np.zeros(0, dtype=int)
    if T > 1 and len(ramp_k):
        k_r = np.repeat(ramp_k, T - 1)
        t_r = np.tile(np.arange(1, T), len(ramp_k))
        n = len(k_r)
        i = np.repeat(np.arange(n), 2)
        j = np.column_stack([k_r * T + t_r, k_r * T + t_r - 1]).ravel()
        v = np.tile([1.0, -1.0], n)
        start = add_rows(i, j, v, np.full(n, -INF), ramp[k_r], "ramp", "ramp", t_r)
        ramp_rows[k_r * T + t_r] = start + np.arange(n)
    if "ramp" in relax and len(ramp_k):
        # the first-year bound becomes a row so that its slack can loosen it too
        ub_x[ramp_k * T] = cap[ramp_k]
        n0 = len(ramp_k)
        start0 = add_rows(np.arange(n0), ramp_k * T, np.ones(n0), np.full(n0, -INF),
                          ramp[ramp_k], "ramp", "ramp", np.zeros(n0, dtype=int))
        rows = np.arange(start0, start0 + n0)
        first_row[ramp_k] = rows
        k_all = ramp_k
        if T > 1:
            rows = np.concatenate([np.arange(start, start + len(k_r)), rows])
            k_all = np.concatenate([k_r, ramp_k])
        unit = "share" if scenario.ramp_share is not None else "usd"
        share = products["ramp_tag"].to_numpy()[k_all] == "share"
        coef = np.where(share, cap[k_all], 1.0) if unit == "share" else np.ones(len(k_all))
        if unit == "share":  # products capped by ramp_usd keep that cap
            coef = np.where(share, coef, 0.0)
        s = add_slack("ramp", unit, unit, ref / (scenario.ramp_share or
                                                 (scenario.ramp_usd or MONEY) / MONEY))
        rows_i.append(rows)
        rows_j.append(np.full(len(rows), s.col))
        rows_v.append(-coef)

    # target rows
    has_target = ~np.isnan(target)
    final = target[has_target][-1] if has_target.any() else np.nan
    t_lo = np.where(has_target, target, -INF)
    t_hi = np.full(T, final if scenario.stop_at_target and has_target.any() else INF)
    t_hi = np.where(has_target, np.maximum(t_hi, np.nan_to_num(target, nan=0.0)), t_hi)
    t_years = np.flatnonzero(has_target | (t_hi < INF))
    target_start = -1
    if len(t_years):
        i = np.repeat(np.arange(len(t_years)), K)
        j = (np.arange(K)[None, :] * T + t_years[:, None]).ravel()
        target_start = add_rows(i, j, np.ones(len(j)), t_lo[t_years], t_hi[t_years],
                                "target", "target", t_years)
        if "target" in relax and has_target.any():
            rows = target_start + np.flatnonzero(has_target[t_years])
            if scenario.target_usd is None:
                s = add_slack("target", "share", "share",
                              ref / max(scenario.target_share[-1], 1e-9))
                coef = scenario.baseline_gap()[t_years[has_target[t_years]]] / MONEY
            else:
                s = add_slack("target", "usd", "usd", ref / max(final, 1e-6))
                coef = np.ones(len(rows))
            rows_i.append(rows)
            rows_j.append(np.full(len(rows), s.col))
            rows_v.append(coef)

    # logistics rows
    route = products["route"].to_numpy()
    uv = products["unit_value"].to_numpy(dtype=float)
    for r, caps in scenario.logistics.items():
        on = np.flatnonzero(route == r)
        if not len(on):
            continue
        i = np.repeat(np.arange(T), len(on))
        j = (on[None, :] * T + np.arange(T)[:, None]).ravel()
        v = np.tile(MONEY / TONNE / uv[on], T)
        start = add_rows(i, j, v, np.full(T, -INF), np.array(caps) / TONNE, "logistics", r,
                         np.arange(T))
        if "logistics" in relax:
            s = add_slack("logistics", r, "tonnes", ref / max(float(np.mean(caps)) / TONNE,
                                                              1e-3))
            rows_i.append(start + np.arange(T))
            rows_j.append(np.full(T, s.col))
            rows_v.append(-np.ones(T))

    # sector share rows
    group = products["group"].to_numpy()
    sector_rows: dict[tuple[str, str, int], int] = {}
    for sec in scenario.sectors:
        member = np.isin(group, sec.groups).astype(float)
        for kind, f in (("sector_min", sec.share_min), ("sector_max", sec.share_max)):
            if f is None:
                continue
            i = np.repeat(np.arange(T), K)
            j = (np.arange(K)[None, :] * T + np.arange(T)[:, None]).ravel()
            v = np.tile(member - f, T)
            lo_, hi_ = (np.zeros(T), np.full(T, INF)) if kind == "sector_min" else (
                np.full(T, -INF), np.zeros(T))
            start = add_rows(i, j, v, lo_, hi_, kind, sec.name, np.arange(T))
            for t in range(T):
                sector_rows[(kind, sec.name, t)] = start + t
            if kind in relax:
                s = add_slack(kind, sec.name, "usd", 1.0)
                rows_i.append(start + np.arange(T))
                rows_j.append(np.full(T, s.col))
                rows_v.append(np.full(T, 1.0 if kind == "sector_min" else -1.0))

    # market-share ceilings as rows, only in the elastic model
    ramp_tag = products["ramp_tag"].to_numpy()
    if "market_share" in relax:
        tags = products["cap_tag"].to_numpy()
        ms = products["market_share_max"].to_numpy(dtype=float)
        imports = products["market_imports"].to_numpy(dtype=float) / MONEY
        current = products["current"].to_numpy(dtype=float) / MONEY
        for g in sorted(set(group[(tags == "market_share")])):
            ks = np.flatnonzero((group == g) & ~np.isnan(ms))
            other = np.full(len(ks), np.inf)
            other = np.minimum(other, scenario.ceiling_share
                               * products["untapped"].to_numpy()[ks] / MONEY)
            if scenario.capacity_share_max is not None:
                e = products["exporter_capacity"].to_numpy(dtype=float)[ks] / MONEY
                other = np.minimum(other, np.where(
                    np.isnan(e), np.inf, scenario.capacity_share_max * e - current[ks]))
            ub_all = np.maximum(other, 0.0)
            n = len(ks) * T
            cols = (ks[:, None] * T + np.arange(T)[None, :]).ravel()
            first_cap = ramp_first[cols] & ("ramp" not in relax)
            ub_x[cols] = np.minimum(np.repeat(ub_all, T),
                                    np.where(first_cap, ramp[ks].repeat(T), INF))
            rhs = np.repeat(ms[ks] * imports[ks] - current[ks], T)
            s = add_slack("market_share", g, "share", ref / max(float(ms[ks][0]), 1e-3))
            start = add_rows(np.arange(n), cols, np.ones(n), np.full(n, -INF), rhs,
                             "market_share", g, np.tile(np.arange(T), len(ks)))
            rows_i.append(start + np.arange(n))
            rows_j.append(np.full(n, s.col))
            rows_v.append(-np.repeat(imports[ks], T))
            # a ramp set as a share of the ceiling grows with the relaxed ceiling
            rk = ks[(tags[ks] == "market_share") & (ramp_tag[ks] == "share") & (ramp[ks] <
                                                                           cap[ks])]
            if len(rk) and scenario.ramp_share:
                new = rk[first_row[rk] < 0]
                if len(new):
                    ub_x[new * T] = ub_all[np.searchsorted(ks, new)]
                    st = add_rows(np.arange(len(new)), new * T, np.ones(len(new)),
                                  np.full(len(new), -INF), ramp[new], "ramp", "ramp",
                                  np.zeros(len(new), dtype=int))
                    first_row[new] = st + np.arange(len(new))
                later = ramp_rows.reshape(K, T)[rk]
                rows_k = np.concatenate([first_row[rk], later[later >= 0]])
                k_of = np.concatenate([rk, np.repeat(rk, (later >= 0).sum(axis=1))])
                rows_i.append(rows_k)
                rows_j.append(np.full(len(rows_k), s.col))
                rows_v.append(-scenario.ramp_share * imports[k_of])

    # minimum size with binaries
    binary_products = np.array([], dtype=int)
    if m_size > 0 and include is None:
        reach = ub_x.reshape(K, T).max(axis=1)
        binary_products = np.flatnonzero(reach >= m_size)
        ub_x[(reach[kk] < m_size)] = 0.0
        nb = len(binary_products)
        ycol = n_col + np.arange(nb)
        cost.append(np.zeros(nb))
        lb.append(np.zeros(nb))
        ub.append(np.ones(nb))
        integer.append(np.ones(nb, dtype=bool))
        n_col += nb
        # x[k,t] − c_k y_k ≤ 0
        n = nb * T
        i = np.repeat(np.arange(n), 2)
        xc = (binary_products[:, None] * T + np.arange(T)[None, :]).ravel()
        j = np.column_stack([xc, np.repeat(ycol, T)]).ravel()
        big_m = ub_x.reshape(K, T).max(axis=1)[binary_products]
        v = np.column_stack([np.ones(n), -np.repeat(big_m, T)]).ravel()
        add_rows(i, j, v, np.full(n, -INF), np.zeros(n), "min_size", "min_size",
                 np.tile(np.arange(T), nb))
        # x[k,T] − m y_k ≥ 0
        i = np.repeat(np.arange(nb), 2)
        j = np.column_stack([binary_products * T + T - 1, ycol]).ravel()
        v = np.tile([1.0, -m_size], nb)
        add_rows(i, j, v, np.zeros(nb), np.full(nb, INF), "min_size", "min_size",
                 np.full(nb, T - 1))

    m = n_row
    if rows_i:
        a = sparse.csr_matrix((np.concatenate(rows_v), (np.concatenate(rows_i),
                               np.concatenate(rows_j))), shape=(m, n_col))
    else:
        a = sparse.csr_matrix((0, n_col))
    a.sum_duplicates()
    return Built(
        products=products, K=K, T=T, cost=np.concatenate(cost), lb=np.concatenate(lb),
        ub=np.concatenate(ub), integer=np.concatenate(integer), matrix=a,
        row_lo=np.concatenate(lo) if lo else np.zeros(0),
        row_hi=np.concatenate(hi) if hi else np.zeros(0), row_family=fam, row_key=key,
        row_year=np.concatenate(year) if year else np.zeros(0, dtype=int), ub_dc=ub_dc,
        ramp_rows=ramp_rows, slacks=slacks, binary_products=binary_products,
        sector_rows=sector_rows,
        first_is_ramp=(ramp < cap) & (include if include is not None else True),
    )
