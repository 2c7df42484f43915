"""Headroom per product: how much more the exporter could sell to the market, bounded by what the
market buys and what the exporter makes — combined with the gravity-based potential into one
ranking.

Terms, per HS4 product k (US$ per year):

* ``demand_k``: the market's imports from the world (``demand`` table, e.g. Russia's imports
  rebuilt from partner data: a LOWER BOUND, no supplier breakdown);
* ``current_k``: the exporter's current sales to the market (e.g. India-reported mirror rows);
* ``capacity_k``: the exporter's sales to the whole world (e.g. India's DGCI&S exports);
* ``share_now_k = current_k / demand_k`` (missing when demand is missing or zero).

Headroom (the arithmetic room left under two ceilings; cf. the supply and demand terms of the
ITC export-potential method, Decreux & Spies 2016, "Export Potential Assessments", ITC)::

    ceiling_k  = min(s_g · demand_k, c · capacity_k)
    headroom_k = max(0, ceiling_k − current_k)

with ``s_g`` the largest share of the market's imports the exporter may hold in product group g
(``share_cap``, per group ``share_cap_by_group``) and ``c`` the share of the exporter's world
sales that may go to the market (``capacity_share``). A product the market does not import
(demand missing or below ``min_demand``) has no headroom, whatever the exporter makes. Nor does
a product the market is a dominant net exporter of (``market_exports_k ≥ r · demand_k``, with
``r = net_exporter_ratio``, default 10, when the market's exports are given): its imports of it
are niche grades or re-exports, and it will not buy more of what it sells abroad. These two
rules keep refined petroleum (2710: Russia imports US$ 0.37 bn and exports US$ 31.6 bn a year),
which a gravity-only ranking put high for Russia, out of the ranking.

The realistic extra-sales estimate uses the market's own demand (see
:mod:`tradegap.analysis.demand_potential`): the exporter's share of the market's imports of a
product may rise to the share it holds in comparable products of the same market (products in
which its world sales are as large relative to the market's imports), under the same group share
cap and the exporter's world sales::

    extra_k = min(target_k · demand_k − current_k, c · capacity_k − current_k)⁺,
    target_k = min(benchmark_k, s_g)

``extra_basis`` says what binds (``share benchmark``, ``share cap``, ``capacity``, ``no demand``,
``net exporter``) and ``why`` says it in words. The headroom (the upper bound) and the gravity
benchmark (Santos Silva & Tenreyro 2006 PPML, :mod:`tradegap.analysis.gravity_potential`: how
much the market *should* buy given its size and distance, blind to its demand for the product)
stay as columns. An earlier rule, ``extra = min(headroom, gravity untapped)``, zeroed products
the market imports by billions (medicaments, HS 3004: Russia imports US$ 8.1 bn, India holds
4.8 %) because gravity found India's sales "above normal" for Russia's GDP; ``combine`` keeps it
only for a headroom table without benchmarks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradegap.analysis.demand_potential import BenchmarkParams
from tradegap.errors import InputError, NotFound
from tradegap.provenance import Provenance
from tradegap.warehouse.store import Warehouse

INPUT_COLUMNS = ("product", "group", "demand", "current", "capacity")
HEADROOM_COLUMNS = [
    "product", "name", "group", "demand", "market_exports", "current", "share_now", "capacity",
    "share_cap",
    "market_ceiling", "capacity_ceiling", "ceiling", "headroom", "binding", "note",
]
RANKING_COLUMNS = [
    *HEADROOM_COLUMNS, "gravity_actual", "gravity_expected", "gravity_untapped",
    "supply_ratio", "benchmark_share", "target_share", "extra", "extra_basis", "why", "rank",
]


@dataclass(frozen=True)
class HeadroomParams:
    """Parameters of :func:`headroom_table` (see the module docstring)."""

    share_cap: float = 0.30
    share_cap_by_group: Mapping[str, float] = field(default_factory=lambda: {"pharma": 0.40})
    capacity_share: float = 1.0
    min_demand: float = 1e6
    net_exporter_ratio: float | None = 10.0

    def __post_init__(self) -> None:
        caps = {"share_cap": self.share_cap, "capacity_share": self.capacity_share,
                **{f"share_cap_by_group.{g}": v for g, v in self.share_cap_by_group.items()}}
        for key, value in caps.items():
            if not 0 <= value <= 1:
                raise InputError(f"{key} = {value} is not a share", field=key,
                                 hint="give a number between 0 and 1")
        if self.min_demand < 0:
            raise InputError("min_demand must be ≥ 0", field="min_demand")
        if self.net_exporter_ratio is not None and self.net_exporter_ratio <= 0:
            raise InputError("net_exporter_ratio must be > 0 (or None to switch it off)",
                             field="net_exporter_ratio")

    def cap_of(self, group: str) -> float:
        return float(self.share_cap_by_group.get(group, self.share_cap))


def headroom_table(table: pd.DataFrame, params: HeadroomParams | None = None) -> pd.DataFrame:
    """Headroom per product from ``product, group, demand, current, capacity`` (US$/yr; a missing
    demand or capacity is NaN, a missing current sale is 0), optionally ``market_exports`` (the
    market's own exports of the product, for the net-exporter rule). See the module docstring."""
    params = params or HeadroomParams()
    missing = [c for c in INPUT_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(f"the headroom input lacks {missing}", field=missing[0],
                         hint=f"give the columns {list(INPUT_COLUMNS)}")
    out = table.copy()
    if "name" not in out.columns:
        out["name"] = None
    if "market_exports" not in out.columns:
        out["market_exports"] = np.nan
    for col in ("demand", "current", "capacity"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    out["current"] = out["current"].fillna(0.0)
    demand = out["demand"]
    out["share_now"] = np.where(demand > 0, out["current"] / demand.where(demand > 0), np.nan)
    out["share_cap"] = out["group"].astype(str).map(params.cap_of)
    out["market_ceiling"] = out["share_cap"] * demand.fillna(0.0)
    out["capacity_ceiling"] = params.capacity_share * out["capacity"].fillna(0.0)
    out["ceiling"] = np.minimum(out["market_ceiling"], out["capacity_ceiling"])
    out["headroom"] = np.maximum(0.0, out["ceiling"] - out["current"])
    out["binding"] = np.where(out["market_ceiling"] <= out["capacity_ceiling"],
                              "market share", "capacity")
    note = pd.Series("", index=out.index, dtype=object)
    no_demand = demand.isna() | (demand < params.min_demand)
    note[demand.isna()] = "the market's imports are not recorded"
    note[demand.notna() & no_demand] = (
        f"the market imports under US${params.min_demand / 1e6:g} m a year")
    note[out["capacity"].isna()] = "the exporter's world sales are not recorded"
    over = (out["share_now"] > 1) & ~no_demand
    note[over] = ("current sales exceed the recorded demand (the demand is a lower bound)")
    at_cap = (out["headroom"] == 0) & (note == "") & (out["current"] > 0)
    note[at_cap] = "current sales already at the ceiling"
    out.loc[no_demand, ["headroom"]] = 0.0
    out.loc[no_demand, "binding"] = "no demand"
    if "market_exports" in out.columns and params.net_exporter_ratio is not None:
        exports = pd.to_numeric(out["market_exports"], errors="coerce").astype(float)
        net_exporter = ~no_demand & (exports >= params.net_exporter_ratio * demand)
        note[net_exporter] = (
            f"the market exports ≥ {params.net_exporter_ratio:g}× what it imports")
        out.loc[net_exporter, "headroom"] = 0.0
        out.loc[net_exporter, "binding"] = "net exporter"
    out["note"] = note.replace("", None)
    out = out.sort_values(["headroom", "product"], ascending=[False, True])
    return out[HEADROOM_COLUMNS].reset_index(drop=True)


def combine(head: pd.DataFrame, gravity: pd.DataFrame | None,
            bench: pd.DataFrame | None = None, *, capacity_share: float = 1.0,
            exporter: str = "IND", market: str = "RUS") -> pd.DataFrame:
    """One ranking sorted by ``extra`` then ``headroom`` (``rank`` from 1). With ``bench``
    (:func:`tradegap.analysis.demand_potential.share_benchmarks`) ``extra`` is the demand-based
    estimate; without, the old rule ``min(headroom, gravity_untapped)`` (0 without gravity)."""
    from tradegap.analysis.demand_potential import demand_potential

    out = head.copy()
    if gravity is None or gravity.empty:
        grav = pd.DataFrame(columns=["product", "gravity_actual", "gravity_expected",
                                     "gravity_untapped"])
    else:
        grav = gravity[["product", "actual", "expected", "untapped"]].rename(columns={
            "actual": "gravity_actual", "expected": "gravity_expected",
            "untapped": "gravity_untapped"})
    out = out.merge(grav, on="product", how="left")
    for col in ("gravity_actual", "gravity_expected", "gravity_untapped"):
        out[col] = out[col].astype(float)
    if bench is not None:
        out = demand_potential(out, bench, capacity_share=capacity_share, exporter=exporter,
                               market=market)
        out["extra"] = out["realistic"]
        out["extra_basis"] = out["binds"]
    else:
        has = out["gravity_untapped"].notna()
        out["extra"] = np.where(has, np.minimum(out["headroom"], out["gravity_untapped"]), 0.0)
        out["extra_basis"] = np.select(
            [~has, out["headroom"] <= out["gravity_untapped"]],
            ["no gravity estimate", "headroom"], "gravity")
        no_room = out["binding"].isin(["no demand", "net exporter"])
        out.loc[no_room, "extra_basis"] = out.loc[no_room, "binding"]
        for col in ("supply_ratio", "benchmark_share", "target_share", "why"):
            out[col] = np.nan if col != "why" else None
    out = out.sort_values(["extra", "headroom", "product"], ascending=[False, False, True])
    out = out.reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out[RANKING_COLUMNS]


# -- from the warehouse --------------------------------------------------------------------------


def _groups_sql(groups: Iterable[str]) -> tuple[str, list[str]]:
    """A SQL condition on ``product`` selecting the HS prefixes of ``groups``."""
    from tradegap.reference.groups import product_groups

    known = product_groups()
    prefixes: list[str] = []
    for g in groups:
        if g not in known:
            raise InputError(f"unknown product group {g!r}", field="groups",
                             hint="groups: " + ", ".join(known))
        if not known[g].include:  # the catch-all ('other'): every product, filtered later
            return "TRUE", []
        prefixes += list(known[g].include)
    cond = " OR ".join(f"product LIKE '{p}%'" for p in prefixes) or "TRUE"
    return f"({cond})", prefixes


def _names(products: pd.Series) -> pd.Series:
    from tradegap.reference.products import product_name

    def one(code: str) -> str | None:
        try:
            name = product_name(code, "HS17")
        except Exception:  # a code absent from the nomenclature keeps no name
            return None
        return None if name is None else (name if len(name) <= 70 else name[:67] + "…")

    return products.map(one)


def headroom_inputs(
    wh: Warehouse,
    exporter: str = "IND",
    market: str = "RUS",
    *,
    groups: Iterable[str] = ("agri", "pharma"),
    current_year: int = 2024,
    capacity_period: str = "FY2024-25",
    demand_window: str = "last12",
    current_dataset: str = "russia-customs-mirror",
    capacity_dataset: str = "india-dgcis",
) -> pd.DataFrame:
    """``product, group, demand, current, capacity, demand_net_weight_kg, market_exports`` at
    HS4 from the warehouse: the market's imports and exports (``demand`` table,
    ``demand_window``), the exporter's sales
    to the market in calendar ``current_year`` (``current_dataset``, monthly rows summed) and
    its sales to the world in ``capacity_period`` (``capacity_dataset``)."""
    from tradegap.reference.groups import group_of

    cond, _ = _groups_sql(groups)
    con = wh.connect()
    try:
        names = {d.name for d in wh.datasets()}
        for ds in (current_dataset, capacity_dataset):
            if ds not in names:
                raise NotFound(f"dataset {ds!r} is not in the warehouse {wh.home}",
                               hint="ingest it first (tradegap ingest …)")
        demand = con.execute(
            f"SELECT product, sum(value_usd) FILTER (WHERE flow = 'import') AS demand, "
            f"sum(net_weight_kg) FILTER (WHERE flow = 'import') AS demand_net_weight_kg, "
            f"sum(value_usd) FILTER (WHERE flow = 'export') AS market_exports FROM demand "
            f"WHERE country = ? AND \"window\" = ? AND digits = 4 AND {cond} "
            f"GROUP BY product", [market, demand_window]).df()
        if demand.empty:
            raise NotFound(f"no import demand of {market} ({demand_window}) in {wh.home}",
                           hint="ingest it first (tradegap ingest russia-demand …)")
        current = con.execute(
            f"SELECT substr(product, 1, 4) AS product, sum(value_usd) AS current, "
            f"count(DISTINCT month) AS months FROM flows WHERE dataset = ? AND exporter = ? "
            f"AND importer = ? AND year = ? AND {cond} GROUP BY 1",
            [current_dataset, exporter, market, current_year]).df()
        capacity = con.execute(
            f"SELECT substr(product, 1, 4) AS product, sum(value_usd) AS capacity FROM flows "
            f"WHERE dataset = ? AND exporter = ? AND period = ? AND {cond} GROUP BY 1",
            [capacity_dataset, exporter, capacity_period]).df()
    finally:
        con.close()
    if capacity.empty:
        raise NotFound(f"no exports of {exporter} in {capacity_period} in {capacity_dataset}",
                       hint="choose a period the dataset holds")
    table = demand.merge(current.drop(columns="months"), on="product", how="outer")
    table = table.merge(capacity, on="product", how="outer")
    table["current"] = table["current"].fillna(0.0)
    table["group"] = group_of(table["product"])
    table = table[table["group"].isin(list(groups))]
    table["name"] = _names(table["product"])
    return table.sort_values("product").reset_index(drop=True)


def gravity_exports(
    wh: Warehouse, exporter: str = "IND", *, period: str = "FY2024-25",
    groups: Iterable[str] = ("agri", "pharma"), dataset: str = "india-dgcis",
) -> pd.DataFrame:
    """The exporter's exports by HS4 × market (``product, market, value``) for the gravity fit."""
    cond, _ = _groups_sql(groups)
    con = wh.connect()
    try:
        return con.execute(
            f"SELECT substr(product, 1, 4) AS product, importer AS market, "
            f"sum(value_usd) AS value FROM flows WHERE dataset = ? AND exporter = ? AND "
            f"period = ? AND {cond} GROUP BY ALL", [dataset, exporter, period]).df()
    finally:
        con.close()


def headroom(
    wh: Warehouse,
    exporter: str = "IND",
    market: str = "RUS",
    *,
    groups: Iterable[str] = ("agri", "pharma"),
    params: HeadroomParams | None = None,
    current_year: int = 2024,
    capacity_period: str = "FY2024-25",
    gravity: bool = True,
    gdp_year: int = 2024,
    min_markets: int = 10,
    current_dataset: str = "russia-customs-mirror",
    capacity_dataset: str = "india-dgcis",
    benchmark: BenchmarkParams | None = None,
    gravity_cache: Path | None = None,
) -> pd.DataFrame:
    """The ranking of ``groups`` for ``exporter`` in ``market`` at HS4 (``RANKING_COLUMNS``):
    headroom, gravity benchmark and the demand-based realistic estimate ``extra`` (share
    benchmarks from every product the market imports, :mod:`~.demand_potential`).
    ``attrs['provenance']`` says which datasets and periods fed it, ``attrs['params']`` the
    parameters, ``attrs['benchmarks']`` the benchmark table. ``gravity=False`` skips the
    gravity fit (its columns are then empty); ``gravity_cache`` (a directory) keeps the fit's
    result per input version and settings, so a re-run on unchanged data skips it."""
    from tradegap.analysis.demand_potential import BenchmarkParams, share_benchmarks
    from tradegap.reference.groups import product_groups

    params = params or HeadroomParams()
    benchmark = benchmark or BenchmarkParams(min_demand=params.min_demand)
    groups = tuple(groups)
    every = headroom_inputs(wh, exporter, market, groups=tuple(product_groups()),
                            current_year=current_year, capacity_period=capacity_period,
                            current_dataset=current_dataset, capacity_dataset=capacity_dataset)
    bench = share_benchmarks(every, benchmark)
    inputs = every[every["group"].isin(groups)].reset_index(drop=True)
    head = headroom_table(inputs, params)
    grav = None
    if gravity:
        grav = _gravity(wh, exporter, market, capacity_period, groups, capacity_dataset,
                        gdp_year, min_markets, gravity_cache)
    ranked = combine(head, grav, bench, capacity_share=params.capacity_share,
                     exporter=exporter, market=market)
    ranked.attrs["benchmarks"] = bench
    extra_cols = inputs.set_index("product")
    ranked["demand_net_weight_kg"] = ranked["product"].map(extra_cols["demand_net_weight_kg"])
    ranked.attrs["params"] = _params_dict(params, current_year, capacity_period, gdp_year,
                                          min_markets, benchmark)
    ranked.attrs["provenance"] = Provenance(
        sources=["russia-demand", current_dataset, capacity_dataset,
                 *(["CEPII GeoDist", "WDI/IMF GDP"] if gravity else [])],
        datasets=["russia-demand", current_dataset, capacity_dataset],
        periods=["demand: last12 window", f"current: calendar {current_year}",
                 f"capacity: {capacity_period}"],
        notes=[
            f"demand = {market}'s imports from all partners, rebuilt from partner data: a "
            "lower bound, no supplier breakdown",
            f"current = {exporter}'s own declarations of its sales to {market} (mirror rows, "
            "rounded to US$10,000)",
            f"capacity = {exporter}'s exports to all partners in {capacity_period} (fiscal "
            f"year; the current sales are calendar {current_year}: periods differ)",
            f"extra = the share {exporter} holds in comparable products of {market} (best "
            f"tenth by supply ratio, {int(bench['products'].sum())} products), under the "
            "share cap and "
            "capacity; headroom and gravity are bounds shown beside it",
        ],
    )
    return ranked


def _gravity(wh: Warehouse, exporter: str, market: str, period: str, groups: tuple[str, ...],
             dataset: str, gdp_year: int, min_markets: int, cache: Path | None) -> pd.DataFrame:
    """The gravity benchmark (:func:`~tradegap.analysis.gravity_potential.gravity_potential`),
    read from ``cache`` when it holds the fit of the same dataset version and settings."""
    import hashlib
    import json

    from tradegap.analysis.gravity_potential import gravity_potential, market_covariates

    path = None
    if cache is not None:
        key = json.dumps([wh.dataset(dataset).fingerprint, exporter, market, period,
                          sorted(groups), gdp_year, min_markets])
        path = Path(cache) / f"gravity-{hashlib.sha256(key.encode()).hexdigest()[:20]}.parquet"
        if path.is_file():
            return pd.read_parquet(path)
    exports = gravity_exports(wh, exporter, period=period, groups=groups, dataset=dataset)
    grav = gravity_potential(exports, market_covariates(exporter, gdp_year), market,
                             min_markets=min_markets)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        grav.attrs = {}
        grav.to_parquet(tmp)
        tmp.replace(path)
    return grav


def _params_dict(params: HeadroomParams, current_year: int, capacity_period: str,
                 gdp_year: int, min_markets: int, benchmark: BenchmarkParams | None = None,
) -> dict[str, Any]:
    return {
        **({"benchmark_quantile": benchmark.quantile, "benchmark_bins": benchmark.bins}
           if benchmark else {}),
        "share_cap": params.share_cap,
        "share_cap_by_group": dict(params.share_cap_by_group),
        "capacity_share": params.capacity_share,
        "min_demand": params.min_demand,
        "net_exporter_ratio": params.net_exporter_ratio,
        "current_year": current_year,
        "capacity_period": capacity_period,
        "gdp_year": gdp_year,
        "min_markets": min_markets,
    }


def hs6_detail(
    wh: Warehouse,
    products: Iterable[str],
    exporter: str = "IND",
    market: str = "RUS",
    *,
    current_year: int = 2024,
    capacity_period: str = "FY2024-25",
    current_dataset: str = "russia-customs-mirror",
    capacity_dataset: str = "india-dgcis",
    top: int = 3,
) -> pd.DataFrame:
    """The HS6 lines inside HS4 ``products``: the exporter's sales to the market (calendar
    ``current_year``, HS6 in the bilateral data) and to the world (``capacity_period``, HS8
    summed to HS6), the ``top`` lines per HS4 by world sales. The market's demand exists at
    HS4 only, so there is no headroom at HS6: this shows *which* goods inside a heading the
    exporter makes and already sells. Columns ``hs4, product, name, current, capacity,
    share_of_capacity_in_hs4``."""
    codes = [str(p) for p in products]
    if not codes:
        return pd.DataFrame(columns=["hs4", "product", "name", "current", "capacity",
                                     "share_of_capacity_in_hs4"])
    marks = ", ".join("?" for _ in codes)
    con = wh.connect()
    try:
        current = con.execute(
            f"SELECT substr(product, 1, 6) AS product, sum(value_usd) AS current FROM flows "
            f"WHERE dataset = ? AND exporter = ? AND importer = ? AND year = ? AND "
            f"substr(product, 1, 4) IN ({marks}) GROUP BY 1",
            [current_dataset, exporter, market, current_year, *codes]).df()
        capacity = con.execute(
            f"SELECT substr(product, 1, 6) AS product, sum(value_usd) AS capacity FROM flows "
            f"WHERE dataset = ? AND exporter = ? AND period = ? AND "
            f"substr(product, 1, 4) IN ({marks}) GROUP BY 1",
            [capacity_dataset, exporter, capacity_period, *codes]).df()
    finally:
        con.close()
    out = capacity.merge(current, on="product", how="outer")
    out["current"] = out["current"].fillna(0.0)
    out["hs4"] = out["product"].str[:4]
    total = out.groupby("hs4")["capacity"].transform("sum")
    out["share_of_capacity_in_hs4"] = out["capacity"] / total.where(total > 0)
    out = out.sort_values(["hs4", "capacity"], ascending=[True, False])
    out = out.groupby("hs4", sort=False).head(top)
    out["name"] = _names(out["product"])
    order = {c: i for i, c in enumerate(codes)}
    out = out.sort_values(["hs4", "capacity"], key=lambda s: s.map(order) if s.name == "hs4"
                          else -s.fillna(0))
    return out[["hs4", "product", "name", "current", "capacity",
                "share_of_capacity_in_hs4"]].reset_index(drop=True)
