"""A minimal environment for a console-script subprocess (what a user with an empty shell
has) that keeps coverage's own variables, so that ``make test`` measures the subprocess too
(``[tool.coverage.run] patch = ["subprocess"]`` passes its settings in ``COVERAGE_*``)."""

from __future__ import annotations

import os


def minimal_env(**values: str) -> dict[str, str]:
    """``values`` plus every ``COVERAGE_*`` variable of this process."""
    kept = {k: v for k, v in os.environ.items() if k.startswith("COVERAGE_")}
    return {**kept, **values}
