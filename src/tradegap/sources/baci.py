"""CEPII BACI: reconciled bilateral trade flows at HS6 (Gaulier & Zignago 2010, CEPII WP 2010-23).

Reads a release zip (``BACI_HS17_V202501.zip`` with ``BACI_HS17_Y2020_V202501.csv`` per year,
``country_codes_V202501.csv``, ``product_codes_HS17_V202501.csv``) or yearly CSVs plus a country
table (option ``country_table``, else the newest ``country_codes_V*.csv`` beside the CSV).

Columns ``t,i,j,k,v,q``: year, exporter and importer (BACI numeric codes), HS6 product, value in
thousand US$ (3 decimals), quantity in metric tons (right-aligned, missing = ``NA``). The heavy
lifting runs in DuckDB: a typed ``read_csv`` whose country columns are an ENUM of the table's codes
(so unknown codes, bad numbers and short lines land in DuckDB's reject tables with their line
numbers), a few vectorised checks, and a relation in the canonical column order for
:meth:`Warehouse.write`.

Options: ``country_table`` (path), ``revision`` (HS92…HS22; default from the file name),
``years`` (e.g. ``"2020,2021"``: only those yearly files of a zip), ``name`` (dataset name,
default ``baci_hs17``), ``max_bad_rows``.
"""

from __future__ import annotations

import csv
import io
import math
import re
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from tradegap.bounds import MAX_USD
from tradegap.errors import InputError
from tradegap.sources.base import (
    DEFAULT_MAX_BAD_ROWS,
    BadRows,
    Parsed,
    file_info,
    fingerprint,
    require_file,
)

HEADER = ["t", "i", "j", "k", "v", "q"]
REVISIONS = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")
#: Options ``parse`` accepts (``--set KEY=VALUE`` on the command line).
OPTIONS = ("country_table", "revision", "years", "name", "max_bad_rows")

#: BACI groupings without an ISO3 code in the country table. 490 "Other Asia, nes" is given UN
#: Comtrade's code ``S19`` (Comtrade's reference list of partner areas), so that BACI and Comtrade
#: data agree. Other such codes (697 Europe EFTA nes, 849 US Misc. Pacific Isds) are set aside.
ISO3_FALLBACK = {490: "S19"}

_CODE_COLUMNS = ("country_code",)
_ISO3_COLUMNS = ("country_iso3", "iso_3digit_alpha")
_NAME_COLUMNS = ("country_name", "country_name_abbreviation")
_DATA_NAME = re.compile(r"BACI_(HS\d\d)_Y(\d{4})(?:_V(\d+))?.*\.csv$", re.IGNORECASE)
_COUNTRY_NAME = re.compile(r"country_codes_V(\d+)\.csv$", re.IGNORECASE)
_SYNTHETIC = re.compile(r"_V0(_demo)?\.csv$|_demo\.csv$", re.IGNORECASE)
_NO_ISO3 = "country has no ISO3 code in the BACI table (a 'nes' grouping)"


@dataclass(frozen=True)
class Country:
    """One row of a BACI country table."""

    code: int
    name: str
    iso3: str | None


def read_country_table(path: Path, *, label: str | None = None) -> list[Country]:
    """Read a BACI ``country_codes_V*.csv`` (UTF-8 or Latin-1, both header layouts).

    Older releases name the columns ``iso_3digit_alpha`` / ``country_name_abbreviation``, newer
    ones ``country_iso3`` / ``country_name``. ``N/A`` ISO3 codes become ``None`` unless
    :data:`ISO3_FALLBACK` knows the code."""
    return _parse_country_bytes(Path(path).read_bytes(), label or str(path))


def _parse_country_bytes(raw: bytes, label: str) -> list[Country]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # BACI tables before V2024 are Latin-1
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise InputError("the country table is empty", file=label,
                         hint="use the country_codes_V*.csv of the BACI release")
    header = [h.strip().lower() for h in rows[0]]

    def col(names: tuple[str, ...], required: bool = True) -> int:
        for n in names:
            if n in header:
                return header.index(n)
        if not required:
            return len(header)  # past the end: read as ''
        raise InputError(
            f"the country table has no column {' or '.join(names)} (columns: {header})",
            file=label, line=1, hint="use the country_codes_V*.csv of the BACI release",
        )

    ci, ii, ni = col(_CODE_COLUMNS), col(_ISO3_COLUMNS), col(_NAME_COLUMNS, required=False)
    out: list[Country] = []
    seen: dict[int, int] = {}
    for lineno, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        try:
            code = int(row[ci])
        except (ValueError, IndexError):
            raise InputError(f"country code {row[ci] if ci < len(row) else ''!r} is not a number",
                             file=label, line=lineno, field=header[ci],
                             hint="use the country_codes_V*.csv of the BACI release") from None
        if code in seen:
            raise InputError(f"country code {code} appears twice (first on line {seen[code]})",
                             file=label, line=lineno, field=header[ci],
                             hint="each code must map to one country")
        seen[code] = lineno
        iso3 = row[ii].strip() if ii < len(row) else ""
        valid = re.fullmatch(r"[A-Z][A-Z0-9]{2}", iso3) is not None
        out.append(Country(code, row[ni] if ni < len(row) else "",
                           iso3 if valid else ISO3_FALLBACK.get(code)))
    return out


@dataclass
class _Input:
    """One yearly CSV to read: where it is on disk, what to call it in messages."""

    path: Path
    label: str
    revision: str | None
    year: int | None = None  # from the file name: every row must be of that year


def parse(paths: list[Path], **options: Any) -> Parsed:
    """Parse BACI zips or yearly CSVs into canonical flows (see the module docstring)."""
    if not paths:
        raise InputError("no BACI file given",
                         hint="pass a release zip (BACI_HS17_V202501.zip) or yearly CSVs")
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise InputError(f"unknown option(s) {unknown}", field="--set",
                         hint=f"this source takes: {', '.join(OPTIONS)}")
    limit = float(options.get("max_bad_rows", DEFAULT_MAX_BAD_ROWS) or 0)
    years = {int(y) for y in str(options["years"]).split(",")} if options.get("years") else None
    tmp = tempfile.TemporaryDirectory(prefix="tradegap-baci-")
    try:
        inputs, countries, table_label = _collect(paths, options, Path(tmp.name), years)
        revision = _revision(inputs, options)
        # spills (a whole release exceeds memory) go beside the system's temporary files;
        # DuckDB removes its own spill files when the connection closes
        spill = Path(tempfile.gettempdir()) / "tradegap-duckdb-spill"
        con = duckdb.connect(config={"preserve_insertion_order": False,
                                     "temp_directory": str(spill)})
        parsed = _load(con, inputs, countries, revision, limit, table_label)
    finally:
        tmp.cleanup()
    fp_options = {k: v for k, v in options.items() if k not in ("max_bad_rows", "name")}
    table_file = [Path(table_label)] if Path(table_label).is_file() else []  # not in a zip
    parsed.fingerprint = fingerprint([*paths, *table_file], **fp_options, max_bad_rows=limit,
                                     parser="baci-1")
    parsed.dataset = str(options.get("name") or f"baci_{revision.lower()}")
    # the demo world writes BACI-layout files as release V0 (tradegap.sources.demo)
    parsed.synthetic = any(_SYNTHETIC.search(Path(i.label).name) for i in inputs)
    parsed.provenance = {
        "source": "SYNTHETIC demo world in BACI's layout" if parsed.synthetic
        else "CEPII BACI (Etalab Open Licence 2.0)",
        "files": [file_info(Path(p)) for p in paths],
        "country_table": table_label,
        "hs_revision": revision,
        "reporter": "reconciled",
    }
    return parsed


def _collect(
    paths: list[Path], options: dict[str, Any], tmp: Path, years: set[int] | None
) -> tuple[list[_Input], list[Country], str]:
    inputs: list[_Input] = []
    country_bytes: tuple[bytes, str] | None = None
    if options.get("country_table"):
        p = require_file(Path(options["country_table"]), "a BACI country_codes_V*.csv")
        country_bytes = (p.read_bytes(), str(p))
    beside: list[Path] = []
    for path in map(Path, paths):
        require_file(path, "a BACI release zip or a yearly BACI_*.csv file")
        if path.suffix.lower() == ".zip":
            found = _extract(path, tmp, years)
            inputs += found[0]
            if country_bytes is None and found[1] is not None:
                country_bytes = found[1]
        else:
            m = _DATA_NAME.search(path.name)
            inputs.append(_Input(path, str(path), m.group(1).upper() if m else None,
                                 int(m.group(2)) if m else None))
            beside += sorted(path.parent.glob("country_codes_V*.csv"))
    if not inputs:
        raise InputError("no yearly BACI_*_Y*.csv file found in the input", file=str(paths[0]),
                         hint="pass a BACI release zip or its yearly CSVs")
    if country_bytes is None:
        if not beside:
            raise InputError(
                "no BACI country table found beside the CSV", file=str(inputs[0].path),
                field="country_table",
                hint="put country_codes_V*.csv beside it or pass --set country_table=PATH",
            )
        newest = max(set(beside), key=lambda p: int(_COUNTRY_NAME.search(p.name).group(1)))
        country_bytes = (newest.read_bytes(), str(newest))
    countries = _parse_country_bytes(*country_bytes)
    return inputs, countries, country_bytes[1]


def _extract(
    path: Path, tmp: Path, years: set[int] | None
) -> tuple[list[_Input], tuple[bytes, str] | None]:
    """Unpack the yearly CSVs of a release zip into ``tmp``; return them and the country table."""
    hint = "the download is damaged or incomplete: fetch it again (tradegap fetch baci)"
    try:
        with zipfile.ZipFile(path) as zf:
            inputs: list[_Input] = []
            country: tuple[bytes, str] | None = None
            for member in zf.infolist():
                base = Path(member.filename).name
                label = f"{path}!{member.filename}"
                m = _DATA_NAME.search(base)
                if m and (years is None or int(m.group(2)) in years):
                    target = tmp / f"{len(inputs)}-{base}"
                    with zf.open(member) as src, open(target, "wb") as dst:
                        while chunk := src.read(1 << 22):
                            dst.write(chunk)
                    inputs.append(_Input(target, label, m.group(1).upper(), int(m.group(2))))
                elif _COUNTRY_NAME.search(base):
                    country = (zf.read(member), label)
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, OSError, zlib.error) as exc:
        raise InputError(f"cannot read the zip: {exc}", file=str(path), hint=hint) from exc
    return inputs, country


def _revision(inputs: list[_Input], options: dict[str, Any]) -> str:
    given = options.get("revision")
    if given:
        rev = str(given).upper()
        if rev not in REVISIONS:
            raise InputError(f"unknown HS revision {given!r}", field="revision",
                             hint=f"choose one of {', '.join(REVISIONS)}")
        return rev
    found = {i.revision for i in inputs}
    if None in found or len(found) != 1 or not found <= set(REVISIONS):
        raise InputError(
            f"cannot tell the HS revision from the file names (found {sorted(map(str, found))})",
            file=inputs[0].label, field="revision",
            hint="name files BACI_HS17_Y2020_….csv or pass --set revision=HS17",
        )
    return found.pop()


def _check_header(item: _Input) -> None:
    with open(item.path, "rb") as fh:
        head = fh.readline()
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(size - 1, 0))
        last = fh.read(1)
    try:
        text = head.decode("ascii").strip()
    except UnicodeDecodeError:
        raise InputError(
            "the header is not plain ASCII text: wrong encoding or not a BACI CSV",
            file=item.label, line=1, hint="BACI CSVs are ASCII with header t,i,j,k,v,q",
        ) from None
    got = [c.strip().strip('"') for c in text.split(",")]
    if got != HEADER:
        raise InputError(f"wrong header {text!r}, expected {','.join(HEADER)!r}",
                         file=item.label, line=1,
                         hint="pass a BACI yearly CSV (columns t,i,j,k,v,q)")
    if last != b"\n":
        raise InputError("the file does not end with a line break: it looks truncated",
                         file=item.label, hint="download or unpack the file again")


def _load(
    con: duckdb.DuckDBPyConnection,
    inputs: list[_Input],
    countries: list[Country],
    revision: str,
    limit: float,
    table_label: str,
) -> Parsed:
    codes = [str(c) for c in sorted(c.code for c in countries)]  # numeric order: see _unique
    con.execute("CREATE TYPE baci_code AS ENUM (" + ",".join(f"'{c}'" for c in codes) + ")")
    con.execute("CREATE TEMP TABLE countries (code baci_code, iso3 VARCHAR)")
    con.executemany("INSERT INTO countries VALUES (?, ?)",
                    [(str(c.code), c.iso3) for c in countries])
    con.execute(
        "CREATE TEMP TABLE raw (f SMALLINT, t SMALLINT, i baci_code, j baci_code, k INTEGER,"
        " v DOUBLE, q DOUBLE, q_bad BOOLEAN)"
    )
    columns = "{'t':'SMALLINT','i':'baci_code','j':'baci_code','k':'INTEGER'," \
              "'v':'DOUBLE','q':'VARCHAR'}"
    # q is right-aligned with spaces and a missing q reads '           NA' at any width: read
    # as text and cast here (faster than a typed read with a list of padded null strings)
    q_cast = ("TRY_CAST(q AS DOUBLE), q IS NOT NULL AND TRY_CAST(q AS DOUBLE) IS NULL"
              " AND ltrim(q) <> 'NA'")
    set_aside: dict[str, int] = {}
    issues = []
    rows_read = 0
    for f, item in enumerate(inputs):
        _check_header(item)
        bad = BadRows(item.label, limit)
        try:
            con.execute(
                f"INSERT INTO raw SELECT {f}, t, i, j, k, v, {q_cast}"
                " FROM read_csv(?, header=true,"
                f" auto_detect=false, delim=',', quote='\"', escape='\"', columns={columns},"
                " nullstr='',"
                f" store_rejects=true, rejects_table='rejects_{f}', rejects_scan='scans_{f}')",
                [str(item.path)],
            )
        except duckdb.InvalidInputException as exc:  # e.g. bytes that are not text
            raise InputError(f"cannot read the CSV: {exc}", file=item.label,
                             hint="BACI CSVs are ASCII text: download or unpack the file"
                             " again") from exc
        rejected = con.execute(
            "SELECT line, any_value(column_name ORDER BY column_idx),"
            " any_value(csv_line), any_value(error_type ORDER BY column_idx),"
            " any_value(error_message ORDER BY column_idx)"
            f" FROM rejects_{f} GROUP BY line ORDER BY line"
        ).fetchall()
        for line, column, csv_line, etype, message in rejected:
            bad.add(line, column, csv_line, _reason(column, etype, message))
        good = con.execute("SELECT count(*) FROM raw WHERE f = ?", [f]).fetchall()[0][0]
        total = good + len(rejected)
        _check_table_matches(con, f, item, table_label, total)
        _post_checks(con, f, item, bad)
        rows_read += total
        bad.check(total)
        for reason, n in bad.reasons.items():
            set_aside[reason] = set_aside.get(reason, 0) + n
        issues += bad.issues
    years = con.execute(
        "SELECT t FROM raw GROUP BY t HAVING count(DISTINCT f) > 1"
    ).fetchall()
    if years:
        raise InputError(f"year {years[0][0]} appears in more than one input file",
                         hint="pass each year once (one release, one revision)")
    nes_codes = [str(c.code) for c in countries if c.iso3 is None]
    if nes_codes:
        listed = ",".join(f"'{c}'" for c in nes_codes)
        nes = con.execute(
            f"SELECT count(*) FROM raw WHERE i IN ({listed}) OR j IN ({listed})"
        ).fetchall()[0][0]
        if nes:
            set_aside[_NO_ISO3] = nes
    relation = _relation(con, revision)
    parsed = Parsed(dataset="", source="baci", data=relation, fingerprint="",
                    rows_read=rows_read, set_aside=set_aside, issues=issues)
    parsed._connection = con  # type: ignore[attr-defined]  # keeps the relation's data alive
    return parsed


def _relation(con: duckdb.DuckDBPyConnection, revision: str) -> duckdb.DuckDBPyRelation:
    """The canonical flows as a relation. Repeated strings (countries, products, years) come
    from small ENUM lookup tables: written to Parquet as dictionary-encoded strings, they cost a
    fraction of per-row string building."""
    con.execute("CREATE TYPE iso AS ENUM (SELECT DISTINCT iso3 FROM countries"
                " WHERE iso3 IS NOT NULL ORDER BY 1)")
    con.execute("CREATE TEMP TABLE iso_of AS SELECT code, CAST(iso3 AS iso) AS iso3"
                " FROM countries WHERE iso3 IS NOT NULL")
    con.execute("CREATE TEMP TABLE ks AS SELECT DISTINCT k FROM raw")
    con.execute("CREATE TYPE hs6 AS ENUM (SELECT lpad(CAST(k AS VARCHAR), 6, '0') FROM ks)")
    con.execute("CREATE TEMP TABLE product_of AS"
                " SELECT k, CAST(lpad(CAST(k AS VARCHAR), 6, '0') AS hs6) AS product FROM ks")
    con.execute("CREATE TEMP TABLE ts AS SELECT DISTINCT t FROM raw")
    con.execute("CREATE TYPE yr AS ENUM (SELECT CAST(t AS VARCHAR) FROM ts)")
    con.execute("CREATE TEMP TABLE period_of AS"
                " SELECT t, CAST(CAST(t AS VARCHAR) AS yr) AS period FROM ts")
    return con.sql(
        f"""
        SELECT y.period, 'calendar_year' AS period_type,
               r.t AS year, CAST(NULL AS TINYINT) AS month,
               e.iso3 AS exporter, m.iso3 AS importer, p.product,
               '{revision}' AS hs_revision, CAST(6 AS TINYINT) AS digits,
               round(r.v * 1000) AS value_usd,
               r.q AS quantity, CASE WHEN r.q IS NULL THEN NULL ELSE 't' END AS quantity_unit,
               'baci' AS source, 'reconciled' AS reporter, CAST(NULL AS VARCHAR) AS flag
        FROM raw r JOIN iso_of e ON r.i = e.code JOIN iso_of m ON r.j = m.code
             JOIN product_of p ON r.k = p.k JOIN period_of y ON r.t = y.t
        """
    )


def _check_table_matches(
    con: duckdb.DuckDBPyConnection, f: int, item: _Input, table_label: str, total: int
) -> None:
    """A country table from another release leaves many rows with unknown codes: say so once
    instead of listing thousands of rows."""
    rows = con.execute(
        f"SELECT CASE WHEN column_name = 'i' THEN split_part(csv_line, ',', 2)"
        f" ELSE split_part(csv_line, ',', 3) END AS code, count(*) FROM rejects_{f}"
        f" WHERE error_type = 'CAST' AND column_name IN ('i', 'j') GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall()
    unknown = sum(n for _, n in rows)
    if total and unknown > total / 2:
        codes = ", ".join(code.strip() for code, _ in rows[:10])
        raise InputError(
            f"{unknown:,} of {total:,} rows have country codes missing from the country table "
            f"{table_label} (codes {codes}{' …' if len(rows) > 10 else ''})",
            file=item.label, field="country_table",
            hint="use the country_codes_V*.csv of the same BACI release as the data "
            "(--set country_table=PATH)",
        )


def _reason(column: str | None, etype: str, message: str) -> str:
    if etype == "CAST" and column in ("i", "j"):
        return "unknown country code (not in the BACI country table)"
    if etype == "CAST":
        return f"bad number in column {column}"
    if etype in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
        return f"wrong number of fields ({message})"
    return f"{etype.lower()}: {message}"


def _post_checks(con: duckdb.DuckDBPyConnection, f: int, item: _Input, bad: BadRows) -> None:
    """Checks DuckDB's typed read cannot make: product range, missing or negative value, bad
    quantity, implausible year, duplicated (t, i, j, k). Offending rows are removed from ``raw``;
    their line numbers are found by a scan of the file, which only runs when something is
    wrong."""
    cond = _bad_row_sql(item)
    n_bad = con.execute(f"SELECT count(*) FROM raw WHERE f = ? AND ({cond})", [f]
                        ).fetchall()[0][0]
    packed = ("(CAST(t - 1900 AS BIGINT) << 42) | (CAST(enum_code(i) AS BIGINT) << 31)"
              " | (CAST(enum_code(j) AS BIGINT) << 20) | k")
    keys = con.execute(f"SELECT {packed} AS key FROM raw WHERE f = ? AND NOT ({cond})", [f]
                       ).fetchnumpy()["key"]
    unique = _unique(keys)
    del keys
    n_dup = 0 if unique else con.execute(
        f"SELECT count(*) - count(DISTINCT {packed}) FROM raw WHERE f = ? AND NOT ({cond})", [f]
    ).fetchall()[0][0]
    if not n_bad and not n_dup:
        return
    dups = con.execute(
        f"SELECT t, CAST(i AS VARCHAR), CAST(j AS VARCHAR), k, count(*) FROM raw WHERE f = ?"
        f" AND NOT ({cond}) GROUP BY ALL HAVING count(*) > 1", [f]
    ).fetchall() if n_dup else []
    dup_keys = {(int(t), int(i), int(j), int(k)) for t, i, j, k, _ in dups}
    before = bad.count
    _locate(item, bad, dup_keys)
    missing = n_bad + sum(d[4] for d in dups) - (bad.count - before)
    for _ in range(max(missing, 0)):  # a safety net: never drop a row without counting it
        bad.add(None, None, None, "failed a check but could not be located in the file")
    con.execute(f"DELETE FROM raw WHERE f = ? AND ({cond})", [f])
    if dups:
        con.execute("CREATE OR REPLACE TEMP TABLE dup_keys (t SMALLINT, i VARCHAR, j VARCHAR,"
                    " k INTEGER)")
        con.executemany("INSERT INTO dup_keys VALUES (?, ?, ?, ?)", [d[:4] for d in dups])
        con.execute(
            "DELETE FROM raw USING dup_keys d WHERE raw.f = ? AND raw.t = d.t"
            " AND CAST(raw.i AS VARCHAR) = d.i AND CAST(raw.j AS VARCHAR) = d.j AND raw.k = d.k",
            [f],
        )


def _unique(keys: np.ndarray) -> bool | None:
    """Whether the keys are distinct, when that is cheap to tell; ``None`` when it is not.

    BACI files are sorted by (i, j, k), so the keys arrive as a few increasing runs (a parallel
    read shuffles blocks of rows), which a stable sort (Timsort) merges in near-linear time.
    Unsorted input returns ``None``: the caller then counts with a parallel hash in DuckDB."""
    if len(keys) < 2:
        return True
    descents = np.count_nonzero(keys[1:] <= keys[:-1])
    if descents > max(len(keys) // 64, 16):
        return None
    ordered = np.sort(keys, kind="stable")
    return bool(np.all(ordered[1:] > ordered[:-1]))


def _locate(item: _Input, bad: BadRows, dup_keys: set[tuple[int, int, int, int]]) -> None:
    """Find and report the lines of rows that failed the post-read checks."""
    first: dict[tuple[int, int, int, int], int] = {}
    with open(item.path, newline="", encoding="ascii", errors="replace") as fh:
        reader = csv.reader(fh)
        next(reader)
        for line, row in enumerate(reader, start=2):
            if len(row) != 6:
                continue  # already reported by DuckDB's rejects
            t, i, j, k, v = (x.strip() for x in row[:5])
            try:
                key = (int(t), int(i), int(j), int(k))
            except ValueError:
                continue  # a cast error, already reported
            if not 10000 <= key[3] <= 999999:
                bad.add(line, "k", k, "bad product code (not an HS6 code)")
            elif v == "" or v.startswith("-"):
                bad.add(line, "v", v, "missing or negative value")
            elif (problem := _bad_value(v)) is not None:
                bad.add(line, "v", v, problem)
            elif not 1900 <= key[0] <= 2100:
                bad.add(line, "t", t, "implausible year")
            elif item.year is not None and key[0] != item.year:
                bad.add(line, "t", t, f"the year differs from the file name's ({item.year})")
            elif _bad_quantity(row[5]):
                bad.add(line, "q", row[5], "bad number in column q")
            elif key in dup_keys:
                if key in first:
                    bad.add(line, "t,i,j,k", ",".join(row[:4]),
                            f"duplicate of line {first[key]} (every copy is set aside)")
                else:
                    first[key] = line
                    bad.add(line, "t,i,j,k", ",".join(row[:4]),
                            "duplicated (t, i, j, k): every copy is set aside")


def _bad_quantity(text: str) -> bool:
    text = text.strip()
    if text in ("", "NA"):
        return False
    try:
        q = float(text)
    except ValueError:
        return True
    return not math.isfinite(q) or q < 0


#: The largest v (thousand US$) accepted: about world GDP (:data:`tradegap.bounds.MAX_USD`).
MAX_V = MAX_USD / 1000
#: v × 1000 must be whole dollars: BACI publishes three decimals. The tolerance absorbs the
#: rounding of v × 1000 in floating point (a few units in the last place).
_WHOLE_DOLLARS_SQL = "abs(v * 1000 - round(v * 1000)) > greatest(1e-6, abs(v * 1000) * 2e-15)"


def _bad_row_sql(item: _Input) -> str:
    """The SQL condition of a row that fails a check DuckDB's typed read cannot make."""
    cond = ("k IS NULL OR k < 10000 OR k > 999999 OR v IS NULL OR v < 0 OR t IS NULL"
            " OR t < 1900 OR t > 2100 OR i IS NULL OR j IS NULL OR q_bad"
            f" OR NOT isfinite(v) OR v > {MAX_V!r} OR {_WHOLE_DOLLARS_SQL}"
            " OR (q IS NOT NULL AND (NOT isfinite(q) OR q < 0))")
    if item.year is not None:
        cond += f" OR t <> {int(item.year)}"
    return cond


def _bad_value(text: str) -> str | None:
    """Why a non-negative v is refused (the same test as :func:`_bad_row_sql`), or None."""
    try:
        v = float(text)
    except ValueError:
        return None  # a cast error, already reported
    if not math.isfinite(v) or v > MAX_V:
        return (f"value not finite or above {MAX_V:.1e} thousand US$ (about world GDP): "
                "a typo?")
    x = v * 1000
    if abs(x - round(x)) > max(1e-6, abs(x) * 2e-15):
        return "value with more than three decimals (BACI's unit is thousand US$, to the dollar)"
    return None
