"""Global mode on a demo world of a million flows gives the same numbers as pair mode."""

from __future__ import annotations

import numpy as np
import pytest

from tradegap.analysis.potential import PotentialParams
from tradegap.analysis.potential_warehouse import potential, potential_global
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse

PAIRS = [("IND", "RUS"), ("CHN", "IND"), ("DEU", "FRA"), ("BRA", "USA")]
TERMS = ["supply", "demand", "ease", "potential", "actual", "untapped"]


@pytest.fixture(scope="module")
def million(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    wh = Warehouse(tmp_path_factory.mktemp("million") / "wh")
    ((parsed, outcome),) = ingest(wh, "demo", [], scale="1000000", years="2024")
    assert outcome.dataset.rows == 1_000_000
    return wh


def test_global_equals_pair_mode_at_a_million_flows(million: Warehouse) -> None:
    params = PotentialParams(window=1)
    world = potential_global(million, 2024, params, engine="duckdb").table
    assert world is not None and len(world) > 100_000
    assert world["potential"].ge(0).all() and np.isfinite(world["potential"]).all()
    for exporter, market in PAIRS:
        pair, _ = potential(million, exporter, market, params, top=None, year=2024, names=False)
        table = pair.table.set_index("product")
        table = table[table["potential"] > 0]
        part = world[(world["exporter"] == exporter) & (world["importer"] == market)]
        part = part.set_index("product").loc[table.index]
        assert len(table) > 0, (exporter, market)
        for term in TERMS:
            np.testing.assert_allclose(part[term], table[term], rtol=1e-9, err_msg=term)


def test_synthetic_label_carried(million: Warehouse) -> None:
    result = potential_global(million, 2024, PotentialParams(window=1), engine="duckdb")
    assert result.provenance.synthetic
