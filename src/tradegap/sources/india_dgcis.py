"""India's export statistics by ITC-HS 8-digit code and partner (DGCI&S, Export Import Data Bank).

Input: a Parquet file (or a UTF-8 CSV with the same header) with the columns ``fy_start``
(Indian fiscal year starting in April, 2023 = FY2023-24), ``hs8`` (ITC-HS code), ``partner`` (the
portal's own spelling, e.g. ``'U S A'``, ``'CHINA P RP'``), ``value_usd_million`` (US$ million,
2 decimals), ``quantity`` and ``unit``. Source: Department of Commerce, Government of India,
Export Import Data Bank (https://tradestat.commerce.gov.in/eidb/).

Output: canonical :data:`~tradegap.warehouse.schema.FLOWS` rows, exporter ``'IND'``, reporter
``'exporter'``, period ``'FY2023-24'`` (``fiscal_year_in``), product = the 8-digit code with its
leading zeros (``digits`` 8). The first six digits of an ITC-HS code are the international HS6
code (:func:`hs6`), so HS6 aggregates are derivable by truncation.

Decisions:

* **HS revision** (:func:`hs_revision`): ITC-HS follows HS2017 from 1 Jan 2017 and HS2022 from
  1 Jan 2022. A fiscal year is labelled with the revision in force for most of it: FY2017-18 …
  FY2021-22 → ``'HS17'`` (FY2021-22 has 9 of 12 months under HS2017), FY2022-23 on → ``'HS22'``;
  likewise ``'HS12'`` for FY2012-13 … FY2016-17 and ``'HS07'`` before.
* **Money**: US$ million with 2 decimals become whole dollars exactly,
  ``round(v * 100) * 10_000`` (:func:`million_to_usd`), so sums are exact to the cent. A value
  with more than 2 decimals is malformed (the conversion would not be exact).
* **Zero values**: ``0.00`` is a real flow below US$5,000; kept with flag ``'rounded_to_zero'``.
  A *missing* value (blank; 91 rows of FY2024-25 in the portal extract, each with a quantity of a
  few units) is likewise a flow below the rounding: kept as 0 with flag ``'value_missing'``.
  Both counts are in the provenance (``flagged``).
* **Partners** map to ISO3 through ``tradegap/data/india_partner_names.csv`` (all 245 portal
  names). Non-countries get documented pseudo codes in the ISO user-assigned range (``XXX``
  unspecified, ``XIW`` installations in international waters); dissolved entities keep their
  former ISO codes (``ANT``, ``SCG``, ``PCZ``) so no two names share a code. An unknown name
  stops the ingest with the list of every unknown name.
* **HS8 codes** of 7 digits lost a leading zero (spreadsheet damage) and are padded back (counted
  as ``hs8_zero_padded``); any other length or a non-digit is malformed.
* **Rows** are numbered 1-based: for Parquet, row index + 1; for CSV, header = line 1.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tradegap.errors import InputError
from tradegap.provenance import Provenance
from tradegap.sources.base import DEFAULT_MAX_BAD_ROWS, BadRows, Parsed, fingerprint, require_file
from tradegap.warehouse.schema import FLOWS, fiscal_year_label

SOURCE = "india-dgcis"
DATASET = "india-dgcis"
#: Bumped whenever the output for the same input changes (part of the fingerprint).
PARSER_VERSION = "1"
COLUMNS = ("fy_start", "hs8", "partner", "value_usd_million", "quantity", "unit")
PARTNER_NAMES_FILE = Path(__file__).resolve().parents[1] / "data" / "india_partner_names.csv"
FIRST_FY = 1990

_OPTIONS = {"name", "max_bad_rows"}


# -- helpers shared with india_imports ---------------------------------------------------------
def hs_revision(fy_start: int) -> str:
    """The HS revision of ITC-HS codes in fiscal year ``fy_start`` (see the module docstring).

    HS2007, 2012, 2017 and 2022 entered into force on 1 January of their year (WCO); India's
    ITC-HS followed each on that date. The fiscal year takes the revision of 9 of its 12 months.
    """
    if fy_start >= 2022:
        return "HS22"
    if fy_start >= 2017:
        return "HS17"
    if fy_start >= 2012:
        return "HS12"
    return "HS07"


def hs6(hs8: str) -> str:
    """The international HS6 code of an ITC-HS 8-digit code: its first six digits."""
    return str(hs8)[:6]


def million_to_usd(values: Any) -> np.ndarray:
    """US$ million with 2 decimals → whole US dollars, exactly: ``round(v * 100) * 10_000``."""
    cents_of_million = np.rint(np.asarray(values, dtype="float64") * 100.0)
    return cents_of_million * 10_000.0


def file_sha256(path: Path) -> str:
    """SHA-256 of the file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def partner_names() -> pd.DataFrame:
    """The portal-name → ISO3 mapping (columns ``portal_name``, ``iso3``, ``note``)."""
    frame = pd.read_csv(PARTNER_NAMES_FILE, dtype=str, keep_default_na=False)
    dup_names = frame.loc[frame["portal_name"].duplicated(), "portal_name"].tolist()
    dup_codes = frame.loc[frame["iso3"].duplicated(), "iso3"].tolist()
    if dup_names or dup_codes or not frame["iso3"].str.fullmatch(r"[A-Z]{3}").all():
        raise InputError(
            f"the partner-name mapping is inconsistent (repeated names {dup_names}, "
            f"repeated codes {dup_codes}, or a code that is not 3 capital letters)",
            file=str(PARTNER_NAMES_FILE),
            hint="each portal name must appear once and map to its own 3-letter code",
        )
    return frame


def normal_name(name: object) -> str:
    """A portal name as matched: upper case, spaces collapsed (``' u  s a'`` → ``'U S A'``)."""
    return " ".join(str(name).split()).upper()


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    names = partner_names()
    return dict(zip(names["portal_name"].map(normal_name), names["iso3"], strict=True))


def partner_iso3(name: str) -> str | None:
    """ISO3 of a portal partner name (``'U S A'`` → ``'USA'``), or None if unknown."""
    return _lookup().get(normal_name(name))


def map_partners(names: pd.Series, lines: np.ndarray, file: str, field: str) -> pd.Series:
    """Map portal names to ISO3 (vectorised over the distinct names). Raises an
    :class:`InputError` listing every unknown name with the line of its first occurrence."""
    lookup = _lookup()
    codes, uniques = pd.factorize(names, use_na_sentinel=True)
    normal = [normal_name(u) for u in uniques]
    iso = np.array([lookup.get(n) for n in normal] + [None], dtype=object)
    unknown = [i for i, v in enumerate(iso[:-1]) if v is None and normal[i] != ""]
    if unknown:
        first = pd.Series(lines).groupby(codes).min()
        listed = "; ".join(f"{uniques[i]!r} (first at line {int(first[i])})" for i in unknown)
        raise InputError(
            f"{len(unknown)} partner name(s) not in the mapping: {listed}",
            file=file,
            field=field,
            hint=f"add each name with its ISO3 code to {PARTNER_NAMES_FILE} "
            "(columns portal_name, iso3, note) and ingest again",
        )
    return pd.Series(iso[codes], index=names.index, dtype=object)


def _map_partner_codes(names: pd.Series, lines: np.ndarray, file: str) -> pd.Categorical:
    """:func:`map_partners` for a categorical column: each distinct name is mapped once (with
    the line of its first occurrence, for the error), and the rows keep their codes."""
    cat = names.array
    codes = cat.codes
    _, first = np.unique(codes, return_index=True)
    first = first[codes[first] >= 0]
    used = codes[first]
    iso = map_partners(pd.Series(np.asarray(cat.categories, dtype=object)[used]), lines[first],
                       file, "partner").to_numpy(dtype=object)
    table = np.full(len(cat.categories), None, dtype=object)
    table[used] = iso
    return _categorical(codes, table)


# -- reading -------------------------------------------------------------------------------
def _read(path: Path) -> tuple[pd.DataFrame, int]:
    """The raw table and the line-number offset of its first row (1 for Parquet, 2 for CSV)."""
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        try:
            names = pq.read_schema(path).names
            _check_columns(names, path)
            schema = pq.read_schema(path)
            # text columns dictionary-encoded: pandas gets categoricals (a few thousand
            # distinct strings and integer codes) instead of millions of Python strings
            text = [c for c in COLUMNS if pa.types.is_string(schema.field(c).type)
                    or pa.types.is_large_string(schema.field(c).type)]
            table = pq.read_table(path, columns=list(COLUMNS), read_dictionary=text)
        except InputError:
            raise
        except (pa.ArrowException, OSError) as exc:
            raise InputError(
                f"not a readable Parquet file (truncated or corrupt?): {exc}",
                file=str(path),
                hint="download or export the file again",
            ) from exc
        return table.to_pandas(split_blocks=True), 1  # no block consolidation (a copy)
    if suffix in (".csv", ".txt"):
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                header = next(csv.reader(fh), [])
            _check_columns([h.strip() for h in header], path)
            frame = pd.read_csv(
                path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True
            )
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                file=str(path),
                hint="re-save the CSV as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
            ) from exc
        except (pd.errors.ParserError, csv.Error) as exc:
            raise InputError(f"not a well-formed CSV: {exc}", file=str(path)) from exc
        frame.columns = [c.strip() for c in frame.columns]
        return frame[list(COLUMNS)], 2
    raise InputError(
        f"unsupported file type {suffix or '(no extension)'!r}",
        file=str(path),
        hint="give the EIDB extract as .parquet or .csv",
    )


def _check_columns(names: list[str], path: Path) -> None:
    _check_columns_of(names, path, COLUMNS)


def _check_columns_of(names: list[str], path: Path, expected: tuple[str, ...]) -> None:
    missing = [c for c in expected if c not in names]
    if missing:
        raise InputError(
            f"missing column(s) {missing}; found {names}",
            file=str(path),
            hint=f"the file needs the columns {', '.join(expected)}",
        )


def hs8_descriptions(path: str | Path) -> pd.DataFrame:
    """The portal's ITC-HS 8-digit descriptions (``india_hs8_products.parquet``, or a CSV with the
    same header): columns ``hs8`` (8 digits, leading zeros kept), ``hs6``, ``description``,
    ``unit``. Codes must be unique 8-digit strings (7 digits are padded, as in :func:`parse`)."""
    path = require_file(Path(path), "the EIDB HS8 product list (hs8, description, unit)")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            frame = pq.read_table(path).to_pandas()
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", file=str(path),
                         hint="re-save the CSV as UTF-8") from exc
    except (pa.ArrowException, OSError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read the file: {exc}", file=str(path)) from exc
    _check_columns_of(list(frame.columns), path, ("hs8", "description", "unit"))
    code = frame["hs8"].astype(str).str.strip()
    code = code.where(code.str.len() != 7, "0" + code)
    bad = ~code.str.fullmatch(r"\d{8}")
    first = 1 if path.suffix.lower() in (".parquet", ".pq") else 2
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"hs8 {frame['hs8'].iat[i]!r} is not an 8-digit code ({int(bad.sum())} "
                         "such rows)", file=str(path), line=i + first, field="hs8")
    dup = code.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"hs8 {code.iat[i]} appears twice", file=str(path), line=i + first,
                         field="hs8", hint="keep one description per code")
    return pd.DataFrame({"hs8": code, "hs6": code.str[:6],
                         "description": frame["description"].where(frame["description"] != ""),
                         "unit": frame["unit"].where(frame["unit"] != "")}).reset_index(drop=True)


# -- parsing -------------------------------------------------------------------------------
def _distinct(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, values): each row's index into the distinct values, whitespace-stripped, with
    ``None`` for blanks. Text work happens once per distinct value, not once per row."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    values = [None if pd.isna(u) or str(u).strip() == "" else str(u).strip() for u in uniques]
    values.append(None)  # code -1 (missing) → None
    return np.where(codes < 0, len(values) - 1, codes), np.array(values, dtype=object)


def _numeric(column: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(numbers, blank, not-a-number) for a column read as numbers or as text."""
    if pd.api.types.is_numeric_dtype(column):
        numbers = column.to_numpy(dtype="float64", na_value=np.nan)
        return numbers, np.isnan(numbers), np.zeros(len(numbers), dtype=bool)
    codes, values = _distinct(column)
    parsed = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy("float64")
    blank = np.array([v is None for v in values])
    return parsed[codes], blank[codes], (np.isnan(parsed) & ~blank)[codes]


def _validate(
    frame: pd.DataFrame, first_line: int, bad: BadRows, stats: Counter[str]
) -> pd.DataFrame:
    """Normalise one file's rows; malformed ones go to ``bad`` and are dropped. Text is
    checked and normalised once per distinct value; the output's text columns are
    categoricals over those values."""
    n = len(frame)
    lines = np.arange(first_line, first_line + n, dtype="int64")
    # the first problem of each row, as an index into ``reasons`` (0: none so far)
    problem = np.zeros(n, dtype=np.int16)
    reasons: list[tuple[str | None, str | None]] = [(None, None)]

    def mark(mask: Any, name: str, reason: str) -> None:
        mask = np.asarray(mask, dtype=bool) & (problem == 0)
        if mask.any():
            reasons.append((name, reason))
            problem[mask] = len(reasons) - 1

    fy, fy_blank, fy_text = _numeric(frame["fy_start"])
    this_year = datetime.now(UTC).year
    with np.errstate(invalid="ignore"):
        fy_ok = ~fy_blank & ~fy_text & (fy == np.floor(fy)) & (fy >= FIRST_FY) & (fy <= this_year)
    mark(~fy_ok, "fy_start", f"fiscal year start must be a whole year {FIRST_FY}…{this_year}")

    hs_codes, hs_values = _distinct(frame["hs8"])
    hs_text = pd.Series(hs_values, dtype=object).fillna("")
    is_digits = hs_text.str.fullmatch(r"\d{7,8}").to_numpy(dtype=bool)
    was7_u = is_digits & (hs_text.str.len() == 7).to_numpy()
    hs_norm = np.where(was7_u, "0" + hs_text, hs_text).astype(object)
    mark(~is_digits[hs_codes], "hs8", "hs8 must be an 8-digit ITC-HS code (7 digits are padded)")
    was7 = was7_u[hs_codes]

    p_codes, p_values = _distinct(frame["partner"])
    mark(pd.isna(p_values)[p_codes], "partner", "partner is empty")
    p_values = np.array([None if v is None else normal_name(v) for v in p_values], dtype=object)

    value, v_blank, v_text = _numeric(frame["value_usd_million"])
    with np.errstate(invalid="ignore"):
        mark(v_text, "value_usd_million", "value is not a number")
        mark(np.isinf(value), "value_usd_million", "value is not finite")
        mark(value < 0, "value_usd_million", "value is negative")
        off = np.abs(value * 100 - np.rint(value * 100)) > 1e-6
        mark(off, "value_usd_million", "value has more than 2 decimals (US$ million, 2 decimals)")
        qty, _q_blank, q_text = _numeric(frame["quantity"])
        mark(q_text, "quantity", "quantity is not a number")
        mark((qty < 0) | np.isinf(qty), "quantity", "quantity is negative or infinite")

    # duplicates among otherwise good rows, on one packed integer key per row (fiscal year,
    # normalised code id, normalised partner id)
    hs_u, hs_id_u = np.unique(hs_norm.astype(str), return_inverse=True)
    hs_id = hs_id_u[hs_codes]
    p_u, p_id_u = np.unique(np.where(pd.isna(p_values), "", p_values).astype(str),
                            return_inverse=True)
    p_id = p_id_u[p_codes]
    good = problem == 0
    fy_key = np.where(good, fy, 0).astype("int64") - FIRST_FY
    packed = (fy_key * len(hs_u) + hs_id) * len(p_u) + p_id
    ordered = np.sort(packed[good])  # a sort finds whether any key repeats (fast), and only
    if (ordered[1:] == ordered[:-1]).any():  # then are the repeated rows found and shown
        dup = good & pd.Series(np.where(good, packed, -1 - np.arange(n))).duplicated(
            keep=False).to_numpy()
    else:
        dup = np.zeros(n, dtype=bool)
    shown: dict[int, str] = {}
    if dup.any():
        dup_idx = np.flatnonzero(dup)
        firsts = pd.Series(lines[dup_idx]).groupby(packed[dup_idx]).transform("min").to_numpy()
        reasons.append(("hs8", "duplicate of another row with the same (fy_start, hs8, partner)"))
        for i, line in zip(dup_idx, firsts, strict=True):
            problem[i] = len(reasons) - 1
            key = f"{fy[i]:.0f}, {hs_norm[hs_codes[i]]}, {p_values[p_codes[i]]}"
            shown[int(i)] = f"{key} (first at line {line})"
    for i in np.flatnonzero(problem != 0):  # loops over malformed rows only
        col, reason = reasons[problem[i]]
        value_shown = shown.get(int(i), frame[col].iat[i])
        bad.add(int(lines[i]), col, value_shown, reason)

    good = problem == 0
    stats["hs8_zero_padded"] += int((was7 & good).sum())
    u_codes, u_values = _distinct(frame["unit"])
    return pd.DataFrame(
        {
            "fy": fy[good].astype("int64"),
            "hs8": _categorical(hs_codes[good], hs_norm),
            "partner": _categorical(p_codes[good], p_values),
            "value": np.nan_to_num(value[good], nan=0.0),
            "missing": v_blank[good],
            "quantity": qty[good],
            "unit": _categorical(u_codes[good], u_values),
            "line": lines[good],
        },
        copy=False,  # fresh arrays: not copied again into consolidated blocks
    )


def _categorical(codes: np.ndarray, values: np.ndarray) -> pd.Categorical:
    """``values[codes]`` as a categorical, without one Python string per row: ``values`` is
    small (one entry per distinct raw text), may repeat after normalisation, and holds
    ``None`` (or ``""``) for a missing value."""
    missing = np.array([v is None or v == "" for v in values], dtype=bool)
    present = np.array([str(v) for v, m in zip(values, missing, strict=True) if not m],
                       dtype=object)
    cats, inverse = np.unique(present.astype(str), return_inverse=True)
    index = np.full(len(values), -1, dtype=np.int64)
    index[~missing] = inverse
    return pd.Categorical.from_codes(index[codes], categories=pd.Index(cats.astype(object)))


#: How the table hands its text columns to the warehouse: dictionary-encoded (a few hundred
#: distinct values over 2.8 M rows), written to Parquet from the dictionary and read back as
#: plain text (``warehouse.schema.conform``).
TEXT = pa.dictionary(pa.int32(), pa.string())
FLOWS_ENCODED = pa.schema([f.with_type(TEXT) if pa.types.is_string(f.type) else f
                           for f in FLOWS])


def _strings(values: Any) -> pa.Array:
    """A dictionary-encoded text array from an object array with few distinct values, or
    from a categorical (its codes and categories as they are)."""
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values, pd.Categorical):
        codes = values.codes.astype("int32")
        indices = pa.array(codes, pa.int32(), mask=codes < 0)
        dictionary = pa.array(list(values.categories), pa.string())
        return pa.DictionaryArray.from_arrays(indices, dictionary)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    indices = pa.array(codes, pa.int32(), mask=codes < 0)
    dictionary = pa.array(list(uniques), pa.string())
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def _constant(text: str, n: int) -> pa.Array:
    """``text`` repeated ``n`` times, dictionary-encoded."""
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype="int32")),
                                          pa.array([text], pa.string()))


def parse(paths: list[Path], **options: Any) -> Parsed:
    """Parse EIDB export files into canonical flows (see the module docstring)."""
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        raise InputError(
            f"option(s) {unknown} do not apply to source {SOURCE!r}",
            hint=f"options of {SOURCE}: {sorted(_OPTIONS)}",
        )
    if not paths:
        raise InputError("no input file given", hint="e.g. tradegap ingest india-dgcis "
                         "../shared/data/india_exports_eidb/india_exports_hs8_partner.parquet")
    limit = float(options.get("max_bad_rows") or DEFAULT_MAX_BAD_ROWS)
    name = options.get("name") or DATASET
    parts: list[pd.DataFrame] = []
    bads: list[BadRows] = []
    files: list[dict[str, Any]] = []
    stats: Counter[str] = Counter()
    rows_read = 0
    for path in (require_file(Path(p), "an EIDB export extract (.parquet or .csv)") for p in paths):
        raw, first_line = _read(path)
        if raw.empty:
            raise InputError("the file has no data rows", file=str(path))
        rows_read += len(raw)
        bad = BadRows(path, limit)
        part = _validate(raw, first_line, bad, stats)
        part["iso3"] = _map_partner_codes(part["partner"], part["line"].to_numpy(), str(path))
        part["file"] = len(bads)
        bads.append(bad)
        parts.append(part)
        files.append(
            {
                "file": path.name,
                "sha256": file_sha256(path),
                "rows": len(raw),
                "years": [fiscal_year_label(int(y)) for y in sorted(part["fy"].unique())],
            }
        )
    rows = pd.concat(parts, ignore_index=True)
    if len(parts) > 1:  # duplicates across files
        dup = rows.duplicated(["fy", "hs8", "iso3"], keep=False).to_numpy()
        for i in np.flatnonzero(dup):
            r = rows.iloc[i]
            bads[int(r["file"])].add(
                int(r["line"]), "hs8", f"{r['fy']}, {r['hs8']}, {r['partner']}",
                "duplicate of (fy_start, hs8, partner) in another input file",
            )
        rows = rows[~dup]
    for bad, info in zip(bads, files, strict=True):
        bad.check(info["rows"])
    set_aside: Counter[str] = Counter()
    for bad in bads:
        set_aside.update(bad.reasons)

    flags = pd.Categorical.from_codes(
        np.where(rows["missing"], 0, np.where(rows["value"] == 0, 1, -1)),
        categories=["value_missing", "rounded_to_zero"])
    fys = rows["fy"].to_numpy()
    year_codes, years = pd.factorize(fys)
    labels = np.array([fiscal_year_label(int(y)) for y in years], dtype=object)
    revisions = np.array([hs_revision(int(y)) for y in years], dtype=object)
    n = len(rows)
    table = pa.table(
        {
            "period": _strings(_categorical(year_codes, labels)),
            "period_type": _constant("fiscal_year_in", n),
            "year": pa.array(fys.astype("int16"), pa.int16()),
            "month": pa.nulls(n, pa.int8()),
            "exporter": _constant("IND", n),
            "importer": _strings(rows["iso3"]),
            "product": _strings(rows["hs8"]),
            "hs_revision": _strings(_categorical(year_codes, revisions)),
            "digits": pa.repeat(pa.scalar(8, pa.int8()), n),
            "value_usd": pa.array(million_to_usd(rows["value"].to_numpy()), pa.float64()),
            "quantity": pa.array(rows["quantity"].to_numpy(), pa.float64(), from_pandas=True),
            "quantity_unit": _strings(rows["unit"]),
            "source": _constant(SOURCE, n),
            "reporter": _constant("exporter", n),
            "flag": _strings(flags),
        },
        schema=FLOWS_ENCODED,
    )
    flagged = {
        "rounded_to_zero": int((flags == "rounded_to_zero").sum()),
        "value_missing": int((flags == "value_missing").sum()),
        "hs8_zero_padded": int(stats["hs8_zero_padded"]),
    }
    periods = sorted({y for f in files for y in f["years"]})
    prov = Provenance(
        sources=[SOURCE],
        datasets=[name],
        periods=periods,
        revisions=sorted({hs_revision(int(y)) for y in years}),
        notes=[
            "India's exports as declared by India (DGCI&S); HS6 = first 6 digits of hs8",
            "values 0.00 (below US$5,000) kept with flag rounded_to_zero",
        ],
    ).to_dict()
    prov["coverage"] = "HS chapters 98–99 absent"
    prov["product_coverage"] = "most"  # ranks below a source with every chapter
    prov.update(files=files, flagged=flagged, partner_names_sha256=file_sha256(PARTNER_NAMES_FILE))
    issues = [i for bad in bads for i in bad.issues]
    return Parsed(
        dataset=name,
        source=SOURCE,
        data=table,
        fingerprint=fingerprint(
            [Path(p) for p in paths],
            source=SOURCE,
            name=name,
            max_bad_rows=limit,
            parser=PARSER_VERSION,
            mapping=prov["partner_names_sha256"],
        ),
        rows_read=rows_read,
        set_aside=dict(set_aside),
        issues=issues,
        provenance=prov,
    )
