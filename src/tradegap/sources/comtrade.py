"""UN Comtrade: reporter-declared trade by partner and HS product, from CSV files.

Two layouts are read, told apart by their header (https://comtradeplus.un.org, API and data
availability documentation):

* the API / Comtrade+ CSV: ``refYear, period, reporterISO, partnerISO, flowCode, cmdCode,
  primaryValue, netWgt, qty, qtyUnitAbbr, classificationCode, aggrLevel, isAggregate, …``
  (``partner2Code``, ``motCode``, ``customsCode`` when present);
* the legacy bulk CSV: ``Classification, Year, Period, Aggregate Level, Trade Flow Code,
  Reporter ISO, Partner ISO, Commodity Code, Qty Unit, Qty, Netweight (kg), Trade Value (US$)``
  (flow codes 1 import, 2 export, 3 re-export, 4 re-import).

A row is one country's declaration: an import (``M``) from a partner becomes exporter = partner,
importer = reporter, reporter ``importer``; an export (``X``) becomes exporter = reporter,
importer = partner, reporter ``exporter``. Set aside and counted by reason: re-exports and
re-imports (RX/RM) and every other flow; the world as partner (W00/WLD, code 0) and the
all-products total (cmdCode TOTAL), both aggregates of rows already present; breakdowns by
second partner, mode of transport or customs procedure (only their totals are loaded);
non-country areas (``_X``, ``X1``…); a partner equal to the reporter. Refused as malformed: values
that are not finite or exceed US$ 1.2e14 (about world GDP, :data:`tradegap.bounds.MAX_USD`),
negative or infinite weights and quantities, a header line repeated mid-file, rows with more
fields than the header. Values are US dollars as published. Quantity: the net weight
in tonnes (``netWgt`` / 1000, unit ``t``, comparable with BACI), else ``qty`` in ``qtyUnitAbbr``.
Periods: ``YYYY`` → calendar year, ``YYYYMM`` → month ``YYYY-MM``. ``digits`` is the length of
cmdCode; a file mixing HS2/HS4/HS6 rows keeps them all (filter by ``digits`` before summing).

Options: ``revision`` (HS92…HS22, overrides classificationCode), ``digits`` (e.g. ``"6"``: keep
only codes of that length; the others are set aside), ``name`` (default ``comtrade``),
``max_bad_rows``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from tradegap.bounds import MAX_USD
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
from tradegap.warehouse.schema import FLOWS

#: Comtrade classification codes → HS revision names.
CLASSIFICATIONS = {"H0": "HS92", "H1": "HS96", "H2": "HS02", "H3": "HS07", "H4": "HS12",
                   "H5": "HS17", "H6": "HS22"}
REVISIONS = tuple(CLASSIFICATIONS.values())
#: Options ``parse`` accepts (``--set KEY=VALUE`` on the command line).
OPTIONS = ("revision", "digits", "name", "max_bad_rows")

#: Canonical name → accepted header spellings (API first, legacy bulk after), lower-cased.
ALIASES: dict[str, tuple[str, ...]] = {
    "year": ("refyear", "year"),
    "period": ("period",),
    "reporter": ("reporteriso", "reporter iso", "reporteriso3"),
    "partner": ("partneriso", "partner iso", "partneriso3"),
    "partner_code": ("partnercode", "partner code"),
    "flow": ("flowcode", "trade flow code"),
    "flow_desc": ("flowdesc", "trade flow"),
    "product": ("cmdcode", "commodity code"),
    "value": ("primaryvalue", "trade value (us$)"),
    "net_weight": ("netwgt", "netweight (kg)"),
    "qty": ("qty",),
    "qty_unit": ("qtyunitabbr", "qty unit"),
    "classification": ("classificationcode", "classification"),
    "partner2": ("partner2code",),
    "mot": ("motcode",),
    "customs": ("customscode",),
}
REQUIRED = ("reporter", "partner", "product", "value")
_SHOWN = {"reporter": "reporterISO", "partner": "partnerISO", "product": "cmdCode",
          "value": "primaryValue", "flow": "flowCode", "year": "refYear or period"}

_LEGACY_FLOWS = {"1": "M", "2": "X", "3": "RX", "4": "RM", "import": "M", "export": "X",
                 "re-export": "RX", "re-import": "RM"}
_WORLD = {"W00", "WLD"}
_ISO = re.compile(r"^[A-Z][A-Z0-9]{2}$")
_AREA = re.compile(r"^(_[A-Z0-9 ]{0,2}|X[A-Z0-9]?)$")


def parse(paths: list[Path], **options: Any) -> Parsed:
    """Parse Comtrade CSVs (either layout) into canonical flows; see the module docstring."""
    if not paths:
        raise InputError("no Comtrade file given", hint="pass one or more Comtrade CSV files")
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise InputError(f"unknown option(s) {unknown}", field="--set",
                         hint=f"this source takes: {', '.join(OPTIONS)}")
    limit = float(options.get("max_bad_rows", DEFAULT_MAX_BAD_ROWS) or 0)
    revision = _revision_option(options.get("revision"))
    keep_digits = {int(d) for d in str(options["digits"]).split(",")} if options.get(
        "digits") else None
    tables: list[pd.DataFrame] = []
    set_aside: dict[str, int] = {}
    issues = []
    rows_read = 0
    for path in paths:
        frame, bad, aside, n = _parse_file(require_file(path, "a Comtrade CSV"), revision,
                                           keep_digits, limit)
        tables.append(frame)
        rows_read += n
        issues += bad.issues
        for reason, count in [*aside.items(), *bad.reasons.items()]:
            set_aside[reason] = set_aside.get(reason, 0) + count
    flows = pd.concat(tables, ignore_index=True)
    refuse_repeats(flows, ["period", "exporter", "importer", "product", "reporter"],
                   hint="pass each Comtrade extract once; overlapping downloads double count")
    levels = sorted(flows["digits"].unique().tolist())
    table = pa.Table.from_pandas(flows.drop(columns=["_file", "_line"]), schema=FLOWS,
                                 preserve_index=False)
    return Parsed(
        dataset=str(options.get("name") or "comtrade"),
        source="comtrade",
        data=table,
        fingerprint=fingerprint(paths, revision=revision, digits=sorted(keep_digits or []),
                                max_bad_rows=limit, parser="comtrade-1"),
        rows_read=rows_read,
        set_aside=set_aside,
        issues=issues,
        provenance={
            "source": "UN Comtrade (reporter-declared)",
            "files": [file_info(Path(p)) for p in paths],
            "hs_revisions": sorted(flows["hs_revision"].unique().tolist()),
            "digit_levels": levels,
            "notes": ["several HS levels: filter by digits before summing"]
            if len(levels) > 1 else [],
        },
    )


def _revision_option(value: Any) -> str | None:
    if not value:
        return None
    rev = str(value).upper()
    rev = CLASSIFICATIONS.get(rev, rev)
    if rev not in REVISIONS:
        raise InputError(f"unknown HS revision {value!r}", field="revision",
                         hint=f"choose one of {', '.join(REVISIONS)} (or H0…H6)")
    return rev


def _read(path: Path) -> pd.DataFrame:
    with open(path, "rb") as fh:
        head = fh.readline()
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("the file is UTF-16 encoded", file=str(path), line=1,
                         hint="save it as UTF-8 CSV (Comtrade's downloads are UTF-8)")
    sep = "\t" if head.count(b"\t") > head.count(b",") else ","
    try:
        frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False,
                            encoding="utf-8-sig", encoding_errors="replace")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError) as exc:
        raise InputError(f"cannot read the CSV: {exc}", file=str(path),
                         hint="pass a Comtrade CSV export (API or bulk layout)") from exc
    if not isinstance(frame.index, pd.RangeIndex):  # pandas took the extra fields as an index
        raise InputError(
            f"the first row has more fields than the header ({len(frame.columns)} columns)",
            file=str(path), line=2,
            hint="a separator inside an unquoted value, or a row shifted: fix the row or "
            "quote the value",
        )
    return frame


def _columns(frame: pd.DataFrame, path: Path) -> dict[str, str]:
    lower = {c.strip().lower(): c for c in frame.columns}
    found = {}
    for name, spellings in ALIASES.items():
        for s in spellings:
            if s in lower:
                found[name] = lower[s]
                break
    missing = [n for n in REQUIRED if n not in found]
    if "year" not in found and "period" not in found:
        missing.append("year")
    if "flow" not in found and "flow_desc" not in found:
        missing.append("flow")
    if missing:
        wanted = ", ".join(_SHOWN[m] for m in missing)
        raise InputError(
            f"not a Comtrade CSV: no column for {wanted} (columns: {list(frame.columns)})",
            file=str(path), line=1,
            hint="export from Comtrade with ISO codes (reporterISO, partnerISO) included",
        )
    return found


def _parse_file(
    path: Path, revision: str | None, keep_digits: set[int] | None, limit: float
) -> tuple[pd.DataFrame, BadRows, dict[str, int], int]:
    frame = _read(path)
    cols = _columns(frame, path)
    n = len(frame)
    bad = BadRows(path, limit)
    aside: dict[str, int] = {}
    line = np.arange(n) + 2

    def col(name: str) -> pd.Series:
        return frame[cols[name]].str.strip() if name in cols else pd.Series([""] * n)

    remaining = pd.Series(True, index=frame.index)

    def set_aside_where(mask: pd.Series, reason: str) -> None:
        nonlocal remaining
        hit = mask & remaining
        if hit.any():
            aside[reason] = aside.get(reason, 0) + int(hit.sum())
        remaining &= ~hit

    def malformed_where(mask: pd.Series, field: str, values: pd.Series, reason: str) -> None:
        nonlocal remaining
        hit = mask & remaining
        for i in np.flatnonzero(hit.to_numpy())[:1000]:
            bad.add(int(line[i]), cols.get(field, field), values.iloc[i], reason)
        extra = int(hit.sum()) - min(int(hit.sum()), 1000)
        if extra:
            bad.count += extra
            bad.reasons[f"malformed: {reason}"] += extra
        remaining &= ~hit

    # a header line repeated mid-file (files concatenated with their headers)
    repeated = pd.Series(False, index=frame.index)
    for name in REQUIRED:
        repeated |= col(name).str.lower() == cols[name].strip().lower()
    malformed_where(repeated, "reporter", col("reporter"),
                    "a repeated header line (were files joined with their headers?)")
    # flows
    flow = col("flow").str.upper() if "flow" in cols else col("flow_desc").str.lower()
    flow = flow.map(lambda f: _LEGACY_FLOWS.get(f.lower(), f))
    malformed_where(flow == "", "flow", flow, "missing flow code")
    for code in sorted(set(flow[remaining & ~flow.isin(["M", "X"])])):
        kind = {"RX": "re-exports", "RM": "re-imports"}.get(code, "a flow other than M or X")
        set_aside_where(flow == code, f"flow {code} ({kind}): only M and X are loaded")
    # aggregates and breakdowns
    partner, reporter, product = col("partner"), col("reporter"), col("product").str.upper()
    world = partner.isin(_WORLD) | (col("partner_code") == "0")
    set_aside_where(world, "partner W00 (world): an aggregate of the partner rows")
    set_aside_where(product == "TOTAL", "cmdCode TOTAL: an aggregate of the product rows")
    for name, total in (("partner2", {"0", "W00", ""}), ("mot", {"0", ""}),
                        ("customs", {"C00", ""})):
        if name in cols:
            set_aside_where(~col(name).str.upper().isin(total),
                            f"{cols[name]} breakdown (only the total row is loaded)")
    # countries
    for name, values in (("reporter", reporter), ("partner", partner)):
        set_aside_where(values.str.match(_AREA) & (values != ""),
                        f"{cols[name]} is a special area, not a country")
        malformed_where(~values.str.match(_ISO), name, values,
                        "not an ISO3 code (three capital letters)")
    set_aside_where(reporter == partner, "partner is the reporter itself (goods re-imported "
                    "from oneself, not trade between two countries)")
    # products
    digits = product.str.len()
    malformed_where(~product.str.fullmatch(r"\d+") | (digits % 2 == 1) | (digits > 6),
                    "product", product,
                    "not an HS code of 2, 4 or 6 digits (was a leading zero lost?)")
    if keep_digits is not None:
        set_aside_where(~digits.isin(keep_digits),
                        f"product codes not of {sorted(keep_digits)} digits (option digits)")
    # revision
    if revision is None:
        if "classification" not in cols:
            raise InputError("no classificationCode column to tell the HS revision", file=str(
                path), hint="pass --set revision=HS17")
        klass = col("classification").str.upper()
        rev = klass.map(CLASSIFICATIONS)
        malformed_where(rev.isna(), "classification", klass,
                        "not an HS revision code (H0…H6); pass --set revision=HS17")
    else:
        rev = pd.Series([revision] * n)
    # periods
    raw_period = col("period") if "period" in cols else col("year")
    raw_period = raw_period.where(raw_period != "", col("year"))
    malformed_where(~raw_period.str.fullmatch(r"(19|20)\d\d(0[1-9]|1[0-2])?"), "period",
                    raw_period, "not a year YYYY or a month YYYYMM")
    # numbers
    value = pd.to_numeric(col("value"), errors="coerce")
    malformed_where(value.isna() | (value < 0), "value", col("value"),
                    "missing, non-numeric or negative value")
    malformed_where(~np.isfinite(value) | (value > MAX_USD), "value", col("value"),
                    f"not a finite amount of at most US$ {MAX_USD:.1e} (about world GDP)")
    weight = pd.to_numeric(col("net_weight"), errors="coerce")
    qty = pd.to_numeric(col("qty"), errors="coerce")
    for name, parsed in (("net_weight", weight), ("qty", qty)):
        if name in cols:
            malformed_where(parsed.isna() & (col(name) != ""), name, col(name),
                            "not a number")
            malformed_where(~np.isfinite(parsed.fillna(0)) | (parsed < 0), name, col(name),
                            "negative or infinite (leave the cell empty when unknown)")
    keep = remaining.to_numpy()
    k = pd.DataFrame({"period": raw_period[keep], "reporter": reporter[keep],
                      "partner": partner[keep], "flow": flow[keep], "product": product[keep]})
    dup = k.duplicated(keep="first")
    if dup.any():
        idx = np.flatnonzero(keep)[dup.to_numpy()]
        for i in idx[:1000]:
            bad.add(int(line[i]), "period,reporterISO,partnerISO,flowCode,cmdCode",
                    ",".join(k.loc[i]), "duplicate of an earlier row")
        keep[idx] = False
    bad.check(n)
    out = _canonical(keep, flow, reporter, partner, product, raw_period, rev, value, weight,
                     qty, col("qty_unit"))
    out["_file"], out["_line"] = str(path), line[keep]
    return out, bad, aside, n


def _canonical(
    keep: np.ndarray, flow: pd.Series, reporter: pd.Series, partner: pd.Series,
    product: pd.Series, period: pd.Series, rev: pd.Series, value: pd.Series, weight: pd.Series,
    qty: pd.Series, qty_unit: pd.Series,
) -> pd.DataFrame:
    imports = (flow[keep] == "M").to_numpy()
    rep, par, per = reporter[keep].to_numpy(), partner[keep].to_numpy(), period[keep]
    monthly = (per.str.len() == 6).to_numpy()
    tonnes = (weight[keep] / 1000).where(weight[keep] > 0)
    other = qty[keep].where((qty[keep] > 0) & ~qty_unit[keep].isin(["", "N/A", "-1"]))
    quantity = tonnes.where(tonnes.notna(), other)
    unit = pd.Series(np.where(tonnes.notna(), "t", qty_unit[keep].to_numpy()),
                     index=quantity.index).where(quantity.notna())
    return pd.DataFrame({
        "period": np.where(monthly, per.str[:4] + "-" + per.str[4:], per),
        "period_type": np.where(monthly, "month", "calendar_year"),
        "year": per.str[:4].astype("int16").to_numpy(),
        "month": pd.to_numeric(per.str[4:], errors="coerce").astype("Int8").to_numpy(),
        "exporter": np.where(imports, par, rep),
        "importer": np.where(imports, rep, par),
        "product": product[keep].to_numpy(),
        "hs_revision": rev[keep].to_numpy(),
        "digits": product[keep].str.len().astype("int8").to_numpy(),
        "value_usd": value[keep].astype("float64").to_numpy(),
        "quantity": quantity.to_numpy(),
        "quantity_unit": unit.to_numpy(),
        "source": "comtrade",
        "reporter": np.where(imports, "importer", "exporter"),
        "flag": None,
    })
