"""A minimal environment for a console-script subprocess (what a user with an empty shell
has) that keeps coverage's own variables, so that ``make test`` measures the subprocess too
(``[tool.coverage.run] patch = ["subprocess"]`` passes its settings in ``COVERAGE_*``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def minimal_env(**values: str) -> dict[str, str]:
    """``values`` plus every ``COVERAGE_*`` variable of this process."""
    kept = {k: v for k, v in os.environ.items() if k.startswith("COVERAGE_")}
    return {**kept, **values}


def run_tradegap(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The installed ``tradegap`` console script run with ``args`` in :func:`minimal_env` (wide
    terminal, no colour), its output captured as text."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("tradegap")), *args],
        capture_output=True, text=True, timeout=timeout,
        env=minimal_env(COLUMNS="300", PATH="/usr/bin", NO_COLOR="1"),
    )
