"""The choice of data on the team's real files: both views of Russia–India agree, complete
datasets win over partial ones, one kind of period per table, headlines on complete periods."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.subprocess_env import minimal_env
from tradegap.analysis.balance import balance, latest_complete
from tradegap.jsonable import to_jsonable
from tradegap.report.sections import balance_section
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse

BILATERAL = "russia_india_bilateral/russia_india_monthly_by_product.parquet"
EXPORTS = "india_exports_eidb/india_exports_hs8_partner.parquet"
CRUDE = "india_crude_coal_imports/hs2709_crude_imports_by_country_usd.xlsx"


@pytest.fixture(scope="module")
def real(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    wh = Warehouse(tmp_path_factory.mktemp("real") / "wh")
    ingest(wh, "india-dgcis", [shared_data / EXPORTS])
    ingest(wh, "russia-customs", [shared_data / BILATERAL])
    ingest(wh, "india-imports", [shared_data / CRUDE])
    return wh


@pytest.fixture(scope="module")
def views(real: Warehouse) -> dict[tuple[str, str], pd.DataFrame]:
    return {
        (a, f): balance(real, a, b, frequency=f).summary.set_index("period")
        for a, b in (("RUS", "IND"), ("IND", "RUS"))
        for f in ("calendar_year", "fiscal_year_in")
    }


@pytest.fixture(scope="module")
def raw(shared_data: Path) -> pd.DataFrame:
    frame = pd.read_parquet(shared_data / BILATERAL, columns=["NAPR", "PERIOD", "STOIM", "Source"])
    frame["year"] = pd.to_datetime(frame["PERIOD"]).dt.year
    return frame


@pytest.mark.parametrize("frequency", ["calendar_year", "fiscal_year_in"])
def test_both_views_agree_in_every_period(
    views: dict[tuple[str, str], pd.DataFrame], frequency: str
) -> None:
    rus, ind = views[("RUS", frequency)], views[("IND", frequency)]
    assert list(rus.index) == list(ind.index)
    assert np.allclose(rus["exports"], ind["imports"], equal_nan=True)
    assert np.allclose(rus["imports"], ind["exports"], equal_nan=True)
    assert np.allclose(rus["balance"], -ind["balance"], equal_nan=True)
    assert (rus["exports_dataset"].fillna("") == ind["imports_dataset"].fillna("")).all()


def test_2022_uses_all_twelve_months(
    views: dict[tuple[str, str], pd.DataFrame], raw: pd.DataFrame
) -> None:
    row = views[("RUS", "calendar_year")].loc["2022"]
    mirror = raw[(raw["Source"] == "MIRROR") & (raw["year"] == 2022)]
    # India's declarations (the importer's) of all 12 months, not Russia's January alone
    assert row["exports_dataset"] == "russia-customs-mirror" and row["exports_months"] == 12
    assert row["exports"] == pytest.approx(mirror.loc[mirror["NAPR"] == "ЭК", "STOIM"].sum())
    assert row["exports"] == pytest.approx(40.056e9, rel=1e-4)
    assert not row["partial"] and row["balance"] == pytest.approx(37.148e9, rel=1e-4)
    ind_2024 = views[("IND", "calendar_year")].loc["2024"]
    y2024 = raw[(raw["Source"] == "MIRROR") & (raw["year"] == 2024)]
    assert ind_2024["exports"] == pytest.approx(y2024.loc[y2024["NAPR"] == "ИМ", "STOIM"].sum())
    assert round(ind_2024["exports"] / 1e9, 2) == 4.91  # the data README's sums
    assert round(ind_2024["imports"] / 1e9, 2) == 64.53


def test_russia_january_2022_is_passed_over_with_its_reason(real: Warehouse) -> None:
    r = balance(real, "RUS", "IND", frequency="calendar_year")
    s = r.sources
    fts = s[(s["dataset"] == "russia-customs-fts") & (s["period"] == "2022")]
    assert set(fts["reason"]) == {
        "passed over for russia-customs-mirror: covers 1 of 12 months, all products"
    }
    fy = s[s["period_type"] == "fiscal_year_in"]
    assert not fy["chosen"].any()
    assert fy["reason"].str.contains("use --frequency fiscal_year_in").all()


def test_fiscal_years_2017_to_2021_have_a_balance(
    views: dict[tuple[str, str], pd.DataFrame],
) -> None:
    fy = views[("IND", "fiscal_year_in")]
    for start in range(2017, 2022):
        row = fy.loc[f"FY{start}-{(start + 1) % 100:02d}"]
        assert pd.notna(row["balance"]) and not row["partial"]
        # the crude-only table is passed over: the mirror holds every product
        assert row["imports_dataset"] == "russia-customs-mirror"
    # the measured FY2023-24 balance within 0.1% of the published −57.17 bn
    assert fy.loc["FY2023-24", "balance"] == pytest.approx(-57.17e9, rel=1e-3)


def test_partial_periods_are_flagged_with_their_months(
    views: dict[tuple[str, str], pd.DataFrame],
) -> None:
    fy, cal = views[("IND", "fiscal_year_in")], views[("IND", "calendar_year")]
    assert fy.loc["FY2009-10", "partial"] and fy.loc["FY2009-10", "imports_months"] == 3
    assert fy.loc["FY2024-25", "partial"] and fy.loc["FY2024-25", "imports_months"] == 10
    assert pd.isna(fy.loc["FY2024-25", "balance"])
    assert "different months" in fy.loc["FY2024-25", "balance_note"]
    assert cal.loc["2025", "partial"] and "1 of 12 months" in cal.loc["2025", "coverage"]
    assert not cal.drop(index="2025")["partial"].any()


def test_no_table_mixes_calendar_and_fiscal_years(
    views: dict[tuple[str, str], pd.DataFrame],
) -> None:
    for (_, frequency), summary in views.items():
        assert set(summary["period_type"]) == {frequency}


def test_headlines_use_the_latest_complete_period(real: Warehouse) -> None:
    cal = balance(real, "RUS", "IND", frequency="calendar_year")
    assert latest_complete(cal.summary)["period"] == "2024"
    section = balance_section(cal, charts=False)
    assert section["headline"]["period"] == "2024" and section["drivers_period"] == "2024"
    fy = balance(real, "IND", "RUS", frequency="fiscal_year_in")
    head = balance_section(fy, charts=False)["headline"]
    assert head["period"] == "FY2023-24" and not head["partial"]
    assert head["official"]["period"] == "FY2023-24"
    # drivers only where there is a balance: none for FY2024-25 (one side has 10 months)
    assert "FY2024-25" not in set(fy.drivers["period"])
    assert "2025" in set(cal.drivers["period"])  # partial but both sides cover January


def test_default_frequency_is_said_and_json_stays_small(real: Warehouse) -> None:
    r = balance(real, "RUS", "IND")
    assert r.frequency == "calendar_year"
    assert r.notes[0].startswith(
        "periods: calendar years, chosen because 15 of them are complete on both sides "
        "against 14 in Indian fiscal years"
    )
    small = json.dumps(to_jsonable(r.to_dict()))
    assert len(small) < 1_000_000
    detail = json.loads(small)["detail"]["rows"]
    assert detail["unit_values"]["total"] > 30_000 and detail["unit_values"]["shown"] < 1000
    page = r.table_page("unit_values", page=2, size=100)
    assert len(page["rows"]) == 100 and page["total"] == detail["unit_values"]["total"]


def test_pseudo_and_unknown_codes_are_not_countries(real: Warehouse) -> None:
    from tradegap.errors import InputError

    # India's statistics hold 'XXX' (destination unspecified): still not a country
    with pytest.raises(InputError, match="unknown country code 'XXX'"):
        balance(real, "IND", "XXX")
    with pytest.raises(InputError) as exc:
        balance(real, "IND", "RUSSIA")
    assert "closest matches: RUS (Russia)" in (exc.value.hint or "")


def test_chart_marks_partial_periods_on_one_kind_of_axis(real: Warehouse) -> None:
    from tradegap.report.charts_balance import balance_over_time

    fig = balance_over_time(balance(real, "RUS", "IND", frequency="calendar_year"))
    assert fig.layout.xaxis.title.text == "calendar year"
    assert fig.layout.title.text.startswith("RUS (Russia)–IND (India) trade balance")
    line = next(t for t in fig.data if t.name == "balance")
    assert list(line.x)[-1] == "2025 (partial)" and np.isnan(line.y[-1])
    marker = next(t for t in fig.data if t.name == "balance, partial period")
    assert list(marker.x) == ["2025 (partial)"]
    assert not any(str(x).startswith("FY") for t in fig.data for x in t.x)


def test_console_script_on_the_real_warehouse(real: Warehouse) -> None:
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("tradegap")
    env = minimal_env(COLUMNS="100", PATH="/usr/bin")
    done = subprocess.run(
        [str(exe), "--home", str(real.home), "balance", "RUS", "IND", "--json"],
        capture_output=True, text=True, timeout=600, env=env,
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) < 1_000_000  # the 12 MB of before, now the largest rows
    payload = json.loads(done.stdout)
    assert payload["frequency"] == "calendar_year" and not payload["detail"]["full"]
    text = subprocess.run(
        [str(exe), "--home", str(real.home), "balance", "IND", "RUS", "--frequency",
         "fiscal_year_in", "--from", "FY2022-23"],
        capture_output=True, text=True, timeout=600, env={**env, "COLUMNS": "300"},
    )
    assert text.returncode == 0, text.stderr
    out = " ".join(text.stdout.split())
    assert "Latest complete period FY2023-24" in out and "FY2024-25 (partial)" in out
    assert "FY2021-22" not in out and "Datasets passed over" in out
