"""What each side of a bilateral relation is made of: composition by HS level, the products that
drive the imbalance, concentration and unit values. Every function reads the ``pair`` table
built by :func:`tradegap.analysis.pair_data.load_pair`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tradegap.analysis.pair_data import PairData
from tradegap.errors import InputError

#: HS levels and the number of leading digits that define them ('section' groups chapters).
LEVEL_DIGITS = {"section": 2, "chapter": 2, "hs4": 4, "hs6": 6}

_KEYS = ["side", "period_type", "period"]


def _check_level(level: str) -> int:
    if level not in LEVEL_DIGITS:
        raise InputError(f"unknown composition level {level!r}", field="level",
                         hint="use one of: " + ", ".join(sorted(LEVEL_DIGITS)))
    return LEVEL_DIGITS[level]


def _by_code(pair: PairData, digits: int) -> pd.DataFrame:
    """Value per side, period and product code cut to ``digits``; rows with fewer digits than
    asked (e.g. an HS4 total asked at HS6) keep their own code and are marked."""
    return pair.con.execute(
        "SELECT side, period_type, period, "
        "CASE WHEN digits >= ? THEN substr(product, 1, ?) ELSE product END AS code, "
        "sum(value_usd) AS value_usd, bool_or(digits < ?) AS coarser "
        "FROM pair GROUP BY ALL",
        [digits, digits, digits],
    ).df()


def _names(level: str, codes: pd.Series) -> pd.Series:
    """English names of HS codes from the reference data; missing names are left empty."""
    from tradegap.reference import products as ref

    if level == "section":
        table = ref.sections()
        return codes.map(dict(zip(table["roman"], table["name"], strict=False)))
    catalogue = ref.products(revision="HS12", level=LEVEL_DIGITS[level])
    return codes.map(dict(zip(catalogue["code"], catalogue["name"], strict=False)))


def _section_of(chapters: pd.Series) -> pd.Series:
    from tradegap.reference import products as ref

    table = ref.sections()
    lookup: dict[str, str] = {}
    for row in table.itertuples():
        for ch in range(int(row.chapter_from), int(row.chapter_to) + 1):
            lookup[f"{ch:02d}"] = row.roman
    return chapters.map(lookup)


def composition(pair: PairData, level: str = "chapter") -> pd.DataFrame:
    """Each side's value by HS section, chapter, HS4 or HS6, with its share of the side's total
    in that period. Columns: side, period_type, period, code, name, value_usd, share."""
    frame = _by_code(pair, _check_level(level))
    if level == "section":
        frame["code"] = _section_of(frame["code"]).fillna("unknown")
        frame = frame.groupby([*_KEYS, "code"], as_index=False).agg(
            value_usd=("value_usd", "sum"), coarser=("coarser", "max")
        )
    totals = frame.groupby(_KEYS)["value_usd"].transform("sum")
    frame["share"] = frame["value_usd"] / totals.where(totals != 0)
    frame["name"] = _names(level, frame["code"])
    frame = frame.sort_values([*_KEYS, "value_usd"], ascending=[True, True, True, False])
    return frame[[*_KEYS, "code", "name", "value_usd", "share", "coarser"]].reset_index(drop=True)


def drivers(pair: PairData, level: str = "hs4", top: int = 15) -> pd.DataFrame:
    """The products that contribute most to the imbalance, per period.

    net_k = exports_k − imports_k (seen from ``a``); contribution_k = net_k / Σ_k net_k, the
    share of the balance explained by product k (shares sum to 1 over all products, and can be
    negative for products that work against the imbalance). Only periods where both sides have
    product data are shown.
    """
    frame = _by_code(pair, _check_level(level))
    # one row per side, period and code already (_by_code groups by them): a reshape, no sum
    wide = (frame.set_index(["period_type", "period", "code", "side"])["value_usd"]
            .unstack("side", fill_value=0.0).reset_index())
    for side in ("exports", "imports"):
        if side not in wide:
            return pd.DataFrame(
                columns=[
                    "period_type",
                    "period",
                    "code",
                    "name",
                    "exports",
                    "imports",
                    "net",
                    "contribution",
                ]
            )
    wide["net"] = wide["exports"] - wide["imports"]
    balance = wide.groupby(["period_type", "period"])["net"].transform("sum")
    wide["contribution"] = wide["net"] / balance.where(balance != 0)
    # rank within the period by how much the product pushes in the balance's own direction
    wide["_push"] = wide["net"] * np.sign(balance)
    wide = wide.sort_values(["period_type", "period", "_push"], ascending=[True, True, False])
    wide = wide.groupby(["period_type", "period"]).head(top)
    wide["name"] = _names(level, wide["code"])
    cols = ["period_type", "period", "code", "name", "exports", "imports", "net", "contribution"]
    return wide[cols].reset_index(drop=True)


def concentration(pair: PairData, level: str = "hs6") -> pd.DataFrame:
    """Normalised Herfindahl–Hirschman index of each side's product shares, per period, with
    the number of products and the top product's share (see
    :func:`tradegap.analysis.indicators.hhi`)."""
    from tradegap.analysis.indicators import hhi

    frame = _by_code(pair, _check_level(level))
    frame = frame[frame["value_usd"] > 0]
    rows = []
    for (side, ptype, period), group in frame.groupby(_KEYS):
        values = group["value_usd"].to_numpy()
        total = values.sum()
        top = group.loc[group["value_usd"].idxmax()]
        rows.append(
            {
                "side": side,
                "period_type": ptype,
                "period": period,
                "products": int(len(values)),
                "hhi_normalised": float(hhi(values, normalised=True)),
                "top_code": top["code"],
                "top_share": float(top["value_usd"] / total) if total else np.nan,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[*_KEYS, "products", "hhi_normalised", "top_code", "top_share"],
    )


def unit_values(pair: PairData, level: str = "hs6") -> pd.DataFrame:
    """US$ per unit of quantity, where quantities exist, per side, period, product and unit."""
    digits = _check_level(level)
    return pair.con.execute(
        "SELECT side, period_type, period, substr(product, 1, ?) AS code, quantity_unit, "
        "sum(value_usd) AS value_usd, sum(quantity) AS quantity, "
        "sum(value_usd) / sum(quantity) AS unit_value "
        "FROM pair WHERE quantity > 0 AND quantity_unit IS NOT NULL AND digits >= ? "
        "GROUP BY ALL ORDER BY side, period, value_usd DESC",
        [digits, digits],
    ).df()
