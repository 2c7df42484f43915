"""Realistic extra sales from the market's own demand: the exporter's share of the market's
imports of a product may rise to the share it already holds in *comparable products of the same
market* — products in which it is an equally strong supplier relative to that market's needs.

Why this method. The ITC method (Decreux & Spies 2016, "Export Potential Assessments", ITC)
writes potential as supply × demand × ease, with supply the exporter's share of world supply;
structural gravity (Anderson & van Wincoop 2003; Yotov et al. 2016, ch. 1) gives the same
shape, ``X_ijk / E_jk = (Y_ik / Y_k) · (trade-cost term)``: the exporter's share of a market's
spending on k rises with its supply of k. Without world flows (the world's exports of k are
unknown) the exporter's supply can still be compared with the market's demand. Per HS4 k:

* ``supply_ratio_k = capacity_k / demand_k`` — the exporter's sales of k to the world (its
  national statistics) over the market's imports of k (the market's own demand);
* products the market imports (demand ≥ ``min_demand``) are split into ``bins`` quantile bins of
  ``log supply_ratio``; in each bin the **benchmark share** is the ``quantile`` (default 0.90:
  the best tenth, a frontier in the sense of the trade-potential literature, Armstrong 2007,
  "Measuring trade and trade potential: a survey", Asia Pacific Economic Paper 368) of the
  exporter's current share of the market's imports
  ``share_now_k = current_k / demand_k``, made non-decreasing in the supply ratio (a stronger
  supplier's benchmark is never below a weaker one's);
* ``target_k = min(benchmark_k, s_g)`` with ``s_g`` the group's share cap (the headroom's), and

      demand_room_k   = max(0, target_k · demand_k − current_k)
      capacity_room_k = max(0, c · capacity_k − current_k)
      realistic_k     = min(demand_room_k, capacity_room_k)

``binds`` says what set each figure: ``no demand`` / ``net exporter`` (the headroom's rules),
``capacity``, ``share cap`` (the benchmark reaches the group's cap) or ``share benchmark``
(including products the exporter already holds above the benchmark: realistic 0). A product
the market imports by billions, in which the exporter is a large world supplier, gets the share
the exporter holds in a quarter of its comparably supplied products; one it already dominates
stays at zero. ``why`` says it in words. The benchmark is an empirical regularity of *this*
market, not a forecast: bins of about 70 products, so one product moves it little.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tradegap.errors import InputError

BENCHMARK_COLUMNS = ["bin", "ratio_low", "ratio_high", "products", "benchmark_share"]
DEMAND_POTENTIAL_COLUMNS = ["supply_ratio", "benchmark_share", "target_share", "demand_room",
                            "capacity_room", "realistic", "binds", "why"]


@dataclass(frozen=True)
class BenchmarkParams:
    """Parameters of the share benchmark (see the module docstring)."""

    quantile: float = 0.90
    bins: int = 10
    min_demand: float = 1e6

    def __post_init__(self) -> None:
        if not 0 < self.quantile < 1:
            raise InputError(f"benchmark quantile {self.quantile} is not in (0, 1)",
                             field="benchmark_quantile", hint="e.g. 0.75 (upper quartile)")
        if not 2 <= self.bins <= 100:
            raise InputError(f"benchmark bins {self.bins} not in 2…100", field="benchmark_bins")


def share_benchmarks(inputs: pd.DataFrame, params: BenchmarkParams | None = None) -> pd.DataFrame:
    """The benchmark share per supply-ratio bin from ``product, demand, current, capacity`` of
    every product the market imports (all groups): ``BENCHMARK_COLUMNS``, bins in increasing
    supply ratio; ``ratio_low``/``ratio_high`` are the bin's edges (the first starts at 0, the
    last is open)."""
    params = params or BenchmarkParams()
    t = _eligible(inputs, params)
    if len(t) < params.bins:
        raise InputError(f"only {len(t)} products with demand and capacity; the share "
                         f"benchmark needs at least {params.bins}", field="demand",
                         hint="ingest the market's demand for all products and the exporter's "
                         "exports to the world")
    log_ratio = np.log(t["supply_ratio"])
    t["bin"] = pd.qcut(log_ratio, params.bins, labels=False, duplicates="drop")
    grouped = t.groupby("bin")
    out = pd.DataFrame({
        "bin": grouped.size().index.astype(int),
        "ratio_low": grouped["supply_ratio"].min().to_numpy(),
        "ratio_high": grouped["supply_ratio"].max().to_numpy(),
        "products": grouped.size().to_numpy(),
        "benchmark_share": grouped["share_now"].quantile(params.quantile).to_numpy(),
    })
    out["benchmark_share"] = out["benchmark_share"].cummax()
    return out[BENCHMARK_COLUMNS].reset_index(drop=True)


def _eligible(inputs: pd.DataFrame, params: BenchmarkParams) -> pd.DataFrame:
    t = inputs[["product", "demand", "current", "capacity"]].copy()
    for col in ("demand", "current", "capacity"):
        t[col] = pd.to_numeric(t[col], errors="coerce").astype(float)
    t["current"] = t["current"].fillna(0.0)
    t = t[(t["demand"] >= params.min_demand) & (t["capacity"] > 0)].copy()
    t["supply_ratio"] = t["capacity"] / t["demand"]
    t["share_now"] = t["current"] / t["demand"]
    return t


def benchmark_of(ratio: pd.Series, bench: pd.DataFrame) -> pd.Series:
    """The benchmark share for each supply ratio: the bin whose lower edge is the largest at or
    below it (below the first bin: the first bin's). NaN where the ratio is NaN."""
    edges = bench["ratio_low"].to_numpy()
    idx = np.searchsorted(edges, ratio.fillna(0).to_numpy(), side="right") - 1
    values = bench["benchmark_share"].to_numpy()[np.clip(idx, 0, len(edges) - 1)]
    return pd.Series(np.where(ratio.notna(), values, np.nan), index=ratio.index)


def demand_potential(head: pd.DataFrame, bench: pd.DataFrame, *, capacity_share: float = 1.0,
                     exporter: str = "IND", market: str = "RUS") -> pd.DataFrame:
    """Add ``DEMAND_POTENTIAL_COLUMNS`` to a headroom table
    (:func:`tradegap.analysis.headroom.headroom_table`) from the benchmarks of
    :func:`share_benchmarks`."""
    out = head.copy()
    demand, current = out["demand"], out["current"].fillna(0.0)
    ratio = (out["capacity"] / demand.where(demand > 0)).where(out["capacity"] > 0)
    out["supply_ratio"] = ratio
    out["benchmark_share"] = benchmark_of(ratio, bench)
    out["target_share"] = np.minimum(out["benchmark_share"], out["share_cap"])
    out["demand_room"] = np.maximum(0.0, (out["target_share"] * demand).fillna(0.0) - current)
    out["capacity_room"] = np.maximum(0.0, capacity_share * out["capacity"].fillna(0.0) - current)
    out["realistic"] = np.minimum(out["demand_room"], out["capacity_room"])
    binds = np.where(out["capacity_room"] < out["demand_room"], "capacity",
                     np.where(out["benchmark_share"] >= out["share_cap"], "share cap",
                              "share benchmark"))
    no_room = out["binding"].isin(["no demand", "net exporter"]) | ratio.isna()
    out["binds"] = np.where(no_room, out["binding"].where(
        out["binding"].isin(["no demand", "net exporter"]), "no demand"), binds)
    out.loc[no_room, "realistic"] = 0.0
    out["why"] = [_why(r, exporter, market) for r in out.itertuples(index=False)]
    return out


def money(value: float | None) -> str:
    """US$ in words for the sentences (``US$ 8.10 bn``, ``US$ 386 m``)."""
    if value is None or pd.isna(value):
        return "—"
    if abs(value) >= 1e9:
        return f"US$ {value / 1e9:,.2f} bn"
    return f"US$ {value / 1e6:,.0f} m" if abs(value) >= 1e6 else f"US$ {value:,.0f}"


def _why(r: object, e: str, m: str) -> str:
    """One sentence: what sets this product's figure."""
    g = r.__getattribute__
    binds = g("binds")
    if binds == "no demand":
        return (f"{m} imports too little of it (or {e}'s world sales are not recorded)")
    if binds == "net exporter":
        return f"{m} exports far more of it than it imports"
    share_now, target = g("share_now"), g("target_share")
    base = (f"{m} imports {money(g('demand'))}; {e} holds {share_now:.1%}; in products where "
            f"{e}'s world sales are as large relative to {m}'s imports it holds "
            f"{g('benchmark_share'):.1%}")
    if share_now >= target:
        return f"{base}: {e} already holds more" + (
            f" than the {g('share_cap'):.0%} cap" if binds == "share cap" else "")
    if binds == "capacity":
        return f"{base}; {e}'s world sales ({money(g('capacity'))}) bind"
    if binds == "share cap":
        return f"{base}; capped at {g('share_cap'):.0%} of {m}'s imports"
    return f"{base}: up to {target:.1%}"
