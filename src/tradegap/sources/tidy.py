"""Any tidy table of flows (CSV or Parquet), mapped column by column onto the canonical schema.

The mapping comes from the command line (``--map exporter=reporter_iso``, given here as
``columns={'exporter': 'reporter_iso', …}``) or a TOML file (``mapping=PATH``)::

    [columns]            # canonical field = column of the file
    exporter = "reporter_iso"
    importer = "partner_iso"
    product = "hs6"
    year = "yr"
    value_usd = "trade_value"

    [constants]          # fields the file does not hold, the same on every row
    hs_revision = "HS17"
    reporter = "exporter"
    period_type = "calendar_year"
    value_multiplier = 1000   # the file's values are in thousands of US$

Command-line ``columns`` override the file's ``[columns]``; other options (``--set KEY=VALUE``)
override ``[constants]``. Required: exporter, importer, product and value_usd mapped; period or
year mapped; hs_revision and reporter mapped or constant. ``period_type`` is read from the
period's form when not given (``2020`` calendar year, ``2020-01``/``202001`` month,
``FY2023-24`` Indian fiscal year). Product codes are read as text and keep their leading zeros;
a ``digits`` constant left-pads them to that width (for files that stored codes as numbers).
Countries must be ISO3 codes (three capital letters). Parquet rows are numbered from 1 (no
header line).

Options: ``columns``, ``mapping``, any constant (``hs_revision``, ``reporter``, ``period_type``,
``source``, ``quantity_unit``, ``digits``, ``flag``, ``value_multiplier``), ``name`` (default
``tidy``), ``max_bad_rows``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tradegap.errors import InputError
from tradegap.sources.base import (
    DEFAULT_MAX_BAD_ROWS,
    BadRows,
    Parsed,
    file_info,
    fingerprint,
    refuse_repeats,
    require_file,
)
from tradegap.tomlfile import read_toml
from tradegap.warehouse.schema import FLOWS, PERIOD_TYPES, REPORTERS, fiscal_year_label

FIELDS = tuple(f.name for f in FLOWS)
CONSTANTS = ("period_type", "hs_revision", "source", "reporter", "quantity_unit", "digits",
             "flag", "value_multiplier")
_NOT_CONSTANTS = {"columns", "mapping", "name", "max_bad_rows"}
_HINT_MAP = "map it with --map FIELD=COLUMN or in the [columns] table of the --mapping file"


def parse(paths: list[Path], **options: Any) -> Parsed:
    """Parse tidy CSV/Parquet files with a column mapping; see the module docstring."""
    if not paths:
        raise InputError("no file given", hint="pass one or more CSV or Parquet files")
    limit = float(options.get("max_bad_rows", DEFAULT_MAX_BAD_ROWS) or 0)
    columns, constants = load_mapping(options)
    frames, set_aside, issues, rows_read = [], {}, [], 0
    for path in paths:
        frame, bad, n = _parse_file(require_file(path, "a CSV or Parquet file"), columns,
                                    constants, limit)
        frames.append(frame)
        rows_read += n
        issues += bad.issues
        for reason, count in bad.reasons.items():
            set_aside[reason] = set_aside.get(reason, 0) + count
    flows = pd.concat(frames, ignore_index=True)
    refuse_repeats(flows, ["period", "exporter", "importer", "product", "hs_revision", "reporter"],
                   hint="pass each file once; overlapping files double count")
    table = pa.Table.from_pandas(flows.drop(columns=["_file", "_line"]), schema=FLOWS,
                                 preserve_index=False)
    return Parsed(
        dataset=str(options.get("name") or "tidy"),
        source=str(constants.get("source") or "tidy"),
        data=table,
        fingerprint=fingerprint(paths, columns=columns, constants=constants, max_bad_rows=limit,
                                parser="tidy-1"),
        rows_read=rows_read,
        set_aside=set_aside,
        issues=issues,
        provenance={"source": "tidy file", "files": [file_info(Path(p)) for p in paths],
                    "columns": columns, "constants": constants},
    )


def load_mapping(options: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """The column mapping and constants from the TOML file and the options, validated."""
    columns: dict[str, str] = {}
    constants: dict[str, Any] = {}
    if options.get("mapping"):
        path = require_file(Path(options["mapping"]), "a column mapping (TOML with [columns])")
        doc = read_toml(path, what="column mapping")
        unknown = set(doc) - {"columns", "constants"}
        if unknown:
            raise InputError(f"unknown tables {sorted(unknown)}", file=str(path),
                             hint="use [columns] and [constants]")
        for table in ("columns", "constants"):
            if not isinstance(doc.get(table, {}), dict):
                raise InputError(f"[{table}] must be a table, got {doc[table]!r}",
                                 file=str(path), field=table,
                                 hint="see the example in `tradegap.sources.tidy`")
        columns.update({str(k): str(v) for k, v in doc.get("columns", {}).items()})
        constants.update(doc.get("constants", {}))
    columns.update({str(k): str(v) for k, v in (options.get("columns") or {}).items()})
    constants.update({k: v for k, v in options.items()
                      if k not in _NOT_CONSTANTS and v is not None})
    bad_fields = sorted(set(columns) - set(FIELDS))
    if bad_fields:
        raise InputError(f"unknown field(s) {bad_fields} in the column mapping", field="columns",
                         hint=f"map these fields: {', '.join(FIELDS)}")
    bad_constants = sorted(set(constants) - set(CONSTANTS))
    if bad_constants:
        raise InputError(f"unknown constant(s) or option(s) {bad_constants}", field="constants",
                         hint=f"constants: {', '.join(CONSTANTS)}")
    missing = [f for f in ("exporter", "importer", "product", "value_usd") if f not in columns]
    if "period" not in columns and "year" not in columns:
        missing.append("period or year")
    missing += [f for f in ("hs_revision", "reporter") if f not in columns and f not in constants]
    if missing:
        raise InputError(f"the mapping lacks {', '.join(missing)}", field="columns",
                         hint=f"{_HINT_MAP} (hs_revision and reporter may be constants)")
    if "reporter" in constants and constants["reporter"] not in REPORTERS:
        raise InputError(f"reporter {constants['reporter']!r} is not one of {REPORTERS}",
                         field="reporter", hint="who declared the flows in the file")
    if "period_type" in constants and constants["period_type"] not in PERIOD_TYPES:
        raise InputError(f"period_type {constants['period_type']!r} is not one of "
                         f"{PERIOD_TYPES}", field="period_type")
    for name in ("value_multiplier", "digits"):
        if name in constants:
            try:
                constants[name] = float(constants[name]) if name == "value_multiplier" else int(
                    constants[name])
            except (TypeError, ValueError):
                raise InputError(f"{name} must be a number, got {constants[name]!r}",
                                 field=name) from None
    return columns, constants


def _read(path: Path) -> tuple[pd.DataFrame, int]:
    """The file as text columns, and the line number of its first row."""
    name = path.name.lower()
    try:
        if name.endswith((".parquet", ".pq")):
            table = pq.read_table(path)
            frame = pd.DataFrame({
                c: pd.Series(table.column(c).cast(pa.string()).to_pylist(), dtype=object)
                .fillna("") for c in table.column_names})
            return frame, 1
        with open(path, "rb") as fh:
            head = fh.readline()
        sep = "\t" if head.count(b"\t") > head.count(b",") else (
            ";" if head.count(b";") > head.count(b",") else ",")
        return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False,
                           encoding="utf-8-sig"), 2
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc}", file=str(path),
                         hint="save the file as UTF-8 CSV") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read the file: {exc}", file=str(path),
                         hint="pass a CSV (comma, semicolon or tab) or a Parquet file") from exc


def _parse_file(
    path: Path, columns: dict[str, str], constants: dict[str, Any], limit: float
) -> tuple[pd.DataFrame, BadRows, int]:
    frame, first_line = _read(path)
    for fld, column in columns.items():
        if column not in frame.columns:
            raise InputError(
                f"column {column!r} (mapped to {fld}) is not in the file; its columns are "
                f"{list(frame.columns)}", file=str(path), field=column,
                hint=f"fix the mapping of {fld}: {_HINT_MAP}",
            )
    n = len(frame)
    line = np.arange(n) + first_line
    bad = BadRows(path, limit)
    ok = pd.Series(True, index=frame.index)

    def get(fld: str) -> pd.Series:
        if fld in columns:
            return frame[columns[fld]].astype(str).str.strip()
        value = constants.get(fld)
        return pd.Series(["" if value is None else str(value)] * n, index=frame.index)

    def malformed(mask: pd.Series, fld: str, values: pd.Series, reason: str) -> None:
        nonlocal ok
        hit = mask & ok
        count = int(hit.sum())
        for i in np.flatnonzero(hit.to_numpy())[:1000]:
            bad.add(int(line[i]), columns.get(fld, fld), values.iloc[i], reason)
        if count > 1000:
            bad.count += count - 1000
            bad.reasons[f"malformed: {reason}"] += count - 1000
        ok &= ~hit

    for fld in ("exporter", "importer"):
        v = get(fld)
        malformed(~v.str.fullmatch(r"[A-Z]{3}"), fld, v, "not an ISO3 code (three capital letters)")
    product = get("product")
    if "digits" in constants:
        product = product.str.zfill(int(constants["digits"]))
    plen = product.str.len()
    malformed(~product.str.fullmatch(r"\d+") | (plen % 2 == 1) | (plen > 12), "product",
              product, "not an HS code of 2–12 digits, even in length (a lost leading zero?)")
    if "digits" in constants:
        malformed(plen != int(constants["digits"]), "product", product,
                  f"not a {int(constants['digits'])}-digit code")
    raw_value = get("value_usd")
    value = pd.to_numeric(raw_value, errors="coerce") * float(
        constants.get("value_multiplier", 1.0))
    malformed(value.isna() | (value < 0), "value_usd", raw_value,
              "missing, non-numeric or negative value")
    raw_qty = get("quantity")
    quantity = pd.to_numeric(raw_qty, errors="coerce")
    malformed(quantity.isna() & (raw_qty != ""), "quantity", raw_qty, "not a number")
    reporter = get("reporter")
    malformed(~reporter.isin(REPORTERS), "reporter", reporter, f"not one of {REPORTERS}")
    revision = get("hs_revision")
    malformed(revision == "", "hs_revision", revision, "missing HS revision")
    period, ptype, year, month = _periods(get, columns, constants, malformed)
    keep = ok.to_numpy()
    out = pd.DataFrame({
        "period": period[keep].astype(object).to_numpy(),  # text even with no rows
        "period_type": ptype[keep].to_numpy(),
        "year": year[keep].astype("int16").to_numpy(),
        "month": month[keep].astype("Int8").to_numpy(),
        "exporter": get("exporter")[keep].to_numpy(),
        "importer": get("importer")[keep].to_numpy(),
        "product": product[keep].to_numpy(),
        "hs_revision": revision[keep].to_numpy(),
        "digits": plen[keep].astype("int8").to_numpy(),
        "value_usd": value[keep].astype("float64").to_numpy(),
        "quantity": quantity[keep].astype("float64").to_numpy(),
        "quantity_unit": get("quantity_unit")[keep].replace("", None).to_numpy(),
        "source": str(constants.get("source") or "tidy"),
        "reporter": reporter[keep].to_numpy(),
        "flag": get("flag")[keep].replace("", None).to_numpy(),
        "_file": str(path),
        "_line": line[keep],
    })
    out.loc[out["quantity"].isna(), "quantity_unit"] = None
    dup = out.duplicated(["period", "exporter", "importer", "product", "hs_revision",
                          "reporter"], keep="first")
    for i in np.flatnonzero(dup.to_numpy())[:1000]:
        r = out.iloc[i]
        bad.add(int(r["_line"]), "period,exporter,importer,product",
                f"{r['period']},{r['exporter']},{r['importer']},{r['product']}",
                "duplicate of an earlier row")
    out = out[~dup.to_numpy()]
    bad.check(n)
    return out, bad, n


def _periods(get: Any, columns: dict[str, str], constants: dict[str, Any], malformed: Any
             ) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Period label, period type, year and month of every row, from whatever is mapped."""
    if "period" in columns:
        raw = get("period")
        monthly = raw.str.fullmatch(r"\d{4}-?(0[1-9]|1[0-2])")
        fiscal = raw.str.fullmatch(r"FY\d{4}-\d{2}")
        yearly = raw.str.fullmatch(r"\d{4}")
        label = raw.where(~monthly, raw.str[:4] + "-" + raw.str[-2:])
        ptype = pd.Series(np.select([yearly, monthly, fiscal],
                                    ["calendar_year", "month", "fiscal_year_in"], ""),
                          index=raw.index)
        year = pd.to_numeric(raw.str.extract(r"(\d{4})")[0], errors="coerce")
        month = pd.to_numeric(label.str[5:7].where(monthly), errors="coerce")
        malformed(ptype == "", "period", raw,
                  "not a period like 2020, 2020-01 or FY2023-24")
        fiscal_ok = fiscal & (raw.str[-2:] == ((year + 1) % 100).map(
            lambda y: f"{int(y):02d}" if pd.notna(y) else ""))
        malformed(fiscal & ~fiscal_ok, "period", raw, "fiscal year whose two years do not follow")
    else:
        raw = get("year")
        year = pd.to_numeric(raw, errors="coerce")
        malformed(year.isna() | (year != year.round()), "year", raw, "not a year")
        year = year.fillna(0)
        if "month" in columns:
            m = pd.to_numeric(get("month"), errors="coerce")
            malformed(~m.between(1, 12), "month", get("month"), "not a month 1–12")
            month = m.where(m.between(1, 12))
            label = year.astype(int).astype(str) + "-" + month.fillna(0).astype(int).map(
                "{:02d}".format)
            ptype = pd.Series("month", index=raw.index)
        else:
            month = pd.Series(np.nan, index=raw.index)
            ptype = pd.Series(constants.get("period_type", "calendar_year"), index=raw.index)
            label = year.astype(int).map(
                lambda y: fiscal_year_label(y) if ptype.iloc[0] == "fiscal_year_in" else str(y))
    given = constants.get("period_type")
    if given and "period" in columns:
        malformed(ptype != given, "period", get("period"),
                  f"period does not look like period_type {given!r}")
    year = year.where(year.between(1900, 2100))
    malformed(year.isna(), "year", raw, "year outside 1900–2100")
    return label, ptype, year.fillna(0), month
