"""Russia–partner trade by product and month in the Russian customs layout.

Columns: NAPR (flow seen from Russia: 'ИМ' import into Russia, 'ЭК' export from Russia), PERIOD
(first day of the month), STRANA (partner ISO3), TNVED (HS6 for partner-reported rows, 10-digit
EAEU TN VED code for Russian customs rows, 'XXXXXXXXXX' for confidential items), EDIZM (unit:
OKEI numeric code, or the partner's abbreviation), STOIM (US$), NETTO (net weight: kg in FTS
rows, tonnes in MIRROR rows), KOL (quantity in EDIZM units), Source ('FTS' = Russia's Federal
Customs Service; 'MIRROR' = the partner's own statistics rebuilt in this layout).

The two reporting sources describe the same flows from two sides, so they are written as two
datasets (``NAME-fts`` and ``NAME-mirror``) that are never summed together. Within each:
- codes that lost a leading zero (5 characters for HS6, 9 for TN VED) are restored and counted;
- confidential items keep the code 'XXXXXXXXXX' with flag 'confidential', counted;
- rows without a value (STOIM empty) are set aside and counted: a value cannot be invented.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

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
from tradegap.warehouse.schema import FLOWS

REQUIRED = ["NAPR", "PERIOD", "STRANA", "TNVED", "EDIZM", "STOIM", "NETTO", "KOL", "Source"]
FLOW_CODES = {"ИМ": "import", "ЭК": "export"}
SOURCES = {"FTS": "russia-fts", "MIRROR": "partner-mirror"}
CONFIDENTIAL = "XXXXXXXXXX"
#: NETTO is in kilograms in Russia's customs rows but in tonnes in the mirror rows (checked on
#: the data: rice and crude come out at about US$ 450–610 per tonne only when read so).
NETTO_PER_TONNE = {"FTS": 1000.0, "MIRROR": 1.0}


def units() -> pd.DataFrame:
    """Unit codes (OKEI numeric codes and Indian abbreviations) with short names."""
    with resources.files("tradegap.data").joinpath("units.csv").open() as fh:
        return pd.read_csv(fh, dtype=str)


def hs_revision_for(year: int) -> str:
    """The HS revision in force in a calendar year (WCO: HS2007 from 2007, HS2012 from 2012,
    HS2017 from 2017, HS2022 from 2022)."""
    for start, name in ((2022, "HS22"), (2017, "HS17"), (2012, "HS12"), (2007, "HS07")):
        if year >= start:
            return name
    return "HS02"


def parse(
    paths: list[Path],
    *,
    name: str = "russia-customs",
    max_bad_rows: float = DEFAULT_MAX_BAD_ROWS,
    reporter_country: str = "RUS",
    **_: Any,
) -> list[Parsed]:
    """Parse one file in the Russian customs layout into two datasets, ``NAME-fts`` and
    ``NAME-mirror`` (see the module docstring)."""
    if len(paths) != 1:
        raise InputError(f"expected one file, got {len(paths)}", field="PATH")
    path = paths[0]
    frame = read_table(
        path, REQUIRED, layout="Russian customs", text_columns=["TNVED", "EDIZM", "NAPR"]
    )
    bad = BadRows(path, max_bad_rows)
    line = pd.Series(range(2, len(frame) + 2), index=frame.index)  # row numbers, header = 1
    set_aside: dict[str, dict[str, int]] = {"FTS": {}, "MIRROR": {}}

    flow = frame["NAPR"].map(FLOW_CODES)
    source = frame["Source"].where(frame["Source"].isin(list(SOURCES)))
    period = pd.to_datetime(frame["PERIOD"].astype(str), errors="coerce", format="mixed")
    partner = frame["STRANA"].astype(str).str.strip().str.upper()
    code = frame["TNVED"].astype(str).str.strip()
    value = pd.to_numeric(frame["STOIM"], errors="coerce")
    checks = [
        (flow.isna(), "NAPR", frame["NAPR"], "flow code must be 'ИМ' or 'ЭК'"),
        (source.isna(), "Source", frame["Source"], "Source must be 'FTS' or 'MIRROR'"),
        (period.isna(), "PERIOD", frame["PERIOD"], "not a date"),
        (~partner.str.fullmatch(r"[A-Z]{3}"), "STRANA", frame["STRANA"], "not an ISO3 code"),
        (
            ~code.str.fullmatch(r"\d{5,10}|X{10}"),
            "TNVED",
            frame["TNVED"],
            "product code must have 5–10 digits or be XXXXXXXXXX",
        ),
        (value < 0, "STOIM", frame["STOIM"], "negative value"),
        (frame["STOIM"].notna() & value.isna(), "STOIM", frame["STOIM"], "not a number"),
        *(  # quantities: blank, or a number (never silently dropped)
            (frame[col].notna() & (frame[col].astype(str).str.strip() != "")
             & pd.to_numeric(frame[col], errors="coerce").isna(), col, frame[col], "not a number")
            for col in ("NETTO", "KOL")
        ),
    ]
    malformed = pd.Series(False, index=frame.index)
    for mask, field_name, raw, reason in checks:
        mask = mask.fillna(True) & ~malformed
        for idx in mask[mask].index[:1000]:
            bad.add(int(line[idx]), field_name, raw[idx], reason)
        bad.count += int(mask.sum()) - min(int(mask.sum()), 1000)
        malformed |= mask
    bad.check(len(frame))

    restored = (code.str.len() == 5) | (code.str.len() == 9)
    code = code.where(~restored, "0" + code)
    ok = ~malformed
    unit_table = units().set_index("code")
    raw_unit = frame["EDIZM"].astype("string").str.strip()
    okei = raw_unit.str.fullmatch(r"\d{1,3}").fillna(False)
    unit_key = raw_unit.where(~okei, raw_unit.str.zfill(3))
    unit = unit_key.map(unit_table["unit"])
    unknown_unit = raw_unit.notna() & unit.isna()

    out_frames: list[Parsed] = []
    digest = fingerprint([path], name=name, reporter_country=reporter_country)
    for src, src_label in SOURCES.items():
        mask = ok & (source == src)
        no_value = mask & value.isna()
        if no_value.any():
            set_aside[src]["value missing (STOIM empty)"] = int(no_value.sum())
        keep = mask & ~no_value
        sub_flow = flow[keep]
        importing = sub_flow == "import"  # import into Russia: partner → Russia
        year = period[keep].dt.year
        exporter = partner[keep].where(importing, reporter_country)
        importer = pd.Series(reporter_country, index=exporter.index).where(importing, partner[keep])
        # who declared the row: Russia's customs declare as Russia; the mirror rows are the
        # partner's own declarations (its exports when Russia imports, and vice versa)
        if src == "FTS":
            reporter = importing.map({True: "importer", False: "exporter"})
        else:
            reporter = importing.map({True: "exporter", False: "importer"})
        product = code[keep]
        conf = product == CONFIDENTIAL
        # quantity: net weight in tonnes where recorded (comparable with BACI and Comtrade),
        # else the supplementary quantity in its own unit
        tonnes = pd.to_numeric(frame.loc[keep, "NETTO"], errors="coerce") / NETTO_PER_TONNE[src]
        supplementary = pd.to_numeric(frame.loc[keep, "KOL"], errors="coerce")
        own_unit = unit[keep].where(~unknown_unit[keep], "code " + raw_unit[keep].fillna(""))
        has_weight = tonnes > 0
        quantity = tonnes.where(has_weight, supplementary)
        quantity_unit = pd.Series("t", index=tonnes.index, dtype="object").where(
            has_weight, own_unit
        )
        table = pd.DataFrame(
            {
                "period": period[keep].dt.strftime("%Y-%m"),
                "period_type": "month",
                "year": year.astype("int16"),
                "month": period[keep].dt.month.astype("int8"),
                "exporter": exporter,
                "importer": importer,
                "product": product,
                "hs_revision": (
                    "TNVED-EAEU" if src == "FTS" else year.map(hs_revision_for).astype("object")
                ),
                "digits": product.str.len().where(~conf, 10).astype("int8"),
                "value_usd": value[keep].astype("float64"),
                "quantity": quantity,
                "quantity_unit": quantity_unit,
                "source": src_label,
                "reporter": reporter,
                "flag": pd.Series(None, index=product.index, dtype="object").where(
                    ~conf, "confidential"
                ),
            }
        )
        table.loc[~(table["quantity"] > 0), ["quantity", "quantity_unit"]] = None  # not recorded
        provenance = {
            "input": file_info(path),
            "reporting_source": src,
            "reporting_source_label": (
                "Russia's Federal Customs Service"
                if src == "FTS"
                else "the partner's own statistics in Russia's layout (mirror)"
            ),
            "rows": int(len(table)),
            "codes_restored_leading_zero": int((restored & mask).sum()),
            "confidential_rows": int(conf.sum()),
            "confidential_value_usd": float(table.loc[conf.to_numpy(), "value_usd"].sum()),
            "unknown_unit_rows": int((unknown_unit & keep).sum()),
            "net_weight_tonnes": float(tonnes.sum()),
            "periods": [str(period[keep].min().date()), str(period[keep].max().date())]
            if keep.any()
            else [],
        }
        if src == "MIRROR":
            provenance["coverage"] = "partner-reported values, rounded to US$10,000"
        out_frames.append(
            Parsed(
                dataset=f"{name}-{src.lower()}",
                source="russia-customs",
                data=pa.Table.from_pandas(table, schema=FLOWS, preserve_index=False),
                fingerprint=digest + src,
                rows_read=int(mask.sum()),
                set_aside={**set_aside[src], **({"malformed": bad.count} if bad.count else {})},
                issues=list(bad.issues),
                provenance=provenance,
            )
        )
    return out_frames
