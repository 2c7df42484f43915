"""The README's first command, ``make demo``, run as a user runs it (in the project, with the
demo warehouse and the reports in a temporary directory): it installs from the lock (a no-op
once installed), ingests the demo world, prints the balance and the potential table, and
writes the HTML and PDF reports, with no traceback, solver banner or log line in its output."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.ci_rules import in_ci

ROOT = Path(__file__).resolve().parents[1]


def test_make_demo_does_the_main_job(tmp_path: Path) -> None:
    if shutil.which("make") is None or not (ROOT / ".tools" / "bin" / "uv").exists():
        if in_ci():
            pytest.fail("make demo needs make and the bootstrapped uv (.tools/), which CI has")
        pytest.skip("make or the bootstrapped uv (.tools/bin/uv) is missing: run `make install`")
    home, reports = tmp_path / "home", tmp_path / "reports"
    env = {k: v for k, v in os.environ.items() if k not in ("TRADEGAP_HOME", "MAKEFLAGS")}
    env.update({"COLUMNS": "80", "NO_COLOR": "1"})
    proc = subprocess.run(["make", "--no-print-directory", "demo", f"HOME_DIR={home}",
                           f"REPORT_DIR={reports}"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "Traceback" not in out and "Running HiGHS" not in out and "INFO" not in out, out
    assert "SYNTHETIC (demo world)" in out  # the demo says what it is
    flat = " ".join(out.split())
    assert "India (IND) in Russia (RUS): export potential by product" in flat
    html, pdf = reports / "russia-india.html", reports / "russia-india.pdf"
    assert html.stat().st_size > 100_000 and "SYNTHETIC (demo world)" in html.read_text()
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert f"Open the report:      xdg-open {html}" in out
    assert "PDF skipped" not in out
