"""The ranked package: each measure's size by year, the share of the trade gap and of the
idle-balance gap it closes, its cost, its time to effect, and its Monte Carlo band.

Definitions (US$; years are plan years):

* trade gap of year t = the surplus side's sales − the deficit side's baseline sales; a measure
  closes ``extra purchases in the final year / final year's gap`` of it (only purchases close
  the trade gap; the financial drains move the money, not the trade);
* idle-balance gap = the idle balance at the horizon's end with no measures (opening balance +
  every month's net inflow); a measure closes ``what it drained over the horizon / that
  balance`` (in local currency, so the shares and the residual sum to one by conservation);
* cost: freight for purchases, the spread for conversion, the fee for netting, minus the yield
  earned for assets (a negative cost is income); time to effect = the first month it drains.

Measures are ranked by the sum of the two shares closed (ties: by money moved)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tradegap.measures.model import MONEY, Built
from tradegap.measures.scenario import MONTHS_PER_YEAR, MeasuresScenario
from tradegap.measures.solve import drain_series

KIND = {"purchases": "purchases", "asset": "financial asset", "investment": "investment",
        "fund": "joint technology fund", "conversion": "conversion", "netting": "netting"}


def label(sc: MeasuresScenario, key: str) -> str:
    """A readable name for a drain key such as ``purchases:agri`` or ``netting``."""
    if key.startswith("purchases:"):
        return f"Extra purchases: {key.split(':', 1)[1]}"
    if key.startswith("asset:"):
        return key.split(":", 1)[1]
    if key == "conversion" and sc.conversion is not None:
        return f"Conversion to {sc.conversion.currency or 'a third currency'}"
    if key == "netting" and sc.netting is not None:
        via = sc.netting.via or "a third country"
        return f"Multilateral netting via {via}" + (
            f" ({sc.netting.currency})" if sc.netting.currency else "")
    return {"investment": "Project and direct investment",
            "fund": "Joint technology fund"}.get(key, key)


def measure_table(sc: MeasuresScenario, built: Built, x: np.ndarray,
                  table: pd.DataFrame) -> pd.DataFrame:
    """One row per measure with its size by year (``usd_<year>`` columns) and the shares."""
    xi = built.xi
    drains = drain_series(sc, built, x)
    gap = sc.trade_gap()
    opening = sc.opening_balance_usd / MONEY * xi[0]
    inflow = np.repeat(sc.surplus_exports(), MONTHS_PER_YEAR) / MONTHS_PER_YEAR \
        * sc.settled_share / MONEY * xi
    base = np.repeat(np.asarray(sc.deficit_exports_usd, float), MONTHS_PER_YEAR) \
        / MONTHS_PER_YEAR * sc.import_settled_share / MONEY * xi
    idle_gap = opening + float(np.sum(inflow - base))
    months = sc.month_labels()
    rows = []
    for key, series in drains.items():
        usd_month = series / xi * MONEY
        if key.startswith("purchases:"):
            g = key.split(":", 1)[1]
            sel = table[table["group"] == g]
            by_year = sel.groupby("year")["extra_usd"].sum()
            size = np.array([by_year.get(y, 0.0) for y in sc.year_labels])
            cost = float(sel["freight_usd"].sum())
            trade_share = size[-1] / gap[-1] if gap[-1] > 0 else np.nan
        else:
            size = usd_month.reshape(sc.years, MONTHS_PER_YEAR).sum(axis=1)
            cost = _cost(sc, key, built, x, series)
            trade_share = 0.0
        if float(np.abs(size).sum()) < 1.0 and float(np.abs(series).sum()) * MONEY < 1.0:
            continue
        moved = float(series.sum())
        first = np.flatnonzero(series * MONEY > 1.0)
        rows.append({
            "measure": label(sc, key), "key": key, "kind": KIND[key.split(":")[0]],
            **{f"usd_{y}": float(v) for y, v in zip(sc.year_labels, size, strict=True)},
            "total_usd": float(size.sum()),
            "share_trade_gap": float(trade_share),
            "share_idle_gap": moved / idle_gap if idle_gap > 0 else np.nan,
            "cost_usd": cost,
            "time_to_effect": months[first[0]] if len(first) else None,
            "months_to_effect": int(first[0]) if len(first) else None,
        })
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["rank_score"] = out["share_trade_gap"].fillna(0) + out["share_idle_gap"].fillna(0)
    out = out.sort_values(["rank_score", "total_usd"], ascending=False).reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out.drop(columns="rank_score")


def _cost(sc: MeasuresScenario, key: str, built: Built, x: np.ndarray,
          series: np.ndarray) -> float:
    lay, M, xi = built.layout, built.M, built.xi
    if key == "conversion":
        return float(np.sum(series * sc.conversion.cost_share / xi)) * MONEY
    if key == "netting":
        return float(np.sum(series * sc.netting.cost_share / xi)) * MONEY
    if key.startswith("asset:"):
        i = [a.name for a in sc.assets].index(key.split(":", 1)[1])
        stock = x[lay.assets[i][1]:lay.assets[i][1] + M]
        return -float(np.sum(stock * sc.assets[i].yield_per_year / MONTHS_PER_YEAR / xi)) \
            * MONEY
    return 0.0


def residual(sc: MeasuresScenario, built: Built, x: np.ndarray, ledger: pd.DataFrame,
             table: pd.DataFrame) -> dict[str, float | str]:
    """What remains: the final year's trade gap after extra purchases, and the idle balance."""
    gap = sc.trade_gap()
    final = sc.year_labels[-1]
    bought = float(table.loc[table["year"] == final, "extra_usd"].sum()) if len(table) else 0.0
    idle = ledger["idle_usd"].to_numpy()
    base = ledger["baseline_idle_usd"].to_numpy()
    peak = int(np.argmax(idle))
    return {
        "final_year": final,
        "trade_gap_baseline_usd": float(gap[-1]),
        "extra_purchases_final_usd": bought,
        "trade_gap_residual_usd": float(gap[-1] - bought),
        "trade_gap_closed_share": bought / gap[-1] if gap[-1] > 0 else float("nan"),
        "idle_baseline_end_usd": float(base[-1]),
        "idle_end_usd": float(idle[-1]),
        "idle_gap_closed_share": 1.0 - float(ledger["idle_local"].iloc[-1]
                                             / ledger["baseline_idle_local"].iloc[-1])
        if ledger["baseline_idle_local"].iloc[-1] > 0 else float("nan"),
        "idle_peak_usd": float(idle[peak]),
        "idle_peak_month": str(ledger["month"].iloc[peak]),
        "idle_baseline_peak_usd": float(base.max()),
        "idle_cost_usd": float(np.sum(x[built.layout.b0:built.layout.b0 + built.M]
                                      * sc.idle_rate / MONTHS_PER_YEAR / built.xi)) * MONEY,
    }
