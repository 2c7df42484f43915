"""The JSON API behind each page (documented at /docs and /openapi.json)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from tradegap.cli.common import to_jsonable
from tradegap.web.limits import bounded
from tradegap.web.params import (
    ISO3,
    MAX_UNTAPPED,
    NAME,
    SEARCH,
    Frequency,
    Order,
    PlanSettings,
    SortKey,
    check_groups,
)
from tradegap.web.services import Services

router = APIRouter(prefix="/api", tags=["api"])

Country = Annotated[str, Query(pattern=ISO3, description="ISO3 code, e.g. RUS")]
Groups = Annotated[list[str] | None, Query(max_length=20, description="product groups")]
Scenario = Annotated[str, Query(pattern=NAME, description="a shipped scenario, by name")]


def services(request: Request) -> Services:
    return request.app.state.services


def groups_or_422(groups: list[str] | None) -> tuple[str, ...]:
    from fastapi.exceptions import RequestValidationError

    try:
        return tuple(check_groups(groups))
    except ValueError as exc:
        raise RequestValidationError([{"loc": ("query", "group"), "msg": str(exc),
                                       "type": "value_error"}]) from exc


@router.get("/balance", summary="Bilateral balance, composition, drivers, concentration, "
            "mirror gap (tradegap.balance)")
async def api_balance(request: Request, a: Country = "RUS", b: Country = "IND",
                      frequency: Frequency = "calendar_year") -> dict[str, Any]:
    result = await bounded(services(request).balance, a, b, frequency)
    return to_jsonable(result.to_dict())


@router.get("/potential", summary="Export potential by product, filtered and sorted "
            "(tradegap.analysis.potential_warehouse.potential)")
async def api_potential(
    request: Request, exporter: Country = "IND", market: Country = "RUS",
    group: Groups = None,
    min_untapped: Annotated[float, Query(ge=0, le=MAX_UNTAPPED)] = 0.0,
    q: Annotated[str, Query(pattern=SEARCH, max_length=80)] = "",
    sort: SortKey = "untapped", order: Order = "desc",
    limit: Annotated[int, Query(ge=1, le=5000)] = 100,
) -> dict[str, Any]:
    from tradegap.report.sections import filter_potential, potential_table

    groups = groups_or_422(group)
    result = await bounded(services(request).potential, exporter, market, groups)
    table = filter_potential(potential_table(result), min_untapped=min_untapped, q=q,
                             sort=sort, order=order)
    return to_jsonable({
        "exporter": result.exporter, "market": result.market, "year": result.year,
        "ease": result.ease, "params": result.params.to_dict(), "count": len(table),
        "total": len(result.table), "rows": table.head(limit),
        "provenance": result.provenance.to_dict(),
    })


@router.get("/scenarios", summary="Shipped scenarios, by name (plan and settlement)")
async def api_scenarios(request: Request) -> dict[str, list[str]]:
    s = services(request)
    return {"plan": s.scenario_names("plan"), "settlement": s.scenario_names("settlement")}


@router.post("/plan", summary="Re-solve a shipped scenario with changed settings "
             "(tradegap.planning.plan)")
async def api_plan(request: Request, settings: PlanSettings) -> dict[str, Any]:
    result = await bounded(services(request).plan, settings.scenario, settings.changes())
    return to_jsonable({**result.to_dict(), "settings": settings.model_dump()})


@router.get("/settlement", summary="Vostro balance simulation with Monte Carlo bands "
            "(tradegap.settlement.simulate)")
async def api_settlement(
    request: Request, scenario: Scenario = "settlement-fund",
    draws: Annotated[int, Query(ge=0, le=2000)] = 200,
    seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> dict[str, Any]:
    result = await bounded(services(request).settlement, scenario, draws, seed)
    return to_jsonable(result.to_dict())


@router.get("/datasets", summary="What the warehouse holds: datasets, sources, rows set "
            "aside, provenance (tradegap.warehouse.inspect)")
async def api_datasets(request: Request) -> dict[str, Any]:
    s = services(request)
    listing = await bounded(s.datasets)
    summaries = await bounded(s.dataset_summaries)
    return to_jsonable({"home": str(s.wh.home), "datasets": listing, "summaries": summaries})
