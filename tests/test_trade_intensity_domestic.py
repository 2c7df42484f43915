"""Trade intensity on flows with domestic rows (exporter = importer, as the AGTPA gravity data
have): one definition, WITS's (exports to other countries only), in the pandas indicator and
the many-pairs SQL."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from tradegap.analysis import indicators as ind
from tradegap.analysis.many_pairs import balances_sql

# International: A→B 10, A→C 30, B→A 20, B→C 20, C→A 10, C→B 10 (world 100); domestic rows
# A→A 500, B→B 50, C→C 5 must not count.
# TI_AB = (x_AB / X_A) / (M_B / X_w) = (10/40) / (20/100) = 1.25
# TI_BC = (20/40) / (50/100) = 1.0;  TI_CA = (10/20) / (30/100) = 5/3
FLOWS = pd.DataFrame({
    "exporter": ["A", "A", "B", "B", "C", "C", "A", "B", "C"],
    "importer": ["B", "C", "A", "C", "A", "B", "A", "B", "C"],
    "value_usd": [10.0, 30.0, 20.0, 20.0, 10.0, 10.0, 500.0, 50.0, 5.0],
})
EXPECTED = {("A", "B"): 1.25, ("B", "C"): 1.0, ("C", "A"): 5 / 3}


def test_pandas_ignores_domestic_rows() -> None:
    out = ind.trade_intensity(FLOWS).set_index(["exporter", "importer"])["intensity"]
    for pair, value in EXPECTED.items():
        assert out[pair] == pytest.approx(value, abs=1e-12)
    intl = ind.trade_intensity(FLOWS[FLOWS.exporter != FLOWS.importer])
    assert out.to_numpy() == pytest.approx(
        intl.set_index(["exporter", "importer"])["intensity"].reindex(out.index).to_numpy())


def test_sql_agrees_with_pandas_on_domestic_rows() -> None:
    flows = FLOWS.assign(period_type="calendar_year", year=2006, product="TOTAL")
    con = duckdb.connect()
    con.register("flows", flows)
    sql = con.execute(balances_sql()).df().set_index(["a", "b"])["intensity"]
    con.close()
    for pair, value in EXPECTED.items():
        assert sql[pair] == pytest.approx(value, abs=1e-12)
