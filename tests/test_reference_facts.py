"""Published India–Russia headline figures: quoted as published, with their sources."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from tradegap.errors import NotFound
from tradegap.reference.facts import FACTS_FILE, official_figures, official_value


def test_fy2024_25_figures_as_published() -> None:
    exports = official_value("india_exports_to_russia", "FY2024-25")
    imports = official_value("india_imports_from_russia", "FY2024-25")
    balance = official_value("india_trade_balance_with_russia", "FY2024-25")
    assert (exports, imports, balance) == (4.88, 63.84, -58.9)
    # the published balance is rounded differently from the difference of the published flows
    # (the values as read: a reader that computed the balance would fail here)
    assert Decimal(str(exports)) - Decimal(str(imports)) == Decimal("-58.96")
    assert Decimal(str(balance)) == Decimal("-58.9")
    assert balance != round(exports - imports, 2)


def test_figures_frame_has_sources_and_dollars() -> None:
    frame = official_figures()
    assert list(frame.columns) == [
        "metric", "period", "value", "unit", "source_url", "note", "value_usd"
    ]
    assert frame["source_url"].str.startswith("https://").all()
    exports = official_figures("india_exports_to_russia").set_index("period")
    assert list(exports.index) == ["FY2021-22", "FY2022-23", "FY2023-24", "FY2024-25"]
    assert exports.loc["FY2024-25", "value_usd"] == 4_880_000_000
    assert exports.loc["FY2023-24", "value_usd"] == 4_260_000_000
    share = official_figures("crude_and_products_share_of_imports_from_russia")
    assert share["value"].iloc[0] == 0.88 and pd.isna(share["value_usd"].iloc[0])
    assert official_value("india_crude_imports_from_russia", "FY2021-22") == 2.2
    balance = official_figures("india_trade_balance_with_russia").set_index("period")
    assert balance.loc["FY2023-24", "value_usd"] == -57_170_000_000


def test_not_found_lists_what_exists() -> None:
    with pytest.raises(NotFound) as exc:
        official_value("india_exports_to_russia", "FY1999-00")
    assert "india_exports_to_russia FY2024-25" in str(exc.value)
    with pytest.raises(NotFound, match="india_imports_from_russia"):
        official_figures("gdp")


def test_packaged_copy_equals_shared_csv(shared_data: Path) -> None:
    shared = shared_data / "reference_facts" / "india_russia_official.csv"
    assert FACTS_FILE.read_bytes() == shared.read_bytes()
    raw = pd.read_csv(shared, dtype=str, keep_default_na=False)
    ours = official_figures()
    assert ours["note"].tolist() == raw["note"].tolist()
    assert ours["value"].tolist() == raw["value"].astype(float).tolist()
