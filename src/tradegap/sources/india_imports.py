"""India's imports of crude oil (HS 2709) and coal (HS 2701) by supplier (DGCI&S / Export Import
Data Bank, Department of Commerce, Government of India).

Two layouts are read:

* **By-country workbooks** (``.xlsx``, e.g. ``hs2709_crude_imports_by_country_usd.xlsx``): one
  sheet per fiscal year, a header row ``S.No. | Country / Region | <period> (Million US$)``, one
  row per supplier, then ``Total``, ``India's Total Import(s)`` and ``%Share`` rows. The product
  is not in the sheets: it is read from ``hsNNNN`` in the file name, or from the ``product``
  option. The coal sheets' headers omit the unit; values are taken as US$ million like the crude
  sheets (the ``India's Total Import`` row, e.g. 613,052.05 for FY2021-22 = US$613 bn, confirms).
* **DGCI&S commodity × country extracts** (``.xls``, e.g. ``dgcis_crude_imports_2021_apr_aug.xls``):
  ``S.No. | Commodity | Country of Consignment | Unit | Qty | <months> Value(US $)``; the principal
  commodity ``PETROLEUM: CRUDE`` is HS 2709. Values are whole US dollars.

Output: :data:`~tradegap.warehouse.schema.FLOWS` rows, exporter = supplier ISO3 (portal names
mapped through ``tradegap/data/india_partner_names.csv``, shared with
:mod:`tradegap.sources.india_dgcis`), importer ``'IND'``, reporter ``'importer'``, product the
4-digit HS heading (``digits`` 4, revision per :func:`~tradegap.sources.india_dgcis.hs_revision`).
A full fiscal year is ``FY2021-22`` (``fiscal_year_in``); a part of one is labelled with its
months, ``FY2022-23 Apr-Aug`` (``fiscal_year_in_partial``, ``year`` = 2022).

Rows not loaded are counted in ``set_aside``: the summary rows (``Total``, ``India's Total
Imports``, ``%Share``) and cells that are blank or read ``NA`` (no trade recorded that year; the
real workbooks hold 97 ``NA`` cells and one blank one). The country rows must sum
to the ``Total`` row within rounding (each value is rounded to US$0.01 m, so the tolerance is
US$0.005 m per row); otherwise the file is refused. Totals, India's total imports and the share
go to the provenance. A value of 0 is a flow below US$5,000: kept, flagged ``rounded_to_zero``.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from tradegap.errors import InputError
from tradegap.provenance import Provenance
from tradegap.sources.base import DEFAULT_MAX_BAD_ROWS, BadRows, Parsed, fingerprint, require_file
from tradegap.sources.india_dgcis import (
    PARTNER_NAMES_FILE,
    file_sha256,
    hs_revision,
    million_to_usd,
    partner_iso3,
)
from tradegap.warehouse.schema import FLOWS, fiscal_year_label

SOURCE = "india-imports"
DATASET = "india-imports"
PARSER_VERSION = "1"
_OPTIONS = {"name", "max_bad_rows", "product"}

#: DGCI&S principal commodities → HS heading.
COMMODITIES = {"PETROLEUM: CRUDE": "2709", "PETROLEUM CRUDE": "2709", "COAL": "2701"}

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_FY_HEADER = re.compile(
    r"(\d{4})\s*-\s*(\d{4})\s*(?:\(\s*([A-Za-z]{3})\w*\s*-\s*([A-Za-z]{3})\w*\s*\))?"
)
_MONTH_RANGE = re.compile(r"([A-Za-z]+)\s*,\s*(\d{2,4})\s+to\s+([A-Za-z]+)\s*,\s*(\d{2,4})", re.I)


# -- periods ---------------------------------------------------------------------------------
def fiscal_period(fy_start: int, first: str = "Apr", last: str = "Mar") -> tuple[str, str]:
    """(label, period_type) of months ``first``…``last`` of fiscal year ``fy_start``:
    ``(2022, 'Apr', 'Aug')`` → ``('FY2022-23 Apr-Aug', 'fiscal_year_in_partial')``."""
    label = fiscal_year_label(fy_start)
    if (first, last) == ("Apr", "Mar"):
        return label, "fiscal_year_in"
    return f"{label} {first}-{last}", "fiscal_year_in_partial"


def _month(name: str) -> str | None:
    key = name.strip()[:3].title()
    return key if key in MONTHS else None


def _fiscal_month_index(month: str) -> int:
    """April = 0 … March = 11."""
    return (MONTHS.index(month) - 3) % 12


# -- cells -----------------------------------------------------------------------------------
#: Cell texts the portal writes for "no value" (no trade recorded that year).
NOT_AVAILABLE = {"", "NA", "N.A.", "N/A", "-", "--"}


def _blank(cell: Any) -> bool:
    """Empty, NaN, or a 'not available' marker such as the portal's ``'NA'``."""
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return True
    return isinstance(cell, str) and cell.strip().upper() in NOT_AVAILABLE


def _number(cell: Any) -> float | None:
    """The cell as a number, or None if it is not one (blank is checked separately)."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float | np.integer | np.floating):
        return float(cell)
    try:
        return float(str(cell).replace(",", "").strip())
    except ValueError:
        return None


def _label(cell: Any) -> str:
    return "" if _blank(cell) else " ".join(str(cell).split())


# -- reading ---------------------------------------------------------------------------------
def _read_workbook(path: Path) -> dict[str, pd.DataFrame]:
    engine = {".xlsx": "openpyxl", ".xlsm": "openpyxl", ".xls": "xlrd"}.get(path.suffix.lower())
    if engine is None:
        raise InputError(
            f"unsupported file type {path.suffix or '(no extension)'!r}",
            file=str(path),
            hint="give the DGCI&S workbooks as .xlsx or .xls",
        )
    try:
        return pd.read_excel(
            path, sheet_name=None, header=None, dtype=object, engine=engine,
            keep_default_na=False,
        )
    except Exception as exc:  # openpyxl/xlrd raise many types for damaged files
        raise InputError(
            f"not a readable Excel workbook (truncated or corrupt?): {exc}",
            file=str(path),
            hint="download or export the workbook again",
        ) from exc


def _header_row(sheet: pd.DataFrame, where: str, path: Path) -> int:
    for i in range(min(len(sheet), 30)):
        if _label(sheet.iat[i, 0]).lower().replace(" ", "").rstrip(".") == "s.no":
            return i
    raise InputError(
        "no header row starting with 'S.No.' in the first 30 rows",
        file=f"{path} {where}",
        hint="the sheet must have the header 'S.No. | Country / Region | <period> (Million US$)'",
    )


class _Rows:
    """Flow rows collected from one file, with their sheet and Excel row for messages."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, **row: Any) -> None:
        self.rows.append(row)


def _by_country_sheet(
    path: Path, sheet_name: str, sheet: pd.DataFrame, product: str, out: _Rows, bad: BadRows,
    aside: Counter[str], sheets: list[dict[str, Any]],
) -> None:
    where = f"[sheet {sheet_name!r}]"
    head = _header_row(sheet, where, path)
    if sheet.shape[1] < 3:
        raise InputError("expected 3 columns: S.No., Country / Region, value",
                         file=f"{path} {where}", line=head + 1)
    header = _label(sheet.iat[head, 2])
    match = _FY_HEADER.search(header)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise InputError(
            f"cannot read the fiscal year from the value header {header!r}",
            file=f"{path} {where}", line=head + 1, field="value header",
            hint="the header must name the year as '2021-2022' or '2022-2023(Apr-Aug)'",
        )
    fy = int(match.group(1))
    first = _month(match.group(3)) if match.group(3) else "Apr"
    last = _month(match.group(4)) if match.group(4) else "Mar"
    if first is None or last is None:
        raise InputError(f"cannot read the months in {header!r}", file=f"{path} {where}",
                         line=head + 1, field="value header")
    label, period_type = fiscal_period(fy, first, last)
    sheet_fy = re.fullmatch(r"\s*(\d{4})\s*-\s*(\d{2,4})\s*", str(sheet_name))
    if sheet_fy and int(sheet_fy.group(1)) != fy:
        raise InputError(
            f"sheet name {sheet_name!r} disagrees with its header {header!r}",
            file=f"{path} {where}", line=head + 1,
            hint="check which year the sheet holds and rename it",
        )
    if "us" in header.lower() and "million" not in header.lower():
        raise InputError(f"the value header {header!r} is not in US$ million",
                         file=f"{path} {where}", line=head + 1, field="value header")
    countries: list[tuple[str, float, int]] = []
    summary: dict[str, float] = {}
    bad_before = bad.count
    for i in range(head + 1, len(sheet)):
        line = i + 1  # Excel row number
        name, cell = _label(sheet.iat[i, 1]), sheet.iat[i, 2]
        if not name and _blank(cell) and _blank(sheet.iat[i, 0]):
            continue  # empty line
        key = name.lower().replace("’", "'")
        kind = ("total" if key == "total" else "india_total" if key.startswith("india's total")
                else "share" if key.startswith("%share") or key == "% share" else None)
        if kind:
            value = _number(cell)
            if value is None:
                raise InputError(f"the {name!r} row has no number ({cell!r})",
                                 file=f"{path} {where}", line=line, field="value")
            summary[kind] = value
            aside["summary rows (Total, India's total imports, %Share)"] += 1
            continue
        if not name:
            bad.add(line, "Country / Region", None, f"{where} country is empty")
            continue
        if _blank(cell):
            aside["value blank or 'NA' (no trade recorded)"] += 1
            continue
        value = _number(cell)
        if value is None:
            bad.add(line, "value", cell, f"{where} value is not a number")
        elif not np.isfinite(value) or value < 0:
            bad.add(line, "value", cell, f"{where} value is negative or not finite")
        elif abs(value * 100 - round(value * 100)) > 1e-6:
            bad.add(line, "value", cell, f"{where} value has more than 2 decimals (US$ million)")
        else:
            countries.append((name, value, line))
    if "total" not in summary:
        raise InputError("no 'Total' row: the country rows cannot be checked",
                         file=f"{path} {where}",
                         hint="the sheet must end with the 'Total' row the portal exports")
    cents = sum(round(v * 100) for _, v, _ in countries)
    tolerance = 0.5 * len(countries) + 0.5  # cents: each value rounded to 0.01 m
    if abs(cents - summary["total"] * 100) > tolerance and bad.count == bad_before:
        raise InputError(
            f"the country rows sum to {cents / 100:,.2f} but the 'Total' row says "
            f"{summary['total']:,.2f} (US$ million; tolerance {tolerance / 100:.2f})",
            file=f"{path} {where}", field="value",
            hint="a country row is missing or wrong; compare the sheet with the portal",
        )
    for name, value, line in countries:
        out.add(file=path, where=where, line=line, name=name, fy=fy, period=label,
                period_type=period_type, product=product, value_usd=float(million_to_usd(value)),
                quantity=None, unit=None)
    sheets.append({
        "sheet": str(sheet_name), "period": label, "product": product,
        "countries": len(countries), "country_sum_usd_million": cents / 100,
        "total_usd_million": summary["total"],
        "india_total_imports_usd_million": summary.get("india_total"),
        "share_pct": summary.get("share"),
    })


def _commodity_sheet(
    path: Path, sheet_name: str, sheet: pd.DataFrame, product_option: str | None, out: _Rows,
    bad: BadRows, aside: Counter[str], sheets: list[dict[str, Any]],
) -> None:
    where = f"[sheet {sheet_name!r}]"
    head = _header_row(sheet, where, path)
    header = [_label(c) for c in sheet.iloc[head]]
    wanted = ["s.no.", "commodity", "country of consignment", "unit", "qty"]
    if sheet.shape[1] < 6 or [h.lower() for h in header[:5]] != wanted:
        raise InputError(
            f"unexpected header {header}",
            file=f"{path} {where}", line=head + 1,
            hint="expected 'S.No. | Commodity | Country of Consignment | Unit | Qty | "
            "<months> Value(US $)'",
        )
    months = _MONTH_RANGE.search(header[5])
    if not months or "us" not in header[5].lower():
        raise InputError(f"cannot read the months and US$ from {header[5]!r}",
                         file=f"{path} {where}", line=head + 1, field=header[5])
    first, last = _month(months.group(1)), _month(months.group(3))
    y1, y2 = (int(y) % 100 + 2000 for y in (months.group(2), months.group(4)))
    if first is None or last is None:
        raise InputError(f"cannot read the months in {header[5]!r}", file=f"{path} {where}",
                         line=head + 1)
    fy = y1 if _fiscal_month_index(first) < 9 else y1 - 1
    fy_end = y2 if _fiscal_month_index(last) < 9 else y2 - 1
    if fy != fy_end or _fiscal_month_index(first) > _fiscal_month_index(last):
        raise InputError(f"{header[5]!r} is not within one fiscal year", file=f"{path} {where}",
                         line=head + 1)
    label, period_type = fiscal_period(fy, first, last)
    total_cents = 0
    count = 0
    for i in range(head + 1, len(sheet)):
        line = i + 1
        cells = list(sheet.iloc[i])
        if all(_blank(c) for c in cells):
            continue
        commodity, name, unit = _label(cells[1]), _label(cells[2]), _label(cells[3])
        product = product_option or COMMODITIES.get(commodity.upper())
        if product is None:
            raise InputError(
                f"unknown commodity {commodity!r}", file=f"{path} {where}", line=line,
                field="Commodity",
                hint=f"known: {', '.join(COMMODITIES)}; or pass --set product=HS4",
            )
        if not name:
            bad.add(line, "Country of Consignment", None, f"{where} country is empty")
            continue
        if _blank(cells[5]):
            aside["value blank or 'NA' (no trade recorded)"] += 1
            continue
        value, qty = _number(cells[5]), None if _blank(cells[4]) else _number(cells[4])
        if value is None or not np.isfinite(value) or value < 0:
            bad.add(line, "value", cells[5], f"{where} value is not a non-negative number")
            continue
        if not _blank(cells[4]) and (qty is None or qty < 0):
            bad.add(line, "Qty", cells[4], f"{where} quantity is not a non-negative number")
            continue
        total_cents += round(value * 100)
        count += 1
        out.add(file=path, where=where, line=line, name=name, fy=fy, period=label,
                period_type=period_type, product=product, value_usd=float(round(value)),
                quantity=qty, unit=unit or None)
    sheets.append({"sheet": str(sheet_name), "period": label, "countries": count,
                   "country_sum_usd": total_cents / 100, "total_usd_million": None})


def _product_from_name(path: Path, option: str | None) -> str:
    if option:
        return option
    found = re.search(r"hs(\d{4})", path.name, re.I)
    if not found:
        raise InputError(
            "cannot tell the product: the file name has no 'hsNNNN' and no product was given",
            file=str(path),
            hint="name the file like hs2709_….xlsx or pass --set product=2709",
        )
    return found.group(1)


# -- parse -----------------------------------------------------------------------------------
def parse(paths: list[Path], **options: Any) -> Parsed:
    """Parse DGCI&S crude/coal import workbooks into canonical flows (see module docstring)."""
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        raise InputError(f"option(s) {unknown} do not apply to source {SOURCE!r}",
                         hint=f"options of {SOURCE}: {sorted(_OPTIONS)}")
    if not paths:
        raise InputError("no input file given", hint="e.g. tradegap ingest india-imports "
                         "../shared/data/india_crude_coal_imports/*.xls*")
    product_option = options.get("product")
    if product_option is not None and not re.fullmatch(r"\d{4}", str(product_option)):
        raise InputError(f"product must be a 4-digit HS heading, got {product_option!r}",
                         field="product")
    limit = float(options.get("max_bad_rows") or DEFAULT_MAX_BAD_ROWS)
    name = options.get("name") or DATASET
    out = _Rows()
    aside: Counter[str] = Counter()
    files: list[dict[str, Any]] = []
    rows_read = 0
    bads: list[tuple[BadRows, int]] = []
    for path in (require_file(Path(p), "a DGCI&S import workbook (.xlsx or .xls)") for p in paths):
        book = _read_workbook(path)
        bad = BadRows(path, limit)
        sheets: list[dict[str, Any]] = []
        before = sum(aside.values()) + len(out.rows)
        for sheet_name, sheet in book.items():
            if all(_blank(c) for c in sheet.to_numpy().ravel()):
                continue
            head = _header_row(sheet, f"[sheet {sheet_name!r}]", path)
            if "commodity" in " ".join(_label(c) for c in sheet.iloc[head]).lower():
                _commodity_sheet(path, sheet_name, sheet, product_option, out, bad, aside, sheets)
            else:
                product = _product_from_name(path, product_option)
                _by_country_sheet(path, sheet_name, sheet, product, out, bad, aside, sheets)
        if not sheets:
            raise InputError("the workbook has no data sheet", file=str(path))
        read = sum(aside.values()) + len(out.rows) - before + bad.count
        rows_read += read
        bads.append((bad, read))
        files.append({"file": path.name, "sha256": file_sha256(path), "rows": read,
                      "sheets": sheets})
    _map_names(out.rows)
    for bad, read in bads:
        bad.check(read)
    if not out.rows:
        raise InputError(
            "no supplier row has a value to load (every value is blank, 'NA' or malformed)",
            file=", ".join(str(p) for p in paths),
            hint="check that the workbook is the portal's export with the values filled in",
        )
    set_aside = Counter(aside)
    for bad, _ in bads:
        set_aside.update(bad.reasons)
    frame = pd.DataFrame(out.rows)
    keys = ["period", "iso3", "product"]
    dup = frame.duplicated(keys, keep=False)
    if dup.any():
        clash = frame[dup].sort_values(keys).head(6)
        listed = "; ".join(f"{r.file.name} {r.where} row {r.line} ({r.name}, {r.period}, "
                           f"{r.product})" for r in clash.itertuples())
        raise InputError(
            f"{int(dup.sum())} rows give the same supplier, period and product twice: {listed}",
            hint="give each workbook once; a supplier may appear once per sheet",
        )
    table = _table(frame)
    prov = Provenance(
        sources=[SOURCE], datasets=[name], periods=sorted(frame["period"].unique()),
        revisions=sorted({hs_revision(int(y)) for y in frame["fy"].unique()}),
        notes=["India's imports as declared by India (DGCI&S); supplier = country of "
               "consignment in DGCI&S extracts",
               "periods labelled 'FY2022-23 Apr-Aug' cover only those months"],
    ).to_dict()
    prov["files"] = files
    covered = ", ".join(f"HS {c}" for c in sorted(frame["product"].unique()))
    prov["coverage"] = f"partial: India's imports of {covered} only"
    prov["partial_products"] = True
    return Parsed(
        dataset=name, source=SOURCE, data=table,
        fingerprint=fingerprint([Path(p) for p in paths], source=SOURCE, name=name,
                                max_bad_rows=limit, product=product_option,
                                parser=PARSER_VERSION, mapping=file_sha256(PARTNER_NAMES_FILE)),
        rows_read=rows_read, set_aside=dict(set_aside),
        issues=[i for bad, _ in bads for i in bad.issues], provenance=prov,
    )


def _map_names(rows: list[dict[str, Any]]) -> None:
    """Add ``iso3`` to each row; every unknown name is listed in one :class:`InputError`."""
    unknown: dict[str, str] = {}
    for row in rows:
        row["iso3"] = partner_iso3(row["name"])
        if row["iso3"] is None and row["name"] not in unknown:
            unknown[row["name"]] = f"{row['file'].name} {row['where']} row {row['line']}"
    if unknown:
        listed = "; ".join(f"{n!r} (first at {w})" for n, w in unknown.items())
        raise InputError(
            f"{len(unknown)} country name(s) not in the mapping: {listed}",
            field="Country",
            hint=f"add each name with its ISO3 code to {PARTNER_NAMES_FILE} "
            "(columns portal_name, iso3, note) and ingest again",
        )


def _table(frame: pd.DataFrame) -> pa.Table:
    n = len(frame)  # at least 1: parse refuses a workbook with nothing to load
    value = frame["value_usd"].to_numpy(dtype="float64")
    return pa.table(
        {
            "period": frame["period"].tolist(),
            "period_type": frame["period_type"].tolist(),
            "year": pa.array(frame["fy"].to_numpy(dtype="int16"), pa.int16()),
            "month": pa.nulls(n, pa.int8()),
            "exporter": frame["iso3"].tolist(),
            "importer": ["IND"] * n,
            "product": frame["product"].tolist(),
            "hs_revision": [hs_revision(int(y)) for y in frame["fy"]],
            "digits": pa.array([len(p) for p in frame["product"]], pa.int8()),
            "value_usd": pa.array(value, pa.float64()),
            "quantity": pa.array(frame["quantity"].tolist(), pa.float64()),
            "quantity_unit": pa.array(frame["unit"].tolist(), pa.string()),
            "source": [SOURCE] * n,
            "reporter": ["importer"] * n,
            "flag": ["rounded_to_zero" if v == 0 else None for v in value],
        },
        schema=FLOWS,
    )
