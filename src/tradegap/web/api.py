"""The JSON API behind each page (documented at /docs and /openapi.json)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from tradegap.jsonable import to_jsonable
from tradegap.web.limits import bounded
from tradegap.web.params import (
    GROUP_LIST,
    ISO3,
    MAX_UNTAPPED,
    NAME,
    SEARCH,
    Frequency,
    HeadroomSort,
    Order,
    PlanSettings,
    SortKey,
    check_country,
    check_groups,
    headroom_groups,
    only_known_query,
)
from tradegap.web.services import Services


class ErrorBody(BaseModel):
    """Every error: a clear message, the HTTP status and, often, what to do."""

    error: str
    status: int
    hint: str | None = None


_ERRORS = {code: {"model": ErrorBody, "description": text} for code, text in (
    (400, "the request cannot be answered from this warehouse"),
    (413, "request body larger than 64 KB"),
    (422, "a parameter is invalid (ISO3, product group, scenario name, number range)"),
    (503, "the computation took too long"),
)}
router = APIRouter(prefix="/api", tags=["api"], responses=_ERRORS,
                   dependencies=[Depends(only_known_query)])

Country = Annotated[str, Query(pattern=ISO3, description="ISO3 code, e.g. RUS")]
DetailTable = Literal["composition", "drivers", "unit_values", "mirror", "sources"]
Groups = Annotated[list[str] | None, Query(max_length=20, description="product groups")]
Scenario = Annotated[str, Query(pattern=NAME, description="a shipped scenario, by name")]
OneDataset = Annotated[str, Query(pattern=r"^$|" + NAME, description="only this dataset's "
                                  "numbers; empty: each side and period from the dataset the "
                                  "rule chooses (docs/data-choice.md)")]
PlanName = Annotated[str, Query(pattern=r"^$|" + NAME, description="a plan whose extra "
                                "purchases drain the balances: a shipped plan scenario, or "
                                "russia-india-real (the real-data plan, when the warehouse "
                                "holds the real datasets); empty: none")]


def services(request: Request) -> Services:
    return request.app.state.services


async def _json(s: Services, key: tuple, payload: Callable[[], Any]) -> Response:
    """The payload as JSON, computed (and cached) in a worker thread within the time limit."""
    body = await bounded(s.json, key, payload)
    return Response(content=body, media_type="application/json")


def groups_or_422(groups: list[str] | None, *, headroom: bool = False,
                  field: str = "group") -> tuple[str, ...]:
    """The groups, checked; unknown ones are a 422 naming the parameter ``field``."""
    from fastapi.exceptions import RequestValidationError

    try:
        return headroom_groups(groups) if headroom else tuple(check_groups(groups))
    except ValueError as exc:
        raise RequestValidationError([{"loc": ("query", field), "msg": str(exc),
                                       "type": "value_error"}]) from exc


@router.get("/balance", summary="Bilateral balance, composition, drivers, concentration, "
            "mirror gap (tradegap.balance)")
async def api_balance(
    request: Request, a: Country = "RUS", b: Country = "IND", frequency: Frequency = "auto",
    dataset: OneDataset = "",
    table: Annotated[DetailTable | None, Query(description="one detail table, paginated "
                                               "(page, size)")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    size: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> Response:
    """The balance with the largest rows of each detail table (under ~1 MB); ``table``
    returns one table in full, page by page."""
    check_country(a, "a"), check_country(b, "b")
    s = services(request)
    if table is not None:
        return await _json(s, ("balance-page", a, b, frequency, dataset, table, page, size),
                           lambda: s.balance(a, b, frequency, dataset).table_page(table, page,
                                                                                 size))
    return await _json(s, ("balance", a, b, frequency, dataset),
                       lambda: s.balance(a, b, frequency, dataset).to_dict())


@router.get("/potential", summary="Export potential by product, filtered and sorted, by the "
            "method the warehouse allows (tradegap.analysis.potential_estimate."
            "estimate_potential: ITC on world flows, else the market's own demand)")
async def api_potential(
    request: Request, exporter: Country = "IND", market: Country = "RUS",
    group: Groups = None,
    min_untapped: Annotated[float, Query(ge=0, le=MAX_UNTAPPED)] = 0.0,
    q: Annotated[str, Query(pattern=SEARCH, max_length=80)] = "",
    sort: SortKey = "untapped", order: Order = "desc",
    limit: Annotated[int, Query(ge=1, le=5000)] = 100,
) -> Response:
    from tradegap.report.sections import filter_potential, potential_table

    groups = groups_or_422(group)
    s = services(request)

    def payload() -> dict[str, Any]:
        result = s.potential(exporter, market, groups)
        table = filter_potential(potential_table(result), min_untapped=min_untapped, q=q,
                                 sort=sort, order=order)
        itc = result.itc
        return {
            "exporter": result.exporter, "market": result.market, "method": result.method,
            "why": result.why, "year": itc.year if itc else None,
            "ease": itc.ease if itc else None,
            "params": itc.params.to_dict() if itc else dict(result.table.attrs.get("params",
                                                                                  {})),
            "count": len(table), "total": len(result.table), "rows": table.head(limit),
            "provenance": result.provenance.to_dict(),
        }

    key = ("potential", exporter, market, groups, min_untapped, q, sort, order, limit)
    return await _json(s, key, payload)


@router.get("/headroom", summary="Headroom ranking and the real-data plan "
            "(tradegap.analysis.headroom.headroom, tradegap.casestudy.real_plan)",
            description="The combined ranking per HS4 product (the market's demand, the "
            "exporter's sales to it, its share, its world sales, headroom, gravity untapped, "
            "realistic extra = min of the two) and the plan of scenario russia-india-real "
            "built from it, with the case study's settings. Needs the real datasets "
            "russia-demand, russia-customs-mirror and india-dgcis (`tradegap case-study "
            "russia-india --data ../shared/data --home DIR`); without them the answer is "
            "`available: false` with the missing datasets and that command in `hint`. Takes "
            "several seconds the first time; cached per warehouse state.")
async def api_headroom(
    request: Request, exporter: Country = "IND", market: Country = "RUS",
    groups: Annotated[str, Query(pattern=GROUP_LIST, max_length=200,
                                 description="product groups, comma-separated")] = "agri,pharma",
    sort: HeadroomSort = "extra", order: Order = "desc",
    limit: Annotated[int | None, Query(ge=1, le=5000)] = None,
) -> Response:
    from tradegap.report.sections import headroom_payload

    chosen = groups_or_422(groups.split(","), headroom=True, field="groups")
    s = services(request)
    return await _json(s, ("headroom", exporter, market, chosen, sort, order, limit),
                       lambda: headroom_payload(without_path(s.headroom(exporter, market,
                                                                        chosen)),
                                                sort, order, limit))


@router.get("/scenarios", summary="Shipped scenarios, by name (plan and settlement)")
async def api_scenarios(request: Request) -> dict[str, list[str]]:
    s = services(request)
    return {"plan": s.scenario_names("plan"), "settlement": s.scenario_names("settlement")}


@router.post("/plan", summary="Re-solve a shipped scenario with changed settings "
             "(tradegap.planning.plan)")
async def api_plan(request: Request, settings: PlanSettings) -> dict[str, Any]:
    result = await bounded(services(request).plan, settings.scenario, settings.changes())
    return to_jsonable({**result.to_dict(), "settings": settings.model_dump(),
                        "limits": plan_limits(result.scenario)})


def plan_limits(sc: Any) -> dict[str, Any]:
    """The limits the plan was solved under (the scenario's, with the settings applied): the
    Plan page's settings table, as numbers."""
    return {"target_share": sc.target_share[0] if sc.target_share else None,
            "market_share_max": sc.market_share_max, "ramp_share": sc.ramp_share,
            "groups": ", ".join(sc.groups) if sc.groups else "all",
            "baseline_gap_usd": sc.gap, "first_year": sc.years[0] if sc.years else None,
            "last_year": sc.years[-1] if sc.years else None}


@router.get("/plan", summary="The same re-solve with the settings as query parameters "
            "(bookmarkable; what the Plan page's download links read)")
async def api_plan_get(
    request: Request, scenario: Scenario = "all-sectors",
    target_share: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    market_share_max: Annotated[float | None, Query(gt=0.0, le=1.0)] = None,
    ramp_share: Annotated[float | None, Query(gt=0.0, le=1.0)] = None,
    groups: Annotated[list[str] | None, Query(max_length=20)] = None,
) -> dict[str, Any]:
    from fastapi.exceptions import RequestValidationError
    from pydantic import ValidationError

    try:
        settings = PlanSettings(scenario=scenario, target_share=target_share,
                                market_share_max=market_share_max, ramp_share=ramp_share,
                                groups=groups or None)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc
    return await api_plan(request, settings)


def check_plan_choice(s: Services, plan: str) -> None:
    """A plan name the Settlement page offers (422 otherwise)."""
    if plan and plan not in s.plan_choices():
        from tradegap.errors import InputError

        raise InputError(f"unknown plan {plan!r}", field="scenario",
                         hint="choose one of: " + ", ".join(s.plan_choices()))


@router.get("/settlement", summary="Vostro balance simulation with Monte Carlo bands, "
            "optionally with a plan (tradegap.settlement.simulate, compare)",
            description="Without `plan`: the simulation. With `plan`: `baseline`, `with_plan` "
            "and `compare` (what the plan's purchases change), the plan's yearly extra "
            "purchases spread evenly over each year's months "
            "(tradegap.settlement.from_plan.monthly_from_plan_path).")
async def api_settlement(
    request: Request, scenario: Scenario = "settlement-fund",
    draws: Annotated[int, Query(ge=0, le=2000)] = 200,
    seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0, plan: PlanName = "",
) -> Response:
    s = services(request)
    if not plan:
        return await _json(s, ("settlement", scenario, draws, seed),
                           lambda: s.settlement(scenario, draws, seed).to_dict())
    check_plan_choice(s, plan)

    def payload() -> dict[str, Any]:
        base, with_plan, comparison, chosen = s.settlement_with_plan(scenario, draws, seed,
                                                                     plan)
        return {"plan": chosen.scenario.name, "plan_path": chosen.path,
                "baseline": base.to_dict(), "with_plan": with_plan.to_dict(),
                "compare": comparison.to_dict()}

    return await _json(s, ("settlement", scenario, draws, seed, plan), payload)


@router.get("/datasets", summary="What the warehouse holds: datasets, sources, rows set "
            "aside, provenance (tradegap.warehouse.inspect)")
async def api_datasets(request: Request) -> Response:
    s = services(request)
    # the warehouse's local path is not the client's business: it is never sent
    return await _json(s, ("datasets",), lambda: {
        "datasets": s.datasets(), "summaries": s.dataset_summaries()})


def without_path(view: Any) -> Any:
    """A headroom view whose messages say "this warehouse" instead of its local path."""
    import dataclasses

    return dataclasses.replace(view, home="(the dashboard's warehouse)")
