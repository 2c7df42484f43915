"""Scenario files (TOML) for the rebalancing planner, and the candidates table they read.

A scenario says who sells to whom, how large the gap is, what share of it to close, and the
limits on how fast and how far the deficit side's extra sales may grow. Every key is validated;
an error names the key path (``limits.market_share_max``) and what is allowed. Schema (money in
US$ per year; "per year" values are one number or a list with one value per plan year)::

    name = "all-sectors"                 # optional; default: the file name
    description = "…"                    # optional
    [pair]       exporter = "IND"        # deficit side, sells more (ISO3)
                 market = "RUS"          # surplus side, buys more (ISO3)
    [period]     base = "2024"           # or "FY2024-25"; plan years are base+1 … base+horizon
                 horizon = 6             # 1–50
    [baseline]   gap = 59e9              # market's exports to exporter − its imports from it
    [baseline.export_path]               # optional: gap_t = gap + volume_t·price_t − base
                 base_volume = 88e6; base_price = 590; volume = [...]; price = [...]
    [target]     share = 0.25            # of each year's baseline gap, or usd = 15e9 (not both)
                 applies = "final"       # a single value: "final" year or "every_year";
                                         # a list: one target per plan year
                 stop_at_target = true   # each year's purchases ≤ the final target
    [groups]     allowed = ["agri", "pharma"]   # optional; default: every group
                 weights = { agri = 1.5 }       # objective weights (> 0); default 1
    [limits]     ceiling_share = 1.0            # of untapped potential per product
                 market_share_max = 0.3         # exporter's share of the market's imports
                 market_share_max_by_group = { pharma = 0.4 }
                 capacity_share_max = 0.5       # of the exporter's world sales per product
                 ramp_share = 0.25              # yearly growth ≤ share of the final ceiling
                 ramp_usd = 50e6                # and/or an absolute yearly growth limit
                 min_size_usd = 20e6            # a product is out, or at least this (MILP)
    [[sectors]]  name = "agri+pharma"; groups = ["agri", "pharma"]
                 share_min = 0.4; share_max = 1.0   # of the extra purchases, each year
    [logistics]  INSTC = 1.5e6                  # tonnes/yr of spare capacity for extra cargo
    [candidates] path = "candidates.csv"        # CSV/Parquet relative to the TOML,
                                                # or "from potential": built from the
                                                # warehouse (tradegap.planning.candidates)
                 synthetic = false              # true labels every result as synthetic
                 basis = "extra"                # from potential: extra (realistic) | headroom
                 method = "demand"              # from potential: itc | demand (default: what
                                                # the warehouse allows)
                 gravity = false                # from potential: also fit the gravity column
                 route = "sea"                  # from potential: every candidate's route
    [solver]     time_limit = 120               # seconds; a MILP then keeps its best plan
                 mip_gap = 1e-3                 # relative MIP gap at which HiGHS may stop
                 max_variables = 500000         # products × years checked before building

Amounts in US$ are at most ``tradegap.bounds.MAX_USD`` (US$ 1.2e14, about world GDP).
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradegap.bounds import MAX_USD, read_bounded
from tradegap.errors import InputError
from tradegap.tomlfile import read_toml

#: Default limit of the model's size (candidate products × plan years) checked before it is
#: built: a million rows would take minutes and gigabytes. ``[solver] max_variables`` raises it.
MAX_VARIABLES = 500_000

FROM_POTENTIAL = "from potential"

#: The candidates table: one row per product the exporter (deficit side) could sell more of to
#: the market (surplus side). Money in US dollars per year; ``unit_value`` in US$ per tonne.
CANDIDATE_COLUMNS: dict[str, str] = {
    "product": "HS code, a string keeping its leading zeros",
    "name": "product description",
    "group": "product group: agri, pharma, machinery, chemicals, other, …",
    "current": "exporter's current sales of the product to the market, US$/yr",
    "untapped": "untapped export potential to the market, US$/yr (≥ 0)",
    "market_imports": "the market's total imports of the product from the world, US$/yr",
    "exporter_capacity": "optional: exporter's total exports of the product to the world, US$/yr",
    "unit_value": "US$ per tonne (needed for products on a route with a logistics cap)",
    "route": "transport route, e.g. 'sea-suez', 'INSTC', 'air'",
}
REQUIRED_CANDIDATE_COLUMNS = ("product", "group", "current", "untapped", "market_imports")
#: What a scenario's candidates ``from potential`` take as ``untapped``.
BASES = ("extra", "headroom")


@dataclass(frozen=True)
class PotentialOptions:
    """How a scenario's candidates come from the potential (its ``[candidates]`` table):
    ``basis`` ``extra`` (the realistic estimate) or ``headroom`` (the upper bound),
    ``method`` ``itc`` / ``demand`` / None (what the warehouse allows), ``gravity`` (also fit
    the gravity column: slower, not used by the plan), ``route`` of every candidate."""

    basis: str = "extra"
    method: str | None = None
    gravity: bool = False
    route: str = "sea"

    def __post_init__(self) -> None:
        if self.basis not in BASES:
            raise InputError(f"basis {self.basis!r} is not one of {', '.join(BASES)}",
                             field="candidates.basis",
                             hint="extra: the realistic estimate; headroom: the upper bound")


@dataclass(frozen=True)
class Sector:
    """A floor and/or ceiling on the share of the extra purchases from some groups, each year."""

    name: str
    groups: tuple[str, ...]
    share_min: float | None = None
    share_max: float | None = None


@dataclass(frozen=True)
class ExportPath:
    """The surplus side's own exports to the deficit side (e.g. crude): volume × price per year.

    The baseline gap of plan year t is ``gap + volume[t]·price[t] − base_volume·base_price``.
    """

    base_volume: float
    base_price: float
    volume: tuple[float, ...]
    price: tuple[float, ...]


@dataclass
class Scenario:
    """A validated scenario. Build with :func:`load_scenario` or directly in Python."""

    exporter: str
    market: str
    base_year: int
    horizon: int
    gap: float
    target_share: tuple[float, ...] | None = None
    target_usd: tuple[float, ...] | None = None
    target_every_year: bool = False
    stop_at_target: bool = True
    groups: tuple[str, ...] | None = None
    weights: dict[str, float] = field(default_factory=dict)
    ceiling_share: float = 1.0
    market_share_max: float | None = None
    market_share_max_by_group: dict[str, float] = field(default_factory=dict)
    capacity_share_max: float | None = None
    ramp_share: float | None = None
    ramp_usd: float | None = None
    min_size_usd: float | None = None
    sectors: tuple[Sector, ...] = ()
    logistics: dict[str, tuple[float, ...]] = field(default_factory=dict)
    export_path: ExportPath | None = None
    candidates_path: Path | None = None
    candidates_synthetic: bool = False
    potential_options: PotentialOptions = field(default_factory=lambda: PotentialOptions())
    name: str = "scenario"
    base_period: str = ""
    file: str | None = None
    time_limit: float = 120.0
    mip_gap: float = 1e-3  # 0.1 %: see planner.DEFAULT_MIP_GAP
    max_variables: int = MAX_VARIABLES

    def __post_init__(self) -> None:
        """Accept plain numbers where tuples are expected (convenient from Python)."""
        for name in ("target_share", "target_usd"):
            v = getattr(self, name)
            if v is not None and not isinstance(v, tuple):
                setattr(self, name, tuple(v) if isinstance(v, list) else (float(v),))
        self.logistics = {
            r: tuple(v) if isinstance(v, list | tuple) else (float(v),) * self.horizon
            for r, v in self.logistics.items()
        }
        if self.groups is not None and not isinstance(self.groups, tuple):
            self.groups = tuple(self.groups)

    def unknown_groups(self, known: set[str]) -> list[str]:
        """Key paths that name a product group no candidate belongs to (likely typos)."""
        named = [("groups.allowed", g) for g in self.groups or ()]
        named += [(f"groups.weights.{g}", g) for g in self.weights]
        named += [(f"limits.market_share_max_by_group.{g}", g)
                  for g in self.market_share_max_by_group]
        named += [(f"sectors[{i}].groups", g) for i, sec in enumerate(self.sectors)
                  for g in sec.groups]
        return [f"{path} names {g!r}" for path, g in named if g not in known]

    @property
    def years(self) -> list[int]:
        """The plan years: base year + 1 … base year + horizon."""
        return [self.base_year + i for i in range(1, self.horizon + 1)]

    def baseline_gap(self) -> np.ndarray:
        """Baseline gap per plan year (US$), moved by the surplus side's export path if given."""
        gap = np.full(self.horizon, float(self.gap))
        if self.export_path is not None:
            p = self.export_path
            gap += np.array(p.volume) * np.array(p.price) - p.base_volume * p.base_price
        return gap

    def targets(self) -> np.ndarray:
        """Target of extra purchases per plan year (US$); NaN where a year has no target.

        A list gives one target per year; a single value applies to the final year, or to every
        year when ``target.applies = "every_year"``. Shares multiply that year's baseline gap.
        """
        out = np.full(self.horizon, np.nan)
        values = self.target_usd if self.target_usd is not None else self.target_share
        if values is None:
            return out
        if len(values) == self.horizon:
            out[:] = values
        elif self.target_every_year:
            out[:] = values[0]
        else:
            out[-1] = values[0]
        if self.target_usd is None:
            out = out * self.baseline_gap()
        return out

    def market_share_cap(self, group: str) -> float | None:
        return self.market_share_max_by_group.get(group, self.market_share_max)


# --------------------------------------------------------------------------- loading


class _Reader:
    """Typed access to a TOML table that names the key path in every error."""

    def __init__(self, file: str | None) -> None:
        self.file = file

    def fail(self, key: str, reason: str, hint: str | None = None) -> InputError:
        return InputError(reason, file=self.file, field=key, hint=hint)

    def number(
        self, table: dict, key: str, path: str, *, lo: float | None = None,
        hi: float | None = None, required: bool = False, default: Any = None,
        lo_open: bool = False,
    ) -> float | None:
        if key not in table:
            if required:
                raise self.fail(path, "is required", _range_hint(lo, hi, lo_open))
            return default
        return self.check_number(table[key], path, lo=lo, hi=hi, lo_open=lo_open)

    def check_number(
        self, v: Any, path: str, *, lo: float | None = None, hi: float | None = None,
        lo_open: bool = False,
    ) -> float:
        try:
            finite = not isinstance(v, bool) and isinstance(v, int | float) and math.isfinite(v)
        except OverflowError:  # an integer beyond the float range (TOML integers are unbounded)
            finite = False
        if not finite:
            raise self.fail(path, f"must be a number, got {v!r}", _range_hint(lo, hi, lo_open))
        bad_lo = lo is not None and (v <= lo if lo_open else v < lo)
        if bad_lo or (hi is not None and v > hi):
            raise self.fail(path, f"is {v!r}, out of range", _range_hint(lo, hi, lo_open))
        return float(v)

    def numbers(
        self, v: Any, path: str, n: int, *, lo: float | None = None, hi: float | None = None,
        allow_scalar: bool = True,
    ) -> tuple[float, ...]:
        """A number (repeated ``n`` times when ``allow_scalar``) or a list of ``n`` numbers."""
        if isinstance(v, list):
            if len(v) != n:
                raise self.fail(path, f"has {len(v)} values; need one per plan year ({n})")
            return tuple(self.check_number(x, f"{path}[{i}]", lo=lo, hi=hi) for i, x in
                         enumerate(v))
        if not allow_scalar:
            raise self.fail(path, f"must be a list of {n} numbers, got {v!r}")
        return (self.check_number(v, path, lo=lo, hi=hi),) * n

    def table(self, doc: dict, key: str, path: str, required: bool = False) -> dict:
        if key not in doc:
            if required:
                raise self.fail(path, "section is required")
            return {}
        if not isinstance(doc[key], dict):
            raise self.fail(path, f"must be a table ([{path}]), got {doc[key]!r}")
        return doc[key]

    def string(self, table: dict, key: str, path: str, required: bool = False) -> str | None:
        if key not in table:
            if required:
                raise self.fail(path, "is required")
            return None
        if not isinstance(table[key], str) or not table[key].strip():
            raise self.fail(path, f"must be a non-empty string, got {table[key]!r}")
        return table[key].strip()

    def unknown(self, table: dict, allowed: set[str], prefix: str) -> None:
        for key in table:
            if key not in allowed:
                where = f"{prefix}.{key}" if prefix else key
                raise self.fail(where, "is not a known key",
                                f"allowed here: {', '.join(sorted(allowed))}")


def _range_hint(lo: float | None, hi: float | None, lo_open: bool = False) -> str | None:
    if lo is None and hi is None:
        return None
    if hi is None:
        return f"use a number {'>' if lo_open else '≥'} {lo:g}"
    if lo is None:
        return f"use a number ≤ {hi:g}"
    return f"use a number between {lo:g} and {hi:g}"


_ISO3 = re.compile(r"^[A-Z]{3}$")
_FY = re.compile(r"^FY(\d{4})-\d{2}$")


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file. Raises :class:`InputError` naming the key."""
    path = Path(path)
    return scenario_from_dict(read_toml(path), file=str(path), base_dir=path.parent)


def scenario_from_dict(  # noqa: C901 - one validation step per key, read top to bottom
    doc: dict[str, Any], *, file: str | None = None, base_dir: Path | None = None
) -> Scenario:
    """Validate a parsed scenario document (see ``scenarios/*.toml`` for the schema)."""
    r = _Reader(file)
    r.unknown(doc, {"name", "description", "pair", "period", "baseline", "target", "groups",
                    "limits", "sectors", "logistics", "candidates", "solver"}, "")
    pair = r.table(doc, "pair", "pair", required=True)
    r.unknown(pair, {"exporter", "market"}, "pair")
    iso = {}
    for key in ("exporter", "market"):
        v = r.string(pair, key, f"pair.{key}", required=True)
        if not _ISO3.match(v):
            raise r.fail(f"pair.{key}", f"{v!r} is not an ISO3 code", "use e.g. 'IND' or 'RUS'")
        iso[key] = v
    if iso["exporter"] == iso["market"]:
        raise r.fail("pair.market", "must differ from pair.exporter")

    period = r.table(doc, "period", "period", required=True)
    r.unknown(period, {"base", "horizon"}, "period")
    base = period.get("base")
    if isinstance(base, int) and not isinstance(base, bool):
        base = str(base)
    if not isinstance(base, str):
        raise r.fail("period.base", "is required: a calendar year '2024' or 'FY2024-25'")
    m = _FY.match(base)
    if base.isdigit() and len(base) == 4:
        base_year = int(base)
    elif m:
        base_year = int(m.group(1))
    else:
        raise r.fail("period.base", f"{base!r} is not a period", "use '2024' or 'FY2024-25'")
    horizon = period.get("horizon")
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 50:
        raise r.fail("period.horizon", f"must be a whole number of years 1–50, got {horizon!r}")

    baseline = r.table(doc, "baseline", "baseline", required=True)
    r.unknown(baseline, {"gap", "export_path"}, "baseline")
    gap = r.number(baseline, "gap", "baseline.gap", lo=0, lo_open=True, hi=MAX_USD,
                   required=True)
    export_path = None
    if "export_path" in baseline:
        ep = r.table(baseline, "export_path", "baseline.export_path")
        r.unknown(ep, {"base_volume", "base_price", "volume", "price", "unit"},
                  "baseline.export_path")
        bv = r.number(ep, "base_volume", "baseline.export_path.base_volume", lo=0, required=True)
        bp = r.number(ep, "base_price", "baseline.export_path.base_price", lo=0, required=True)
        for key in ("volume", "price"):
            if key not in ep:
                raise r.fail(f"baseline.export_path.{key}", "is required (a number or a list "
                             f"of {horizon}, one per plan year)")
        vol = r.numbers(ep["volume"], "baseline.export_path.volume", horizon, lo=0)
        price = r.numbers(ep["price"], "baseline.export_path.price", horizon, lo=0)
        export_path = ExportPath(bv, bp, vol, price)

    target = r.table(doc, "target", "target", required=True)
    r.unknown(target, {"share", "usd", "applies", "stop_at_target"}, "target")
    if ("share" in target) == ("usd" in target):
        raise r.fail("target", "give exactly one of target.share or target.usd")
    t_share = t_usd = None
    if "share" in target:
        v = target["share"]
        t_share = (r.numbers(v, "target.share", horizon, lo=0, hi=1) if isinstance(v, list)
                   else (r.check_number(v, "target.share", lo=0, hi=1),))
    else:
        v = target["usd"]
        t_usd = (r.numbers(v, "target.usd", horizon, lo=0, hi=MAX_USD) if isinstance(v, list)
                 else (r.check_number(v, "target.usd", lo=0, hi=MAX_USD),))
    applies = target.get("applies", "final")
    if applies not in ("final", "every_year"):
        raise r.fail("target.applies", f"is {applies!r}", "use 'final' or 'every_year'")
    stop = target.get("stop_at_target", True)
    if not isinstance(stop, bool):
        raise r.fail("target.stop_at_target", f"must be true or false, got {stop!r}")

    groups_t = r.table(doc, "groups", "groups")
    r.unknown(groups_t, {"allowed", "weights"}, "groups")
    allowed = None
    if "allowed" in groups_t:
        a = groups_t["allowed"]
        if not isinstance(a, list) or not a or not all(isinstance(g, str) for g in a):
            raise r.fail("groups.allowed", "must be a non-empty list of group names")
        allowed = tuple(a)
    weights: dict[str, float] = {}
    w = groups_t.get("weights", {})
    if not isinstance(w, dict):
        raise r.fail("groups.weights", "must be a table {group = weight}")
    for g, v in w.items():
        weights[g] = r.check_number(v, f"groups.weights.{g}", lo=0, lo_open=True)

    lim = r.table(doc, "limits", "limits")
    r.unknown(lim, {"ceiling_share", "market_share_max", "market_share_max_by_group",
                    "capacity_share_max", "ramp_share", "ramp_usd", "min_size_usd"}, "limits")
    ceiling_share = r.number(lim, "ceiling_share", "limits.ceiling_share", lo=0, default=1.0)
    ms = r.number(lim, "market_share_max", "limits.market_share_max", lo=0, hi=1)
    ms_by = {}
    msg = lim.get("market_share_max_by_group", {})
    if not isinstance(msg, dict):
        raise r.fail("limits.market_share_max_by_group", "must be a table {group = share}")
    for g, v in msg.items():
        ms_by[g] = r.check_number(v, f"limits.market_share_max_by_group.{g}", lo=0, hi=1)
    cap_share = r.number(lim, "capacity_share_max", "limits.capacity_share_max", lo=0, hi=1)
    ramp_share = r.number(lim, "ramp_share", "limits.ramp_share", lo=0, hi=1, lo_open=True)
    ramp_usd = r.number(lim, "ramp_usd", "limits.ramp_usd", lo=0, lo_open=True, hi=MAX_USD)
    min_size = r.number(lim, "min_size_usd", "limits.min_size_usd", lo=0, hi=MAX_USD)

    sectors = []
    raw_sectors = doc.get("sectors", [])
    if not isinstance(raw_sectors, list):
        raise r.fail("sectors", "must be an array of tables ([[sectors]])")
    for i, s in enumerate(raw_sectors):
        p = f"sectors[{i}]"
        if not isinstance(s, dict):
            raise r.fail(p, "must be a table")
        r.unknown(s, {"name", "groups", "share_min", "share_max"}, p)
        gs = s.get("groups")
        if not isinstance(gs, list) or not gs or not all(isinstance(g, str) for g in gs):
            raise r.fail(f"{p}.groups", "must be a non-empty list of group names")
        lo_ = r.number(s, "share_min", f"{p}.share_min", lo=0, hi=1)
        hi_ = r.number(s, "share_max", f"{p}.share_max", lo=0, hi=1)
        if lo_ is None and hi_ is None:
            raise r.fail(p, "needs share_min and/or share_max")
        if lo_ is not None and hi_ is not None and lo_ > hi_:
            raise r.fail(f"{p}.share_min", f"{lo_} exceeds share_max {hi_}")
        sectors.append(Sector(s.get("name") or "+".join(gs), tuple(gs), lo_, hi_))

    logistics = {}
    lg = r.table(doc, "logistics", "logistics")
    for route, v in lg.items():
        logistics[route] = r.numbers(v, f"logistics.{route}", horizon, lo=0)

    cand = r.table(doc, "candidates", "candidates")
    r.unknown(cand, {"path", "synthetic", "basis", "method", "gravity", "route"}, "candidates")
    cpath = None
    src = r.string(cand, "path", "candidates.path") or FROM_POTENTIAL
    if src != FROM_POTENTIAL:
        cpath = Path(src)
        if not cpath.is_absolute() and base_dir is not None:
            cpath = base_dir / cpath
    synthetic = cand.get("synthetic", False)
    if not isinstance(synthetic, bool):
        raise r.fail("candidates.synthetic", "must be true or false")
    method = r.string(cand, "method", "candidates.method")
    if method is not None and method not in ("itc", "demand"):
        raise r.fail("candidates.method", f"is {method!r}", "use 'itc' or 'demand'")
    basis = r.string(cand, "basis", "candidates.basis") or "extra"
    if basis not in BASES:
        raise r.fail("candidates.basis", f"is {basis!r}", "use 'extra' or 'headroom'")
    grav = cand.get("gravity", False)
    if not isinstance(grav, bool):
        raise r.fail("candidates.gravity", "must be true or false")
    if cpath is not None and any(k in cand for k in ("basis", "method", "gravity", "route")):
        raise r.fail("candidates", "basis, method, gravity and route apply only to "
                     "path = \"from potential\"")
    options = PotentialOptions(basis=basis, method=method, gravity=grav,
                               route=r.string(cand, "route", "candidates.route") or "sea")

    solver = r.table(doc, "solver", "solver")
    r.unknown(solver, {"time_limit", "mip_gap", "max_variables"}, "solver")
    time_limit = r.number(solver, "time_limit", "solver.time_limit", lo=0, hi=86_400,
                          lo_open=True, default=120.0)
    mip_gap = r.number(solver, "mip_gap", "solver.mip_gap", lo=0, hi=0.5, default=1e-3)
    max_vars = r.number(solver, "max_variables", "solver.max_variables", lo=1,
                        default=MAX_VARIABLES)

    name = doc.get("name") or (Path(file).stem if file else "scenario")
    return Scenario(
        exporter=iso["exporter"], market=iso["market"], base_year=base_year, horizon=horizon,
        gap=gap, target_share=t_share, target_usd=t_usd,
        target_every_year=applies == "every_year", stop_at_target=stop, groups=allowed,
        weights=weights, ceiling_share=ceiling_share, market_share_max=ms,
        market_share_max_by_group=ms_by, capacity_share_max=cap_share, ramp_share=ramp_share,
        ramp_usd=ramp_usd, min_size_usd=min_size, sectors=tuple(sectors), logistics=logistics,
        export_path=export_path, candidates_path=cpath, candidates_synthetic=synthetic,
        potential_options=options,
        name=str(name), base_period=base, file=file, time_limit=time_limit, mip_gap=mip_gap,
        max_variables=int(max_vars),
    )


# --------------------------------------------------------------------------- candidates


def read_candidates(path: Path) -> pd.DataFrame:
    """Read a candidates CSV or Parquet file (product codes kept as strings): a regular file of
    at most :func:`~tradegap.bounds.max_input_bytes`, never a device or a FIFO."""
    raw = read_bounded(path, "a candidates table (CSV or Parquet)", field="candidates.path")
    try:
        if path.suffix.lower() == ".parquet":
            frame = pd.read_parquet(io.BytesIO(raw))
        else:
            frame = pd.read_csv(io.BytesIO(raw), dtype={"product": str, "route": str},
                                comment="#")
    except Exception as exc:  # pandas/pyarrow raise many types for a file of another kind
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot read the candidates table: {first}", file=str(path),
                         field="candidates.path",
                         hint="give a CSV or Parquet file with the columns "
                         + ", ".join(REQUIRED_CANDIDATE_COLUMNS)) from None
    return validate_candidates(frame, file=str(path))


def validate_candidates(frame: pd.DataFrame, *, file: str | None = None) -> pd.DataFrame:
    """Check the candidates table against :data:`CANDIDATE_COLUMNS`; return a clean copy."""
    missing = [c for c in REQUIRED_CANDIDATE_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"candidates lack column(s) {', '.join(missing)}", file=file,
                         field=missing[0], hint="columns: " + ", ".join(CANDIDATE_COLUMNS))
    out = frame.copy()
    out["product"] = out["product"].astype(str)
    if out["product"].duplicated().any():
        dup = out.loc[out["product"].duplicated(), "product"].iloc[0]
        raise InputError(f"product {dup!r} appears twice", file=file, field="product")
    for col in ("name", "route"):
        if col not in out.columns:
            out[col] = "" if col == "name" else "any"
        out[col] = out[col].fillna("" if col == "name" else "any").astype(str)
    out["group"] = out["group"].astype(str)
    for col in ("current", "untapped", "market_imports", "exporter_capacity", "unit_value"):
        if col not in out.columns:
            out[col] = np.nan
        vals = pd.to_numeric(out[col], errors="coerce")
        bad = vals.isna() & out[col].notna() | (vals < 0) | ~np.isfinite(vals.fillna(0))
        if col != "unit_value":  # US$ totals: at most about world GDP
            bad |= vals > MAX_USD
        if col in ("current", "untapped", "market_imports"):
            bad |= vals.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"{col} must be a number ≥ 0, got {out[col].iloc[i]!r}", file=file,
                             line=i + 2, field=col,
                             hint=f"amounts in US$ are finite and at most {MAX_USD:.1e} "
                             "(about world GDP)")
        out[col] = vals.astype(float)
    return out.reset_index(drop=True)
