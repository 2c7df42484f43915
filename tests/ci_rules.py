"""Rules of the suite under CI (``CI=true`` or ``TRADEGAP_REQUIRE_SHARED_DATA=1``, both set by
``.ci/run``): no test may skip — a skip, at collection or in a test, is reported as a failure
with its reason — and hypothesis runs derandomized (the ``ci`` profile), so a CI run is
repeatable. Loaded by tests/conftest.py; tests/test_suite_rules.py runs it on a small suite."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings


def in_ci() -> bool:
    """True under CI: ``CI`` set to true/1, or ``TRADEGAP_REQUIRE_SHARED_DATA=1``."""
    return (os.environ.get("TRADEGAP_REQUIRE_SHARED_DATA") == "1"
            or os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"))


settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev")
settings.load_profile("ci" if in_ci() else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def _fail_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    if report.skipped and in_ci() and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, where no test may skip: {_skip_reason(report)}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Iterator[None]:
    outcome = yield
    _fail_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    outcome = yield
    _fail_skip(outcome.get_result())
