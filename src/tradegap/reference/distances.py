"""Bilateral distances and gravity dummies: CEPII GeoDist as shipped by atlas-common-data.

Source: Mayer, T. & Zignago, S. (2011), "Notes on CEPII's distances measures: the GeoDist
database", CEPII Working Paper 2011-25 (``data/static/geo_dist.csv`` of atlas-common-data).
``dist_km`` is the great-circle distance between the most populated cities; ``distw_km`` the
population-weighted distance (theta = 1); both in kilometres.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from tradegap.errors import NotFound
from tradegap.reference._atlas import read_atlas_csv

COLUMNS = ["exporter", "importer", "dist_km", "distw_km", "contig", "comlang_off", "colony"]

#: GeoDist (2011) still uses some pre-ISO-change codes; today's ISO3 codes take their rows
#: (Yugoslavia's rows stand for both Serbia and Montenegro, which GeoDist does not separate).
LEGACY_CODES = {"ROM": ("ROU",), "ZAR": ("COD",), "TMP": ("TLS",), "PAL": ("PSE",),
                "YUG": ("SRB", "MNE")}


def _modernise(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename legacy codes to current ISO3 where the current code is absent."""
    present = set(frame["exporter"])
    for old, new_codes in LEGACY_CODES.items():
        targets = [c for c in new_codes if c not in present]
        if old not in present or not targets:
            continue
        parts = [frame[(frame["exporter"] != old) & (frame["importer"] != old)]]
        for code in targets:
            copy = frame[(frame["exporter"] == old) | (frame["importer"] == old)].copy()
            copy["exporter"] = copy["exporter"].replace(old, code)
            copy["importer"] = copy["importer"].replace(old, code)
            parts.append(copy)
        frame = pd.concat(parts, ignore_index=True)
        frame = frame.drop_duplicates(["exporter", "importer"], keep="first")
    return frame


@lru_cache(maxsize=1)
def _distances() -> pd.DataFrame:
    raw = read_atlas_csv("static", "geo_dist.csv")
    frame = raw.rename(columns={"dist": "dist_km", "distw": "distw_km"})[COLUMNS].copy()
    for col in ("contig", "comlang_off", "colony"):
        frame[col] = frame[col].fillna(0).astype("int8")
    frame["exporter"] = frame["exporter"].astype(str)
    frame["importer"] = frame["importer"].astype(str)
    return _modernise(frame).reset_index(drop=True)


def distances() -> pd.DataFrame:
    """Every ordered ISO3 pair (including ``i == i``, the internal distance): ``exporter,
    importer, dist_km, distw_km, contig, comlang_off, colony``. ``distw_km`` may be missing
    for a few territories; fall back to ``dist_km`` there."""
    return _distances().copy()


def distance(a: str, b: str, weighted: bool = False) -> float:
    """Distance in km between ISO3 ``a`` and ``b`` (population-weighted if ``weighted``)."""
    frame = _distances()
    hit = frame[(frame["exporter"] == a.upper()) & (frame["importer"] == b.upper())]
    if hit.empty:
        raise NotFound(f"no distance for the pair {a}–{b} in CEPII GeoDist",
                       hint="use ISO3 codes, e.g. IND and RUS")
    return float(hit.iloc[0]["distw_km" if weighted else "dist_km"])
