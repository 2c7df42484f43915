"""Who would be displaced: proportional losses with constant imports, or a growing market."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.test_potential import flows_frame, hand_result
from tradegap.analysis.displacement import displacement, displacement_summary
from tradegap.errors import InputError

MARKET = pd.DataFrame(
    [("Y", "M", "k", 60.0), ("Z", "M", "k", 20.0), ("W", "M", "k", 20.0), ("X", "Q", "k", 5.0)],
    columns=["exporter", "importer", "product", "value_usd"],
).assign(year=2020)


def run(untapped: float, assumption: str = "constant", top: int | None = 10) -> pd.DataFrame:
    table = pd.DataFrame({"product": ["k"], "untapped": [untapped]})
    out = displacement(MARKET, table, assumption, top, exporter="X", market="M", year=2020,
                       window=1)
    return out.set_index("supplier")


def test_constant_market_competitors_lose_proportionally() -> None:
    # M = 100, X has 0 and gains 50; the others (100) shrink by (100 − 50)/100 = 0.5:
    # Y 60 → 30, Z 20 → 10, W 20 → 10; shares after 0.5, 0.3, 0.1, 0.1.
    t = run(50.0)
    assert t.loc["X", "value_after"] == pytest.approx(50)
    assert t.loc["Y", "value_after"] == pytest.approx(30)
    assert t.loc[["Z", "W"], "value_after"].tolist() == pytest.approx([10, 10])
    assert t["share_now"].sum() == pytest.approx(1.0)
    assert t["share_after"].sum() == pytest.approx(1.0)
    assert t.loc["X", "share_after"] == pytest.approx(0.5)
    assert t.loc["Y", "change_usd"] == pytest.approx(-30)


def test_constant_market_gain_is_capped_at_the_market() -> None:
    t = run(150.0)  # cannot sell more than the market's 100
    assert t.loc["X", "share_after"] == pytest.approx(1.0)
    assert t.loc["Y", "value_after"] == pytest.approx(0.0)


def test_growing_market_keeps_competitors() -> None:
    # M' = 100 + 50 = 150: X 50/150, Y 60/150, values of Y, Z, W unchanged.
    t = run(50.0, "grows")
    assert t.loc["X", "share_after"] == pytest.approx(1 / 3)
    assert t.loc["Y", "share_after"] == pytest.approx(0.4)
    assert t.loc["Y", "change_usd"] == 0


def test_others_are_lumped() -> None:
    t = run(50.0, top=1)
    assert list(t.index) == ["X", "Y", "OTHERS"]
    assert t.loc["OTHERS", "value_now"] == pytest.approx(40)
    assert t.loc["OTHERS", "value_after"] == pytest.approx(20)


def test_from_hand_worked_potential() -> None:
    # A's untapped potential in B: p3 38720/2014 ≈ 19.23 against C's 40 (B's only supplier);
    # constant imports: A's share after 19.23/40, C keeps 40 − 19.23. p1 untapped 0: unchanged.
    res = hand_result()
    out = displacement(flows_frame(), res)
    p3 = out[out["product"] == "p3"].set_index("supplier")
    u = 38720 / 2014
    assert p3.loc["A", "share_now"] == 0
    assert p3.loc["A", "share_after"] == pytest.approx(u / 40)
    assert p3.loc["C", "value_after"] == pytest.approx(40 - u)
    p1 = out[out["product"] == "p1"].set_index("supplier")
    assert p1["change_usd"].abs().sum() == pytest.approx(0)
    summary = displacement_summary(out).set_index("product")
    assert summary.loc["p3", "most_displaced"] == "C"
    assert summary.loc["p3", "most_displaced_loss_usd"] == pytest.approx(u)
    assert summary.loc["p1", "most_displaced"] is None


def test_unknown_assumption() -> None:
    with pytest.raises(InputError):
        run(1.0, "shrinks")
