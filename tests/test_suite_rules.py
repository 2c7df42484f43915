"""The suite's own rules (tests/ci_rules.py), run on a small suite in a subprocess: under CI a
skip — in a test, by ``importorskip`` at collection, or by a fixture — is a failure that keeps
its reason, and hypothesis is derandomized; outside CI a skip stays a skip."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CONFTEST = """
from tests.ci_rules import pytest_make_collect_report, pytest_runtest_makereport  # noqa
"""
SUITE = {
    "test_skips.py": """
import pytest
from hypothesis import settings

def test_skips_inside():
    pytest.skip("no chromium here")

@pytest.mark.skipif(True, reason="marked skip")
def test_marked():
    pass

def test_profile():
    print("DERANDOMIZE", settings.default.derandomize)

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    assert False
""",
    "test_imports.py": """
import pytest
pytest.importorskip("tradegap_no_such_module")

def test_never_collected():
    pass
""",
}


def run_suite(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    for name, text in {"conftest.py": CONFTEST, **SUITE}.items():
        (tmp_path / name).write_text(text)
    env = {k: v for k, v in os.environ.items()
           if k not in ("CI", "TRADEGAP_REQUIRE_SHARED_DATA", "HYPOTHESIS_PROFILE")}
    env["PYTHONPATH"] = str(ROOT)
    if ci:
        env["CI"] = "true"
    args = ["-rA", "-s", "-p", "no:cacheprovider", "--continue-on-collection-errors"]
    return subprocess.run([sys.executable, "-m", "pytest", *args, str(tmp_path)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)


def test_under_ci_every_skip_is_a_failure_with_its_reason(tmp_path: Path) -> None:
    proc = run_suite(tmp_path, ci=True)
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:]
    summary = out.strip().splitlines()[-1]
    assert all(f in summary for f in ("1 failed", "1 passed", "1 xfailed", "2 errors")), summary
    assert "skipped" not in summary, summary
    assert "no chromium here" in out and "marked skip" in out
    assert "tradegap_no_such_module" in out
    assert "DERANDOMIZE True" in out


def test_outside_ci_a_skip_stays_a_skip(tmp_path: Path) -> None:
    proc = run_suite(tmp_path, ci=False)
    out = proc.stdout
    assert proc.returncode == 0, out[-3000:]
    summary = out.strip().splitlines()[-1]
    assert all(f in summary for f in ("1 passed", "3 skipped", "1 xfailed")), summary
    assert not re.search(r"\d+ (failed|errors?)\b", summary), summary
    assert "DERANDOMIZE False" in out
