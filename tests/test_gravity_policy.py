"""PPML for policy work: offset, fixed effects and fitted values, covariance and lincom, OLS,
separation checks — against TradeWithoutBorder.log (../shared/data/agtpa) and by hand."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradegap.analysis.gravity import fit_ppml, load_table, separation_checks
from tradegap.analysis.gravity_effects import fixed_effects, rows_with_effects
from tradegap.analysis.gravity_lincom import lincom, parse_combination
from tradegap.analysis.gravity_ols import fit_ols
from tradegap.errors import InputError

TRADEGAP = str(Path(sys.executable).with_name("tradegap"))
FORMULA = "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer"


def _log_effects(text: str, codes: list[str]) -> pd.DataFrame:
    """The EXPORTER_FEk / IMPORTER_FEk estimates of one ppml table of the log, by country (the
    dummies follow the sorted codes; Germany is ZZZ, last; its importer dummy is dropped)."""
    rows = re.findall(r"(EXPORTER|IMPORTER)_FE(\d+) \|\s+(-?[\d.]+)", text)
    return pd.DataFrame({"effect": [kind.lower() for kind, _, _ in rows],
                         "level": [codes[int(k) - 1] for _, k, _ in rows],
                         "estimate": [float(v) for _, _, v in rows]})


@pytest.fixture(scope="module")
def border(shared_data: Path):
    data = load_table(shared_data / "agtpa" / "1_TradeWithoutBorder.dta")
    log = (shared_data / "agtpa" / "TradeWithoutBorder.log").read_text()
    first, rest = log.split("predict tradehat_BLN", 1)
    constrained = rest.split("offset\n> (ln_tij_CFL)", 1)[1].split("predict tradehat_CDL")[0]
    codes = sorted(data["exporter"].unique())
    return data, _log_effects(first, codes), _log_effects(constrained, codes), constrained


def _match(ours: pd.DataFrame, published: pd.DataFrame) -> float:
    merged = published.merge(ours, on=["effect", "level"], suffixes=("_log", ""))
    assert len(merged) == len(published) == 137
    # the log prints 7 significant digits: half a unit in the last place, relative
    return float(((merged["estimate"] - merged["estimate_log"]).abs()
                  / merged["estimate_log"].abs().clip(lower=1)).max())


@pytest.mark.shared_data
def test_fixed_effects_and_lincom_match_the_log(border) -> None:
    data, published, _, _ = border
    result = fit_ppml(data, FORMULA)
    assert _match(fixed_effects(result), published) < 5e-7
    assert result.vcov is not None and result.vcov.shape == (3, 3)
    # lincom of one term is the log's figure: INTL_BRDR −2.47445 (0.1193816)
    one = lincom(result.coefficients, result.vcov, "INTL_BRDR")
    assert one["estimate"] == pytest.approx(-2.47445, abs=5e-6)
    assert one["std_error"] == pytest.approx(0.1193816, rel=2e-6)
    # a sum equals the coefficient of a reparametrised model: β1 x1 + β2 x2 =
    # (β1 + β2) x1 + β2 (x2 − x1), so the fit on (x1, x2 − x1) gives β1 + β2 and its SE
    combo = lincom(result.coefficients, result.vcov, "ln_DIST + CNTG")
    alt = fit_ppml(data.assign(d=data["CNTG"] - data["ln_DIST"]),
                   "trade ~ ln_DIST + d + INTL_BRDR | exporter + importer")
    assert combo["estimate"] == pytest.approx(alt.coef("ln_DIST"), abs=1e-7)
    assert combo["std_error"] == pytest.approx(alt.se("ln_DIST"), rel=1e-5)
    rows = rows_with_effects(result)
    assert np.allclose(rows["fitted"].sum(), data["trade"].sum(), rtol=1e-9)  # adding up
    assert np.allclose(rows["fe_exporter"] + rows["fe_importer"], rows["fe_sum"], atol=1e-8)


@pytest.mark.shared_data
def test_offset_reproduces_the_constrained_ppml(border) -> None:
    data, _, published, text = border
    data = data.assign(ln_tij_CFL=-0.7912879 * data["ln_DIST"] + 0.6736456 * data["CNTG"])
    # the log's ln_tij_CFL uses the full-precision _b; the 7 printed digits move the effects
    # by < 1e-6 here, within the log's own display precision
    result = fit_ppml(data, "trade ~ 1 | exporter + importer", offset="ln_tij_CFL")
    assert _match(fixed_effects(result), published) < 1e-6
    assert "3.40e+07" in text and f"{result.deviance:.2e}" == "3.40e+07"
    assert result.offset == "ln_tij_CFL" and result.coefficients.empty


def test_separation_choice() -> None:
    assert separation_checks(pd.Series([1.0, 2.0]), "auto") == ()
    assert separation_checks(pd.Series([0.0, 2.0]), "auto") == ("fe", "ir")
    assert separation_checks(pd.Series([0.0]), "none") == ()
    with pytest.raises(InputError, match="unknown separation"):
        separation_checks(pd.Series([0.0]), "sometimes")


def test_parse_combination() -> None:
    terms = ["RTA", "RTA_LAG4", "RTA_LAG8"]
    assert parse_combination("RTA + RTA_LAG4 + RTA_LAG8", terms) == {
        "RTA": 1.0, "RTA_LAG4": 1.0, "RTA_LAG8": 1.0}
    assert parse_combination("2*RTA - 0.5*RTA_LAG8", terms) == {"RTA": 2.0, "RTA_LAG8": -0.5}
    for bad in ("RTA RTA_LAG4", "", "RTA + FOO"):
        with pytest.raises(InputError):
            parse_combination(bad, terms)


def test_hand_worked_lincom() -> None:
    coefs = pd.DataFrame({"term": ["a", "b"], "estimate": [1.0, 2.0]})
    vcov = pd.DataFrame([[0.04, 0.01], [0.01, 0.09]], index=["a", "b"], columns=["a", "b"])
    got = lincom(coefs, vcov, "a - b")  # var = 0.04 + 0.09 − 2·0.01 = 0.11
    assert got["estimate"] == -1.0 and got["std_error"] == pytest.approx(np.sqrt(0.11))


def _small() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    g = np.repeat(["a", "b", "c"], 20)
    x = rng.normal(size=60)
    y = np.exp(1.0 + 0.5 * x + (g == "b") * 0.3 + rng.normal(scale=0.2, size=60))
    y[:3] = 0.0
    return pd.DataFrame({"g": g, "x": x, "y": y})


def test_ols_equals_least_squares_with_dummies() -> None:
    data = _small()
    result = fit_ols(data, "y ~ x | g")
    pos = data[data["y"] > 0]
    design = np.column_stack([pos["x"], pd.get_dummies(pos["g"]).to_numpy(dtype=float)])
    beta = np.linalg.lstsq(design, np.log(pos["y"]), rcond=None)[0]
    assert result.coef("x") == pytest.approx(beta[0], abs=1e-10)
    assert result.dropped["zero flows (no log)"] == 3 and result.estimator == "ols"


def test_ols_tells_a_missing_regressor_from_a_singleton() -> None:
    """pyfixest drops both at once; the count keeps them apart, as PPML's does."""
    data = _small()
    data.loc[len(data)] = {"g": "lonely", "x": 0.1, "y": 2.0}  # its own fixed effect
    data.loc[len(data)] = {"g": "a", "x": np.nan, "y": 2.0}  # no regressor
    result = fit_ols(data, "y ~ x | g")
    assert result.dropped == {"missing values": 1, "zero flows (no log)": 3, "singletons": 1}
    assert result.n_obs == 57 and result.n_input == 62


def test_cli_fit_lincom_save_ols(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    data = _small()
    data["x2"] = data["x"] ** 2
    data.to_csv(path, index=False)
    saved = tmp_path / "rows.csv"
    run = subprocess.run([TRADEGAP, "gravity", "fit", str(path), "-f", "y ~ x + x2 | g",
                          "--lincom", "x + x2", "--save", str(saved), "--json"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    payload = json.loads(run.stdout)
    assert payload["lincom"][0]["weights"] == {"x": 1.0, "x2": 1.0}
    rows = pd.read_csv(saved)
    assert {"fitted", "fe_g", "linear"} <= set(rows.columns) and len(rows) == 60
    run = subprocess.run([TRADEGAP, "gravity", "fit", str(path), "-f", "y ~ x | g",
                          "--estimator", "probit"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "Traceback" not in run.stderr and "probit" in run.stderr


def test_lincom_of_unknown_term_is_an_input_error() -> None:
    result = fit_ppml(_small(), "y ~ x | g")
    with pytest.raises(InputError, match="'nope' is not a coefficient"):
        lincom(result.coefficients, result.vcov, "x + nope")
