"""HS products: names by revision, the 21 HS sections, and conversion between revisions.

Product lists come from atlas-common-data (``classification/product/hs92.csv``, ``hs12.csv``,
``hs22.csv``; its ``product_level`` 1 is the Atlas's own ten *sectors*, not HS sections, so it
is not offered here). Revisions atlas does not list (HS96, HS02, HS07, HS17) get their
6-digit codes from the conversion tables and borrow names from the nearest listed revision.
Sections: ``tradegap/data/hs_sections.csv`` (WCO, Harmonized System Nomenclature 2022).
Conversion: the Growth Lab's trade-weighted concordance weights (``conversion_weights/``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from tradegap.errors import InputError
from tradegap.reference._atlas import atlas_path, own_data, read_atlas_csv

#: Canonical revision name → atlas/UN Comtrade code (H0 … H6).
REVISIONS: dict[str, str] = {
    "HS92": "H0", "HS96": "H1", "HS02": "H2", "HS07": "H3", "HS12": "H4", "HS17": "H5",
    "HS22": "H6",
}
_ORDER = list(REVISIONS)
_LISTED = {"HS92": "hs92", "HS12": "hs12", "HS22": "hs22"}
#: Where unlisted revisions borrow names, nearest first.
_NAME_FROM = {"HS96": ["HS92", "HS12"], "HS02": ["HS92", "HS12"], "HS07": ["HS12", "HS92"],
              "HS17": ["HS12", "HS22"]}
_ALIASES = {"H0": "HS92", "H1": "HS96", "H2": "HS02", "H3": "HS07", "H4": "HS12", "H5": "HS17",
            "H6": "HS22", "HS1992": "HS92", "HS1996": "HS96", "HS2002": "HS02", "HS2007": "HS07",
            "HS2012": "HS12", "HS2017": "HS17", "HS2022": "HS22"}
#: Atlas codes that are not products.
_NOT_PRODUCTS = {"XXXX", "XXXXXX", "9999AA"}


def normalise_revision(revision: str) -> str:
    """``'H4'``, ``'hs12'``, ``'HS2012'`` → ``'HS12'``; anything else is an InputError."""
    key = str(revision).strip().upper().replace(" ", "").replace("-", "")
    key = _ALIASES.get(key, key)
    if key not in REVISIONS:
        raise InputError(f"unknown HS revision {revision!r}", field="revision",
                         hint=f"use one of {', '.join(REVISIONS)} (or H0 … H6)")
    return key


@lru_cache(maxsize=1)
def _sections() -> pd.DataFrame:
    frame = pd.read_csv(own_data("hs_sections.csv"), dtype={"roman": str, "name": str})
    return frame


def sections() -> pd.DataFrame:
    """The 21 HS sections: ``section`` (1–21), ``roman``, ``name``, ``chapter_from``,
    ``chapter_to`` (WCO HS 2022 nomenclature)."""
    return _sections().copy()


def section_of_chapter(chapters: pd.Series) -> pd.Series:
    """Section number (1–21) of each chapter (``'27'`` or ``27``); ``<NA>`` for 77, 98, 99."""
    sec = _sections()
    bins = np.zeros(100, dtype="int64")
    for row in sec.itertuples(index=False):
        bins[row.chapter_from: row.chapter_to + 1] = row.section
    bins[77] = 0
    ch = pd.to_numeric(pd.Series(chapters), errors="coerce")
    out = pd.Series(pd.NA, index=ch.index, dtype="Int64")
    ok = ch.notna() & (ch >= 1) & (ch <= 99)
    out[ok] = bins[ch[ok].astype("int64").to_numpy()]
    return out.mask(out == 0)


@lru_cache(maxsize=8)
def _listed(revision: str) -> pd.DataFrame:
    raw = read_atlas_csv("classification", "product", f"{_LISTED[revision]}.csv",
                         dtype={"code": str, "product_level": "int64"}, keep_default_na=False,
                         na_values=[""])
    raw = raw[raw["product_level"].isin([2, 4, 6]) & ~raw["code"].isin(_NOT_PRODUCTS)]
    return pd.DataFrame({"code": raw["code"].str.zfill(raw["product_level"].max()).where(
        raw["product_level"] == 6, raw["code"]), "name": raw["name_en"],
        "level": raw["product_level"]}).reset_index(drop=True)


@lru_cache(maxsize=8)
def _derived_codes(revision: str) -> list[str]:
    h = REVISIONS[revision]
    codes: set[str] = set()
    i = _ORDER.index(revision)
    for j in (i - 1, i + 1):
        if 0 <= j < len(_ORDER):
            other = REVISIONS[_ORDER[j]]
            table = _weights(other, h)
            codes |= set(table[h])
    return sorted(codes)


@lru_cache(maxsize=8)
def _products(revision: str) -> pd.DataFrame:
    if revision in _LISTED:
        frame = _listed(revision)
    else:
        donors = [_listed(r) for r in _NAME_FROM[revision]]
        names: dict[str, str] = {}
        for donor in reversed(donors):  # nearest revision wins
            names.update(zip(donor["code"], donor["name"], strict=True))
        six = pd.DataFrame({"code": _derived_codes(revision)})
        six["name"] = six["code"].map(names)
        six["level"] = 6
        upper = donors[0][donors[0]["level"] < 6]
        frame = pd.concat([upper, six], ignore_index=True)
    frame = frame.copy()
    frame["chapter"] = frame["code"].str[:2]
    frame["section"] = section_of_chapter(frame["chapter"])
    frame["level"] = frame["level"].astype("int64")
    return frame.sort_values(["level", "code"]).reset_index(drop=True)


def products(revision: str = "HS12", level: int = 6) -> pd.DataFrame:
    """HS products of ``revision`` at ``level`` (2 chapters, 4 headings, 6 subheadings):
    ``code`` (string, leading zeros kept), ``name``, ``level``, ``chapter``, ``section``.
    Includes ``99``/``9999``/``999999`` (commodities not specified), whose section is empty."""
    rev = normalise_revision(revision)
    if level not in (2, 4, 6):
        hint = ("atlas 'level 1' is the Atlas's ten sectors, not HS sections: use sections()"
                if level == 1 else "use 2, 4 or 6")
        raise InputError(f"no HS level {level}", field="level", hint=hint)
    frame = _products(rev)
    return frame[frame["level"] == level].reset_index(drop=True).copy()


@lru_cache(maxsize=8)
def _names_by_code(rev: str) -> dict[str, str]:
    """Code → name of every level of ``rev`` (the first row wins, as in the table's order)."""
    frame = _products(rev)
    names: dict[str, str] = {}
    for code, name in zip(frame["code"], frame["name"], strict=True):
        if isinstance(name, str):
            names.setdefault(code, name)
    return names


def product_name(code: str, revision: str = "HS12") -> str | None:
    """Name of an HS code (2, 4 or 6 digits) in ``revision``, or ``None``."""
    return _names_by_code(normalise_revision(revision)).get(str(code))


# -- conversion ------------------------------------------------------------------------------
@lru_cache(maxsize=16)
def _weights(src: str, dst: str) -> pd.DataFrame:
    path = atlas_path("conversion_weights", f"conversion_weights_{src}_to_{dst}.csv")
    table = pd.read_csv(path, usecols=[src, dst, "weight"], dtype={src: str, dst: str})
    table = table[table["weight"] > 0].copy()
    table[src] = table[src].str.zfill(6)
    table[dst] = table[dst].str.zfill(6)
    return table.reset_index(drop=True)


def conversion_path(from_revision: str, to_revision: str) -> list[tuple[str, str]]:
    """The chain of adjacent steps, e.g. HS12 → HS22 is [(H4, H5), (H5, H6)]."""
    a, b = _ORDER.index(normalise_revision(from_revision)), _ORDER.index(
        normalise_revision(to_revision))
    step = 1 if b >= a else -1
    return [(REVISIONS[_ORDER[i]], REVISIONS[_ORDER[i + step]]) for i in range(a, b, step)]


def convert(
    frame: pd.DataFrame,
    from_revision: str,
    to_revision: str,
    *,
    code: str = "product",
    values: list[str] | str | None = None,
) -> pd.DataFrame:
    """Convert HS6 codes in column ``code`` from one revision to another, chaining adjacent
    steps (HS12 → HS22 goes through HS17). Each value column is split across target codes by
    the Growth Lab's trade-based concordance weights (weights of a source code sum to 1), then
    summed by target code and every other column, so totals are preserved. Codes without a
    concordance row (e.g. ``999999``) are kept unchanged and counted in
    ``result.attrs['unmatched_codes']``.

    ``values`` defaults to every float column (``value_usd``, ``quantity`` …). A column
    ``hs_revision``, if present, is set to the target revision.
    """
    if code not in frame.columns:
        raise InputError(f"no column {code!r} to convert", field=code,
                         hint="name the product-code column with code=…")
    target = normalise_revision(to_revision)
    if values is None:
        values = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    elif isinstance(values, str):
        values = [values]
    codes = frame[code].astype(str)
    bad = codes.str.len() != 6
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"product code {codes.iloc[row]!r} is not a 6-digit HS code",
                         line=row + 1, field=code,
                         hint="aggregate to HS6 (first six digits) before converting revisions")
    out = frame.copy()
    out[code] = codes
    unmatched: set[str] = set()
    for src, dst in conversion_path(from_revision, to_revision):
        w = _weights(src, dst)
        merged = out.merge(w, how="left", left_on=code, right_on=src)
        miss = merged[src].isna()
        unmatched |= set(merged.loc[miss, code])
        merged.loc[miss, "weight"] = 1.0
        merged.loc[miss, dst] = merged.loc[miss, code]
        for col in values:
            merged[col] = merged[col] * merged["weight"]
        merged[code] = merged[dst]
        out = merged.drop(columns=[c for c in (src, dst, "weight") if c != code])
    if "hs_revision" in out.columns:
        out["hs_revision"] = target
    keys = [c for c in out.columns if c not in values]
    out = out.groupby(keys, dropna=False, sort=True, observed=True)[values].sum(min_count=1)
    out = out.reset_index()[list(frame.columns)]
    out.attrs["unmatched_codes"] = sorted(unmatched)
    return out
