"""The dashboard's "Measures" page and its JSON route: a shipped measures scenario solved by
:func:`tradegap.measures.measures`, shown with the same section as the brief
(``report/templates/sections/measures.html.j2``). Controls: scenario, Monte Carlo draws, seed,
and whether to check shadow prices by re-solving."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from tradegap.errors import InputError
from tradegap.web.api import Scenario, services
from tradegap.web.limits import bounded
from tradegap.web.params import NAME

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["measures"])
PREFIX = "measures-"
DEFAULT = "measures-demo"
REAL = "measures-russia-india"
MaybeScenario = Annotated[str, Query(pattern=r"^$|" + NAME,
                                     description="a shipped measures scenario; empty: the default")]
Draws = Annotated[int, Query(ge=0, le=200, description="Monte Carlo exchange-rate draws")]
Seed = Annotated[int, Query(ge=0, le=2**31 - 1)]
_cache: OrderedDict[tuple, Any] = OrderedDict()
_lock = threading.Lock()


def scenario_names(request: Request) -> list[str]:
    """The shipped measures scenarios (``scenarios/measures-*.toml``)."""
    folder = services(request).scenarios_dir
    if folder is None or not Path(folder).is_dir():
        return []
    return sorted(p.stem for p in Path(folder).glob(f"{PREFIX}*.toml"))


def solve(request: Request, name: str, draws: int, seed: int, check: bool) -> Any:
    """The solved scenario, cached by file time, warehouse state and the controls."""
    from tradegap.measures import load_scenario, measures

    names = scenario_names(request)
    if name not in names:
        raise InputError(f"unknown measures scenario {name!r}", field="scenario",
                         hint="choose one of: " + (", ".join(names) or "(none shipped)"))
    s = services(request)
    path = Path(s.scenarios_dir) / f"{name}.toml"
    key = (str(path), path.stat().st_mtime_ns, draws, seed, check, s.state())
    with _lock:
        if key in _cache:
            return _cache[key]
    sc = load_scenario(path)
    result = measures(sc, warehouse=s.wh if sc.data is not None else None, draws=draws,
                      seed=seed, check=check)
    with _lock:
        _cache[key] = result
        while len(_cache) > 8:
            _cache.popitem(last=False)
    return result


def _render(request: Request, template: str, **context: Any) -> HTMLResponse:
    from tradegap.web.pages import render

    return render(request, template, **context)


async def _context(request: Request, scenario: str, draws: int, seed: int,
                   check: bool) -> dict[str, Any]:
    from tradegap.report.measures_brief import context

    result = await bounded(solve, request, scenario, draws, seed, check)
    ctx = context(result)
    ctx.pop("money", None)
    ctx.pop("share", None)
    sc = result.scenario
    return {"ms": ctx, "synthetic": result.provenance.synthetic, "a": sc.surplus,
            "b": sc.deficit, "api_query": {"scenario": scenario, "draws": draws, "seed": seed,
                                           "check": "true" if check else "false"}}


def default_scenario(request: Request) -> str:
    """The scenario the page opens with: the real Russia–India one on a warehouse of real
    data only, else the demo."""
    names = scenario_names(request)
    if REAL in names and services(request).real_only():
        return REAL
    return DEFAULT


@router.get("/measures", response_class=HTMLResponse)
async def measures_page(request: Request, scenario: MaybeScenario = "", draws: Draws = 5,
                        seed: Seed = 0, check: bool = True) -> HTMLResponse:
    scenario = scenario or default_scenario(request)
    ctx = await _context(request, scenario, draws, seed, check)
    return _render(request, "measures.html.j2", page="measures", scenario=scenario,
                   scenarios=scenario_names(request), draws=draws, seed=seed, check=check,
                   **ctx)


@router.get("/measures/results", response_class=HTMLResponse)
async def measures_results(request: Request, scenario: Scenario = DEFAULT, draws: Draws = 5,
                           seed: Seed = 0, check: bool = True) -> HTMLResponse:
    ctx = await _context(request, scenario, draws, seed, check)
    return _render(request, "measures_results.html.j2", partial=True, **ctx)


@api_router.get("/measures")
async def measures_json(request: Request, scenario: Scenario = DEFAULT, draws: Draws = 0,
                        seed: Seed = 0, check: bool = True) -> Response:
    """The ranked package of a shipped measures scenario (what `tradegap measures --json`
    prints), with the scenario's figures (``assumptions``) and what each agency would do
    (``agencies``), as the page shows them."""
    import json

    from tradegap.jsonable import to_jsonable
    from tradegap.report.measures_brief import agency_actions, assumptions

    result = await bounded(solve, request, scenario, draws, seed, check)
    payload = {**result.to_dict(), "assumptions": assumptions(result.scenario.file),
               "agencies": agency_actions(result) if result.feasible else []}
    body = json.dumps(to_jsonable(payload), ensure_ascii=False, allow_nan=False)
    return Response(body, media_type="application/json")
