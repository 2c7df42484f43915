"""The measures programme: one linear programme (HiGHS) whose state variable is the idle balance.

Months ``m = 0 … M−1`` (plan year ``t = m // 12``). Money is counted in US$ millions; amounts in
the deficit side's currency are counted in millions of *reference dollars* (local ÷ x̄, with x̄
the mean of the exchange-rate path), so that ``ξ_m = x_m / x̄`` turns a US$ amount in month m
into local money. Variables (all ≥ 0):

* ``f[k,r,t]``  extra purchases of product k on route r in year t (US$m a year; FOB value);
* ``p[k,t] = Σ_r f[k,r,t]`` the product's extra purchases, bounded as the planner bounds them
  (:func:`tradegap.planning.model.product_table`: ceiling from untapped potential, market share
  and exporter capacity; ramp-up), times the share of the year its market-access gates are open;
* ``B[m]``      the idle balance at the end of month m (local);
* ``buy[a,m]``, ``S[a,m]``  purchases and stock of each financial asset a (local);
* ``inv[m]``, ``conv[m]``, ``net[m]``  project/direct investment, conversion to a third currency,
  multilateral netting through a third country (local);
* ``F``         the size of the joint technology fund (US$m), disbursed ``σ_m F ξ_m`` in month m.

**Conservation** (one equality row per month; every unit is somewhere in every month)::

    B[m] − B[m−1] + Σ_a buy[a,m] + inv[m] + conv[m] + net[m] + σ_m ξ_m F
          + Σ_{k,r,t} π[m; k,r,t] ξ_m f[k,r,t]  =  (inflow_m − baseline_paid_m) ξ_m  (+ B₀ at m=0)

with ``inflow_m = surplus_exports_t / 12 × settled_share`` and ``baseline_paid_m =
deficit_exports_t / 12 × import_settled_share``. Year t's purchases ship evenly over the months
of t in which their gates are open and are paid on arrival: transit ``d`` days = ``L + φ`` months
(30.4375 days each) puts ``(1−φ)`` of a shipment's payment ``L`` months later and ``φ`` one month
after that; ``π`` carries these weights times ``plan_settled_share``. Payments falling after the
horizon are not drawn within it. Stocks: ``S[a,m] − S[a,m−1] − buy[a,m] = 0``.

**Limits**: route capacity ``Σ f[k,r,t] / unit_value_k ≤ capacity_r,t`` (tonnes); gate capacity
``Σ_{k∈g} p[k,t] ≤ capacity_g × open share of year t``; counter-trade ``Σ_{k∈groups} p[k,t] ≥
share × crude value_t``; trade target ``Σ_k p[k,t] ≥ target_t``; idle caps ``B[m] ≤ cap ξ_m``;
asset caps ``buy ≤ monthly cap ξ_m``, ``S ≤ stock cap ξ_m``; channel caps ``≤ yearly cap / 12 ξ_m``.

**Objective** (minimise, US$m): ``Σ_m idle_rate/12 · B[m]/ξ_m − Σ_a yield_a/12 · S[a,m]/ξ_m +
Σ spread · conv/ξ + Σ fee · net/ξ + Σ (freight_r / unit_value_k − trade_value · w_k) f[k,r,t]``:
the cost of idle money, minus what assets earn, plus conversion, netting and freight costs, minus
what the scenario says a dollar of extra purchases is worth. Money left idle at the horizon's
end costs nothing after it, so a drain dearer than the idle cost of the months that remain is not
used near the end (an end-of-horizon effect to keep in mind when reading the last months). The
LP is the textbook form of Dantzig (1963); its duals are the marginal values of the limits
(Bertsimas & Tsitsiklis 1997, §4).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd
from scipy import sparse

from tradegap.errors import InputError
from tradegap.measures.scenario import MONTHS_PER_YEAR, MeasuresScenario
from tradegap.planning import Scenario as PlanningScenario
from tradegap.planning.model import product_table

INF = highspy.kHighsInf
MONEY = 1e6
TONNE = 1e3
DAYS_PER_MONTH = 365.25 / 12.0
ANY = "any"


@dataclass
class Layout:
    """Where each variable family sits among the columns and each limit among the rows."""

    products: pd.DataFrame  # the planner's product table + eligible month + gate names
    routes: list[str]
    pair_k: np.ndarray
    pair_r: np.ndarray
    f0: int
    p0: int
    b0: int
    a0: int  # payment aggregates A[g,t]: one per (route, month the gates open) and year
    pair_agg: np.ndarray  # aggregate of each (product, route) pair
    assets: list[tuple[int, int]]  # (buy offset, stock offset) per asset
    inv0: int = -1
    conv0: int = -1
    net0: int = -1
    fund_col: int = -1
    rows: dict[str, np.ndarray] = field(default_factory=dict)  # family → row indices
    row_names: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Built:
    """The programme as arrays for HiGHS, with its layout."""

    layout: Layout
    cost: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    matrix: sparse.csr_matrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    xi: np.ndarray  # ξ_m = x_m / x̄
    x_ref: float
    K: int
    T: int
    M: int

    def to_highs(self) -> highspy.HighsLp:
        from tradegap.planning.highs import highs_lp

        return highs_lp(self.cost, self.lb, self.ub, self.matrix, self.row_lo, self.row_hi)


def planning_view(sc: MeasuresScenario) -> PlanningScenario:
    """The purchases part of the scenario as a planning scenario, so that each product's ceiling
    and ramp are exactly the planner's (:func:`tradegap.planning.model.product_table`)."""
    lim = sc.limits
    return PlanningScenario(
        exporter=sc.deficit, market=sc.surplus, base_year=sc.start.year - 1, horizon=sc.years,
        gap=1.0, groups=sc.groups, weights=dict(sc.weights),
        ceiling_share=lim.get("ceiling_share", 1.0),
        market_share_max=lim.get("market_share_max"),
        market_share_max_by_group=dict(lim.get("market_share_max_by_group", {})),
        capacity_share_max=lim.get("capacity_share_max"), ramp_share=lim.get("ramp_share"),
        ramp_usd=lim.get("ramp_usd"), name=sc.name)


def products(sc: MeasuresScenario, candidates: pd.DataFrame) -> pd.DataFrame:
    """Candidates with the planner's ``cap``/``ramp``/``weight``, the month their gates open
    (``eligible_from``), the gates that cover them and their allowed routes."""
    p = product_table(planning_view(sc), candidates)
    elig = np.zeros(len(p), dtype=int)
    names: list[list[str]] = [[] for _ in range(len(p))]
    for g in sc.gates:
        hit = g.covers(p["product"], p["group"])
        elig = np.where(hit, np.maximum(elig, g.eligible_from), elig)
        for i in np.flatnonzero(hit):
            names[i].append(g.name)
    p["eligible_from"] = elig
    p["gates"] = [";".join(n) for n in names]
    known = [r.name for r in sc.routes]
    allowed = []
    for i, raw in enumerate(p["route"].astype(str)):
        if not known:
            allowed.append([""])
            continue
        want = [x.strip() for x in raw.split(";") if x.strip()]
        if not want or want == [ANY] or raw in ("", "nan"):
            allowed.append(known)
            continue
        bad = [x for x in want if x not in known]
        if bad:
            raise InputError(f"product {p['product'].iloc[i]!r} names route {bad[0]!r}, which "
                             "the scenario does not define", field="route",
                             hint="routes: " + ", ".join(known) + " (or 'any')")
        allowed.append(want)
    p["routes"] = [";".join(a) for a in allowed]
    if sc.routes:
        uv = p["unit_value"].to_numpy(dtype=float)
        bad = ~(uv > 0)
        if bad.any():
            raise InputError(f"product {p['product'].iloc[np.flatnonzero(bad)[0]]!r} has no unit "
                             "value; tonnes (freight and route capacity) need one",
                             field="unit_value", hint="give unit_value (US$ per tonne) for "
                             "every candidate when the scenario has [[routes]]")
    return p


def open_share(eligible_from: np.ndarray, T: int) -> np.ndarray:
    """Share of each plan year (K × T) in which a product's gates are open."""
    starts = np.arange(T) * MONTHS_PER_YEAR
    open_months = np.clip(starts[None, :] + MONTHS_PER_YEAR - eligible_from[:, None], 0,
                          MONTHS_PER_YEAR)
    return open_months / MONTHS_PER_YEAR


def monthly(values: tuple[float, ...] | np.ndarray, start: int = 0) -> np.ndarray:
    """A per-year US$ amount as per-month US$m (÷ 12), zero before month ``start``."""
    out = np.repeat(np.asarray(values, dtype=float), MONTHS_PER_YEAR) / MONTHS_PER_YEAR / MONEY
    out[:start] = 0.0
    return out


class _Rows:
    """Collects sparse rows with their bounds and family names."""

    def __init__(self) -> None:
        self.i: list[np.ndarray] = []
        self.j: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        self.n = 0
        self.families: dict[str, np.ndarray] = {}
        self.names: dict[str, list[str]] = {}

    def add(self, i, j, v, lo, hi, family: str, names: list[str]) -> np.ndarray:
        lo = np.asarray(lo, dtype=float)
        self.i.append(np.asarray(i) + self.n)
        self.j.append(np.asarray(j))
        self.v.append(np.asarray(v, dtype=float))
        self.lo.append(lo)
        self.hi.append(np.asarray(hi, dtype=float))
        rows = np.arange(self.n, self.n + len(lo))
        self.families[family] = np.concatenate([self.families.get(family, np.zeros(0, int)),
                                                rows])
        self.names.setdefault(family, []).extend(names)
        self.n += len(lo)
        return rows

    def entries(self, i, j, v) -> None:
        """Extra coefficients on rows already added (absolute row indices)."""
        self.i.append(np.asarray(i))
        self.j.append(np.asarray(j))
        self.v.append(np.asarray(v, dtype=float))


def build(sc: MeasuresScenario, prods: pd.DataFrame, fx: np.ndarray | None = None) -> Built:
    """Assemble the programme for the exchange-rate path ``fx`` (local per US$, one per month;
    default: the scenario's central path)."""
    from tradegap.settlement.fx import central_path

    T, M = sc.years, sc.months
    fx = central_path(sc.fx) if fx is None else np.asarray(fx, dtype=float)
    x_ref = float(np.mean(fx))
    xi = fx / x_ref
    K = len(prods)
    route_names = [r.name for r in sc.routes] or [""]
    routes = {r.name: r for r in sc.routes}
    pk, pr = [], []
    for k, allowed in enumerate(prods["routes"]):
        for name in allowed.split(";"):
            pk.append(k)
            pr.append(route_names.index(name))
    pk, pr = np.array(pk, dtype=int), np.array(pr, dtype=int)
    P = len(pk)
    cols: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (cost, lb, ub)
    n_col = 0

    def add_cols(cost, lb, ub) -> int:
        nonlocal n_col
        cost = np.asarray(cost, dtype=float)
        cols.append((cost, np.broadcast_to(np.asarray(lb, float), cost.shape).copy(),
                     np.broadcast_to(np.asarray(ub, float), cost.shape).copy()))
        start = n_col
        n_col += len(cost)
        return start

    uv = prods["unit_value"].to_numpy(dtype=float)
    weight = prods["weight"].to_numpy(dtype=float)
    freight = np.array([routes[route_names[r]].cost_per_tonne if route_names[r] else 0.0
                        for r in pr])
    with np.errstate(divide="ignore", invalid="ignore"):
        per_usd = np.where(freight > 0, freight / uv[pk], 0.0)  # freight per US$ of FOB value
    f_cost = np.repeat(per_usd - sc.trade_value * weight[pk], T)
    f0 = add_cols(f_cost, 0.0, INF)
    # pairs paid alike (same route, same opening month) share one payment aggregate, so that
    # the conservation rows carry a few aggregates instead of every product
    elig = prods["eligible_from"].to_numpy(dtype=int)
    agg_key = pr.astype(np.int64) * (M + 1) + elig[pk]
    uniq, pair_agg = np.unique(agg_key, return_inverse=True)
    G = len(uniq)
    agg_r, agg_e = (uniq // (M + 1)).astype(int), (uniq % (M + 1)).astype(int)
    a0 = add_cols(np.zeros(G * T), 0.0, INF)
    share = open_share(prods["eligible_from"].to_numpy(dtype=int), T)  # K × T
    cap = prods["cap"].to_numpy(dtype=float) / MONEY
    ramp = prods["ramp"].to_numpy(dtype=float) / MONEY
    p_ub = cap[:, None] * share
    p_ub[:, 0] = np.minimum(p_ub[:, 0], ramp)
    p0 = add_cols(np.zeros(K * T), 0.0, p_ub.ravel())
    b0 = add_cols(np.full(M, sc.idle_rate / MONTHS_PER_YEAR) / xi, 0.0, INF)
    asset_cols = []
    for a in sc.assets:
        m_cap = (np.repeat(np.asarray(a.monthly_cap_usd), MONTHS_PER_YEAR) / MONEY * xi
                 if a.monthly_cap_usd is not None else np.full(M, INF))
        m_cap[:a.start] = 0.0
        buy = add_cols(np.zeros(M), 0.0, m_cap)
        s_cap = (np.full(M, a.stock_cap_usd / MONEY) * xi if a.stock_cap_usd is not None
                 else np.full(M, INF))
        stock = add_cols(-a.yield_per_year / MONTHS_PER_YEAR / xi, 0.0, s_cap)
        asset_cols.append((buy, stock))
    lay = Layout(prods, route_names, pk, pr, f0, p0, b0, a0, pair_agg, asset_cols)
    if sc.investment is not None:
        lay.inv0 = add_cols(np.zeros(M), 0.0, monthly(sc.investment.capacity_usd,
                                                      sc.investment.start) * xi)
    if sc.conversion is not None:
        c = sc.conversion
        lay.conv0 = add_cols(np.full(M, c.cost_share) / xi, 0.0, monthly(c.capacity_usd,
                                                                           c.start) * xi)
    if sc.netting is not None:
        c = sc.netting
        lay.net0 = add_cols(np.full(M, c.cost_share) / xi, 0.0, monthly(c.capacity_usd,
                                                                          c.start) * xi)
    if sc.fund is not None:
        lay.fund_col = add_cols(np.zeros(1), sc.fund.size_usd_min / MONEY,
                                sc.fund.size_usd_max / MONEY)

    rows = _Rows()
    kt = np.arange(K * T)
    # link: p[k,t] − Σ_r f[k,r,t] = 0
    fcols = f0 + np.arange(P * T)
    f_k = np.repeat(pk, T)
    f_t = np.tile(np.arange(T), P)
    i = np.concatenate([kt, f_k * T + f_t])
    j = np.concatenate([p0 + kt, fcols])
    v = np.concatenate([np.ones(K * T), -np.ones(P * T)])
    rows.add(i, j, v, np.zeros(K * T), np.zeros(K * T), "link", [])
    # aggregate: A[g,t] − Σ_{pairs in g} f[k,r,t] = 0
    gt = np.arange(G * T)
    rows.add(np.concatenate([gt, np.repeat(pair_agg, T) * T + f_t]),
             np.concatenate([a0 + gt, fcols]),
             np.concatenate([np.ones(G * T), -np.ones(P * T)]), np.zeros(G * T),
             np.zeros(G * T), "aggregate", [])
    # ramp: p[k,t] − p[k,t−1] ≤ r_k
    rk = np.flatnonzero(ramp < cap)
    if T > 1 and len(rk):
        k_r = np.repeat(rk, T - 1)
        t_r = np.tile(np.arange(1, T), len(rk))
        n = len(k_r)
        rows.add(np.repeat(np.arange(n), 2),
                 np.column_stack([p0 + k_r * T + t_r, p0 + k_r * T + t_r - 1]).ravel(),
                 np.tile([1.0, -1.0], n), np.full(n, -INF), ramp[k_r], "ramp",
                 [str(prods["product"].iloc[k]) for k in k_r])

    # conservation rows: B[m] − B[m−1] + drains + payments = net inflow
    inflow = monthly(sc.surplus_exports()) * sc.settled_share
    base_paid = monthly(np.asarray(sc.deficit_exports_usd)) * sc.import_settled_share
    rhs = (inflow - base_paid) * xi
    opening = sc.opening_balance_usd / MONEY * xi[0]
    rhs[0] += opening
    mm = np.arange(M)
    ent_i = [mm, mm[1:]]
    ent_j = [b0 + mm, b0 + mm[:-1]]
    ent_v = [np.ones(M), -np.ones(M - 1)]
    for buy, _ in asset_cols:
        ent_i.append(mm)
        ent_j.append(buy + mm)
        ent_v.append(np.ones(M))
    for c0 in (lay.inv0, lay.conv0, lay.net0):
        if c0 >= 0:
            ent_i.append(mm)
            ent_j.append(c0 + mm)
            ent_v.append(np.ones(M))
    if lay.fund_col >= 0:
        sigma = np.repeat(np.asarray(sc.fund.schedule), MONTHS_PER_YEAR) / MONTHS_PER_YEAR
        on = np.flatnonzero(sigma > 0)
        ent_i.append(on)
        ent_j.append(np.full(len(on), lay.fund_col))
        ent_v.append(sigma[on] * xi[on])
    # payments of purchases: shipments over the open months of year t, paid on arrival
    lag = np.array([routes[route_names[r]].transit_days / DAYS_PER_MONTH if route_names[r]
                    else 0.0 for r in range(len(route_names))])
    whole, frac = np.floor(lag).astype(int), lag - np.floor(lag)
    ship = (np.arange(T)[:, None] * MONTHS_PER_YEAR + np.arange(MONTHS_PER_YEAR)[None, :])
    is_open = ship[None, :, :] >= agg_e[:, None, None]  # G × T × 12
    n_open = is_open.sum(axis=2, keepdims=True)
    w = np.where(is_open, 1.0 / np.maximum(n_open, 1), 0.0) * sc.plan_settled_share
    col = (a0 + np.arange(G * T)).reshape(G, T)[:, :, None] * np.ones((1, 1, MONTHS_PER_YEAR),
                                                                       dtype=int)
    for shift, part in ((whole[agg_r], 1.0 - frac[agg_r]), (whole[agg_r] + 1, frac[agg_r])):
        pay = ship[None, :, :] + shift[:, None, None]
        wt = w * part[:, None, None]
        keep = (pay < M) & (wt > 0)
        ent_i.append(pay[keep])
        ent_j.append(col[keep])
        ent_v.append(wt[keep] * xi[pay[keep]])
    rows.add(np.concatenate(ent_i), np.concatenate(ent_j), np.concatenate(ent_v), rhs, rhs,
             "conservation", sc.month_labels())
    # asset stocks: S[m] − S[m−1] − buy[m] = 0
    for a, (buy, stock) in zip(sc.assets, asset_cols, strict=True):
        rows.add(np.concatenate([mm, mm[1:], mm]),
                 np.concatenate([stock + mm, stock + mm[:-1], buy + mm]),
                 np.concatenate([np.ones(M), -np.ones(M - 1), -np.ones(M)]),
                 np.zeros(M), np.zeros(M), f"stock:{a.name}", sc.month_labels())
    # route capacity (kilotonnes)
    for r_i, name in enumerate(route_names):
        if not name or routes[name].capacity_tonnes is None:
            continue
        on = np.flatnonzero(pr == r_i)
        if not len(on):
            continue
        i = np.repeat(np.arange(T), len(on))
        j = f0 + (on[None, :] * T + np.arange(T)[:, None]).ravel()
        v = np.tile(MONEY / TONNE / uv[pk[on]], T)
        rows.add(i, j, v, np.full(T, -INF), np.array(routes[name].capacity_tonnes) / TONNE,
                 f"route:{name}", sc.year_labels)
    # gate capacity
    for g in sc.gates:
        cap_g = g.capacity(T) / MONEY
        hit = np.flatnonzero(g.covers(prods["product"], prods["group"]))
        years_open = np.flatnonzero(open_share(np.array([g.eligible_from]), T)[0] > 0)
        if not np.isfinite(cap_g).any() or not len(hit) or not len(years_open):
            continue
        yrs = years_open[np.isfinite(cap_g[years_open])]
        gshare = open_share(np.array([g.eligible_from]), T)[0]
        i = np.repeat(np.arange(len(yrs)), len(hit))
        j = p0 + (hit[None, :] * T + yrs[:, None]).ravel()
        rows.add(i, j, np.ones(len(j)), np.full(len(yrs), -INF), cap_g[yrs] * gshare[yrs],
                 f"gate:{g.name}", [sc.year_labels[t] for t in yrs])
    # counter-trade floors
    group = prods["group"].to_numpy()
    if sc.countertrade is not None:
        hit = np.flatnonzero(np.isin(group, sc.countertrade.groups))
        floor = sc.countertrade.share * sc.crude_value() / MONEY
        i = np.repeat(np.arange(T), len(hit))
        j = p0 + (hit[None, :] * T + np.arange(T)[:, None]).ravel()
        rows.add(i, j, np.ones(len(j)), floor, np.full(T, INF), "countertrade", sc.year_labels)
    # trade target
    target = sc.trade_targets() / MONEY
    yrs = np.flatnonzero(~np.isnan(target))
    if len(yrs):
        i = np.repeat(np.arange(len(yrs)), K)
        j = p0 + (np.arange(K)[None, :] * T + yrs[:, None]).ravel()
        rows.add(i, j, np.ones(len(j)), target[yrs], np.full(len(yrs), INF), "trade_target",
                 [sc.year_labels[t] for t in yrs])
    # idle caps
    if sc.idle_peak_usd_max is not None:
        rows.add(mm, b0 + mm, np.ones(M), np.full(M, -INF), sc.idle_peak_usd_max / MONEY * xi,
                 "idle_peak", sc.month_labels())
    if sc.idle_final_usd_max is not None:
        rows.add([0], [b0 + M - 1], [1.0], [-INF], [sc.idle_final_usd_max / MONEY * xi[-1]],
                 "idle_final", [sc.month_labels()[-1]])

    cost = np.concatenate([c for c, _, _ in cols])
    a = sparse.csr_matrix((np.concatenate(rows.v), (np.concatenate(rows.i),
                           np.concatenate(rows.j))), shape=(rows.n, n_col))
    a.sum_duplicates()
    lay.rows, lay.row_names = rows.families, rows.names
    return Built(lay, cost, np.concatenate([lb for _, lb, _ in cols]),
                 np.concatenate([ub for _, _, ub in cols]), a, np.concatenate(rows.lo),
                 np.concatenate(rows.hi), xi, x_ref, K, T, M)
