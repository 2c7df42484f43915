"""Property tests of every parser: generated valid files round-trip exactly into the warehouse;
generated broken files give a clear tradegap error (never another exception) and leave the
warehouse as it was; broken scenario TOML names the key that is wrong."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import strategies as gen_st
from tests.conftest import snapshot
from tradegap.errors import InputError, TradegapError
from tradegap.sources import ingest, parse
from tradegap.warehouse import Warehouse

SETTINGS = settings(
    max_examples=40, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example],
)


def options_for(gen: gen_st.Generated, folder: Path) -> dict[str, Any]:
    """The generated options, with file names made absolute."""
    return {k: str(folder / v) if isinstance(v, str) and v in gen.files else v
            for k, v in gen.options.items()}


def stored(wh: Warehouse, dataset: str, key_columns: tuple[str, ...], kind: str
           ) -> dict[tuple[str, ...], float]:
    cols = ", ".join(f'"{c}"' for c in key_columns)
    frame = wh.connect().execute(
        f"SELECT {cols}, value_usd FROM {kind} WHERE dataset = ?", [dataset]).df()
    return totals(pa.Table.from_pandas(frame, preserve_index=False), key_columns)


def assert_accounted(parsed: Any, rows: int, factor: int = 1) -> None:
    """Nothing dropped silently: rows stored + rows set aside = rows read."""
    assert rows + sum(parsed.set_aside.values()) == factor * parsed.rows_read, (
        rows, parsed.set_aside, parsed.rows_read)


# -- valid inputs round-trip -------------------------------------------------------------------
def as_arrow(data: Any) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatchReader):
        return data.read_all()
    return data.to_arrow_table()  # a DuckDB relation


def totals(table: pa.Table, key_columns: tuple[str, ...]) -> dict[tuple[str, ...], float]:
    frame = table.select([*key_columns, "value_usd"]).to_pandas()
    frame[list(key_columns)] = frame[list(key_columns)].astype(str)
    sums = frame.groupby(list(key_columns), dropna=False)["value_usd"].sum()
    return {tuple(k) if isinstance(k, tuple) else (k,): float(v) for k, v in sums.items()}


def assert_same_values(got: dict[tuple[str, ...], float], want: dict[tuple[str, ...], float]
                       ) -> None:
    # the same keys: product codes kept their leading zeros, no row added or lost
    assert set(got) == set(want), (sorted(set(got) ^ set(want))[:5])
    for key, value in want.items():
        assert math.isclose(got[key], value, rel_tol=1e-12, abs_tol=1e-9), (key, got[key], value)


@pytest.mark.parametrize("kind", list(gen_st.VALID))
def test_valid_input_parses_to_exactly_the_generated_values(kind: str) -> None:
    """Many examples, parser only: values per key, row accounting."""

    @settings(SETTINGS, max_examples=60)
    @given(gen=gen_st.VALID[kind])
    def check(gen: gen_st.Generated) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            results = parse(gen.source, gen.paths(folder), **options_for(gen, folder))
            assert sorted(p.dataset for p in results) == sorted(gen.expected)
            for parsed in results:
                table = as_arrow(parsed.data)
                assert parsed.rows_read == gen.rows_read[parsed.dataset]
                assert sum(parsed.set_aside.values()) == gen.set_aside[parsed.dataset]
                assert_accounted(parsed, table.num_rows, gen.factor)
                assert_same_values(totals(table, gen.key_columns), gen.expected[parsed.dataset])

    check()


@pytest.mark.parametrize("kind", list(gen_st.VALID))
def test_valid_input_round_trips_through_the_warehouse(kind: str) -> None:
    """Fewer examples (a write costs ~0.2 s), end to end: the warehouse holds exactly the
    generated values, and ingesting the same files again changes nothing."""

    @settings(SETTINGS, max_examples=12)
    @given(gen=gen_st.VALID[kind])
    def check(gen: gen_st.Generated) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            paths = gen.paths(folder)
            wh = Warehouse(folder / "wh")
            results = ingest(wh, gen.source, paths, **options_for(gen, folder))
            assert sorted(o.dataset.name for _, o in results) == sorted(gen.expected)
            for parsed, outcome in results:
                name = outcome.dataset.name
                assert outcome.dataset.report["rows_read"] == gen.rows_read[name]
                assert_accounted(parsed, outcome.dataset.rows, gen.factor)
                assert_same_values(stored(wh, name, gen.key_columns, parsed.kind),
                                   gen.expected[name])
            before = snapshot(wh)
            again = ingest(wh, gen.source, paths, **options_for(gen, folder))
            assert not any(o.changed for _, o in again)
            assert snapshot(wh) == before

    check()


# -- broken inputs: a clear error, the warehouse unchanged -------------------------------------
@pytest.fixture(scope="module")
def baseline_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding one dataset, so that "unchanged" means something."""
    home = tmp_path_factory.mktemp("baseline") / "wh"
    ingest(Warehouse(home), "demo", [], scale="small", seed=1)
    return home


@pytest.mark.parametrize("kind", list(gen_st.VALID))
def test_broken_input_is_a_clear_error_and_changes_nothing(kind: str, baseline_home: Path
                                                           ) -> None:
    wh = Warehouse(baseline_home)
    outcomes: dict[str, int] = {}

    @SETTINGS
    @given(case=gen_st.broken(kind))
    def check(case: tuple[gen_st.Generated, str]) -> None:
        gen, how = case
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            paths = gen.paths(folder)
            before = snapshot(wh)
            try:
                results = ingest(wh, gen.source, paths, **options_for(gen, folder))
            except TradegapError as exc:
                outcomes["error"] = outcomes.get("error", 0) + 1
                text = str(exc)
                assert text.strip()
                if isinstance(exc, InputError) and exc.file is not None:
                    assert Path(exc.file.split("!")[0]).name in {p.name for p in
                                                                 folder.iterdir()}
                else:  # an error without a file attribute still names it in the message
                    assert any(name in text for name in gen.files), text
                assert snapshot(wh) == before, how
                return
            # the mutation left a valid file: then every row is still accounted for
            outcomes["ok"] = outcomes.get("ok", 0) + 1
            for parsed, outcome in results:
                assert_accounted(parsed, outcome.dataset.rows, gen.factor)

    check()
    assert outcomes.get("error", 0) > 0  # the mutations did break files


# -- scenario TOML loaders ---------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[1]
PLAN_FILES = sorted((ROOT / "scenarios").glob("*.toml"))

#: Values that are wrong for almost any key: the wrong type, out of range, not finite, huge.
BAD_VALUES = st.sampled_from([
    "text", -1, -1.5, 1e308 * 10, float("nan"), 10**30, True, [], [1, "a"], {"x": 1}, "",
    "2024-13", 0,
])


def _paths(doc: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for k, v in doc.items():
        out.append((*prefix, k))
        if isinstance(v, dict):
            out += _paths(v, (*prefix, k))
    return out


def _set(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    import copy

    out = copy.deepcopy(doc)
    node = out
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return out


def _loaders() -> list[tuple[str, Path, Any]]:
    import tomllib

    from tradegap.planning.scenario import load_scenario as load_plan
    from tradegap.settlement.scenario import load_scenario as load_settle

    out = []
    for path in PLAN_FILES:
        doc = tomllib.loads(path.read_text())
        loader = load_settle if "scenario" in doc and "inflows" in doc else load_plan
        out.append((path.name, path, loader))
    return out


@pytest.mark.parametrize(("name", "path", "loader"), _loaders(), ids=lambda x: str(x)[:30])
def test_scenario_with_one_bad_value_names_the_key(name: str, path: Path, loader: Any) -> None:
    import tomllib

    doc = tomllib.loads(path.read_text())
    keys = _paths(doc)
    loader(path)  # the shipped file itself is valid

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(key=st.sampled_from(keys), value=BAD_VALUES, drop=st.booleans())
    def check(key: tuple[str, ...], value: Any, drop: bool) -> None:
        if drop:
            changed = _set(doc, key, None)
            node = changed
            for k in key[:-1]:
                node = node[k]
            del node[key[-1]]
        else:
            changed = _set(doc, key, value)
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / path.name
            # files the scenario refers to (candidates, fx CSVs) are found beside it
            for other in path.parent.iterdir():
                if other.is_file() and other != path:
                    (Path(tmp) / other.name).write_bytes(other.read_bytes())
            try:
                target.write_text(_dumps(changed))
            except (ValueError, TypeError):
                return  # not representable in TOML (e.g. a null)
            try:
                loader(target)
            except InputError as exc:
                assert exc.file == str(target)
                named = exc.field or ""
                # the error names the key changed, a key inside it, or the table holding it
                dotted = ".".join(key)
                assert named and (named.startswith(dotted) or dotted.startswith(
                    named.split("[")[0]) or named.split(".")[0] == key[0]), (named, dotted)

    check()


def _dumps(doc: dict[str, Any]) -> str:
    return tomli_w.dumps(doc)


@pytest.mark.parametrize("loader_name", ["planning", "settlement"])
@SETTINGS
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_scenario_garbage_is_an_input_error(loader_name: str, data: bytes) -> None:
    from tradegap.planning.scenario import load_scenario as load_plan
    from tradegap.settlement.scenario import load_scenario as load_settle

    loader = load_plan if loader_name == "planning" else load_settle
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bad.toml"
        path.write_bytes(data)
        with pytest.raises(InputError) as err:
            loader(path)
        assert err.value.file == str(path)
