"""An exact price × volume decomposition of a change in trade value, and of the trade gap.

For each product with value ``v = p·q`` in a base year (0) and a comparison year (1), the
Laspeyres–Paasche split with its interaction term is an identity::

    v₁ − v₀ = q₀·Δp  (price, at base volumes)  +  p₀·Δq  (volume, at base prices)  +  Δp·Δq

(Balk 2008, *Price and Quantity Index Numbers*, §2.2). Products without a quantity in both years,
or sold in only one of them, cannot be split: their change is reported as ``unsplit`` so that the
components still sum exactly to the change. The gap's change is the surplus side's change minus
the deficit side's, component by component."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tradegap.errors import InputError

COMPONENTS = ("price", "volume", "interaction", "unsplit")


def decompose(frame: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Split ``v1 − v0`` per product (columns ``v0, q0, v1, q1``; quantities may be NaN) into
    price, volume, interaction and unsplit; sums by ``by`` when given. ``total`` = v1 − v0."""
    missing = [c for c in ("v0", "q0", "v1", "q1") if c not in frame.columns]
    if missing:
        raise InputError(f"decompose needs columns {', '.join(missing)}", field=missing[0])
    f = frame.copy()
    v0, v1 = f["v0"].fillna(0.0).to_numpy(float), f["v1"].fillna(0.0).to_numpy(float)
    q0, q1 = f["q0"].to_numpy(float), f["q1"].to_numpy(float)
    ok = (q0 > 0) & (q1 > 0) & (v0 > 0) & (v1 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p0 = np.where(ok, v0 / q0, 0.0)
        p1 = np.where(ok, v1 / q1, 0.0)
    dq = np.where(ok, q1 - q0, 0.0)
    dp = p1 - p0
    q0z = np.where(ok, q0, 0.0)
    f["price"] = q0z * dp
    f["volume"] = p0 * dq
    f["interaction"] = dp * dq
    f["total"] = v1 - v0
    f["unsplit"] = np.where(ok, 0.0, v1 - v0)
    if by is None:
        return f
    return f.groupby(by, sort=False)[[*COMPONENTS, "total"]].sum().reset_index()


def gap_decomposition(surplus_side: pd.DataFrame, deficit_side: pd.DataFrame,
                      segment: dict[str, str] | None = None) -> pd.DataFrame:
    """The change of the gap (surplus side's sales − deficit side's) by component.

    Each side has columns ``product, v0, q0, v1, q1``. ``segment`` maps a product-code prefix to a
    segment name for the surplus side (e.g. ``{"2709": "crude oil"}``); the rest is "other". Rows:
    one per (side, segment) plus ``gap`` = surplus rows − deficit rows; columns the components and
    ``total``; each row's components sum exactly to its total."""
    segment = segment or {}

    def seg(code: str) -> str:
        return next((name for prefix, name in segment.items() if code.startswith(prefix)),
                    "other products")

    s = surplus_side.copy()
    s["segment"] = s["product"].astype(str).map(seg)
    d = deficit_side.copy()
    d["segment"] = "all products"
    parts = [decompose(s, "segment").assign(side="surplus side's sales"),
             decompose(d, "segment").assign(side="deficit side's sales")]
    out = pd.concat(parts, ignore_index=True)
    cols = [*COMPONENTS, "total"]
    gap = (out.loc[out["side"] == "surplus side's sales", cols].sum()
           - out.loc[out["side"] == "deficit side's sales", cols].sum())
    gap_row = pd.DataFrame([{**gap.to_dict(), "side": "gap", "segment": "change in the gap"}])
    return pd.concat([out, gap_row], ignore_index=True)[["side", "segment", *cols]]
