"""The measures scenario's validation (tradegap.measures.scenario): each malformed key is refused
with the file and the key path and what is allowed, and the keys that derive a figure (TEU
freight, used route capacity, a yearly target) give the hand-worked value."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.subprocess_env import run_tradegap
from tradegap.errors import InputError
from tradegap.measures.scenario import Gate, scenario_from_dict

FILE = "bad.toml"
BASE: dict[str, Any] = {
    "pair": {"surplus": "RUS", "deficit": "IND"},
    "period": {"start": "2026-01", "years": 2},
    "trade": {"other_exports_usd": 3e9, "deficit_exports_usd": 1e9, "settled_share": 0.5},
    "purchases": {"candidates": "c.csv"},
    "fx": {"currency": "INR", "per_usd": 80.0},
}
ROUTE = {"name": "INSTC", "cost_per_tonne": 120, "transit_days": 25}
GATE = {"name": "fish plants", "groups": ["fish"]}


def doc(**sections: Any) -> dict[str, Any]:
    """BASE with sections replaced or added (a value of None removes the section)."""
    out = copy.deepcopy(BASE)
    for key, value in sections.items():
        if value is None:
            out.pop(key)
        else:
            out[key] = value
    return out


def refused(d: dict[str, Any]) -> InputError:
    with pytest.raises(InputError) as exc:
        scenario_from_dict(d, file=FILE)
    assert exc.value.file == FILE
    return exc.value


@pytest.mark.parametrize(("sections", "field", "reason"), [
    ({"pair": {"surplus": "Rus", "deficit": "IND"}}, "pair.surplus",
     "'Rus' is not an ISO3 code"),
    ({"pair": {"surplus": "RUS", "deficit": "IN1"}}, "pair.deficit",
     "'IN1' is not an ISO3 code"),
    ({"pair": {"surplus": "RUS", "deficit": "RUS"}}, "pair.deficit",
     "must differ from pair.surplus"),
    ({"period": {"years": 2}}, "period.start", "is required"),
    ({"period": {"start": "2026-01", "years": 31}}, "period.years",
     "must be a whole number of years 1–30, got 31"),
    ({"period": {"start": "2026-01", "years": True}}, "period.years",
     "must be a whole number of years 1–30, got True"),
    ({"data": {"year": 1800}}, "data.year", "must be a calendar year, got 1800"),
    ({"trade": {**BASE["trade"], "deficit_exports_usd": "data"}}, "data",
     'is missing: trade.deficit_exports_usd = "data" reads it'),
    ({"purchases": {"candidates": "from potential"}}, "data",
     'is missing: purchases.candidates = "from potential" reads it'),
    ({"purchases": {"candidates": "c.csv", "weights": {"fish": -1}}},
     "purchases.weights.fish", "is -1, out of range"),
    ({"target": {"trade_share": 0.1, "trade_usd": 1e9}}, "target",
     "give at most one of target.trade_share and target.trade_usd"),
    ({"target": {"trade_share": 0.1, "applies": "monthly"}}, "target.applies",
     "is 'monthly'"),
    ({"gates": [{**GATE, "kind": "quota"}]}, "gates[0].kind", "is 'quota'"),
    ({"gates": [{"name": "empty"}]}, "gates[0]", "names no products or groups"),
    ({"gates": [{**GATE, "capacity_per_plant_usd": "data", "registered_plants": 10}]},
     "data", 'is missing: gates[0].capacity_per_plant_usd = "data" reads it'),
    ({"gates": [{**GATE, "plants": 40}]}, "gates[0].plants",
     "plants and capacity_per_plant_usd go together"),
    ({"gates": [{**GATE, "plants": 40, "capacity_per_plant_usd": 5e6, "capacity_usd": 1e8}]},
     "gates[0].capacity_usd", "give capacity_usd or plants, not both"),
    ({"routes": [{**ROUTE, "cost_per_teu": 1400}]}, "routes[0].cost_per_tonne",
     "give cost_per_tonne, or cost_per_teu with tonnes_per_teu"),
    ({"routes": [{"name": "box", "cost_per_teu": 1400, "transit_days": 30}]},
     "routes[0].tonnes_per_teu", "is required with cost_per_teu"),
    ({"routes": [{"name": "box", "cost_per_teu": 1400, "tonnes_per_teu": [280, 0],
                  "transit_days": 30}]},
     "routes[0].tonnes_per_teu[1]", "must be > 0 (TEU)"),
    ({"routes": [{"name": "box", "cost_per_teu": 1400, "tonnes_per_teu": 0.05,
                  "transit_days": 30}]},
     "routes[0].tonnes_per_teu", "is 0.05, out of range"),
    ({"routes": [{**ROUTE, "used_tonnes": 1000}]}, "routes[0].used_tonnes",
     "needs capacity_tonnes"),
    ({"routes": [ROUTE, {**ROUTE, "cost_per_tonne": 170}]}, "routes",
     "two routes share a name"),
    ({"assets": [{"name": "gold", "kind": "bullion"}]}, "assets[0].kind", "is 'bullion'"),
    ({"fund": {"size_usd_max": 1e9, "size_usd_min": 2e9, "schedule": 0.5}},
     "fund.size_usd_min", "2e+09 exceeds size_usd_max 1e+09"),
    ({"crude": {"volume_tonnes": 1e6, "price_usd_per_tonne": 500},
      "countertrade": {"share": 0.1}}, "countertrade.groups",
     "is required: the groups whose purchases count"),
    ({"countertrade": {"share": 0.1, "groups": ["fish"]}}, "crude",
     "is missing: [countertrade] ties purchases to crude value"),
    ({"synthetic": "yes"}, "synthetic", "must be true or false"),
])
def test_refusal_names_the_key(sections: dict[str, Any], field: str, reason: str) -> None:
    err = refused(doc(**sections))
    assert (err.field, err.reason) == (field, reason)


def test_refusals_say_what_is_allowed() -> None:
    assert refused(doc(pair={"surplus": "RU", "deficit": "IND"})).hint == "use e.g. 'RUS', 'IND'"
    assert refused(doc(target={"applies": "x"})).hint == "use 'final' or 'every_year'"
    err = refused(doc(gates=[{**GATE, "kind": "quota"}]))
    assert err.hint == "use sps, registration, certification, other"
    err = refused(doc(assets=[{"name": "gold", "kind": "bullion"}]))
    assert err.hint == "use securities, bonds"
    err = refused(doc(data={"year": 2024}, gates=[
        {"name": "g", "groups": ["fish"], "capacity_per_plant_usd": "data",
         "registered_plants": 10}]))
    assert (err.field, err.reason) == (
        "gates[0].products", "capacity_per_plant_usd = \"data\" needs the gate's products as "
        "HS prefixes")
    err = refused(doc(purchases={"candidates": "from potential"}))
    assert err.hint == "add [data] year = 2024, and run with a warehouse (--home)"


def test_teu_freight_is_converted_per_tonne() -> None:
    """US$1,400 a TEU at 280 t per 20 TEU (14 t a TEU) = US$100 a tonne; at 12.5 t, US$112."""
    sc = scenario_from_dict(doc(routes=[
        {"name": "box", "cost_per_teu": 1400, "tonnes_per_teu": [280, 20], "transit_days": 30},
        {"name": "box2", "cost_per_teu": 1400, "tonnes_per_teu": 12.5, "transit_days": 31},
    ]), file=FILE)
    assert [(r.name, r.cost_per_tonne, r.transit_days) for r in sc.routes] == [
        ("box", 100.0, 30.0), ("box2", 112.0, 31.0)]


def test_used_tonnes_leave_the_rest_of_the_capacity() -> None:
    """Capacity 1,000 t and 500 t, used 300 t and 800 t: 700 t and 0 t (never negative) left."""
    sc = scenario_from_dict(doc(routes=[
        {**ROUTE, "capacity_tonnes": [1000, 500], "used_tonnes": [300, 800]}]), file=FILE)
    assert sc.routes[0].capacity_tonnes == (700.0, 0.0)


def test_weights_are_read_per_group() -> None:
    sc = scenario_from_dict(doc(purchases={"candidates": "c.csv",
                                           "weights": {"fish": 2, "pharma": 0.5}}), file=FILE)
    assert sc.weights == {"fish": 2.0, "pharma": 0.5}


def test_trade_target_final_or_every_year() -> None:
    """Gap = 3e9 − 1e9 = 2e9 a year: 25 % of it is 5e8, in the last year or in every year."""
    final = scenario_from_dict(doc(target={"trade_share": 0.25}), file=FILE)
    assert np.isnan(final.trade_targets()[0]) and final.trade_targets()[1] == 5e8
    every = scenario_from_dict(doc(target={"trade_share": 0.25, "applies": "every_year"}),
                               file=FILE)
    assert every.trade_targets().tolist() == [5e8, 5e8]
    fixed = scenario_from_dict(doc(target={"trade_usd": 7e8, "applies": "every_year"}),
                               file=FILE)
    assert fixed.trade_targets().tolist() == [7e8, 7e8]


def test_gate_capacity_given_per_year() -> None:
    sc = scenario_from_dict(doc(gates=[{**GATE, "capacity_usd": [1e8, 2.5e8]}]), file=FILE)
    assert sc.gates[0].capacity(2).tolist() == [1e8, 2.5e8]
    assert Gate("g", plants=40, capacity_per_plant_usd=5e6).capacity(2).tolist() == [2e8, 2e8]
    assert Gate("g").capacity(2).tolist() == [np.inf, np.inf]


def test_bad_key_at_the_command_line(tmp_path: Path) -> None:
    """Two routes of one name in a TOML file: exit 2, the file and key named, no traceback."""
    demo = Path(__file__).resolve().parents[1] / "scenarios" / "measures-demo.toml"
    text = demo.read_text().replace('name = "Suez"', 'name = "INSTC"')
    assert text.count('name = "INSTC"') == 2
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    proc = run_tradegap("--home", str(tmp_path / "wh"), "measures", str(bad))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"error: {bad}, field 'routes': two routes share a name" in proc.stderr
