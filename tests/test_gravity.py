"""PPML gravity: published results (AGTPA book), a hand-worked case, drops, loading, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tradegap.analysis.gravity import fit_ppml, load_table
from tradegap.errors import InputError

YEARS = "year IN (1986, 1990, 1994, 1998, 2002, 2006) AND exporter <> importer"

# Yotov et al. (2016), Table 1.1 last column (REFERENCE.md §1).
CH1_PUBLISHED = {
    "log(DIST)": (-0.8409, 0.0317),
    "CNTG": (0.4374, 0.0832),
    "LANG": (0.2475, 0.0765),
    "CLNY": (-0.2225, 0.1162),
}
# TradeWithoutBorder.log (Stata ppml, robust): REFERENCE.md §2.
BORDER_PUBLISHED = {
    "ln_DIST": (-0.7912879, 0.0501494),
    "CNTG": (0.6736456, 0.1073719),
    "INTL_BRDR": (-2.47445, 0.1193816),
}


@pytest.fixture(scope="module")
def chapter1(shared_data: Path) -> pd.DataFrame:
    return load_table(shared_data / "agtpa" / "Chapter1Application1.dta", where=YEARS)


def test_chapter1_table1_ppml_matches_published(chapter1: pd.DataFrame) -> None:
    result = fit_ppml(
        chapter1,
        "trade ~ log(DIST) + CNTG + LANG + CLNY | exporter^year + importer^year",
        cluster="pair_id",
    )
    assert result.n_obs == 28_152
    assert result.n_dropped == 0
    assert result.converged
    for term, (estimate, se) in CH1_PUBLISHED.items():
        assert round(result.coef(term), 4) == estimate, term
        # measured: 0.031658, 0.083160, 0.076539, 0.116244 (all round to the published value)
        assert result.se(term) == pytest.approx(se, rel=0.005), term
    assert "G/(G−1)" in result.small_sample
    assert result.n_clusters == chapter1["pair_id"].nunique()


def test_chapter1_pyfixest_convention_is_larger(chapter1: pd.DataFrame) -> None:
    """pyfixest's default (N−1)/(N−K) counts the exporter-year effects: SEs 1.5 % larger, so
    the published ones are reproduced by the Stata ML convention, not by this one."""
    formula = "trade ~ log(DIST) + CNTG + LANG + CLNY | exporter^year + importer^year"
    stata = fit_ppml(chapter1, formula, cluster="pair_id")
    pyfx = fit_ppml(chapter1, formula, cluster="pair_id", ssc="pyfixest")
    ratio = pyfx.se("log(DIST)") / stata.se("log(DIST)")
    assert 1.005 < ratio < 1.05
    assert pyfx.coef("CNTG") == pytest.approx(stata.coef("CNTG"), abs=1e-12)


def test_trade_without_border_matches_stata_log(shared_data: Path) -> None:
    data = load_table(shared_data / "agtpa" / "1_TradeWithoutBorder.dta")
    result = fit_ppml(data, "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer")
    assert result.n_obs == 4_761
    for term, (estimate, se) in BORDER_PUBLISHED.items():
        assert result.coef(term) == pytest.approx(estimate, abs=2e-6), term
        assert result.se(term) == pytest.approx(se, rel=1e-4), term
    # Same scale as Stata: the full Poisson log-likelihood, with −Σ ln Γ(y+1).
    assert result.pseudo_loglik == pytest.approx(-2284121.5, abs=0.5)
    assert "N/(N−1)" in result.small_sample


def test_hand_worked_binary_regressor() -> None:
    """One binary x, no fixed effects: the PPML first-order conditions give
    exp(b0) = mean(y | x=0), exp(b0+b1) = mean(y | x=1); the robust variance of b1 is
    Σ_{x=1}(y−μ1)²/(n1 μ1)² + Σ_{x=0}(y−μ0)²/(n0 μ0)², times N/(N−1) (Stata)."""
    y0 = np.array([0.0, 2.0, 4.0])  # mean 2
    y1 = np.array([1.0, 5.0, 9.0, 9.0])  # mean 6
    data = pd.DataFrame({"y": np.r_[y0, y1], "x": [0] * 3 + [1] * 4})
    result = fit_ppml(data, "y ~ x")
    assert result.coef("x") == pytest.approx(np.log(3.0), abs=1e-8)
    assert result.coef("Intercept") == pytest.approx(np.log(2.0), abs=1e-8)
    var = ((y1 - 6) ** 2).sum() / (4 * 6) ** 2 + ((y0 - 2) ** 2).sum() / (3 * 2) ** 2
    assert result.se("x") == pytest.approx(np.sqrt(var * 7 / 6), rel=1e-6)
    # iid: the inverse Hessian, 1/(n1 μ1) + 1/(n0 μ0), with no adjustment (Stata ML).
    iid = fit_ppml(data, "y ~ x", vcov="iid")
    assert iid.se("x") == pytest.approx(np.sqrt(1 / (4 * 6) + 1 / (3 * 2)), rel=1e-6)


def test_interacted_fixed_effects_equal_a_combined_column() -> None:
    rng = np.random.default_rng(1)
    n = 300
    data = pd.DataFrame({"x": rng.normal(size=n), "g": rng.integers(0, 5, n).astype(str),
                         "h": rng.integers(0, 4, n).astype(str)})
    data["y"] = rng.poisson(np.exp(1 + 0.5 * data.x + (data.g == "1") * (data.h == "2"))) * 1.0
    data["gh"] = data.g + "_" + data.h
    inter = fit_ppml(data, "y ~ x | g^h", cluster="g+h")
    combined = fit_ppml(data, "y ~ x | gh", cluster="g+h")
    main_only = fit_ppml(data, "y ~ x | g + h", cluster="g+h")
    assert inter.coef("x") == pytest.approx(combined.coef("x"), abs=1e-10)
    assert inter.se("x") == pytest.approx(combined.se("x"), rel=1e-8)
    assert inter.coef("x") != pytest.approx(main_only.coef("x"), abs=1e-6)
    assert inter.n_clusters == 4  # two-way: min(G) enters G/(G−1)


def test_drops_are_counted_by_reason() -> None:
    rng = np.random.default_rng(3)
    n = 60
    data = pd.DataFrame(
        {
            "y": rng.poisson(5.0, n).astype(float),
            "x": rng.normal(size=n),
            "g": np.repeat([f"g{i}" for i in range(12)], 5),
        }
    )
    data.loc[data.g == "g0", "y"] = 0.0  # an all-zero group: 5 rows separated by the FE
    data.loc[len(data)] = {"y": 3.0, "x": 0.1, "g": "lonely"}  # a singleton
    data.loc[len(data)] = {"y": 2.0, "x": 0.2, "g": None}  # a missing fixed effect
    data.loc[len(data)] = {"y": 2.0, "x": np.nan, "g": "g1"}  # a missing regressor
    result = fit_ppml(data, "y ~ x | g")
    assert result.dropped == {"missing values": 2, "singletons": 1, "separated": 5}
    assert result.n_obs == len(data) - 8 == 55


def test_non_convergence_is_reported() -> None:
    rng = np.random.default_rng(1)
    data = pd.DataFrame({"x": rng.normal(size=300), "g": rng.integers(0, 5, 300).astype(str)})
    data["y"] = rng.poisson(np.exp(1 + 0.5 * data.x)).astype(float)
    assert fit_ppml(data, "y ~ x | g").converged
    stopped = fit_ppml(data, "y ~ x | g", maxiter=2)
    assert not stopped.converged and "did not converge" in stopped.notes[-1]


def test_bad_formula_and_variables_raise_input_error() -> None:
    data = pd.DataFrame({"y": [1.0, 2.0, 3.0, 0.0], "x": [1.0, 2.0, 3.0, 4.0], "g": list("aabb")})
    with pytest.raises(InputError, match="not a column") as info:
        fit_ppml(data, "y ~ x | nope")
    assert info.value.field == "nope"
    with pytest.raises(InputError, match="FOO"):
        fit_ppml(data, "y ~ log(FOO)")
    with pytest.raises(InputError, match="exactly one '~'"):
        fit_ppml(data, "y x")
    with pytest.raises(InputError, match="negative"):
        fit_ppml(data.assign(y=[-1.0, 2.0, 3.0, 0.0]), "y ~ x")
    with pytest.raises(InputError, match="conflicts"):
        fit_ppml(data, "y ~ x", cluster="g", vcov="iid")


def test_load_table_filters_and_derives(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"exporter": ["A", "A", "B"], "importer": ["A", "B", "A"], "DIST": [1.0, np.e, 10.0],
         "hs": ["010121", "020110", "100630"]}
    )
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_parquet(tmp_path / "t.parquet")
    for name in ("t.csv", "t.parquet"):
        out = load_table(tmp_path / name, where="exporter <> importer", derive=["ln_d = ln(DIST)"])
        assert list(out.importer) == ["B", "A"]
        assert out.ln_d.tolist() == pytest.approx([1.0, np.log(10.0)])
        assert out.hs.tolist() == ["020110", "100630"]  # codes keep their leading zeros
    with pytest.raises(InputError) as info:
        load_table(tmp_path / "t.csv", where="nope = 1")
    assert info.value.field == "--where" and info.value.file.endswith("t.csv")
    (tmp_path / "t.xlsx").write_text("x")
    with pytest.raises(InputError, match="unknown file type"):
        load_table(tmp_path / "t.xlsx")
    (tmp_path / "bad.dta").write_text("not stata")
    with pytest.raises(InputError, match="cannot read"):
        load_table(tmp_path / "bad.dta")


def test_cli_fit_json_and_out(tmp_path: Path) -> None:
    from tradegap.cli.main import app

    rng = np.random.default_rng(0)
    n = 400
    data = pd.DataFrame({"x": rng.normal(size=n), "g": rng.integers(0, 10, n).astype(str)})
    data["y"] = rng.poisson(np.exp(0.5 + 0.3 * data.x)).astype(float)
    path = tmp_path / "d.csv"
    data.to_csv(path, index=False)
    out = tmp_path / "coef.parquet"
    runner = CliRunner()
    res = runner.invoke(
        app, ["gravity", "fit", str(path), "-f", "y ~ x2 | g", "--json", "--out", str(out),
              "--where", "x > -10", "--derive", "x2 = x / 2"],
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    assert payload["n_obs"] == n
    assert payload["coefficients"][0]["term"] == "x2"
    assert abs(payload["coefficients"][0]["estimate"] - 0.6) < 0.2  # x2 = x/2: twice the slope
    assert pd.read_parquet(out).term.tolist() == ["x2"]
    table = runner.invoke(app, ["gravity", "fit", str(path), "-f", "y ~ x | g"])
    assert table.exit_code == 0 and "N = 400" in table.output
    bad = runner.invoke(app, ["gravity", "fit", str(path), "-f", "y ~ z | g"])
    assert isinstance(bad.exception, InputError)
    assert bad.exception.file == str(path)
