"""Trade indicators: hand-worked cases (numbers worked in comments) and property tests."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tradegap.analysis import indicators as ind
from tradegap.errors import InputError

TOL = 1e-12
PROPS = settings(max_examples=80, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow])

# Three exporters × three products, used by several hand-worked cases.
#            p1   p2   p3  | total   shares
#   A        10   20   70  |  100    .10 .20 .70
#   B        30   50   20  |  100    .30 .50 .20
#   C        60   30  110  |  200    .30 .15 .55
#   world   100  100  200  |  400    .25 .25 .50
EXPORTS = pd.DataFrame(
    {
        "exporter": list("AAABBBCCC"),
        "product": ["p1", "p2", "p3"] * 3,
        "value_usd": [10.0, 20, 70, 30, 50, 20, 60, 30, 110],
    }
)


def lookup(df: pd.DataFrame, col: str, **keys: str) -> float:
    mask = np.ones(len(df), dtype=bool)
    for k, v in keys.items():
        mask &= (df[k] == v).to_numpy()
    assert mask.sum() == 1, f"expected one row for {keys}, got {mask.sum()}"
    return float(df.loc[mask, col].iloc[0])


# ------------------------------------------------------------------------------------------
# hand-worked cases


def test_rca_hand_worked() -> None:
    # RCA = (x_ik/X_i)/(x_wk/X_w): A,p1 = .10/.25 = 0.4; A,p3 = .70/.50 = 1.4;
    # B,p2 = .50/.25 = 2.0; C,p2 = .15/.25 = 0.6; C,p3 = .55/.50 = 1.1
    out = ind.rca(EXPORTS)
    expected = {
        ("A", "p1"): 0.4,
        ("A", "p3"): 1.4,
        ("B", "p2"): 2.0,
        ("C", "p2"): 0.6,
        ("C", "p3"): 1.1,
    }
    for (e, p), v in expected.items():
        assert lookup(out, "rca", exporter=e, product=p) == pytest.approx(v, abs=TOL)
    # RSCA = (RCA-1)/(RCA+1): A,p1 = -0.6/1.4 = -3/7; B,p2 = 1/3
    assert lookup(out, "rsca", exporter="A", product="p1") == pytest.approx(-3 / 7, abs=TOL)
    assert lookup(out, "rsca", exporter="B", product="p2") == pytest.approx(1 / 3, abs=TOL)
    assert len(out) == 9


def test_rca_with_given_world() -> None:
    # Only A in the table; world p1 1000, p2 500, p3 500, X_w = 2000 (sum of the Series):
    # A,p1 = .10/.50 = 0.2; A,p2 = .20/.25 = 0.8; A,p3 = .70/.25 = 2.8
    world = pd.Series({"p1": 1000.0, "p2": 500.0, "p3": 500.0})
    out = ind.rca(EXPORTS[EXPORTS.exporter == "A"], world_by_product=world)
    assert out["rca"].tolist() == pytest.approx([0.2, 0.8, 2.8], abs=TOL)
    # X_w given explicitly as 4000 doubles every RCA
    out = ind.rca(EXPORTS[EXPORTS.exporter == "A"], world_by_product=world, world_total=4000)
    assert out["rca"].tolist() == pytest.approx([0.4, 1.6, 5.6], abs=TOL)
    # A's total given as 200 (the table holds only part of A's exports) halves them again
    out = ind.rca(
        EXPORTS[EXPORTS.exporter == "A"],
        world_by_product=world,
        world_total=4000,
        exporter_totals=pd.Series({"A": 200.0}),
    )
    assert out["rca"].tolist() == pytest.approx([0.2, 0.8, 2.8], abs=TOL)


def test_rca_zero_and_missing_give_nan() -> None:
    table = pd.DataFrame(
        {
            "exporter": ["A", "A", "Z", "Z", "U", "U"],
            "product": ["p1", "p2", "p1", "p2", "p1", "p2"],
            "value_usd": [10.0, 0.0, 0.0, 0.0, 5.0, np.nan],
        }
    )
    out = ind.rca(table, world_by_product=pd.Series({"p1": 100.0, "p2": 100.0}))
    # Z exports nothing: X_Z = 0 → undefined, not 0
    assert out.loc[out.exporter == "Z", "rca"].isna().all()
    # U has an unknown value: its total is unknown, so both its RCAs are unknown
    assert out.loc[out.exporter == "U", "rca"].isna().all()
    # A: (10/10)/(100/200) = 2 and 0
    assert out.loc[out.exporter == "A", "rca"].tolist() == pytest.approx([2.0, 0.0], abs=TOL)
    # world total of a product zero → NaN (not inf)
    out = ind.rca(table[table.exporter == "A"], world_by_product=pd.Series({"p1": 0.0, "p2": 1}))
    assert math.isnan(lookup(out, "rca", product="p1"))


def test_symmetric_rca_values() -> None:
    # (0-1)/(0+1) = -1; (1-1)/2 = 0; (3-1)/(3+1) = 0.5
    assert ind.symmetric_rca(np.array([0.0, 1.0, 3.0])).tolist() == [-1.0, 0.0, 0.5]


def test_trade_complementarity_hand_worked() -> None:
    # J imports p1 50, p2 30, p3 20 → shares .5 .3 .2; K imports only p4.
    # A vs J: |.1-.5|+|.2-.3|+|.7-.2| = .4+.1+.5 = 1.0 → TC = 100(1 - 1.0/2) = 50
    # B vs J: .2+.2+0 = .4 → 80;   C vs J: .2+.15+.35 = .7 → 65
    # anyone vs K: no product in common, Σ = 1 + 1 = 2 → 0
    imports = pd.DataFrame(
        {
            "importer": ["J", "J", "J", "K"],
            "product": ["p1", "p2", "p3", "p4"],
            "value_usd": [50.0, 30, 20, 100],
        }
    )
    out = ind.trade_complementarity(EXPORTS, imports)
    assert len(out) == 6
    for e, v in {"A": 50.0, "B": 80.0, "C": 65.0}.items():
        assert lookup(out, "tc", exporter=e, importer="J") == pytest.approx(v, abs=TOL)
        assert lookup(out, "tc", exporter=e, importer="K") == pytest.approx(0.0, abs=TOL)


def test_trade_complementarity_zero_totals_nan() -> None:
    imports = pd.DataFrame({"importer": ["J"], "product": ["p1"], "value_usd": [0.0]})
    out = ind.trade_complementarity(EXPORTS, imports)
    assert out["tc"].isna().all()


def test_export_similarity_hand_worked() -> None:
    # S(A,B) = min(.1,.3)+min(.2,.5)+min(.7,.2) = .1+.2+.2 = .5 → 50
    # S(A,C) = .1+.15+.55 = .8 → 80;   S(B,C) = .3+.15+.2 = .65 → 65
    out = ind.export_similarity(EXPORTS)
    assert len(out) == 6  # ordered pairs, a ≠ b
    pairs = {("A", "B"): 50.0, ("A", "C"): 80.0, ("B", "C"): 65.0}
    for (a, b), v in pairs.items():
        assert lookup(out, "similarity", exporter_a=a, exporter_b=b) == pytest.approx(v, abs=TOL)
        assert lookup(out, "similarity", exporter_a=b, exporter_b=a) == pytest.approx(v, abs=TOL)
    frac = ind.export_similarity(EXPORTS, percent=False)
    assert lookup(frac, "similarity", exporter_a="A", exporter_b="B") == pytest.approx(0.5)


def test_export_similarity_to_a_market() -> None:
    # To IND: A sells p1 1, p2 3 (.25 .75); B sells p2 2, p3 2 (.5 .5) → S = min(.75,.5) = .5
    # To CHN rows must be ignored.
    flows = pd.DataFrame(
        {
            "exporter": ["A", "A", "B", "B", "A", "B"],
            "importer": ["IND", "IND", "IND", "IND", "CHN", "CHN"],
            "product": ["p1", "p2", "p2", "p3", "p3", "p1"],
            "value_usd": [1.0, 3.0, 2.0, 2.0, 100.0, 100.0],
        }
    )
    out = ind.export_similarity(flows, market="IND")
    assert lookup(out, "similarity", exporter_a="A", exporter_b="B") == pytest.approx(50.0)


# Bilateral flows among A, B, C:  A→B 30, A→C 10, B→A 20, B→C 20, C→A 50, C→B 70.
# Exports X_A 40, X_B 40, X_C 120; imports M_A 70, M_B 100, M_C 30; world X_w 200.
BILATERAL = pd.DataFrame(
    {
        "exporter": list("AABBCC"),
        "importer": list("BCACAB"),
        "value_usd": [30.0, 10, 20, 20, 50, 70],
    }
)


def test_trade_intensity_hand_worked() -> None:
    # TI_AB = (30/40)/(100/200) = 1.5;  TI_AC = (10/40)/(30/200) = 5/3
    # TI_BA = (20/40)/(70/200) = 10/7;  TI_CA = (50/120)/(70/200) = 25/21
    out = ind.trade_intensity(BILATERAL)
    assert len(out) == 6
    cases = {("A", "B"): 1.5, ("A", "C"): 5 / 3, ("B", "A"): 10 / 7, ("C", "A"): 25 / 21}
    for (i, j), v in cases.items():
        assert lookup(out, "intensity", exporter=i, importer=j) == pytest.approx(v, abs=TOL)


def test_trade_intensity_excluding_own_imports() -> None:
    # TI_AB = (30/40)/(100/(200-70)) = .75 × 1.3 = 0.975
    # TI_BA = (20/40)/(70/(200-100)) = 5/7;  TI_CA = (50/120)/(70/(200-30)) = 85/84
    out = ind.trade_intensity(BILATERAL, exclude_own_imports=True)
    cases = {("A", "B"): 0.975, ("B", "A"): 5 / 7, ("C", "A"): 85 / 84}
    for (i, j), v in cases.items():
        assert lookup(out, "intensity", exporter=i, importer=j) == pytest.approx(v, abs=TOL)


def test_trade_intensity_zero_exporter_nan_absent_pair_zero() -> None:
    flows = pd.concat(
        [BILATERAL, pd.DataFrame({"exporter": ["D"], "importer": ["A"], "value_usd": [0.0]})]
    )
    out = ind.trade_intensity(flows)
    # D exports nothing → NaN; A never sells to D (D imports nothing either) → x_wD = 0 → NaN
    assert out.loc[out.exporter == "D", "intensity"].isna().all()
    assert math.isnan(lookup(out, "intensity", exporter="A", importer="D"))
    # unknown flow → everything depending on the world total is unknown
    flows.iloc[0, 2] = np.nan
    assert ind.trade_intensity(flows)["intensity"].isna().all()


def test_grubel_lloyd_hand_worked() -> None:
    # p1 X 10 M 10 → 1;  p2 X 50 M 10 → 1 - 40/60 = 1/3;  p3 X 0 M 20 → 0;  p4 none → NaN
    # aggregate: Σ(X+M) = 20+60+20 = 100, Σ|X-M| = 0+40+20 = 60 → 0.4
    # Aquino: X = 60, M = 40, ½(X+M) = 50; X^e = X·50/60 = (25/3, 125/3, 0),
    # M^e = M·50/40 = (12.5, 12.5, 25).  p1: 1 - (25/6)/(125/6) = 0.8;
    # p2: 1 - (175/6)/(325/6) = 6/13;  p3: 0.  Aggregate: Σ|.| = 25/6+175/6+25 = 175/3,
    # Σ(X^e+M^e) = 100 → 1 - 175/300 = 5/12 (= 1 - ½Σ|x_k/X - m_k/M| = 1 - ½(1/12+7/12+1/2))
    x = pd.Series({"p1": 10.0, "p2": 50.0, "p3": 0.0, "p4": 0.0})
    m = pd.Series({"p1": 10.0, "p2": 10.0, "p3": 20.0})
    out = ind.grubel_lloyd(x, m)
    assert out.loc[["p1", "p2", "p3"], "gl"].tolist() == pytest.approx([1, 1 / 3, 0], abs=TOL)
    assert math.isnan(out.loc["p4", "gl"])
    assert out.loc[["p1", "p2", "p3"], "gl_aquino"].tolist() == pytest.approx(
        [0.8, 6 / 13, 0], abs=TOL
    )
    assert ind.grubel_lloyd_aggregate(x, m) == pytest.approx(0.4, abs=TOL)
    assert ind.grubel_lloyd_aggregate(x, m, aquino=True) == pytest.approx(5 / 12, abs=TOL)


def test_aquino_is_not_always_above_plain_gl() -> None:
    # X = (10, 10), M = (10, 0): plain 1 - 10/30 = 2/3. Aquino: X^e = (7.5, 7.5),
    # M^e = (15, 0) → 1 - (7.5+7.5)/30 = 1/2 < 2/3.
    x, m = pd.Series({"a": 10.0, "b": 10.0}), pd.Series({"a": 10.0, "b": 0.0})
    assert ind.grubel_lloyd_aggregate(x, m) == pytest.approx(2 / 3, abs=TOL)
    assert ind.grubel_lloyd_aggregate(x, m, aquino=True) == pytest.approx(0.5, abs=TOL)


def test_grubel_lloyd_undefined_cases() -> None:
    zero = pd.Series({"a": 0.0})
    assert math.isnan(ind.grubel_lloyd_aggregate(zero, zero))
    # one-way trade: plain GL is 0, Aquino cannot rescale imports of 0 → NaN
    x = pd.Series({"a": 5.0})
    assert ind.grubel_lloyd_aggregate(x, zero) == 0.0
    assert math.isnan(ind.grubel_lloyd_aggregate(x, zero, aquino=True))
    assert ind.grubel_lloyd(x, zero)["gl_aquino"].isna().all()
    assert math.isnan(ind.grubel_lloyd_aggregate(x, pd.Series({"a": np.nan})))


def test_market_shares_hand_worked() -> None:
    # IND p1: RUS 60, SAU 30, IRQ 30 → .5, .25, .25, ranks 1, 2, 2 (ties share the rank)
    # IND p2: nothing → NaN;  IND p3: CHN 5 → 1.0;  CHN rows excluded by market="IND"
    flows = pd.DataFrame(
        {
            "exporter": ["RUS", "SAU", "IRQ", "RUS", "USA", "CHN", "RUS"],
            "importer": ["IND", "IND", "IND", "IND", "IND", "IND", "CHN"],
            "product": ["p1", "p1", "p1", "p2", "p2", "p3", "p1"],
            "value_usd": [60.0, 30, 30, 0, 0, 5, 999],
        }
    )
    out = ind.market_shares(flows, market="IND")
    assert set(out.importer) == {"IND"}
    p1 = out[out["product"] == "p1"]
    assert p1.exporter.tolist() == ["RUS", "IRQ", "SAU"]
    assert p1.share.tolist() == pytest.approx([0.5, 0.25, 0.25], abs=TOL)
    assert p1["rank"].tolist() == [1, 2, 2]
    p2 = out[out["product"] == "p2"]
    assert p2.share.isna().all() and p2["rank"].isna().all()
    assert lookup(out, "share", product="p3") == pytest.approx(1.0, abs=TOL)
    assert len(ind.market_shares(flows)) == 7  # all markets


def test_hhi_hand_worked() -> None:
    # (50, 30, 20): H = .25+.09+.04 = .38; N = 3; H* = (.38 - 1/3)/(2/3) = 0.07
    assert ind.hhi([50, 30, 20]) == pytest.approx(0.07, abs=TOL)
    assert ind.hhi([50, 30, 20], normalised=False) == pytest.approx(0.38, abs=TOL)
    # UNCTAD square-root form: (√.38 - √(1/3))/(1 - √(1/3))
    unctad = (math.sqrt(0.38) - math.sqrt(1 / 3)) / (1 - math.sqrt(1 / 3))
    assert ind.hhi([50, 30, 20], method="unctad") == pytest.approx(unctad, abs=TOL)
    assert ind.hhi([1, 1, 1, 1]) == pytest.approx(0.0, abs=TOL)  # equal spread
    assert ind.hhi([7.0]) == 1.0  # N = 1 defined as fully concentrated
    assert ind.hhi([7.0, 0.0, 0.0]) == 1.0  # zeros do not count in N
    # (1, 1) over a nomenclature of n = 4: H = .5, H* = (.5 - .25)/.75 = 1/3
    assert ind.hhi([1, 1], n=4) == pytest.approx(1 / 3, abs=TOL)
    assert math.isnan(ind.hhi([0.0, 0.0]))
    assert math.isnan(ind.hhi([1.0, np.nan]))
    with pytest.raises(InputError):
        ind.hhi([1, 1, 1], n=2)


def test_concentration_by_exporter() -> None:
    # A (.1 .2 .7): H = .01+.04+.49 = .54 → (.54-1/3)·1.5 = 0.31;  B: H = .38 → 0.07
    out = ind.concentration(EXPORTS, by="exporter")
    assert lookup(out, "hhi", exporter="A") == pytest.approx(0.31, abs=TOL)
    assert lookup(out, "hhi", exporter="B") == pytest.approx(0.07, abs=TOL)
    assert out["n"].tolist() == [3, 3, 3]


def test_bad_input_raises() -> None:
    with pytest.raises(InputError, match="negative"):
        ind.rca(EXPORTS.assign(value_usd=-EXPORTS.value_usd))
    with pytest.raises(InputError, match="lacks columns"):
        ind.rca(EXPORTS.rename(columns={"product": "hs6"}))
    with pytest.raises(InputError, match="infinite"):
        ind.trade_intensity(BILATERAL.assign(value_usd=np.inf))
    with pytest.raises(InputError, match="repeated"):
        ind.grubel_lloyd(pd.Series([1.0, 2.0], index=["a", "a"]), pd.Series({"a": 1.0}))


# ------------------------------------------------------------------------------------------
# properties

value = st.one_of(st.just(0.0), st.floats(min_value=1e-3, max_value=1e9))
scale = st.floats(min_value=1e-3, max_value=1e3)


@st.composite
def matrices(draw, rows: int = 4, cols: int = 5) -> np.ndarray:
    shape = (draw(st.integers(1, rows)), draw(st.integers(1, cols)))
    return draw(arrays(np.float64, shape, elements=value))


def long(matrix: np.ndarray, row: str = "exporter") -> pd.DataFrame:
    r, c = matrix.shape
    return pd.DataFrame(
        {
            row: np.repeat([f"C{i}" for i in range(r)], c),
            "product": np.tile([f"{k:04d}" for k in range(c)], r),
            "value_usd": matrix.ravel(),
        }
    )


def close(a: pd.Series, b: pd.Series, rel: float = 1e-9, abs_: float = 1e-9) -> None:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert (np.isnan(a) == np.isnan(b)).all()
    ok = ~np.isnan(a)
    assert a[ok] == pytest.approx(b[ok], rel=rel, abs=abs_)


@PROPS
@given(matrices(), scale)
def test_rca_properties(m: np.ndarray, c: float) -> None:
    out = ind.rca(long(m))
    r, s = out["rca"].to_numpy(), out["rsca"].to_numpy()
    ok = ~np.isnan(r)
    assert (r[ok] >= 0).all()
    assert ((s[ok] >= -1) & (s[ok] < 1)).all()
    # NaN exactly where the exporter's total or the product's world total is zero
    row_zero = np.repeat(m.sum(axis=1) == 0, m.shape[1])
    col_zero = np.tile(m.sum(axis=0) == 0, m.shape[0])
    assert (np.isnan(r) == (row_zero | col_zero)).all()
    close(out["rca"], ind.rca(long(m * c))["rca"])


@PROPS
@given(matrices(), matrices(), scale, scale)
def test_trade_complementarity_properties(a: np.ndarray, b: np.ndarray, c: float, d: float):
    out = ind.trade_complementarity(long(a), long(b, "importer"))
    tc = out["tc"].to_numpy()
    ok = ~np.isnan(tc)
    assert ((tc[ok] >= 0) & (tc[ok] <= 100)).all()
    scaled = ind.trade_complementarity(long(a * c), long(b * d, "importer"))
    close(out["tc"], scaled["tc"])
    # an exporter whose export shares equal the importer's import shares scores 100
    same = ind.trade_complementarity(long(b), long(b * c, "importer"))
    diag = same[same.exporter == same.importer]["tc"].dropna()
    assert diag.to_numpy() == pytest.approx(100.0, abs=1e-9)


@PROPS
@given(matrices(), scale)
def test_export_similarity_properties(m: np.ndarray, c: float) -> None:
    out = ind.export_similarity(long(m))
    s = out["similarity"].to_numpy()
    ok = ~np.isnan(s)
    assert ((s[ok] >= 0) & (s[ok] <= 100)).all()
    swapped = out.rename(columns={"exporter_a": "exporter_b", "exporter_b": "exporter_a"})
    merged = out.merge(swapped, on=["exporter_a", "exporter_b"])
    assert len(merged) == len(out)
    close(merged["similarity_x"], merged["similarity_y"], rel=0, abs_=0)  # exactly symmetric
    close(out["similarity"], ind.export_similarity(long(m * c))["similarity"])


@PROPS
@given(matrices(rows=5, cols=5), scale, st.booleans())
def test_trade_intensity_properties(m: np.ndarray, c: float, exclude: bool) -> None:
    n = min(m.shape)
    m = m[:n, :n]
    names = [f"C{i}" for i in range(n)]
    flows = pd.DataFrame(
        {
            "exporter": np.repeat(names, n),
            "importer": np.tile(names, n),
            "value_usd": m.ravel(),
        }
    )
    flows = flows[flows.exporter != flows.importer]
    out = ind.trade_intensity(flows, exclude_own_imports=exclude)
    ti = out["intensity"].to_numpy()
    assert (ti[~np.isnan(ti)] >= 0).all()
    scaled = ind.trade_intensity(
        flows.assign(value_usd=flows.value_usd * c), exclude_own_imports=exclude
    )
    close(out["intensity"], scaled["intensity"])


@st.composite
def product_pairs(draw) -> tuple[pd.Series, pd.Series]:
    k = draw(st.integers(1, 6))
    idx = [f"{i:06d}" for i in range(k)]
    x = draw(arrays(np.float64, k, elements=value))
    m = draw(arrays(np.float64, k, elements=value))
    return pd.Series(x, index=idx), pd.Series(m, index=idx)


@PROPS
@given(product_pairs(), scale, scale)
def test_grubel_lloyd_properties(xm: tuple[pd.Series, pd.Series], c: float, d: float) -> None:
    x, m = xm
    per = ind.grubel_lloyd(x, m)
    for col in ("gl", "gl_aquino"):
        v = per[col].to_numpy()
        assert ((v[~np.isnan(v)] >= 0) & (v[~np.isnan(v)] <= 1)).all()
    gl = ind.grubel_lloyd_aggregate(x, m)
    aq = ind.grubel_lloyd_aggregate(x, m, aquino=True)
    for v in (gl, aq):
        assert math.isnan(v) or 0 <= v <= 1
    # symmetric in swapping exports and imports (exactly)
    swapped = ind.grubel_lloyd(m, x)
    close(per["gl"], swapped["gl"], rel=0, abs_=0)
    close(
        pd.Series([gl, aq]),
        pd.Series(
            [ind.grubel_lloyd_aggregate(m, x), ind.grubel_lloyd_aggregate(m, x, aquino=True)]
        ),
    )
    # invariant to scaling both flows by one constant
    close(pd.Series([gl]), pd.Series([ind.grubel_lloyd_aggregate(x * c, m * c)]))
    close(per["gl"], ind.grubel_lloyd(x * c, m * c)["gl"])
    tx, tm = x.sum(), m.sum()
    if tx > 0 and tm > 0:
        # Aquino depends only on the structures: invariant to scaling X and M separately …
        close(pd.Series([aq]), pd.Series([ind.grubel_lloyd_aggregate(x * c, m * d, aquino=True)]))
        # … and equals 1 - ½Σ|x_k/X - m_k/M|, i.e. the complementarity of own exports and imports
        tc = ind.trade_complementarity(
            pd.DataFrame({"exporter": "I", "product": x.index, "value_usd": x.to_numpy()}),
            pd.DataFrame({"importer": "I", "product": m.index, "value_usd": m.to_numpy()}),
        )["tc"].iloc[0]
        assert aq == pytest.approx(tc / 100, abs=1e-9)
        # the plain aggregate is biased down by the imbalance: GL ≤ 1 - |X-M|/(X+M)
        assert gl <= 1 - abs(tx - tm) / (tx + tm) + 1e-12
        # when trade is balanced Aquino changes nothing
        balanced_m = m * (tx / tm)
        assert ind.grubel_lloyd_aggregate(x, balanced_m, aquino=True) == pytest.approx(
            ind.grubel_lloyd_aggregate(x, balanced_m), abs=1e-9
        )


@PROPS
@given(matrices(rows=4, cols=4), matrices(rows=4, cols=4), scale)
def test_market_shares_properties(a: np.ndarray, b: np.ndarray, c: float) -> None:
    # suppliers × products for market M1 (from a) and M2 (from b)
    flows = pd.concat(
        [long(a).assign(importer="M1"), long(b).assign(importer="M2")], ignore_index=True
    )
    out = ind.market_shares(flows)
    for (_, _), g in out.groupby(["importer", "product"]):
        if g["value_usd"].sum() > 0:
            assert g.share.sum() == pytest.approx(1.0, abs=1e-12)
            assert ((g.share >= 0) & (g.share <= 1)).all()
            assert g["rank"].min() == 1
            assert g.sort_values("rank").share.is_monotonic_decreasing
        else:
            assert g.share.isna().all()
    scaled = ind.market_shares(flows.assign(value_usd=flows.value_usd * c))
    close(out["share"], scaled["share"])


@PROPS
@given(arrays(np.float64, st.integers(1, 8), elements=value), scale)
def test_hhi_properties(v: np.ndarray, c: float) -> None:
    h = ind.hhi(v)
    if v.sum() == 0:
        assert math.isnan(h)
        return
    assert 0 <= h <= 1
    n = int((v > 0).sum())
    raw = ind.hhi(v, normalised=False)
    assert 1 / n - 1e-12 <= raw <= 1 + 1e-12
    assert 0 <= ind.hhi(v, method="unctad") <= 1
    assert ind.hhi(v * c) == pytest.approx(h, abs=1e-9)
    assert ind.hhi(v[::-1]) == pytest.approx(h, abs=1e-12)
    # the grouped version agrees with the scalar one
    table = pd.DataFrame({"g": "x", "product": [str(i) for i in range(len(v))], "value_usd": v})
    assert ind.concentration(table, by="g")["hhi"].iloc[0] == pytest.approx(h, abs=1e-12)
