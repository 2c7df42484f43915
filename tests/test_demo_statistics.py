"""The SYNTHETIC demo world looks like real trade in the statistics an economist checks; the
target ranges are in docs/demo-world.md (change both together)."""

from __future__ import annotations

import pandas as pd
import pytest

from tradegap.sources.demo import generate, generate_year
from tradegap.sources.demo_stats import world_stats

SMALL = 50_000


@pytest.fixture(scope="module")
def small_stats():
    return world_stats(generate_year(2024, SMALL))


def test_exporters_per_product_are_dozens(small_stats) -> None:
    assert 12 <= small_stats.median_exporters <= 80
    assert small_stats.share_products_dozen_exporters >= 0.5
    assert small_stats.share_products_one_exporter <= 0.10


def test_product_sizes_have_a_long_tail(small_stats) -> None:
    assert 0.10 <= small_stats.top10_product_share <= 0.45
    assert 0.02 <= small_stats.largest_product_share <= 0.10
    assert 0.05 <= small_stats.median_to_mean_product <= 0.40


def test_market_shares_and_rca_in_realistic_ranges(small_stats) -> None:
    assert 0.20 <= small_stats.median_top_exporter_share <= 0.60
    assert small_stats.share_products_dominated <= 0.10
    assert 0.20 <= small_stats.share_rca_above_one <= 0.60
    assert 0.3 <= small_stats.median_rca <= 1.5


def test_world_stats_hand_worked() -> None:
    flows = pd.DataFrame({"exporter": ["A", "A", "B", "C"], "importer": ["B", "C", "A", "A"],
                          "product": ["x", "y", "x", "y"], "value_usd": [30.0, 10.0, 10.0, 50.0]})
    stats = world_stats(flows)
    assert stats.products == 2 and stats.median_exporters == 2
    assert stats.largest_product_share == pytest.approx(0.6)  # y: 60 of 100
    assert stats.median_top_exporter_share == pytest.approx((0.75 + 50 / 60) / 2)
    # RCA of A in x: (30/40)/(40/100) = 1.875; A in y: (10/40)/(60/100); B in x: 2.5; C in y
    assert stats.share_rca_above_one == pytest.approx(0.75)


def test_the_demo_potential_table_shows_room_to_grow() -> None:
    """`make demo`'s first table: India in Russia, farm goods and medicines, top 10."""
    from tradegap.analysis.potential import export_potential

    flows = generate(SMALL, years="2022-2024").read_all().to_pandas()
    table = export_potential(flows, "IND", "RUS", groups=["agri", "pharma"], top=10).table
    assert len(table) == 10
    assert (table["untapped"] > 0).sum() >= 6
    assert table["untapped"].is_monotonic_decreasing
    assert (table["supply_base"] < 0.95).all()  # no product where India is the only exporter
