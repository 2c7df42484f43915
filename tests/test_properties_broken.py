"""Property tests of every parser on broken input (flipped bytes, truncation, wrong header, bad
numbers, unknown codes, duplicated rows, wrong encoding): a clear tradegap error naming the file,
never another exception, and the warehouse unchanged. A mutation that leaves the file valid must
still account for every row."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings

from tests import strategies as gen_st
from tests.conftest import snapshot
from tests.test_properties_parsers import SETTINGS, assert_accounted, options_for
from tradegap.errors import InputError, TradegapError
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse


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

    @settings(SETTINGS, max_examples=25)
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


def _workbook() -> bytes:
    """A small by-country workbook of the india-imports source (tests/test_source_india_imports
    builds the same layout)."""
    import io

    import pandas as pd

    rows = [["S.No.", "Country / Region", "2021-2022 (Million US $)"], [1, "RUSSIA", 2470.91],
            [2, "IRAQ", 30342.1], [3, "Total", 32813.01],
            [4, "India's Total Import", 613052.05]]
    buf = io.BytesIO()
    pd.DataFrame(rows).to_excel(buf, sheet_name="2021-22", header=False, index=False)
    return buf.getvalue()


WORKBOOK = _workbook()


@settings(SETTINGS, max_examples=20)
@given(damaged=gen_st.flip_bytes(WORKBOOK) | gen_st.truncate(WORKBOOK))
def test_damaged_workbook_is_a_clear_error(damaged: bytes, baseline_home: Path) -> None:
    wh = Warehouse(baseline_home)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hs2709_test.xlsx"
        path.write_bytes(damaged)
        before = snapshot(wh)
        try:
            results = ingest(wh, "india-imports", [path])
        except TradegapError as exc:
            assert path.name in str(exc)
            assert snapshot(wh) == before
            return
        for parsed, outcome in results:
            assert outcome.dataset.rows + sum(parsed.set_aside.values()) == parsed.rows_read


def test_the_workbook_above_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "hs2709_test.xlsx"
    path.write_bytes(WORKBOOK)
    [(parsed, outcome)] = ingest(Warehouse(tmp_path / "wh"), "india-imports", [path])
    assert outcome.dataset.rows == 2
    assert outcome.dataset.rows + sum(parsed.set_aside.values()) == parsed.rows_read
