"""Tariffs: WITS/TRAINS bulk downloads and a tidy layout, normalised to ``TARIFFS``.

WITS layout (World Bank WITS, "Tariff and Trade Analysis" → download, TRAINS or WTO IDB data):
one row per reporter × partner × product × tariff year × duty type, with the columns

    Selected Nomen, Native Nomen, Reporter, Reporter Name, Product, Product Name, Partner,
    Partner Name, Tariff Year, Trade Year, Trade Source, DutyType, Simple Average,
    Weighted Average, Standard Deviation, Minimum Rate, Maximum Rate, Nbr of Total Lines,
    Nbr of Domestic Peaks, Nbr of International Peaks, Imports Value in 1000 USD, …

Reporter and Partner are Comtrade numeric codes (M49 except a few, e.g. India 699; 000 =
World) or ISO3; DutyType AHS (effectively
applied), MFN, BND (bound), PRF (preferential). Rates are percent. An optional column
``AVE`` (or ``Ad valorem equivalent``) says whether specific duties are converted; WITS lets
the user choose that at download, so without the column ``ave`` is unknown (null).

Tidy layout: ``reporter, partner, product, year, duty_type, simple_average_pct`` and optionally
``weighted_average_pct, min_rate_pct, max_rate_pct, lines, imports_usd, nomenclature, ave``.
Malformed rows are counted and set aside (``--max-bad-rows``), never loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from tradegap.errors import InputError
from tradegap.sources.base import (
    DEFAULT_MAX_BAD_ROWS,
    BadRows,
    Parsed,
    file_info,
    fingerprint,
    read_table,
)
from tradegap.warehouse.schema import TARIFFS

WITS_REQUIRED = ["Reporter", "Product", "Partner", "Tariff Year", "DutyType", "Simple Average"]
TIDY_REQUIRED = ["reporter", "partner", "product", "year", "duty_type", "simple_average_pct"]
DUTY_TYPES = {"AHS": "applied", "MFN": "mfn", "BND": "bound", "PRF": "preferential",
              "APPLIED": "applied", "BOUND": "bound", "PREFERENTIAL": "preferential"}
WITS_NUMBERS = {"Weighted Average": "weighted_average_pct", "Minimum Rate": "min_rate_pct",
                "Maximum Rate": "max_rate_pct", "Nbr of Total Lines": "lines"}
TIDY_NUMBERS = ["weighted_average_pct", "min_rate_pct", "max_rate_pct", "lines", "imports_usd"]


#: UN Comtrade/WITS numbers that differ from UN M49 (WITS uses Comtrade's): India 699 (M49
#: 356), France 251, USA 842, Switzerland 757, Norway 579, Italy 381, "Other Asia, nes" 490
#: (Taiwan), the European Union 918 (WITS: EUN); 000 is the World.
COMTRADE_CODES = {0: "WLD", 699: "IND", 251: "FRA", 842: "USA", 757: "CHE", 579: "NOR",
                  381: "ITA", 490: "TWN", 918: "EUN"}


def _country(value: Any) -> str | None:
    """ISO3 from a Comtrade/M49 number or an ISO3 code."""
    from tradegap.reference.countries import m49_to_iso3

    text = str(value).strip()
    if text.isdigit():
        number = int(text)
        return COMTRADE_CODES.get(number) or m49_to_iso3().get(number)
    return text.upper() if len(text) == 3 and text.isalpha() else None


def _layout(path: Path) -> str:
    head = (pd.read_parquet(path).columns if path.suffix.lower() == ".parquet"
            else pd.read_csv(path, nrows=0).columns)
    if "DutyType" in head:
        return "wits"
    if "duty_type" in head:
        return "tidy"
    raise InputError("neither the WITS nor the tidy tariff layout", file=str(path),
                     hint="WITS: Reporter, Partner, Product, Tariff Year, DutyType, Simple "
                     "Average …; tidy: reporter, partner, product, year, duty_type, "
                     "simple_average_pct")


def _normalise(frame: pd.DataFrame, layout: str) -> pd.DataFrame:
    if layout == "wits":
        out = pd.DataFrame({
            "reporter": frame["Reporter"], "partner": frame["Partner"],
            "product": frame["Product"], "year": frame["Tariff Year"],
            "duty_type": frame["DutyType"], "simple_average_pct": frame["Simple Average"],
            "nomenclature": frame.get("Selected Nomen"),
        })
        for col, name in WITS_NUMBERS.items():
            out[name] = frame.get(col)
        imports = frame.get("Imports Value in 1000 USD")
        out["imports_usd"] = None if imports is None else pd.to_numeric(
            imports, errors="coerce") * 1000.0
        ave = frame.get("AVE", frame.get("Ad valorem equivalent"))
    else:
        out = frame[TIDY_REQUIRED].copy()
        for col in [*TIDY_NUMBERS, "nomenclature"]:
            out[col] = frame.get(col)
        ave = frame.get("ave")
    out["ave"] = None if ave is None else ave.map(
        lambda v: None if pd.isna(v) else str(v).strip().lower() in ("1", "true", "yes", "y"))
    return out


def parse(paths: list[Path], *, name: str = "tariffs", layout: str = "auto",
          max_bad_rows: float = DEFAULT_MAX_BAD_ROWS, **_: Any) -> Parsed:
    """Parse one tariff file (CSV or Parquet) of the WITS or tidy layout."""
    if len(paths) != 1:
        raise InputError(f"expected one file, got {len(paths)}", field="PATH")
    path = paths[0]
    if not path.is_file():
        raise InputError("file not found", file=str(path))
    layout = _layout(path) if layout == "auto" else layout
    if layout not in ("wits", "tidy"):
        raise InputError(f"unknown layout {layout!r}", field="--set layout",
                         hint="wits, tidy or auto")
    required = WITS_REQUIRED if layout == "wits" else TIDY_REQUIRED
    text = ["Reporter", "Partner", "Product"] if layout == "wits" else \
        ["reporter", "partner", "product"]
    frame = read_table(path, required, layout=f"{layout} tariffs", text_columns=text)
    t = _normalise(frame, layout)
    bad = BadRows(path, max_bad_rows)
    t["reporter"] = t["reporter"].map(_country)
    t["partner"] = t["partner"].map(_country)
    t["product"] = t["product"].astype(str).str.strip()
    t["duty_type"] = t["duty_type"].astype(str).str.strip().str.upper().map(DUTY_TYPES)
    year = pd.to_numeric(t["year"], errors="coerce")
    rate = pd.to_numeric(t["simple_average_pct"], errors="coerce")
    checks = [
        ("reporter", t["reporter"].isna(), "not an ISO3 or M49 country code"),
        ("partner", t["partner"].isna(), "not an ISO3 or M49 country code"),
        ("product", ~t["product"].str.fullmatch(r"\d{2,10}|TOTAL"), "not an HS code"),
        ("year", year.isna() | (year < 1980) | (year > 2100), "not a year"),
        ("duty_type", t["duty_type"].isna(), "duty type must be AHS, MFN, BND or PRF"),
        ("simple_average_pct", rate.isna() | (rate < 0), "not a rate ≥ 0 (percent)"),
    ]
    wrong = pd.Series(False, index=t.index)
    for col, mask, reason in checks:
        for idx in t.index[mask & ~wrong]:
            bad.add(int(idx) + 2, col, frame.iloc[int(idx)].get(col, t.at[idx, col]), reason)
        wrong |= mask
    bad.check(len(t))
    t = t.loc[~wrong].copy()
    t["year"] = year[~wrong].astype(int)
    t["simple_average_pct"] = rate[~wrong]
    for col in ["weighted_average_pct", "min_rate_pct", "max_rate_pct", "lines", "imports_usd"]:
        t[col] = pd.to_numeric(t[col], errors="coerce")
    t["digits"] = np.where(t["product"] == "TOTAL", 0, t["product"].str.len()).astype(int)
    t["nomenclature"] = t["nomenclature"].where(t["nomenclature"].notna(), None)
    t["source"] = f"tariffs-{layout}"
    set_aside = {"malformed": bad.count} if bad.count else {}
    return Parsed(
        dataset=name, source=f"tariffs-{layout}", kind="tariffs",
        data=pa.Table.from_pandas(t[[f.name for f in TARIFFS]], schema=TARIFFS,
                                  preserve_index=False),
        fingerprint=fingerprint([path], name=name, layout=layout), rows_read=len(frame),
        set_aside=set_aside, issues=list(bad.issues),
        provenance={"input": file_info(path), "layout": layout},
    )
