"""`tradegap gravity fit` through the console script on a hand-worked case: what it prints
(coefficients, N, drops, a lincom, notes, the files written), the fitted values it saves, the
OLS alternative, and its refusals.

y = 0, 2, 4 at x = 0 and 1, 5, 9, 9 at x = 1, plus a row whose x is missing. PPML's first-order
conditions give exp(b0) = 2 and exp(b0 + b1) = 6 (the group means): b0 = ln 2, b1 = ln 3, and the
lincom b0 + b1 = ln 6. OLS of ln y drops the zero: b0 = (ln 2 + ln 4)/2 = 1.5 ln 2 and
b0 + b1 = (ln 1 + ln 5 + 2 ln 9)/4, so b1 = (ln 5 + 4 ln 3)/4 − 1.5 ln 2."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.subprocess_env import minimal_env

TRADEGAP = str(Path(sys.executable).with_name("tradegap"))
DATA = "y,x\n0,0\n2,0\n4,0\n1,1\n5,1\n9,1\n9,1\n3,\n"


def fit(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "g.csv"
    path.write_text(DATA)
    return subprocess.run([TRADEGAP, "gravity", "fit", str(path), "-f", "y ~ x", *args],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env=minimal_env(COLUMNS="200", PATH="/usr/bin", NO_COLOR="1"))


def test_ppml_printout_lincom_and_saved_fitted_values(tmp_path: Path) -> None:
    run = fit(tmp_path, "--lincom", "x + Intercept", "--out", "coef.csv", "--save", "fit.csv")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].strip() == "PPML: y ~ x"
    rows = {ln.split()[0]: ln.split() for ln in lines if ln.split()[:1] in (["x"], ["Intercept"])}
    assert float(rows["x"][1]) == pytest.approx(math.log(3), abs=1e-6)
    assert float(rows["Intercept"][1]) == pytest.approx(math.log(2), abs=1e-6)
    assert "N = 7 of 8 rows; pseudo log-likelihood" in run.stdout
    assert "Dropped:\n           1  missing values\n" in run.stdout
    assert f"lincom x + Intercept: {math.log(6):.7g} (se " in run.stdout
    assert ("note: 1 rows had a regressor that is missing or infinite after transformation"
            in run.stdout)
    assert "coefficients written to coef.csv" in run.stdout
    assert "fitted values and fixed effects written to fit.csv" in run.stdout
    coef = pd.read_csv(tmp_path / "coef.csv").set_index("term")["estimate"]
    assert coef.to_dict() == pytest.approx({"Intercept": math.log(2), "x": math.log(3)})
    fitted = pd.read_csv(tmp_path / "fit.csv")
    assert fitted["row"].tolist() == list(range(7))  # the row with a missing x is not used
    assert fitted["fitted"].tolist() == pytest.approx([2, 2, 2, 6, 6, 6, 6])


def test_ols_alternative_drops_the_zero_and_the_missing_row(tmp_path: Path) -> None:
    run = fit(tmp_path, "--estimator", "ols", "--out", "ols.csv")
    assert run.returncode == 0, run.stderr
    coef = pd.read_csv(tmp_path / "ols.csv").set_index("term")["estimate"]
    b0 = 1.5 * math.log(2)
    assert coef["Intercept"] == pytest.approx(b0, abs=1e-9)
    assert coef["x"] == pytest.approx((math.log(5) + 4 * math.log(3)) / 4 - b0, abs=1e-9)
    assert "OLS: ln(y) ~ x" in run.stdout
    # the row with a missing x is a missing value (not a singleton: there are no fixed effects)
    assert "N = 6 of 8 rows\n" in run.stdout and "pseudo log-likelihood" not in run.stdout
    assert "Dropped:\n           1  missing values\n           1  zero flows (no log)\n" \
        in run.stdout
    assert "singletons" not in run.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--estimator", "nls"], "error: field '--estimator': unknown estimator 'nls'\n"
                             "  → use ppml or ols"),
    (["--estimator", "ols", "--offset", "x"],
     "error: field '--offset': --offset is for PPML\n  → drop --offset or use --estimator ppml"),
])
def test_refusals(tmp_path: Path, args: list[str], message: str) -> None:
    run = fit(tmp_path, *args)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip() == message
