"""Hypothesis strategies: small valid input files for every source layout, each with the values
a parser must store (so a test can compare the warehouse with what was generated), and
mutations that break them (flipped bytes, truncation, wrong header, bad numbers, unknown codes,
duplicated rows, wrong encoding)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from hypothesis import strategies as st

#: Countries used by the generators: BACI numeric code, ISO3, India portal name.
COUNTRIES = [
    (4, "AFG", "AFGHANISTAN"),
    (8, "ALB", "ALBANIA"),
    (12, "DZA", "ALGERIA"),
    (76, "BRA", "BRAZIL"),
    (156, "CHN", "CHINA P RP"),
    (251, "FRA", "FRANCE"),
    (643, "RUS", "RUSSIA"),
    (699, "IND", "INDIA"),
    (842, "USA", "U S A"),
]
#: A BACI grouping with no ISO3 code: its rows are set aside and counted.
NES_CODE = 697


@dataclass
class Generated:
    """A generated input: files to write, how to ingest them, and what must be stored."""

    source: str
    files: dict[str, bytes]  # file name → bytes; the first one is the input path
    options: dict[str, object] = field(default_factory=dict)
    #: dataset name → {(key…): value in US$} the warehouse must hold exactly
    expected: dict[str, dict[tuple[str, ...], float]] = field(default_factory=dict)
    #: dataset name → rows read, and rows set aside (by any reason)
    rows_read: dict[str, int] = field(default_factory=dict)
    set_aside: dict[str, int] = field(default_factory=dict)
    #: the names of the key columns in the warehouse, in the order of ``expected``'s keys
    key_columns: tuple[str, ...] = ("exporter", "importer", "product", "period")
    #: the input files passed on the command line (default: the first file)
    inputs: list[str] | None = None
    #: stored rows per input row (the demand layout holds two windows per row)
    factor: int = 1

    def paths(self, folder: Path) -> list[Path]:
        for name, data in self.files.items():
            (folder / name).write_bytes(data)
        return [folder / n for n in (self.inputs or [next(iter(self.files))])]


def _csv(rows: list[list[object]], *, delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def _add(d: dict[tuple[str, ...], float], key: tuple[str, ...], value: float) -> None:
    d[key] = d.get(key, 0.0) + value


# -- BACI ------------------------------------------------------------------------------------
# HS6 codes as integers; below 100000 they print without their leading zero in BACI files
hs6_ints = st.integers(min_value=10_000, max_value=999_999)
thousands = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("9999999.999"), places=3)


@st.composite
def baci(draw: st.DrawFn) -> Generated:
    year = draw(st.integers(min_value=1995, max_value=2023))
    codes = [c for c, _, _ in COUNTRIES] + [NES_CODE]
    keys = draw(st.lists(
        st.tuples(st.sampled_from(codes), st.sampled_from(codes), hs6_ints),
        min_size=1, max_size=25, unique=True,
    ))
    rows: list[list[object]] = [["t", "i", "j", "k", "v", "q"]]
    expected: dict[tuple[str, ...], float] = {}
    iso = {c: i for c, i, _ in COUNTRIES}
    nes = 0
    for i, j, k in keys:
        v = draw(thousands)
        q = draw(st.one_of(st.just("NA"), st.decimals(min_value=0, max_value=10**6, places=3)))
        q_text = f"{'NA':>15}" if q == "NA" else f"{q:>15}"
        rows.append([year, i, j, k, f"{v:.3f}", q_text])
        if i == NES_CODE or j == NES_CODE:
            nes += 1
            continue
        _add(expected, (iso[i], iso[j], f"{k:06d}", str(year)), float(v * 1000))
    header_layout = draw(st.booleans())
    table: list[list[object]] = [
        ["country_code", "country_name", "country_iso3"] if header_layout
        else ["country_code", "country_name_abbreviation", "iso_3digit_alpha"]
    ]
    table += [[c, name.title(), i] for c, i, name in COUNTRIES]
    table.append([NES_CODE, "Europe EFTA, nes", "N/A"])
    name = f"BACI_HS17_Y{year}_V202501.csv"
    return Generated(
        "baci", {name: _csv(rows), "country_codes_V202501.csv": _csv(table)},
        expected={"baci_hs17": expected}, rows_read={"baci_hs17": len(keys)},
        set_aside={"baci_hs17": nes},
    )


# -- Comtrade --------------------------------------------------------------------------------
hs_codes = st.sampled_from([2, 4, 6]).flatmap(
    lambda n: st.text("0123456789", min_size=n, max_size=n))


@st.composite
def comtrade(draw: st.DrawFn) -> Generated:
    year = draw(st.integers(min_value=2000, max_value=2023))
    isos = [i for _, i, _ in COUNTRIES]
    partners = [*isos, "W00", "_X "[:2]]
    keys = draw(st.lists(
        st.tuples(st.sampled_from(isos), st.sampled_from(partners),
                  st.sampled_from(["M", "X", "RX"]), st.one_of(hs_codes, st.just("TOTAL"))),
        min_size=1, max_size=25, unique=True,
    ))
    header = ["refYear", "period", "reporterISO", "partnerISO", "flowCode", "cmdCode",
              "primaryValue", "netWgt", "qty", "qtyUnitAbbr", "classificationCode"]
    rows: list[list[object]] = [header]
    expected: dict[tuple[str, ...], float] = {}
    aside = 0
    for rep, par, flow, cmd in keys:
        value = draw(st.decimals(min_value=0, max_value=10**12, places=2))
        rows.append([year, year, rep, par, flow, cmd, f"{value:.2f}", "", "", "", "H5"])
        if flow == "RX" or par in ("W00", "_X") or cmd == "TOTAL" or par == rep:
            aside += 1  # par == rep: goods re-imported from oneself
            continue
        exporter, importer = (par, rep) if flow == "M" else (rep, par)
        _add(expected, (exporter, importer, cmd, str(year), "importer" if flow == "M"
                        else "exporter"), float(value))
    return Generated(
        "comtrade", {"comtrade.csv": _csv(rows)}, expected={"comtrade": expected},
        rows_read={"comtrade": len(keys)}, set_aside={"comtrade": aside},
        key_columns=("exporter", "importer", "product", "period", "reporter"),
    )


@st.composite
def comtrade_legacy(draw: st.DrawFn) -> Generated:
    """The legacy bulk layout: flow codes 1 (import) and 2 (export), monthly periods."""
    isos = [i for _, i, _ in COUNTRIES]
    keys = draw(st.lists(
        st.tuples(st.sampled_from(isos), st.sampled_from(isos), st.sampled_from(["1", "2"]),
                  hs_codes, st.integers(min_value=2000, max_value=2023),
                  st.integers(min_value=1, max_value=12)),
        min_size=1, max_size=25, unique=True,
    ))
    header = ["Classification", "Year", "Period", "Aggregate Level", "Trade Flow Code",
              "Reporter ISO", "Partner ISO", "Commodity Code", "Qty Unit", "Qty",
              "Netweight (kg)", "Trade Value (US$)"]
    rows: list[list[object]] = [header]
    expected: dict[tuple[str, ...], float] = {}
    aside = 0
    for rep, par, flow, cmd, year, month in keys:
        value = draw(st.integers(min_value=0, max_value=10**12))
        rows.append(["H4", year, f"{year}{month:02d}", len(cmd), flow, rep, par, cmd, "", "",
                     "", value])
        if rep == par:  # goods re-imported from oneself: set aside
            aside += 1
            continue
        exporter, importer = (par, rep) if flow == "1" else (rep, par)
        _add(expected, (exporter, importer, cmd, f"{year}-{month:02d}",
                        "importer" if flow == "1" else "exporter"), float(value))
    return Generated(
        "comtrade", {"legacy.csv": _csv(rows)}, expected={"comtrade": expected},
        rows_read={"comtrade": len(keys)}, set_aside={"comtrade": aside},
        key_columns=("exporter", "importer", "product", "period", "reporter"),
    )


# -- tidy ------------------------------------------------------------------------------------
MAPPING_TOML = b"""[columns]
exporter = "from"
importer = "to"
product = "hs"
year = "yr"
value_usd = "val"

[constants]
hs_revision = "HS17"
reporter = "exporter"
"""


@st.composite
def tidy(draw: st.DrawFn, parquet: bool = False) -> Generated:
    isos = [i for _, i, _ in COUNTRIES]
    keys = draw(st.lists(
        st.tuples(st.sampled_from(isos), st.sampled_from(isos), hs_codes,
                  st.integers(min_value=1990, max_value=2030)),
        min_size=1, max_size=25, unique=True,
    ))
    expected: dict[tuple[str, ...], float] = {}
    rows = []
    for e, m, p, y in keys:
        value = draw(st.floats(min_value=0, max_value=1e13, allow_nan=False))
        rows.append([e, m, p, y, repr(value)])
        _add(expected, (e, m, p, str(y)), value)
    if parquet:
        import pyarrow as pa
        import pyarrow.parquet as pq

        cols = list(zip(*rows, strict=True))
        table = pa.table({"from": list(cols[0]), "to": list(cols[1]), "hs": list(cols[2]),
                          "yr": pa.array(cols[3], pa.int32()),
                          "val": pa.array([float(v) for v in cols[4]], pa.float64())})
        buf = io.BytesIO()
        pq.write_table(table, buf)
        data, name = buf.getvalue(), "flows.parquet"
    else:
        sep = draw(st.sampled_from([",", ";", "\t"]))
        data, name = _csv([["from", "to", "hs", "yr", "val"], *rows], delimiter=sep), "flows.csv"
    return Generated(
        "tidy", {name: data, "mapping.toml": MAPPING_TOML}, options={"mapping": "mapping.toml"},
        expected={"tidy": expected}, rows_read={"tidy": len(keys)}, set_aside={"tidy": 0},
    )


MAPPING_PERIOD_TOML = MAPPING_TOML.replace(b'year = "yr"', b'period = "per"')


@st.composite
def period_label(draw: st.DrawFn) -> tuple[str, str]:
    """(text in the file, label stored): a year, a month in two spellings, an Indian FY."""
    year = draw(st.integers(min_value=1990, max_value=2030))
    kind = draw(st.sampled_from(["year", "month", "month_compact", "fiscal"]))
    month = draw(st.integers(min_value=1, max_value=12))
    if kind == "year":
        return str(year), str(year)
    if kind == "fiscal":
        label = f"FY{year}-{(year + 1) % 100:02d}"
        return label, label
    label = f"{year}-{month:02d}"
    return (label if kind == "month" else f"{year}{month:02d}"), label


@st.composite
def tidy_periods(draw: st.DrawFn) -> Generated:
    """Tidy CSV with a period column: calendar years, months (2020-01 or 202001), FY labels."""
    isos = [i for _, i, _ in COUNTRIES]
    keys = draw(st.lists(
        st.tuples(st.sampled_from(isos), st.sampled_from(isos), hs_codes, period_label()),
        min_size=1, max_size=25, unique_by=lambda k: (k[0], k[1], k[2], k[3][1]),
    ))
    expected: dict[tuple[str, ...], float] = {}
    rows: list[list[object]] = [["from", "to", "hs", "per", "val"]]
    for e, m, p, (text, label) in keys:
        value = draw(st.floats(min_value=0, max_value=1e13, allow_nan=False))
        rows.append([e, m, p, text, repr(value)])
        _add(expected, (e, m, p, label), value)
    return Generated(
        "tidy", {"flows.csv": _csv(rows), "mapping.toml": MAPPING_PERIOD_TOML},
        options={"mapping": "mapping.toml"}, expected={"tidy": expected},
        rows_read={"tidy": len(keys)}, set_aside={"tidy": 0},
    )


# -- India DGCI&S ----------------------------------------------------------------------------
@st.composite
def india_dgcis(draw: st.DrawFn) -> Generated:
    names = [(n, i) for _, i, n in COUNTRIES if i != "IND"]
    keys = draw(st.lists(
        st.tuples(st.integers(min_value=2010, max_value=2024),
                  st.text("0123456789", min_size=8, max_size=8), st.sampled_from(names)),
        min_size=1, max_size=25, unique=True,
    ))
    rows: list[list[object]] = [["fy_start", "hs8", "partner", "value_usd_million", "quantity",
                                 "unit"]]
    expected: dict[tuple[str, ...], float] = {}
    for fy, hs8, (name, iso) in keys:
        cents = draw(st.integers(min_value=0, max_value=10**9))
        qty = draw(st.one_of(st.just(""), st.integers(min_value=0, max_value=10**8).map(str)))
        rows.append([fy, hs8, name, f"{cents // 100}.{cents % 100:02d}", qty, "KGS"])
        label = f"FY{fy}-{(fy + 1) % 100:02d}"
        _add(expected, ("IND", iso, hs8, label), cents * 10_000.0)
    return Generated(
        "india-dgcis", {"eidb.csv": _csv(rows)}, expected={"india-dgcis": expected},
        rows_read={"india-dgcis": len(keys)}, set_aside={"india-dgcis": 0},
    )


# -- Russia customs --------------------------------------------------------------------------
@st.composite
def russia_customs(draw: st.DrawFn) -> Generated:
    partners = [i for _, i, _ in COUNTRIES if i != "RUS"]
    code = st.one_of(st.text("0123456789", min_size=10, max_size=10),
                     st.text("0123456789", min_size=6, max_size=6),
                     st.just("XXXXXXXXXX"))
    keys = draw(st.lists(
        st.tuples(st.sampled_from(["ИМ", "ЭК"]), st.integers(min_value=2019, max_value=2025),
                  st.integers(min_value=1, max_value=12), st.sampled_from(partners), code,
                  st.sampled_from(["FTS", "MIRROR"])),
        min_size=1, max_size=25, unique=True,
    ))
    rows: list[list[object]] = [["NAPR", "PERIOD", "STRANA", "TNVED", "EDIZM", "STOIM",
                                 "NETTO", "KOL", "Source"]]
    expected: dict[str, dict[tuple[str, ...], float]] = {"russia-customs-fts": {},
                                                        "russia-customs-mirror": {}}
    read = dict.fromkeys(expected, 0)
    aside = dict.fromkeys(expected, 0)
    for napr, y, mo, partner, tnved, src in keys:
        value = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=10**11)))
        rows.append([napr, f"{y}-{mo:02d}-01", partner, tnved, "166",
                     "" if value is None else value, 10, "", src])
        name = f"russia-customs-{src.lower()}"
        read[name] += 1
        if value is None:
            aside[name] += 1
            continue
        exporter, importer = (partner, "RUS") if napr == "ИМ" else ("RUS", partner)
        _add(expected[name], (exporter, importer, tnved, f"{y}-{mo:02d}"), float(value))
    return Generated("russia-customs", {"customs.csv": _csv(rows)}, expected=expected,
                     rows_read=read, set_aside=aside)


# -- Russia demand ---------------------------------------------------------------------------
@st.composite
def russia_demand(draw: st.DrawFn) -> Generated:
    keys = draw(st.lists(st.tuples(st.text("0123456789", min_size=4, max_size=4),
                                   st.sampled_from(["ИМ", "ЭК"])),
                         min_size=1, max_size=25, unique=True))
    rows: list[list[object]] = [["TNVED4", "NAPR", "STOIM_last12", "STOIM_year_before",
                                 "NETTO_last12", "NETTO_year_before"]]
    expected: dict[tuple[str, ...], float] = {}
    aside = 0
    for code, napr in keys:
        last = draw(st.decimals(min_value=0, max_value=100, places=6))
        before = draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=6)))
        rows.append([code, napr, f"{last:.6f}", "" if before is None else f"{before:.6f}", 1.5,
                     ""])
        flow = "import" if napr == "ИМ" else "export"
        expected[(code, flow, "last12")] = float(last) * 1e9
        if before is None:
            aside += 1
        else:
            expected[(code, flow, "year_before")] = float(before) * 1e9
    return Generated(
        "russia-demand", {"demand.csv": _csv(rows)}, expected={"russia-demand": expected},
        rows_read={"russia-demand": len(keys)}, set_aside={"russia-demand": aside},
        key_columns=("product", "flow", "window"), factor=2,
    )


#: Every generator, by source name.
VALID = {
    "baci": baci(),
    "comtrade": comtrade(),
    "comtrade-legacy": comtrade_legacy(),
    "tidy": tidy(),
    "tidy-parquet": tidy(parquet=True),
    "tidy-periods": tidy_periods(),
    "india-dgcis": india_dgcis(),
    "russia-customs": russia_customs(),
    "russia-demand": russia_demand(),
}


# -- breaking a valid file -------------------------------------------------------------------
def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _delimiter(data: bytes) -> str:
    head = data.split(b"\n", 1)[0]
    if head.count(b"\t") > head.count(b","):
        return "\t"
    return ";" if head.count(b";") > head.count(b",") else ","


def _set_cell(data: bytes, row: int, column: int, value: str) -> bytes:
    lines = _lines(data)
    sep = _delimiter(data)
    cells = next(csv.reader([lines[row].decode("utf-8")], delimiter=sep))
    cells[column] = value
    lines[row] = _csv([cells], delimiter=sep)
    return b"".join(lines)


@st.composite
def flip_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        i = draw(st.integers(min_value=0, max_value=len(out) - 1))
        out[i] = draw(st.integers(min_value=0, max_value=255))
    return bytes(out)


@st.composite
def truncate(draw: st.DrawFn, data: bytes) -> bytes:
    return data[: draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))]


@st.composite
def wrong_header(draw: st.DrawFn, data: bytes) -> bytes:
    lines = _lines(data)
    sep = _delimiter(data).encode()
    header = lines[0].rstrip(b"\r\n").split(sep)
    i = draw(st.integers(min_value=0, max_value=len(header) - 1))
    header[i] = draw(st.sampled_from([b"", b"wrong", b"value", header[i].upper() + b"_x"]))
    return sep.join(header) + b"\n" + b"".join(lines[1:])


@st.composite
def bad_number(draw: st.DrawFn, data: bytes, column: int) -> bytes:
    """Replace the value in ``column`` of one data row with something that is not a number
    (or a negative one)."""
    lines = _lines(data)
    if len(lines) < 2:
        return data
    i = draw(st.integers(min_value=1, max_value=len(lines) - 1))
    bad = draw(st.sampled_from(["abc", "1,2.3", "-5", "--", "1e", "NaNx", "½", "∞"]))
    return _set_cell(data, i, column, bad)


@st.composite
def unknown_code(draw: st.DrawFn, data: bytes, column: int, codes: list[str]) -> bytes:
    lines = _lines(data)
    if len(lines) < 2:
        return data
    i = draw(st.integers(min_value=1, max_value=len(lines) - 1))
    return _set_cell(data, i, column, draw(st.sampled_from(codes)))


@st.composite
def duplicate_row(draw: st.DrawFn, data: bytes) -> bytes:
    lines = _lines(data)
    if len(lines) < 2:
        return data
    i = draw(st.integers(min_value=1, max_value=len(lines) - 1))
    row = lines[i] if lines[i].endswith(b"\n") else lines[i] + b"\n"
    return b"".join(lines[:i] + [row] + lines[i:])


@st.composite
def wrong_encoding(draw: st.DrawFn, data: bytes) -> bytes:
    text = data.decode("utf-8")
    encoding = draw(st.sampled_from(["utf-16", "utf-32", "cp1251", "latin-1"]))
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("cp1251", errors="replace")


#: Column of the value, and of a code with values that are not valid codes, per CSV layout.
VALUE_COLUMN = {"baci": 4, "comtrade": 6, "comtrade-legacy": 11, "tidy": 4, "tidy-periods": 4,
                "india-dgcis": 3, "russia-customs": 5,
                "russia-demand": 2}
CODE_COLUMN: dict[str, tuple[int, list[str]]] = {
    "baci": (1, ["999", "abc", "", "4.5", "-4"]),
    "comtrade": (2, ["ZZ", "abc", "12", "", "ÄÖÜ"]),
    "tidy": (0, ["ZZ", "zzz", "1AB", "", "ÄÖÜ"]),
    "tidy-periods": (3, ["2020-13", "FY2020-22", "20201", "", "year"]),
    "comtrade-legacy": (5, ["ZZ", "abc", "12", "", "ÄÖÜ"]),
    "india-dgcis": (2, ["NARNIA", "", "ATLANTIS P RP"]),
    "russia-customs": (2, ["ZZ", "12", "", "RUSS"]),
    "russia-demand": (1, ["IM", "", "ZZ", "ИМ2"]),
}


@st.composite
def broken(draw: st.DrawFn, kind: str) -> tuple[Generated, str]:
    """A valid input of ``kind`` with one mutation applied; returns it and the mutation's name.
    Some mutations may leave the file valid (a digit flipped into another digit)."""
    gen = draw(VALID[kind])
    target = gen.inputs[0] if gen.inputs else next(iter(gen.files))
    source = kind
    choices = ["flip_bytes", "truncate"]
    if not target.endswith(".parquet"):
        choices += ["wrong_header", "bad_number", "unknown_code", "duplicate_row",
                    "wrong_encoding"]
    if source == "baci":
        choices += ["flip_country_table", "truncate_country_table"]
    how = draw(st.sampled_from(choices))
    if how.endswith("_country_table"):
        target = "country_codes_V202501.csv"
    data = gen.files[target]
    mutated = {
        "flip_bytes": lambda: draw(flip_bytes(data)),
        "truncate": lambda: draw(truncate(data)),
        "flip_country_table": lambda: draw(flip_bytes(data)),
        "truncate_country_table": lambda: draw(truncate(data)),
        "wrong_header": lambda: draw(wrong_header(data)),
        "bad_number": lambda: draw(bad_number(data, VALUE_COLUMN[source])),
        "unknown_code": lambda: draw(unknown_code(data, *CODE_COLUMN[source])),
        "duplicate_row": lambda: draw(duplicate_row(data)),
        "wrong_encoding": lambda: draw(wrong_encoding(data)),
    }[how]()
    gen.files[target] = mutated
    return gen, how
