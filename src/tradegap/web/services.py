"""The Python API calls behind every page and JSON route, with a small cache.

Each function calls the same public function a Python user calls (``balance``, ``potential``,
``plan``, ``simulate``, the warehouse inspection) and returns its result unchanged. Results are
cached per warehouse state (dataset fingerprints), so a new ingest is seen at once. A result
being computed is computed once: identical requests meanwhile wait for it (single flight), and
only computations take one of the process's computation slots (:func:`limits.computing`), so
cached answers never wait. :meth:`Services.warm` computes the likely first requests at start-up.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tradegap.errors import InputError
from tradegap.web.limits import ReadOnlyWarehouse, computing

_CACHE_SIZE = 32
#: The plan the Settlement page offers when the warehouse holds the real datasets.
REAL_PLAN = "russia-india-real"


class _Flight:
    """One computation in progress, which identical requests wait for."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None

    def result(self) -> Any:
        self.done.wait()
        if self.error is not None:
            raise self.error
        return self.value


class Services:
    """The API calls of one app: a read-only warehouse and the shipped scenarios."""

    def __init__(self, home: str | Path | None, scenarios: Path | None) -> None:
        self.wh = ReadOnlyWarehouse(home)
        self.scenarios_dir = scenarios
        self._cache: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._inflight: dict[tuple, _Flight] = {}

    # -- cache -----------------------------------------------------------------------------
    def state(self) -> tuple:
        """What identifies the warehouse's contents: the catalogue file's size and time (every
        ingest commits to it), read without opening it."""
        try:
            st = self.wh.catalog_path.stat()
        except FileNotFoundError:
            return ("empty",)
        return (st.st_size, st.st_mtime_ns)

    def json(self, key: tuple, fn: Callable[[], Any]) -> bytes:
        """``fn()``'s payload serialised as JSON (NaN → null), cached like the results."""
        import json

        from tradegap.jsonable import to_jsonable

        def run() -> bytes:
            payload = to_jsonable(fn())
            return json.dumps(payload, ensure_ascii=False, allow_nan=False).encode("utf-8")

        return self._cached(("json", *key), run)

    def _cached(self, key: tuple, fn: Callable[[], Any]) -> Any:
        key = (*key, self.state())
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            flight = self._inflight.get(key)
            leader = flight is None
            if flight is None:
                flight = self._inflight[key] = _Flight()
        if not leader:  # the same result is being computed: wait for it, compute nothing
            return flight.result()
        try:
            with computing():
                value = fn()
        except BaseException as exc:
            flight.error = exc
            raise
        else:
            flight.value = value
            with self._lock:
                self._cache[key] = value
                while len(self._cache) > _CACHE_SIZE:
                    self._cache.popitem(last=False)
        finally:
            with self._lock:
                self._inflight.pop(key, None)
            flight.done.set()
        return value

    def warm(self, pairs: int = 12) -> list[str]:
        """Compute what the first visitors most likely ask for, in this thread: the dataset
        list, the default pair's balance and potential, the Headroom page and ranking when the
        real datasets are there (read back when kept), then the balance of each of the
        ``pairs`` largest flows (exporter → importer). Each takes a computation slot like a
        request, but starts only while no other computation runs, so requests go first;
        failures are left for the request to report. Returns what was warmed."""
        import time

        from tradegap.errors import TradegapError
        from tradegap.web.limits import busy

        jobs: list[tuple[str, Callable[[], Any]]] = [
            ("datasets", self.dataset_summaries), ("data", self.data),
            ("balance RUS IND", lambda: self.balance("RUS", "IND")),
            ("potential IND RUS", lambda: self.potential("IND", "RUS")),
        ]
        if self.plan_choices()[:1] == [REAL_PLAN]:  # read back at once when kept
            jobs += [("headroom page", self.headroom_section), ("headroom", self.headroom)]
        for a, b in self._largest_pairs(pairs):
            jobs.append((f"balance {a} {b}", lambda a=a, b=b: self.balance(a, b)))
        done = []
        for name, job in jobs:
            while busy():
                time.sleep(0.05)
            try:
                job()
                done.append(name)
            except (TradegapError, ValueError, OSError):
                continue
        return done

    def _largest_pairs(self, n: int) -> list[tuple[str, str]]:
        """The ``n`` exporter → importer pairs with the largest trade in the flows."""
        if n <= 0 or not self.wh.datasets(kind="flows"):
            return []
        with computing():
            con = self.wh.connect()
            try:
                rows = con.execute(
                    "SELECT exporter, importer FROM flows GROUP BY 1, 2 "
                    "ORDER BY sum(value_usd) DESC LIMIT ?", [n]
                ).fetchall()
            finally:
                con.close()
        return [(a, b) for a, b in rows if (a, b) != ("RUS", "IND")]

    # -- scenarios (by name, from the shipped list only) -----------------------------------
    def scenario_names(self, kind: str) -> list[str]:
        """Names of the shipped scenarios: ``plan`` (planner) or ``settlement``."""
        if self.scenarios_dir is None or not self.scenarios_dir.is_dir():
            return []
        names = sorted(p.stem for p in self.scenarios_dir.glob("*.toml"))
        if kind == "settlement":
            return [n for n in names if n.startswith("settlement-")]
        kinds = {n: self._solvable(n) for n in names if not n.startswith("settlement-")}
        real_first = self.real_only()
        return sorted((n for n, k in kinds.items() if k),
                      key=lambda n: (kinds[n] != ("potential" if real_first else "file"), n))

    def real_only(self) -> bool:
        """The warehouse holds data and none of it is synthetic."""
        infos = self.wh.datasets()
        return bool(infos) and not any(d.synthetic for d in infos)

    def _solvable(self, name: str) -> str:
        """How the dashboard can solve a plan scenario: ``file`` (it names its candidates
        file), ``potential`` (candidates from the potential, which this warehouse allows from
        real data), or ``''`` (neither)."""
        from tradegap.analysis.potential_estimate import choose_method
        from tradegap.errors import TradegapError
        from tradegap.planning import load_scenario

        assert self.scenarios_dir is not None
        path = self.scenarios_dir / f"{name}.toml"
        state = tuple(sorted((d.name, d.fingerprint) for d in self.wh.datasets()))
        key = ("solvable", name, path.stat().st_mtime_ns, state)
        if key not in self._cache:
            try:
                sc = load_scenario(path)
                if sc.candidates_path is not None:
                    ok = "file" if Path(sc.candidates_path).is_file() else ""
                else:  # offered when the potential would read real data only
                    _, _, reads = choose_method(self.wh, sc.exporter, sc.market,
                                                sc.potential_options.method)
                    used = ({reads} if isinstance(reads, str) else
                            {reads.current_dataset, reads.capacity_dataset})
                    real = not any(d.synthetic for d in self.wh.datasets() if d.name in used)
                    ok = "potential" if real else ""
            except TradegapError:
                ok = ""
            with self._lock:
                self._cache[key] = ok
        return str(self._cache[key])

    def default_scenario(self, kind: str) -> str:
        """The scenario a page opens with: the first offered (real-data ones first on a real
        warehouse); for settlement, the historical one on a real warehouse."""
        names = self.scenario_names(kind)
        if kind == "settlement":
            prefer = "settlement-historical" if self.real_only() else "settlement-fund"
            return prefer if prefer in names else (names[0] if names else prefer)
        return names[0] if names else "all-sectors"

    def scenario_path(self, kind: str, name: str) -> Path:
        names = self.scenario_names(kind)
        if name not in names:
            raise InputError(f"unknown {kind} scenario {name!r}", field="scenario",
                             hint="choose one of: " + (", ".join(names) or "(none shipped)"))
        assert self.scenarios_dir is not None
        return self.scenarios_dir / f"{name}.toml"

    # -- the API calls ---------------------------------------------------------------------
    def balance(self, a: str, b: str, frequency: str = "auto", dataset: str = "") -> Any:
        """``frequency`` 'auto' lets the data choose (see tradegap.analysis.pair_data);
        ``dataset``: only this dataset's numbers (empty: each side and period as the rule
        chooses)."""
        from tradegap.analysis.balance import balance

        freq = None if frequency == "auto" else frequency
        if dataset:
            return self._cached(("balance", a, b, frequency, dataset),
                                lambda: balance(self.wh, a, b, frequency=freq,
                                                datasets=[dataset]))
        return self._cached(("balance", a, b, frequency),
                            lambda: balance(self.wh, a, b, frequency=freq))

    def composition_hs6(self, a: str, b: str, frequency: str = "auto",
                        dataset: str = "") -> Any:
        """The pair's composition by HS6 (``balance(level="hs6")``): the treemaps' drill-down."""
        from tradegap.analysis.balance import balance

        freq = None if frequency == "auto" else frequency
        return self._cached(("composition-hs6", a, b, frequency, dataset),
                            lambda: balance(self.wh, a, b, frequency=freq, level="hs6",
                                            datasets=[dataset] if dataset else None
                                            ).composition)

    def pair_datasets(self, a: str, b: str, frequency: str = "auto") -> list[str]:
        """The datasets that hold numbers of this pair (chosen or passed over): what the
        Balance page's dataset picker offers."""
        result = self.balance(a, b, frequency)
        sources = result.sources
        return sorted(set(sources["dataset"])) if len(sources) else []

    def potential(self, exporter: str, market: str, groups: tuple[str, ...] = ()) -> Any:
        """:func:`tradegap.analysis.potential_estimate.estimate_potential` (what ``tradegap
        potential`` calls): the method the warehouse allows, and why."""
        from tradegap.analysis.potential_estimate import estimate_potential

        def run() -> Any:
            return estimate_potential(self.wh, exporter, market, list(groups) or None,
                                      gravity=False)

        return self._cached(("potential", exporter, market, groups), run)

    def plan(self, name: str, changes: dict[str, Any]) -> Any:
        from tradegap.planning import load_scenario, plan

        path = self.scenario_path("plan", name)

        def run() -> Any:
            sc = load_scenario(path)
            return plan(dataclasses.replace(sc, **changes) if changes else sc, warehouse=self.wh)

        return self._cached(("plan", name, tuple(sorted(changes.items()))), run)

    def plan_scenario(self, name: str) -> Any:
        from tradegap.planning import load_scenario

        return load_scenario(self.scenario_path("plan", name))

    def plan_groups(self, name: str) -> list[str]:
        """Product groups of the scenario's candidates (what the Plan page offers)."""
        from tradegap.planning.planner import resolve_candidates

        sc = self.plan_scenario(name)
        return sorted(set(resolve_candidates(sc, None, self.wh)["group"]))

    def settlement(self, name: str, draws: int, seed: int) -> Any:
        from tradegap.settlement import load_scenario, simulate

        path = self.scenario_path("settlement", name)
        return self._cached(("settlement", name, draws, seed), lambda: simulate(
            load_scenario(path), draws=draws or None, seed=seed))

    def headroom(self, exporter: str = "IND", market: str = "RUS",
                 groups: tuple[str, ...] = ("agri", "pharma")) -> Any:
        """The headroom ranking and the real-data plan (``report.sections.headroom_view``:
        ``analysis.headroom.headroom`` and ``casestudy.real_plan``), or what is missing;
        computed once per warehouse version and kept in its ``cache/`` for the next process."""
        from tradegap.report.sections import headroom_view

        return self._cached(("headroom", exporter, market, groups),
                            lambda: headroom_view(self.wh, exporter, market, groups,
                                                  keep=True))

    def headroom_section(self, exporter: str = "IND", market: str = "RUS",
                         groups: tuple[str, ...] = ("agri", "pharma")) -> dict[str, Any]:
        """What the Headroom page shows (``report.sections.headroom_section`` of the view, this
        warehouse's path left out, its charts rendered: ``report.html.prerendered``): plain
        values and chart divs, kept like the view, so a restarted server neither recomputes
        nor rebuilds its figures."""
        from tradegap.report.html import SHIPPED_SCENARIOS
        from tradegap.warehouse.kept import kept

        def run() -> dict[str, Any]:
            from tradegap.report.html import prerendered
            from tradegap.report.sections import headroom_section, headroom_view
            from tradegap.web.api import without_path

            view = headroom_view(self.wh, exporter, market, groups, keep=True)
            return prerendered(headroom_section(without_path(view)))

        # the scenario headroom_view reads (casestudy.REAL_SCENARIO), named without importing
        # the case study
        scenario = SHIPPED_SCENARIOS / f"{REAL_PLAN}.toml"
        return self._cached(("headroom-section", exporter, market, groups), lambda: kept(
            self.wh, "headroom-section", (exporter, market, tuple(groups)), run,
            files=[scenario]))

    def plan_for_settlement(self, name: str) -> Any:
        """A plan to run a settlement with: a shipped self-contained scenario, or
        ``russia-india-real``, the real-data plan built from the headroom ranking."""
        from tradegap.errors import NotFound

        if name == REAL_PLAN:
            view = self.headroom()
            if not view.available:
                raise NotFound(view.missing_message())
            if view.plan is None:
                raise NotFound("; ".join(view.notes) or "no real-data plan")
            return view.plan
        return self.plan(name, {})

    def plan_choices(self) -> list[str]:
        """Plans the Settlement page offers: the shipped ones and, when the warehouse holds the
        real datasets, the real-data plan."""
        return self.scenario_names("plan")

    def settlement_with_plan(self, name: str, draws: int, seed: int, plan_name: str) -> Any:
        """``(baseline, with_plan, comparison, plan)``: the settlement scenario without and
        with a plan's purchases (``settlement.from_plan.simulate_with_plan``, which ends in
        ``settlement.compare``)."""
        from tradegap.report.sections import check_plan_pair
        from tradegap.settlement import load_scenario
        from tradegap.settlement.from_plan import simulate_with_plan

        path = self.scenario_path("settlement", name)

        def run() -> tuple[Any, Any, Any, Any]:
            plan = self.plan_for_settlement(plan_name)
            sc = load_scenario(path)
            check_plan_pair(plan, sc)
            base, with_plan, comparison = simulate_with_plan(sc, plan.path, draws=draws or None,
                                                             seed=seed)
            return base, with_plan, comparison, plan

        return self._cached(("settlement-plan", name, draws, seed, plan_name), run)

    def datasets(self) -> Any:
        from tradegap.warehouse.inspect import list_datasets

        return list_datasets(self.wh)

    def data(self) -> dict[str, Any]:
        from tradegap.report.sections import data_section

        return self._cached(("data",), lambda: data_section(self.wh))

    def dataset_summaries(self) -> list[dict[str, Any]]:
        from tradegap.warehouse.inspect import dataset_summary

        def run() -> list[dict[str, Any]]:
            out: list[dict[str, Any]] = []
            for d in self.wh.datasets():
                out.extend(s for s in dataset_summary(self.wh, d.name) if s["name"] == d.name)
            return out

        return self._cached(("summaries",), run)

    def any_synthetic(self) -> bool:
        return any(d.synthetic for d in self.wh.datasets())
