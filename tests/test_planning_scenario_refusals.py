"""The planner's scenario (tradegap.planning.scenario): refusals that name the key, targets
worked out by hand, and candidates tables read from Parquet or refused (damaged, repeated)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tradegap.errors import InputError
from tradegap.planning.scenario import (
    PotentialOptions,
    Scenario,
    read_candidates,
    scenario_from_dict,
    validate_candidates,
)

BASE: dict[str, Any] = {
    "pair": {"exporter": "IND", "market": "RUS"},
    "period": {"base": "2024", "horizon": 2},
    "baseline": {"gap": 50e9},
    "target": {"share": 0.1},
    "candidates": {"path": "c.csv"},
}
CANDIDATES = pd.DataFrame({"product": ["0306", "3004"], "name": ["shrimps", "medicines"],
                           "group": ["agri", "pharma"], "current": [1e8, 2e8],
                           "untapped": [4e8, 5e8], "market_imports": [9e8, 8e9],
                           "route": ["sea", "sea"]})


def doc(**sections: Any) -> dict[str, Any]:
    out = copy.deepcopy(BASE)
    out.update(copy.deepcopy(sections))
    return out


def refused(d: dict[str, Any]) -> InputError:
    with pytest.raises(InputError) as exc:
        scenario_from_dict(d, file="x.toml")
    assert exc.value.file == "x.toml"
    return exc.value


@pytest.mark.parametrize(("sections", "field", "reason"), [
    ({"pair": {"exporter": "IND", "market": "IND"}}, "pair.market",
     "must differ from pair.exporter"),
    ({"sectors": ["pharma"]}, "sectors[0]", "must be a table"),
    ({"sectors": [{"groups": [], "share_max": 0.5}]}, "sectors[0].groups",
     "must be a non-empty list of group names"),
    ({"sectors": [{"name": "pharma", "groups": ["pharma"]}]}, "sectors[0]",
     "needs share_min and/or share_max"),
    ({"candidates": {"path": "from potential", "method": "gravity"}}, "candidates.method",
     "is 'gravity'"),
    ({"candidates": {"path": "from potential", "gravity": "yes"}}, "candidates.gravity",
     "must be true or false"),
    ({"candidates": {"path": "c.csv", "route": "sea"}}, "candidates",
     'basis, method, gravity and route apply only to path = "from potential"'),
])
def test_refusal_names_the_key(sections: dict[str, Any], field: str, reason: str) -> None:
    err = refused(doc(**sections))
    assert (err.field, err.reason) == (field, reason)


def test_unknown_method_says_which_are_known() -> None:
    err = refused(doc(candidates={"method": "gravity"}))
    assert err.hint == "use 'itc' or 'demand'"


def test_basis_of_the_potential_is_checked_from_python_too() -> None:
    with pytest.raises(InputError) as exc:
        PotentialOptions(basis="maximum")
    assert (exc.value.field, exc.value.reason) == (
        "candidates.basis", "basis 'maximum' is not one of extra, headroom")
    assert exc.value.hint == "extra: the realistic estimate; headroom: the upper bound"


def test_fiscal_base_year_and_candidates_from_the_potential() -> None:
    sc = scenario_from_dict(doc(period={"base": "FY2024-25", "horizon": 2},
                                candidates={"basis": "headroom", "route": "INSTC"}))
    assert (sc.base_year, sc.base_period, sc.years) == (2024, "FY2024-25", [2025, 2026])
    assert sc.candidates_path is None  # no path: "from potential"
    assert (sc.potential_options.basis, sc.potential_options.route) == ("headroom", "INSTC")


def test_targets_in_dollars_one_number_or_one_per_year() -> None:
    final = scenario_from_dict(doc(target={"usd": 2e9}))
    assert np.isnan(final.targets()[0]) and final.targets()[1] == 2e9
    per_year = scenario_from_dict(doc(target={"usd": [1e9, 3e9]}))
    assert per_year.targets().tolist() == [1e9, 3e9]
    every = scenario_from_dict(doc(target={"usd": 2e9, "applies": "every_year"}))
    assert every.targets().tolist() == [2e9, 2e9]
    # a share multiplies each year's gap: 10 % and 20 % of US$50 bn
    shares = scenario_from_dict(doc(target={"share": [0.1, 0.2]}))
    assert shares.targets().tolist() == [5e9, 10e9]


def test_scenario_built_in_python_takes_lists() -> None:
    sc = Scenario("IND", "RUS", 2024, 2, 50e9, target_share=[0.1, 0.2], groups=["agri"])
    assert sc.target_share == (0.1, 0.2) and sc.groups == ("agri",)
    assert sc.targets().tolist() == [5e9, 10e9]
    assert Scenario("IND", "RUS", 2024, 3, 50e9, target_usd=4e9).target_usd == (4e9,)
    assert np.isnan(Scenario("IND", "RUS", 2024, 2, 50e9).targets()).all()


def test_candidates_from_parquet(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    CANDIDATES.to_parquet(path)
    got = read_candidates(path)
    assert got["product"].tolist() == ["0306", "3004"]
    assert got["untapped"].tolist() == [4e8, 5e8]
    assert got["unit_value"].isna().all()  # an optional column, absent: unknown


def test_damaged_candidates_file(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    CANDIDATES.to_parquet(path)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(InputError) as exc:
        read_candidates(path)
    assert (exc.value.file, exc.value.field) == (str(path), "candidates.path")
    assert exc.value.reason.startswith("cannot read the candidates table: ")
    assert exc.value.hint == ("give a CSV or Parquet file with the columns product, group, "
                              "current, untapped, market_imports")


def test_repeated_product_and_missing_optional_columns() -> None:
    twice = pd.concat([CANDIDATES, CANDIDATES.iloc[[1]]])
    with pytest.raises(InputError) as exc:
        validate_candidates(twice, file="c.csv")
    assert (exc.value.file, exc.value.field, exc.value.reason) == (
        "c.csv", "product", "product '3004' appears twice")
    bare = validate_candidates(CANDIDATES.drop(columns=["name", "route"]))
    assert bare["name"].tolist() == ["", ""] and bare["route"].tolist() == ["any", "any"]
