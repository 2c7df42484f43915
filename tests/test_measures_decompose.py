"""The price × volume decomposition of the gap is exact and matches hand-worked numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradegap.measures import decompose, gap_decomposition


def test_hand_worked_split():
    # A: 10 t at 5 → 12 t at 6: price 10·1 = 10, volume 5·2 = 10, interaction 1·2 = 2 (22 in all).
    # B: new (30), cannot be split; C: no quantities (40 → 25), cannot be split.
    f = pd.DataFrame({"product": ["A", "B", "C"], "v0": [50.0, np.nan, 40.0],
                      "q0": [10.0, np.nan, np.nan], "v1": [72.0, 30.0, 25.0],
                      "q1": [12.0, 3.0, np.nan]})
    out = decompose(f).set_index("product")
    assert out.loc["A", ["price", "volume", "interaction", "unsplit"]].tolist() == [10, 10, 2, 0]
    assert out.loc["B", "unsplit"] == 30.0
    assert out.loc["C", "unsplit"] == -15.0
    assert out[["price", "volume", "interaction", "unsplit"]].to_numpy().sum() == 37.0
    assert out["total"].sum() == 37.0


def test_gap_change_is_surplus_change_minus_deficit_change():
    crude = pd.DataFrame({"product": ["270900", "100630"], "v0": [100.0, 10.0],
                          "q0": [2.0, 1.0], "v1": [150.0, 12.0], "q1": [2.5, 1.0]})
    india = pd.DataFrame({"product": ["300490"], "v0": [20.0], "q0": [4.0], "v1": [30.0],
                          "q1": [5.0]})
    out = gap_decomposition(crude, india, {"2709": "crude oil"})
    gap = out[out["side"] == "gap"].iloc[0]
    # crude: price 2·(60−50)=20, volume 50·0.5=25, interaction 10·0.5=5; rice: price 2; India:
    # price 4·1=4, volume 5·1=5, interaction 1. Gap: price 20+2−4=18, volume 25−5=20, inter 4.
    assert gap["price"] == pytest.approx(18.0)
    assert gap["volume"] == pytest.approx(20.0)
    assert gap["interaction"] == pytest.approx(4.0)
    assert gap["total"] == pytest.approx((150 + 12 - 30) - (100 + 10 - 20))
    seg = out.set_index("segment")
    assert seg.loc["crude oil", "price"] == pytest.approx(20.0)


MONEY = st.one_of(st.just(0.0), st.floats(1e-2, 1e10))
TONNES = st.one_of(st.just(0.0), st.floats(1e-3, 1e8))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(MONEY, TONNES, MONEY, TONNES), min_size=1, max_size=20))
def test_components_sum_exactly_to_the_change(rows):
    f = pd.DataFrame(rows, columns=["v0", "q0", "v1", "q1"])
    out = decompose(f)
    parts = out[["price", "volume", "interaction", "unsplit"]].sum(axis=1)
    # exact up to floating-point rounding of the largest term
    terms = out[["price", "volume", "interaction", "unsplit", "v0", "v1"]].abs().fillna(0)
    scale = np.maximum(1.0, terms.max(axis=1))
    assert (np.abs(parts - out["total"]) <= 1e-12 * scale).all()
