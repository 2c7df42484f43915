"""Shared fixtures. Tests that need ../shared/data skip with a reason when it is absent, unless
TRADEGAP_REQUIRE_SHARED_DATA=1 (set by .ci/run), where its absence is a failure. Under CI every
skip is a failure and hypothesis is derandomized (tests/ci_rules.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci_rules import (  # noqa: F401  (the hooks take effect by being here)
    in_ci,
    pytest_make_collect_report,
    pytest_runtest_makereport,
)
from tradegap.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (ROOT.parent / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The team's real data directory ../shared/data."""
    if not SHARED_DATA.is_dir():
        if in_ci():
            pytest.fail(f"{SHARED_DATA} is missing, but CI needs it")
        pytest.skip(f"real data not found at {SHARED_DATA} (clone the project beside ../shared)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def real_home(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built once per session from ../shared/data by the case study's ingest
    (russia-customs, russia-demand, india-dgcis): the real-data tests read it, never write."""
    from tradegap.casestudy import build_warehouse

    home = tmp_path_factory.mktemp("real-warehouse") / "wh"
    build_warehouse(shared_data, home)
    return home


@pytest.fixture()
def warehouse(tmp_path: Path) -> Warehouse:
    """An empty warehouse in a temporary directory."""
    return Warehouse(tmp_path / "wh")


def snapshot(wh: Warehouse) -> dict[str, object]:
    """Everything that defines the warehouse's visible state: catalogue rows and file bytes."""
    state: dict[str, object] = {}
    for info in wh.datasets():
        files = {p.name: p.read_bytes() for p in sorted(info.path.glob("*.parquet"))}
        state[info.name] = (info.fingerprint, info.rows, str(info.path), files)
    return state
