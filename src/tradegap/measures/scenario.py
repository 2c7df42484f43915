"""The measures scenario (TOML): one pair, a monthly horizon, and every channel the package may
use. Every key is validated; an error names the file and the key path (``routes[1].cost_per_tonne``)
and what is allowed. Money in US dollars; "per year" values are one number or a list with one
value per plan year; months are ``"YYYY-MM"``. Keys marked * are required::

    name, description, synthetic (bool), sources (list of strings)
    [pair]        surplus* (ISO3, sells more, holds the idle balance), deficit* (ISO3)
    [period]      start* ("YYYY-MM", first month; plan years are the 12-month blocks from it),
                  years* (1–30)
    [trade]       other_exports_usd (per year: surplus side's non-crude sales to the deficit side),
                  deficit_exports_usd* (per year: the deficit side's baseline sales to the
                  surplus side),
                  settled_share* (0–1: share of the surplus side's sales paid into idle accounts in
                  the deficit side's currency), import_settled_share (0–1, default 1: share of the
                  baseline sales paid out of them), plan_settled_share (default 1: extra purchases),
                  opening_balance_usd (default 0)
    [crude]       volume_tonnes* and price_usd_per_tonne* (per year), discount (0–1 per year,
                  default 0): crude value = volume × price × (1 − discount)
    [purchases]   candidates* (CSV/Parquet relative to the TOML, columns of
                  tradegap.planning.CANDIDATE_COLUMNS; the route column may list routes "a;b" or
                  "any"), trade_value (≥ 0: what one US$ of extra purchases is worth to the package,
                  default 0), groups (allowed), weights ({group = w}), and the planner's limits:
                  ceiling_share, market_share_max, market_share_max_by_group, capacity_share_max,
                  ramp_share, ramp_usd
    [target]      trade_share (0–1 of the final year's trade gap) or trade_usd; applies ("final" or
                  "every_year"); idle_peak_usd_max (the idle balance may never exceed it);
                  idle_final_usd_max
    [costs]       idle_rate (per year: cost of a unit of currency lying idle, default 0.07)
    [[gates]]     name*, kind (sps | registration | certification | other), products (HS prefixes)
                  and/or groups, eligible_from ("YYYY-MM"), and either plants +
                  capacity_per_plant_usd
                  (US$ a year per approved plant; "data" = the deficit side's sales of the gate's
                  products in the data year / registered_plants) or capacity_usd (per year)
    [[routes]]    name*, cost_per_tonne* (US$) or cost_per_teu with tonnes_per_teu (a number, or
                  [tonnes, teu]: a cited pair whose ratio is used), transit_days* (≥ 0),
                  capacity_tonnes (per year; none = unlimited), used_tonnes (per year: taken by
                  other cargo; the extra purchases get capacity − used)
    [[assets]]    name*, kind (securities | bonds), yield (per year), monthly_cap_usd (per year),
                  stock_cap_usd, from ("YYYY-MM")
    [investment]  yearly_cap_usd* (per year), from
    [fund]        size_usd_max*, size_usd_min (default 0), schedule* (per year: share of the size
                  disbursed that year, summing to ≤ 1; spread evenly over its months)
    [conversion]  currency, capacity_usd* (per year), spread (0–0.5)
    [netting]     via (ISO3 of the third country), currency, capacity_usd* (per year), fee (0–0.5)
    [countertrade] share* (0–1 of each year's crude value), groups* (whose purchases count)
    [data]        year* (calendar year of the figures), dataset (default "russia-customs-mirror"),
                  crude_prefix (default "2709"): where a figure is the string "data" (trade's
                  other_exports_usd and deficit_exports_usd, crude's volume_tonnes and
                  price_usd_per_tonne) it is read from the warehouse for that year and held for
                  every plan year, times crude's volume_scale / price_scale (per year, default 1);
                  purchases.candidates = "from potential" builds the candidates from the warehouse
    [fx]          currency*, per_usd (number, list per month, or table), drift, volatility:
                  the deficit side's currency per US$, as in the settlement simulator
    [montecarlo]  draws (default 0), seed (default 0)
    [solver]      time_limit (seconds, default 120)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradegap.errors import InputError
from tradegap.settlement.fx import FxSpec, parse_fx
from tradegap.settlement.series import parse_month
from tradegap.tomlfile import read_toml

MONTHS_PER_YEAR = 12
GATE_KINDS = ("sps", "registration", "certification", "other")
ASSET_KINDS = ("securities", "bonds")


@dataclass(frozen=True)
class Gate:
    """A market-access gate: its products are eligible only from ``eligible_from`` (a month index
    from the start; 0 = from the start) and, once open, capped by ``capacity_usd`` a year."""

    name: str
    kind: str = "other"
    products: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    eligible_from: int = 0
    plants: float | None = None
    capacity_per_plant_usd: float | None = None
    capacity_usd: tuple[float, ...] | None = None
    registered_plants: float | None = None  # plants behind the data year's sales ("data")

    def capacity(self, years: int) -> np.ndarray:
        """Yearly capacity (US$), ``inf`` when the gate sets only a date."""
        if self.capacity_usd is not None:
            return np.array(self.capacity_usd, dtype=float)
        if self.plants is not None and self.capacity_per_plant_usd is not None:
            return np.full(years, self.plants * self.capacity_per_plant_usd)
        return np.full(years, np.inf)

    def covers(self, products: pd.Series, groups: pd.Series) -> np.ndarray:
        """Which candidates the gate applies to (HS-prefix match or group)."""
        hit = groups.isin(self.groups).to_numpy()
        for prefix in self.products:
            hit |= products.str.startswith(prefix).to_numpy()
        return hit


@dataclass(frozen=True)
class Route:
    """A logistics route: freight per tonne, transit time (delays payment) and capacity."""

    name: str
    cost_per_tonne: float
    transit_days: float
    capacity_tonnes: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Asset:
    """A financial drain: government securities and T-bills, or corporate bonds and CP."""

    name: str
    kind: str = "securities"
    yield_per_year: float = 0.0
    monthly_cap_usd: tuple[float, ...] | None = None  # per plan year, for each of its months
    stock_cap_usd: float | None = None
    start: int = 0


@dataclass(frozen=True)
class Channel:
    """A drain with a yearly capacity: investment, conversion or netting."""

    capacity_usd: tuple[float, ...]
    cost_share: float = 0.0  # spread (conversion) or fee (netting)
    start: int = 0
    currency: str = ""
    via: str = ""


@dataclass(frozen=True)
class Fund:
    """A joint technology fund: the size is chosen in [size_min, size_max] and disbursed by
    ``schedule`` (share of the size each plan year)."""

    size_usd_max: float
    schedule: tuple[float, ...]
    size_usd_min: float = 0.0


@dataclass(frozen=True)
class Crude:
    """The surplus side's crude sales to the deficit side, per plan year."""

    volume_tonnes: tuple[float, ...]
    price_usd_per_tonne: tuple[float, ...]
    discount: tuple[float, ...]

    def value(self) -> np.ndarray:
        """US$ per year: volume × price × (1 − discount)."""
        return (np.array(self.volume_tonnes) * np.array(self.price_usd_per_tonne)
                * (1.0 - np.array(self.discount)))


@dataclass(frozen=True)
class Countertrade:
    """Purchases of ``groups`` must reach ``share`` of each year's crude value."""

    share: float
    groups: tuple[str, ...]


@dataclass(frozen=True)
class DataSpec:
    """Where figures written ``"data"`` in the scenario come from."""

    year: int
    dataset: str = "russia-customs-mirror"
    crude_prefix: str = "2709"


FROM_DATA = "data"
FROM_POTENTIAL = "from potential"


@dataclass
class MeasuresScenario:
    """A validated measures scenario. Build with :func:`load_scenario` or directly."""

    surplus: str
    deficit: str
    start: pd.Period
    years: int
    deficit_exports_usd: tuple[float, ...]
    settled_share: float
    fx: FxSpec
    other_exports_usd: tuple[float, ...] = ()
    import_settled_share: float = 1.0
    plan_settled_share: float = 1.0
    opening_balance_usd: float = 0.0
    crude: Crude | None = None
    candidates_path: Path | None = None
    trade_value: float = 0.0
    groups: tuple[str, ...] | None = None
    weights: dict[str, float] = field(default_factory=dict)
    limits: dict[str, Any] = field(default_factory=dict)
    trade_share: float | None = None
    trade_usd: float | None = None
    target_every_year: bool = False
    idle_peak_usd_max: float | None = None
    idle_final_usd_max: float | None = None
    idle_rate: float = 0.07
    gates: tuple[Gate, ...] = ()
    routes: tuple[Route, ...] = ()
    assets: tuple[Asset, ...] = ()
    investment: Channel | None = None
    fund: Fund | None = None
    conversion: Channel | None = None
    netting: Channel | None = None
    countertrade: Countertrade | None = None
    draws: int = 0
    seed: int = 0
    time_limit: float = 120.0
    name: str = "measures"
    description: str = ""
    synthetic: bool = False
    sources: tuple[str, ...] = ()
    file: str | None = None
    data: DataSpec | None = None
    from_data: tuple[str, ...] = ()  # key paths whose value is read from the warehouse
    volume_scale: tuple[float, ...] = ()
    price_scale: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if not self.other_exports_usd:
            self.other_exports_usd = (0.0,) * self.years

    @property
    def months(self) -> int:
        return self.years * MONTHS_PER_YEAR

    @property
    def year_labels(self) -> list[str]:
        """Plan year labels: the calendar year of each 12-month block's first month."""
        return [str((self.start + MONTHS_PER_YEAR * t).year) for t in range(self.years)]

    def month_labels(self) -> list[str]:
        return [str(self.start + m) for m in range(self.months)]

    def crude_value(self) -> np.ndarray:
        return self.crude.value() if self.crude is not None else np.zeros(self.years)

    def surplus_exports(self) -> np.ndarray:
        """The surplus side's sales to the deficit side, US$ per year (crude + other)."""
        return self.crude_value() + np.array(self.other_exports_usd, dtype=float)

    def trade_gap(self) -> np.ndarray:
        """Baseline trade gap per plan year, US$: surplus side's sales − deficit side's."""
        return self.surplus_exports() - np.array(self.deficit_exports_usd, dtype=float)

    def trade_targets(self) -> np.ndarray:
        """Extra purchases required per plan year (US$), NaN where none."""
        out = np.full(self.years, np.nan)
        if self.trade_share is None and self.trade_usd is None:
            return out
        gap = self.trade_gap()
        value = (self.trade_usd if self.trade_usd is not None
                 else None)
        if self.target_every_year:
            out[:] = value if value is not None else self.trade_share * gap
        else:
            out[-1] = value if value is not None else self.trade_share * gap[-1]
        return out


# --------------------------------------------------------------------------- reading


class _Keys:
    """Typed access to TOML tables; each error names the file and the key path."""

    def __init__(self, file: str | None, years: int = 1) -> None:
        self.file, self.years = file, years
        self.data_ok = False
        self.from_data: list[str] = []

    def fail(self, path: str, reason: str, hint: str | None = None) -> InputError:
        return InputError(reason, file=self.file, field=path, hint=hint)

    def table(self, doc: dict, key: str, path: str, required: bool = False) -> dict | None:
        if key not in doc:
            if required:
                raise self.fail(path, "this section is required", f"add a [{path}] table")
            return None
        if not isinstance(doc[key], dict):
            raise self.fail(path, f"must be a table ([{path}]), got {doc[key]!r}")
        return doc[key]

    def allowed(self, table: dict, keys: set[str], prefix: str) -> None:
        for k in table:
            if k not in keys:
                raise self.fail(f"{prefix}.{k}" if prefix else k, "is not a known key",
                                "allowed here: " + ", ".join(sorted(keys)))

    def number(self, v: Any, path: str, lo: float | None = None,
               hi: float | None = None) -> float:
        try:
            ok = not isinstance(v, bool) and isinstance(v, int | float) and math.isfinite(v)
        except OverflowError:
            ok = False
        hint = (f"use a number between {lo:g} and {hi:g}" if lo is not None and hi is not None
                else f"use a number ≥ {lo:g}" if lo is not None else None)
        if not ok:
            raise self.fail(path, f"must be a number, got {v!r}", hint)
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise self.fail(path, f"is {v!r}, out of range", hint)
        return float(v)

    def get(self, table: dict, key: str, path: str, default: Any = None, *,
            lo: float | None = None, hi: float | None = None, required: bool = False) -> Any:
        if key not in table:
            if required:
                raise self.fail(path, "is required")
            return default
        return self.number(table[key], path, lo, hi)

    def yearly(self, table: dict, key: str, path: str, *, lo: float | None = 0.0,
               hi: float | None = None, required: bool = False,
               default: Any = None) -> tuple[float, ...] | None:
        """A number (every plan year) or a list of one number per plan year."""
        if key not in table:
            if required:
                raise self.fail(path, "is required",
                                f"a number, or a list of {self.years} (one per plan year)")
            return default
        v = table[key]
        if v == FROM_DATA and self.data_ok:
            self.from_data.append(path)
            return (math.nan,) * self.years
        if v == FROM_DATA:
            raise self.fail("data", f'is missing: {path} = "data" reads it',
                            "add [data] year = 2024")
        if isinstance(v, list):
            if len(v) != self.years:
                raise self.fail(path, f"has {len(v)} values; need one per plan year "
                                f"({self.years})")
            return tuple(self.number(x, f"{path}[{i}]", lo, hi) for i, x in enumerate(v))
        return (self.number(v, path, lo, hi),) * self.years

    def text(self, table: dict, key: str, path: str, required: bool = False,
             default: str | None = None) -> str | None:
        if key not in table:
            if required:
                raise self.fail(path, "is required")
            return default
        v = table[key]
        if not isinstance(v, str) or not v.strip():
            raise self.fail(path, f"must be a non-empty string, got {v!r}")
        return v.strip()

    def strings(self, table: dict, key: str, path: str) -> tuple[str, ...]:
        v = table.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
            raise self.fail(path, "must be a list of strings")
        return tuple(v)

    def month(self, table: dict, key: str, path: str, start: pd.Period) -> int:
        """A month as its index from ``start`` (0 when absent or earlier)."""
        if key not in table:
            return 0
        m = parse_month(table[key], file=self.file, field=path)
        return max(0, (m - start).n)

    def array(self, doc: dict, key: str) -> list[dict]:
        v = doc.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
            raise self.fail(key, f"must be an array of tables ([[{key}]])")
        return v


TOP_KEYS = {"name", "description", "synthetic", "sources", "pair", "period", "trade", "crude",
            "purchases", "target", "costs", "gates", "routes", "assets", "investment", "fund",
            "conversion", "netting", "countertrade", "fx", "montecarlo", "solver", "data"}
LIMIT_KEYS = ("ceiling_share", "market_share_max", "market_share_max_by_group",
              "capacity_share_max", "ramp_share", "ramp_usd")


def load_scenario(path: str | Path) -> MeasuresScenario:
    """Read and validate a measures scenario TOML. Raises :class:`InputError` naming the key."""
    path = Path(path)
    return scenario_from_dict(read_toml(path), file=str(path), base_dir=path.parent)


def scenario_from_dict(  # noqa: C901 - one validation block per section, read top to bottom
    doc: dict[str, Any], *, file: str | None = None, base_dir: Path | None = None,
) -> MeasuresScenario:
    """Validate a parsed measures scenario (schema in this module's docstring)."""
    r = _Keys(file)
    r.allowed(doc, TOP_KEYS, "")
    pair = r.table(doc, "pair", "pair", required=True)
    r.allowed(pair, {"surplus", "deficit"}, "pair")
    surplus = r.text(pair, "surplus", "pair.surplus", required=True)
    deficit = r.text(pair, "deficit", "pair.deficit", required=True)
    for key, v in (("surplus", surplus), ("deficit", deficit)):
        if len(v) != 3 or not v.isalpha() or not v.isupper():
            raise r.fail(f"pair.{key}", f"{v!r} is not an ISO3 code", "use e.g. 'RUS', 'IND'")
    if surplus == deficit:
        raise r.fail("pair.deficit", "must differ from pair.surplus")
    period = r.table(doc, "period", "period", required=True)
    r.allowed(period, {"start", "years"}, "period")
    if "start" not in period:
        raise r.fail("period.start", "is required", 'the first month, e.g. "2026-01"')
    start = parse_month(period["start"], file=file, field="period.start")
    years = period.get("years")
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 30:
        raise r.fail("period.years", f"must be a whole number of years 1–30, got {years!r}")
    r.years = years
    data = None
    dt = r.table(doc, "data", "data")
    if dt is not None:
        r.allowed(dt, {"year", "dataset", "crude_prefix", "source"}, "data")
        year = dt.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2100:
            raise r.fail("data.year", f"must be a calendar year, got {year!r}")
        data = DataSpec(year, r.text(dt, "dataset", "data.dataset",
                                     default="russia-customs-mirror"),
                        r.text(dt, "crude_prefix", "data.crude_prefix", default="2709"))
        r.data_ok = True

    trade = r.table(doc, "trade", "trade", required=True)
    r.allowed(trade, {"other_exports_usd", "deficit_exports_usd", "settled_share",
                      "import_settled_share", "plan_settled_share", "opening_balance_usd"},
              "trade")
    other = r.yearly(trade, "other_exports_usd", "trade.other_exports_usd", default=())
    deficit_exports = r.yearly(trade, "deficit_exports_usd", "trade.deficit_exports_usd",
                               required=True)
    settled = r.get(trade, "settled_share", "trade.settled_share", lo=0, hi=1, required=True)
    imp_settled = r.get(trade, "import_settled_share", "trade.import_settled_share", 1.0,
                        lo=0, hi=1)
    plan_settled = r.get(trade, "plan_settled_share", "trade.plan_settled_share", 1.0, lo=0, hi=1)
    opening = r.get(trade, "opening_balance_usd", "trade.opening_balance_usd", 0.0, lo=0)

    crude = None
    c = r.table(doc, "crude", "crude")
    if c is not None:
        r.allowed(c, {"volume_tonnes", "price_usd_per_tonne", "discount", "volume_scale",
                      "price_scale", "source"}, "crude")
        crude = Crude(r.yearly(c, "volume_tonnes", "crude.volume_tonnes", required=True),
                      r.yearly(c, "price_usd_per_tonne", "crude.price_usd_per_tonne",
                               required=True),
                      r.yearly(c, "discount", "crude.discount", hi=1, default=(0.0,) * years))
        vscale = r.yearly(c, "volume_scale", "crude.volume_scale", default=(1.0,) * years)
        pscale = r.yearly(c, "price_scale", "crude.price_scale", default=(1.0,) * years)
        if not any(k.startswith("crude.") for k in r.from_data):
            crude = Crude(tuple(np.multiply(crude.volume_tonnes, vscale)),
                          tuple(np.multiply(crude.price_usd_per_tonne, pscale)), crude.discount)
    else:
        vscale = pscale = ()
    pur = r.table(doc, "purchases", "purchases", required=True)
    r.allowed(pur, {"candidates", "trade_value", "groups", "weights", *LIMIT_KEYS}, "purchases")
    cand = r.text(pur, "candidates", "purchases.candidates", required=True)
    cpath = None if cand == FROM_POTENTIAL else Path(cand)
    if cand == FROM_POTENTIAL and data is None:
        raise r.fail("data", 'is missing: purchases.candidates = "from potential" reads it',
                     "add [data] year = 2024, and run with a warehouse (--home)")
    if cpath is not None and not cpath.is_absolute() and base_dir is not None:
        cpath = base_dir / cpath
    trade_value = r.get(pur, "trade_value", "purchases.trade_value", 0.0, lo=0)
    groups = r.strings(pur, "groups", "purchases.groups") if "groups" in pur else None
    weights = {}
    for g, v in (pur.get("weights") or {}).items():
        weights[g] = r.number(v, f"purchases.weights.{g}", 0)
    limits: dict[str, Any] = {}
    for key in LIMIT_KEYS:
        if key not in pur:
            continue
        if key == "market_share_max_by_group":
            if not isinstance(pur[key], dict):
                raise r.fail(f"purchases.{key}", "must be a table {group = share}")
            limits[key] = {g: r.number(v, f"purchases.{key}.{g}", 0, 1)
                           for g, v in pur[key].items()}
        else:
            limits[key] = r.number(pur[key], f"purchases.{key}", 0,
                                   None if key in ("ceiling_share", "ramp_usd") else 1)

    tgt = r.table(doc, "target", "target") or {}
    r.allowed(tgt, {"trade_share", "trade_usd", "applies", "idle_peak_usd_max",
                    "idle_final_usd_max"}, "target")
    if "trade_share" in tgt and "trade_usd" in tgt:
        raise r.fail("target", "give at most one of target.trade_share and target.trade_usd")
    applies = tgt.get("applies", "final")
    if applies not in ("final", "every_year"):
        raise r.fail("target.applies", f"is {applies!r}", "use 'final' or 'every_year'")

    costs = r.table(doc, "costs", "costs") or {}
    r.allowed(costs, {"idle_rate"}, "costs")

    gates = []
    for i, g in enumerate(r.array(doc, "gates")):
        p = f"gates[{i}]"
        r.allowed(g, {"name", "kind", "products", "groups", "eligible_from", "plants",
                      "capacity_per_plant_usd", "registered_plants", "capacity_usd", "source"}, p)
        kind = r.text(g, "kind", f"{p}.kind", default="other")
        if kind not in GATE_KINDS:
            raise r.fail(f"{p}.kind", f"is {kind!r}", "use " + ", ".join(GATE_KINDS))
        prods = r.strings(g, "products", f"{p}.products")
        grps = r.strings(g, "groups", f"{p}.groups")
        if not prods and not grps:
            raise r.fail(p, "names no products or groups", "give products = [\"0303\"] "
                         "(HS prefixes) and/or groups = [\"fish\"]")
        plants = r.get(g, "plants", f"{p}.plants", lo=0)
        registered = None
        if g.get("capacity_per_plant_usd") == FROM_DATA:
            if data is None:
                raise r.fail("data", f'is missing: {p}.capacity_per_plant_usd = "data" reads it')
            registered = r.get(g, "registered_plants", f"{p}.registered_plants", lo=1,
                               required=True)
            if not prods:
                raise r.fail(f"{p}.products", 'capacity_per_plant_usd = "data" needs the '
                             "gate's products as HS prefixes")
            per = math.nan
            r.from_data.append(f"{p}.capacity_per_plant_usd")
        else:
            per = r.get(g, "capacity_per_plant_usd", f"{p}.capacity_per_plant_usd", lo=0)
        if (plants is None) != (per is None):
            raise r.fail(f"{p}.plants", "plants and capacity_per_plant_usd go together")
        cap = r.yearly(g, "capacity_usd", f"{p}.capacity_usd")
        if cap is not None and plants is not None:
            raise r.fail(f"{p}.capacity_usd", "give capacity_usd or plants, not both")
        gates.append(Gate(r.text(g, "name", f"{p}.name", required=True), kind, prods, grps,
                          r.month(g, "eligible_from", f"{p}.eligible_from", start),
                          plants, per, cap, registered))

    routes = []
    for i, x in enumerate(r.array(doc, "routes")):
        p = f"routes[{i}]"
        r.allowed(x, {"name", "cost_per_tonne", "cost_per_teu", "tonnes_per_teu", "transit_days",
                      "capacity_tonnes", "used_tonnes", "source"}, p)
        if ("cost_per_tonne" in x) == ("cost_per_teu" in x):
            raise r.fail(f"{p}.cost_per_tonne", "give cost_per_tonne, or cost_per_teu with "
                         "tonnes_per_teu")
        if "cost_per_teu" in x:
            tpt = x.get("tonnes_per_teu")
            if isinstance(tpt, list) and len(tpt) == 2:
                tonnes = r.number(tpt[0], f"{p}.tonnes_per_teu[0]", 0)
                teu = r.number(tpt[1], f"{p}.tonnes_per_teu[1]", 0)
                if teu <= 0:
                    raise r.fail(f"{p}.tonnes_per_teu[1]", "must be > 0 (TEU)")
                tpt = tonnes / teu
            elif tpt is None:
                raise r.fail(f"{p}.tonnes_per_teu", "is required with cost_per_teu",
                             "a number, or [tonnes, teu] from a cited source")
            else:
                tpt = r.number(tpt, f"{p}.tonnes_per_teu", 0.1, 40)
            cost = r.get(x, "cost_per_teu", f"{p}.cost_per_teu", lo=0) / tpt
        else:
            cost = r.get(x, "cost_per_tonne", f"{p}.cost_per_tonne", lo=0)
        cap = r.yearly(x, "capacity_tonnes", f"{p}.capacity_tonnes")
        used = r.yearly(x, "used_tonnes", f"{p}.used_tonnes")
        if used is not None:
            if cap is None:
                raise r.fail(f"{p}.used_tonnes", "needs capacity_tonnes")
            cap = tuple(max(0.0, c - u) for c, u in zip(cap, used, strict=True))
        routes.append(Route(r.text(x, "name", f"{p}.name", required=True), cost,
                            r.get(x, "transit_days", f"{p}.transit_days", lo=0, hi=365,
                                  required=True), cap))
    names = [x.name for x in routes]
    if len(set(names)) != len(names):
        raise r.fail("routes", "two routes share a name")

    assets = []
    for i, a in enumerate(r.array(doc, "assets")):
        p = f"assets[{i}]"
        r.allowed(a, {"name", "kind", "yield", "monthly_cap_usd", "stock_cap_usd", "from",
                      "source"}, p)
        kind = r.text(a, "kind", f"{p}.kind", default="securities")
        if kind not in ASSET_KINDS:
            raise r.fail(f"{p}.kind", f"is {kind!r}", "use " + ", ".join(ASSET_KINDS))
        assets.append(Asset(r.text(a, "name", f"{p}.name", required=True), kind,
                            r.get(a, "yield", f"{p}.yield", 0.0, lo=-0.1, hi=1),
                            r.yearly(a, "monthly_cap_usd", f"{p}.monthly_cap_usd"),
                            r.get(a, "stock_cap_usd", f"{p}.stock_cap_usd", lo=0),
                            r.month(a, "from", f"{p}.from", start)))

    def channel(key: str, extra: set[str], cost_key: str | None) -> Channel | None:
        t = r.table(doc, key, key)
        if t is None:
            return None
        r.allowed(t, {"capacity_usd", "yearly_cap_usd", "from", "source", *extra}, key)
        cap_key = "yearly_cap_usd" if key == "investment" else "capacity_usd"
        return Channel(r.yearly(t, cap_key, f"{key}.{cap_key}", required=True),
                       r.get(t, cost_key, f"{key}.{cost_key}", 0.0, lo=0, hi=0.5)
                       if cost_key else 0.0,
                       r.month(t, "from", f"{key}.from", start),
                       r.text(t, "currency", f"{key}.currency", default="") or "",
                       r.text(t, "via", f"{key}.via", default="") or "")

    fund = None
    f = r.table(doc, "fund", "fund")
    if f is not None:
        r.allowed(f, {"size_usd_max", "size_usd_min", "schedule", "source"}, "fund")
        fmax = r.get(f, "size_usd_max", "fund.size_usd_max", lo=0, required=True)
        fmin = r.get(f, "size_usd_min", "fund.size_usd_min", 0.0, lo=0)
        if fmin > fmax:
            raise r.fail("fund.size_usd_min", f"{fmin:g} exceeds size_usd_max {fmax:g}")
        sched = r.yearly(f, "schedule", "fund.schedule", hi=1, required=True)
        if sum(sched) > 1 + 1e-9:
            raise r.fail("fund.schedule", f"sums to {sum(sched):g}; the shares of the size "
                         "disbursed each year must sum to at most 1")
        fund = Fund(fmax, sched, fmin)

    ct = None
    t = r.table(doc, "countertrade", "countertrade")
    if t is not None:
        r.allowed(t, {"share", "groups", "source"}, "countertrade")
        if crude is None:
            raise r.fail("crude", "is missing: [countertrade] ties purchases to crude value",
                         "add a [crude] table (value and tonnes of the surplus side's crude)")
        ct = Countertrade(r.get(t, "share", "countertrade.share", lo=0, hi=1, required=True),
                          r.strings(t, "groups", "countertrade.groups"))
        if not ct.groups:
            raise r.fail("countertrade.groups", "is required: the groups whose purchases count")

    fx_table = r.table(doc, "fx", "fx", required=True)
    fx = parse_fx(fx_table, "fx", start=start, months=years * MONTHS_PER_YEAR, file=file,
                  base_dir=base_dir)
    mc = r.table(doc, "montecarlo", "montecarlo") or {}
    r.allowed(mc, {"draws", "seed"}, "montecarlo")
    draws = mc.get("draws", 0)
    seed = mc.get("seed", 0)
    for key, v in (("draws", draws), ("seed", seed)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0 or (key == "draws"
                                                                       and v > 2000):
            raise r.fail(f"montecarlo.{key}", f"must be a whole number ≥ 0, got {v!r}"
                         + (" (at most 2000 draws)" if key == "draws" else ""))
    solver = r.table(doc, "solver", "solver") or {}
    r.allowed(solver, {"time_limit"}, "solver")
    synthetic = doc.get("synthetic", False)
    if not isinstance(synthetic, bool):
        raise r.fail("synthetic", "must be true or false")
    return MeasuresScenario(
        surplus=surplus, deficit=deficit, start=start, years=years,
        deficit_exports_usd=deficit_exports, settled_share=settled, fx=fx,
        other_exports_usd=other or (), import_settled_share=imp_settled,
        plan_settled_share=plan_settled, opening_balance_usd=opening, crude=crude,
        candidates_path=cpath, trade_value=trade_value, groups=groups, weights=weights,
        limits=limits,
        trade_share=r.get(tgt, "trade_share", "target.trade_share", lo=0, hi=1),
        trade_usd=r.get(tgt, "trade_usd", "target.trade_usd", lo=0),
        target_every_year=applies == "every_year",
        idle_peak_usd_max=r.get(tgt, "idle_peak_usd_max", "target.idle_peak_usd_max", lo=0),
        idle_final_usd_max=r.get(tgt, "idle_final_usd_max", "target.idle_final_usd_max", lo=0),
        idle_rate=r.get(costs, "idle_rate", "costs.idle_rate", 0.07, lo=0, hi=1),
        gates=tuple(gates), routes=tuple(routes), assets=tuple(assets),
        investment=channel("investment", set(), None), fund=fund,
        conversion=channel("conversion", {"currency", "spread"}, "spread"),
        netting=channel("netting", {"via", "currency", "fee"}, "fee"), countertrade=ct,
        draws=draws, seed=seed,
        time_limit=r.get(solver, "time_limit", "solver.time_limit", 120.0, lo=0.01, hi=86_400),
        name=str(doc.get("name") or (Path(file).stem if file else "measures")),
        description=str(doc.get("description", "")), synthetic=synthetic,
        sources=r.strings(doc, "sources", "sources"), file=file, data=data,
        from_data=tuple(r.from_data), volume_scale=vscale, price_scale=pscale,
    )
