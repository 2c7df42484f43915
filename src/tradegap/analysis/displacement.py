"""Who would be displaced if an exporter realised its untapped potential in a market.

For each product k of an export-potential result, the market's current suppliers s, their
values v_s (the same window averages as the potential) and shares v_s / M_k, and the values and
shares after the exporter i adds its untapped potential U_k, under one of two assumptions:

* ``"constant"`` (default) — the market's imports stay at M_k: i gains
  ``g = min(U_k, M_k − x_k)`` and every competitor loses in proportion to its value,
  ``v_c' = v_c · (M_k − x_k − g) / (M_k − x_k)``; shares after are ``v' / M_k``. Competitors
  keep their shares of what i does not supply: a simple proportional-displacement assumption,
  not an estimate of substitution elasticities between suppliers.
* ``"grows"`` — i's extra sales add to the market: ``M_k' = M_k + U_k``, competitors keep their
  values, shares after are ``v / M_k'``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from tradegap.analysis.potential import PotentialResult, check_flows, window_average
from tradegap.errors import InputError

Assumption = Literal["constant", "grows"]
OTHERS = "OTHERS"


def displacement(
    flows: pd.DataFrame,
    potential: PotentialResult | pd.DataFrame,
    assumption: Assumption = "constant",
    top_suppliers: int | None = 10,
    *,
    exporter: str | None = None,
    market: str | None = None,
    year: int | None = None,
    window: int | None = None,
) -> pd.DataFrame:
    """One row per product × supplier: ``product, supplier, is_exporter, value_now, share_now,
    value_after, share_after, change_usd``. ``potential`` is a :class:`PotentialResult` or a
    table with ``product`` and ``untapped`` (then give ``exporter``, ``market``, ``year`` and
    ``window``). ``top_suppliers`` keeps the largest competitors and sums the rest as
    ``OTHERS``."""
    if assumption not in ("constant", "grows"):
        raise InputError(f"unknown assumption {assumption!r}", field="assumption",
                         hint="use 'constant' (market imports fixed) or 'grows'")
    if isinstance(potential, PotentialResult):
        table = potential.table
        exporter, market = potential.exporter, potential.market
        year, window = potential.year, potential.params.window
    else:
        table = potential
        if None in (exporter, market, year, window):
            raise InputError("a plain potential table needs exporter, market, year and window")
    untapped = table.set_index("product")["untapped"].astype(float)
    avg = window_average(check_flows(flows), int(year), int(window))
    into = avg[(avg["importer"] == market) & avg["product"].isin(untapped.index)]
    frames = []
    for product, u in untapped.items():
        v = into[into["product"] == product].set_index("exporter")["value_usd"]
        if exporter not in v.index:
            v = pd.concat([v, pd.Series({exporter: 0.0})])
        frames.append(_one_product(product, v, float(u), exporter, assumption, top_suppliers))
    if not frames:
        return pd.DataFrame(columns=["product", "supplier", "is_exporter", "value_now",
                                     "share_now", "value_after", "share_after", "change_usd"])
    return pd.concat(frames, ignore_index=True)


def _one_product(
    product: str, v: pd.Series, u: float, exporter: str, assumption: str, top: int | None
) -> pd.DataFrame:
    m = float(v.sum())
    x = float(v[exporter])
    after = v.copy()
    if assumption == "constant":
        rest = m - x
        gain = min(u, rest)
        scale = (rest - gain) / rest if rest > 0 else 1.0
        after = v * scale
        after[exporter] = x + gain
        m_after = m
    else:
        after[exporter] = x + u
        m_after = m + u
    out = pd.DataFrame({"supplier": v.index, "value_now": v.to_numpy(),
                        "value_after": after.reindex(v.index).to_numpy()})
    out["is_exporter"] = out["supplier"] == exporter
    out = out.sort_values(["is_exporter", "value_now"], ascending=False, kind="stable")
    if top is not None and (~out["is_exporter"]).sum() > top:
        keep = out.iloc[: top + 1]
        rest = out.iloc[top + 1:]
        lump = pd.DataFrame({"supplier": [OTHERS], "value_now": [rest["value_now"].sum()],
                             "value_after": [rest["value_after"].sum()], "is_exporter": [False]})
        out = pd.concat([keep, lump], ignore_index=True)
    out["share_now"] = out["value_now"] / m if m > 0 else np.nan
    out["share_after"] = out["value_after"] / m_after if m_after > 0 else np.nan
    out["change_usd"] = out["value_after"] - out["value_now"]
    out.insert(0, "product", product)
    return out[["product", "supplier", "is_exporter", "value_now", "share_now", "value_after",
                "share_after", "change_usd"]]


def displacement_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per product: the exporter's share now and after, and the competitor losing most."""
    rows = []
    for product, g in table.groupby("product", sort=False):
        me = g[g["is_exporter"]]
        comp = g[~g["is_exporter"]].sort_values("change_usd")
        loser = comp.iloc[0] if len(comp) and comp.iloc[0]["change_usd"] < 0 else None
        rows.append({
            "product": product,
            "exporter_share_now": float(me["share_now"].sum()),
            "exporter_share_after": float(me["share_after"].sum()),
            "most_displaced": None if loser is None else loser["supplier"],
            "most_displaced_loss_usd": 0.0 if loser is None else -float(loser["change_usd"]),
        })
    return pd.DataFrame(rows)
