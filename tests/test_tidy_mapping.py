"""The tidy source's mapping and reading (tradegap.sources.tidy): a mapping that cannot work is
refused naming the field or table; unreadable files name the file; year and month columns
make monthly periods; a flood of bad rows is counted in full though only 1,000 are listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradegap.errors import InputError, TooManyBadRows
from tradegap.sources.tidy import load_mapping, parse
from tradegap.warehouse.schema import REPORTERS

MAP = {"year": "yr", "exporter": "rep", "importer": "par", "product": "hs6",
       "value_usd": "val"}
CONST = {"hs_revision": "HS17", "reporter": "exporter"}


def refused(**options) -> InputError:
    with pytest.raises(InputError) as exc:
        load_mapping(options)
    return exc.value


def test_no_file_given() -> None:
    with pytest.raises(InputError) as exc:
        parse([], columns=MAP, **CONST)
    assert (exc.value.reason, exc.value.hint) == ("no file given",
                                                  "pass one or more CSV or Parquet files")


@pytest.mark.parametrize(("text", "reason", "field"), [
    ('[columns]\nexporter = "rep"\n[extra]\nx = 1\n', "unknown tables ['extra']", None),
    ('columns = "rep,par"\n', "[columns] must be a table, got 'rep,par'", "columns"),
    ('constants = 5\n', "[constants] must be a table, got 5", "constants"),
])
def test_mapping_file_of_the_wrong_shape(tmp_path: Path, text: str, reason: str,
                                         field: str | None) -> None:
    path = tmp_path / "map.toml"
    path.write_text(text)
    err = refused(mapping=str(path))
    assert (err.file, err.reason, err.field) == (str(path), reason, field)


@pytest.mark.parametrize(("options", "field", "reason"), [
    ({"columns": {k: v for k, v in MAP.items() if k != "year"}, **CONST}, "columns",
     "the mapping lacks period or year"),
    ({"columns": MAP, "hs_revision": "HS17", "reporter": "customs"}, "reporter",
     f"reporter 'customs' is not one of {REPORTERS}"),
    ({"columns": MAP, **CONST, "period_type": "quarter"}, "period_type", None),
    ({"columns": MAP, **CONST, "value_multiplier": "a thousand"}, "value_multiplier",
     "value_multiplier must be a number, got 'a thousand'"),
    ({"columns": MAP, **CONST, "digits": "six"}, "digits", "digits must be a number, got 'six'"),
])
def test_mapping_refused(options: dict, field: str, reason: str | None) -> None:
    err = refused(**options)
    assert err.field == field
    if reason is not None:
        assert err.reason == reason
    else:
        assert err.reason.startswith("period_type 'quarter' is not one of (")


def test_file_not_utf8_or_empty(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("yr,rep,par,hs6,val\n2023,IND,RUS,030617,1\n# Côte\n".encode("latin-1"))
    with pytest.raises(InputError) as exc:
        parse([latin], columns=MAP, **CONST)
    assert exc.value.file == str(latin) and exc.value.reason.startswith("not UTF-8 text: ")
    assert exc.value.hint == "save the file as UTF-8 CSV"
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError) as exc:
        parse([empty], columns=MAP, **CONST)
    assert exc.value.file == str(empty)
    assert exc.value.reason == "cannot read the file: No columns to parse from file"
    assert exc.value.hint == "pass a CSV (comma, semicolon or tab) or a Parquet file"


def test_year_and_month_columns(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("yr,mo,rep,par,hs6,val\n2023,3,IND,RUS,030617,5\n2023,12,IND,RUS,030617,7\n"
                    "2023,13,IND,RUS,030617,9\n")
    with pytest.raises(TooManyBadRows) as exc:
        parse([path], columns={**MAP, "month": "mo"}, **CONST)
    (issue,) = exc.value.issues
    assert (issue.line, issue.field, issue.value, issue.reason) == (4, "mo", "13",
                                                                    "not a month 1–12")
    parsed = parse([path], columns={**MAP, "month": "mo"}, **CONST, max_bad_rows=1)
    frame = parsed.data.to_pandas()
    assert frame["period"].tolist() == ["2023-03", "2023-12"]
    assert frame["period_type"].tolist() == ["month", "month"]
    assert frame["month"].tolist() == [3, 12] and frame["value_usd"].tolist() == [5.0, 7.0]


def test_period_that_does_not_match_the_given_period_type(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("per,rep,par,hs6,val\n2023,IND,RUS,030617,5\n2023-04,IND,RUS,030617,7\n")
    cols = {k: v for k, v in MAP.items() if k != "year"} | {"period": "per"}
    with pytest.raises(TooManyBadRows) as exc:
        parse([path], columns=cols, **CONST, period_type="calendar_year")
    (issue,) = exc.value.issues
    assert (issue.line, issue.field, issue.value) == (3, "per", "2023-04")
    assert issue.reason == "period does not look like period_type 'calendar_year'"


def test_more_than_a_thousand_bad_rows_are_all_counted(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("yr,rep,par,hs6,val\n" + "2023,India,RUS,030617,1\n" * 1500
                    + "2023,IND,RUS,030617,2\n")
    with pytest.raises(TooManyBadRows) as exc:
        parse([path], columns=MAP, **CONST)
    assert (exc.value.bad, exc.value.total) == (1500, 1501)
    assert len(exc.value.issues) == 1000 and exc.value.issues[-1].line == 1001
    assert "… and 1,480 more" in str(exc.value)
    parsed = parse([path], columns=MAP, **CONST, max_bad_rows=1500)
    assert parsed.set_aside == {"malformed: not an ISO3 code (three capital letters)": 1500}
    assert parsed.data.column("value_usd").to_pylist() == [2.0]
