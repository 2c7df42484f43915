"""Product space (Hidalgo et al. 2007; Hausmann et al. 2014): hand-worked RCA, proximity,
density and distance on a tiny matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradegap.analysis.product_space import (
    density,
    diversification_candidates,
    presence,
    proximity,
    rca_matrix,
)
from tradegap.errors import InputError, NotFound

#       p1 p2 p3 p4      ubiquity k: p1 3, p2 3, p3 2, p4 1
# c1     1  1  0  0
# c2     1  1  1  0
# c3     0  1  1  0
# c4     1  0  0  1
M = pd.DataFrame(
    [[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 0], [1, 0, 0, 1]],
    index=["c1", "c2", "c3", "c4"], columns=["p1", "p2", "p3", "p4"],
)


def test_rca_matrix_hand_worked() -> None:
    # A: p1 30, p2 10; B: p1 10, p2 50. W = 100, W_p1 = 40, W_p2 = 60.
    # RCA_A,p1 = (30/40)/(40/100) = 1.875; RCA_A,p2 = (10/40)/0.6 = 5/12;
    # RCA_B,p1 = (10/60)/0.4 = 5/12;  RCA_B,p2 = (50/60)/0.6 = 25/18.
    flows = pd.DataFrame({"exporter": ["A", "A", "B", "B", "A"],
                          "product": ["p1", "p2", "p1", "p2", "p1"],
                          "value_usd": [20.0, 10.0, 10.0, 50.0, 10.0]})
    r = rca_matrix(flows)
    assert r.loc["A", "p1"] == pytest.approx(1.875)
    assert r.loc["A", "p2"] == pytest.approx(5 / 12)
    assert r.loc["B", "p1"] == pytest.approx(5 / 12)
    assert r.loc["B", "p2"] == pytest.approx(25 / 18)
    assert presence(r).loc["A"].tolist() == [1, 0]


def test_proximity_hand_worked() -> None:
    # Co-occurrence: p1p2 = 2 (c1, c2), p1p3 = 1 (c2), p1p4 = 1 (c4), p2p3 = 2 (c2, c3),
    # p2p4 = p3p4 = 0. φ = co / max(k, k'): p1p2 2/3, p1p3 1/3, p1p4 1/3, p2p3 2/3.
    phi = proximity(M)
    assert phi.loc["p1", "p2"] == pytest.approx(2 / 3)
    assert phi.loc["p1", "p3"] == pytest.approx(1 / 3)
    assert phi.loc["p1", "p4"] == pytest.approx(1 / 3)
    assert phi.loc["p2", "p3"] == pytest.approx(2 / 3)
    assert phi.loc["p2", "p4"] == 0 and phi.loc["p3", "p4"] == 0
    assert np.allclose(phi.to_numpy(), phi.to_numpy().T)
    assert (np.diag(phi.to_numpy()) == 0).all()
    # φ is the smaller conditional probability: P(p3|p1) = 1/3 < P(p1|p3) = 1/2.
    assert phi.loc["p1", "p3"] == pytest.approx(min(1 / 3, 1 / 2))


def test_density_and_candidates_hand_worked() -> None:
    # c3 has p2, p3. ω(c3, p1) = (φ12 + φ13) / (φ12 + φ13 + φ14) = (2/3 + 1/3) / (4/3) = 0.75;
    # ω(c3, p4) = (φ24 + φ34) / (φ14 + φ24 + φ34) = 0 / (1/3) = 0.
    # c4 has p1, p4. ω(c4, p2) = (φ12 + φ24) / (φ12 + φ23 + φ24) = (2/3) / (4/3) = 0.5;
    # ω(c4, p3) = (φ13 + φ34) / (φ13 + φ23 + φ34) = (1/3) / 1 = 1/3.
    om = density(M)
    assert om.loc["c3", "p1"] == pytest.approx(0.75)
    assert om.loc["c3", "p4"] == pytest.approx(0.0)
    assert om.loc["c4", "p2"] == pytest.approx(0.5)
    assert om.loc["c4", "p3"] == pytest.approx(1 / 3)
    cand = diversification_candidates(M.astype(float), "c4", top=None)
    assert cand["product"].tolist() == ["p2", "p3"]  # only products without RCA, densest first
    assert cand["distance"].tolist() == pytest.approx([0.5, 2 / 3])
    assert cand["ubiquity"].tolist() == [3, 2]


def test_errors() -> None:
    with pytest.raises(InputError):
        proximity(M * 2)
    with pytest.raises(NotFound):
        diversification_candidates(M.astype(float), "c9")


def test_candidates_from_flows_use_the_potential_flows() -> None:
    from tests.test_potential import flows_frame
    from tradegap.analysis.product_space import candidates_from_flows

    # In the potential module's three-country world, A's RCA is p1 1.5, p2 0.3, p3 1.2:
    # p2 is its only candidate. Country B (p2 1.8) has p1 (0.6) and p3 (0.6) as candidates.
    cand = candidates_from_flows(flows_frame(), "A", window=1)
    assert cand["product"].tolist() == ["p2"]
    assert cand["rca"].item() == pytest.approx(0.3)
    assert set(candidates_from_flows(flows_frame(), "B", window=1)["product"]) == {"p1", "p3"}
