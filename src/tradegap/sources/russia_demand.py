"""A market's demand profile by HS4: imports and exports over two 12-month windows.

Layout (Russia's trade by HS4 rebuilt from partner statistics): TNVED4, NAPR ('ИМ' imports,
'ЭК' exports), STOIM_last12 and STOIM_year_before in US$ billion, NETTO_* kg, KOL_*
supplementary units. Built from what partners report, the values are a **lower bound** of the
market's demand (trade through non-reporting partners is missing) and have no supplier
breakdown; every row is flagged 'lower_bound'. A window without data (year_before empty) is
set aside and counted, never read as zero.
"""

from __future__ import annotations

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
from tradegap.warehouse.schema import DEMAND

REQUIRED = ["TNVED4", "NAPR", "STOIM_last12", "STOIM_year_before"]
FLOWS = {"ИМ": "import", "ЭК": "export"}
WINDOWS = {"last12": "_last12", "year_before": "_year_before"}


def parse(
    paths: list[Path],
    *,
    name: str = "russia-demand",
    country: str = "RUS",
    max_bad_rows: float = DEFAULT_MAX_BAD_ROWS,
    window_last12: str = "2025-06..2026-05 (most likely; recent months partly nowcast)",
    window_year_before: str = "2024-06..2025-05 (most likely)",
    **_: Any,
) -> Parsed:
    """Parse an HS4 demand-profile file (Parquet or CSV) into the ``demand`` table."""
    if len(paths) != 1:
        raise InputError(f"expected one file, got {len(paths)}", field="PATH")
    path = paths[0]
    frame = read_table(path, REQUIRED, layout="HS4 demand", text_columns=["TNVED4"])
    bad = BadRows(path, max_bad_rows)
    code = frame["TNVED4"].astype(str).str.strip()
    code = code.where(code.str.len() != 3, "0" + code)  # a lost leading zero
    flow = frame["NAPR"].map(FLOWS)
    for idx in frame.index[~code.str.fullmatch(r"\d{4}")]:
        bad.add(int(idx) + 2, "TNVED4", frame.at[idx, "TNVED4"], "not a 4-digit HS code")
    for idx in frame.index[flow.isna()]:
        bad.add(int(idx) + 2, "NAPR", frame.at[idx, "NAPR"], "flow must be 'ИМ' or 'ЭК'")
    dupes = frame.assign(_c=code).duplicated(["_c", "NAPR"], keep="first")
    for idx in frame.index[dupes]:
        bad.add(int(idx) + 2, "TNVED4", code[idx], "duplicate HS4 and flow")
    # a value that is there but not a number ≥ 0 is malformed, not "no value"
    values, bad_value = {}, pd.Series(False, index=frame.index)
    for window, suffix in WINDOWS.items():
        raw = frame[f"STOIM{suffix}"]
        values[window] = pd.to_numeric(raw, errors="coerce")
        given = raw.notna() & (raw.astype(str).str.strip() != "")
        wrong = (given & values[window].isna()) | (values[window] < 0)
        for idx in frame.index[wrong]:
            bad.add(int(idx) + 2, f"STOIM{suffix}", raw[idx], "not a number ≥ 0 (US$ billion)")
        bad_value |= wrong
        for col in (f"NETTO{suffix}", f"KOL{suffix}"):  # quantities: blank, or a number
            if col in frame.columns:
                q = frame[col]
                wrong_q = (q.notna() & (q.astype(str).str.strip() != "")
                           & pd.to_numeric(q, errors="coerce").isna())
                for idx in frame.index[wrong_q]:
                    bad.add(int(idx) + 2, col, q[idx], "not a number")
                bad_value |= wrong_q
    bad.check(len(frame))
    ok = code.str.fullmatch(r"\d{4}") & flow.notna() & ~dupes & ~bad_value
    parts, set_aside = [], {}
    for window, suffix in WINDOWS.items():
        value = values[window]
        empty = ok & value.isna()
        if empty.any():
            set_aside[f"{window}: no value"] = int(empty.sum())
        keep = ok & value.notna()
        parts.append(
            pd.DataFrame(
                {
                    "country": country,
                    "flow": flow[keep],
                    "window": window,
                    "product": code[keep],
                    "hs_revision": "TNVED-EAEU",
                    "digits": 4,
                    "value_usd": value[keep] * 1e9,
                    "net_weight_kg": pd.to_numeric(
                        frame.loc[keep].get(f"NETTO{suffix}"), errors="coerce"
                    ),
                    "quantity": pd.to_numeric(frame.loc[keep].get(f"KOL{suffix}"), errors="coerce"),
                    "source": "russia-demand",
                    "flag": "lower_bound",
                }
            )
        )
    table = pd.concat(parts, ignore_index=True)
    if bad.count:
        set_aside["malformed"] = bad.count
    return Parsed(
        dataset=name,
        source="russia-demand",
        kind="demand",
        data=pa.Table.from_pandas(table, schema=DEMAND, preserve_index=False),
        fingerprint=fingerprint([path], name=name, country=country),
        rows_read=len(frame),
        set_aside=set_aside,
        issues=list(bad.issues),
        provenance={
            "input": file_info(path),
            "windows": {"last12": window_last12, "year_before": window_year_before},
            "caveat": "lower bound of demand: rebuilt from partners' declarations; trade "
            "through non-reporting partners is missing; no supplier breakdown",
        },
    )
