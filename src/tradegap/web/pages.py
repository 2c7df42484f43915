"""HTML pages (Jinja2 + HTMX + Plotly). Each page renders the shared report sections from the
same Python API calls as the JSON API; partial routes (``/…/results``) feed HTMX swaps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from pydantic import ValidationError

from tradegap.report import sections
from tradegap.report.html import environment
from tradegap.web.api import (
    Country,
    Groups,
    OneDataset,
    PlanName,
    Scenario,
    check_plan_choice,
    groups_or_422,
    services,
)
from tradegap.web.limits import bounded
from tradegap.web.params import (
    MAX_UNTAPPED,
    NAME,
    SEARCH,
    Frequency,
    HeadroomSort,
    Order,
    PlanSettings,
    SortKey,
    known_groups,
    only_known_query,
)

TEMPLATES = Path(__file__).parent / "templates"
router = APIRouter(include_in_schema=False, dependencies=[Depends(only_known_query)])
_env = environment([TEMPLATES])


def _downloads(path: str, key: str, params: dict[str, Any] | None = None, *,
               what: str = "table", **kw: Any) -> Markup:
    """CSV and Excel links for table ``key`` of API ``path`` (the same JSON the API returns),
    under a table (``what="table"``) or a chart (``what="chart"``: the chart's data)."""
    from tradegap.web.downloads import download_link

    merged = {**(params or {}), **kw}
    merged = {k: v for k, v in merged.items() if str(v) != ""}  # undefined in a template
    csv_url = download_link(path, merged, key, "csv")
    xlsx_url = download_link(path, merged, key, "xlsx")
    text = "Download this chart's data" if what == "chart" else "Download this table"
    return Markup('<p class="downloads" data-table="{k}" data-for="{w}">{t}: '
                  '<a href="{c}" download data-format="csv">CSV</a> · '
                  '<a href="{x}" download data-format="xlsx">Excel</a></p>').format(
                      k=key, w=what, t=text, c=csv_url, x=xlsx_url)


_env.globals["downloads"] = _downloads
PAGES = (("overview", "/", "Overview"), ("balance", "/balance", "Balance"),
         ("potential", "/potential", "Potential"), ("headroom", "/headroom", "Headroom"),
         ("plan", "/plan", "Plan"),
         ("settlement", "/settlement", "Settlement"), ("measures", "/measures", "Measures"),
         ("data", "/data", "Data"))
Period = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9-]{1,12}$")]


def compile_templates() -> None:
    """Compile every page template now (Jinja compiles a template at its first use and keeps
    it), so that no visitor's first request pays for it."""
    for name in _env.list_templates(extensions=["j2"]):
        _env.get_template(name)


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    a = context.get("a", "RUS")
    b = context.get("b", "IND")
    pair = urlencode({"a": a, "b": b})
    links = {
        "overview": f"/?{pair}", "balance": f"/balance?{pair}", "data": f"/data?{pair}",
        "potential": "/potential?" + urlencode({"exporter": context.get("exporter", b),
                                                "market": context.get("market", a)}),
        "headroom": "/headroom", "plan": "/plan", "settlement": "/settlement",
        "measures": "/measures",
    }
    base = {"request": request, "pages": PAGES, "links": links, "page": "", "a": a, "b": b,
            "synthetic": False, "interactive": True, "sortable": False, "error": None,
            "hint": None, "partial": False, "pdf": False}
    html = _env.get_template(template).render(**{**base, **context})
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message: str, hint: str | None) -> HTMLResponse:
    template = "error_fragment.html.j2" if request.headers.get("hx-request") else "error.html.j2"
    return render(request, template, status=status, error=message, hint=hint,
                  title=f"Error {status}")


#: The Plan form's boxes, as the form labels them, with their range in percent.
PLAN_FORM_FIELDS = {
    "target_share": ("target: share of the gap closed", "0 to 100 %"),
    "market_share_max": ("market-share cap", "1 to 100 %"),
    "ramp_share": ("ramp-up per year", "1 to 100 % of potential"),
    "groups": ("groups allowed", "the groups listed"),
    "scenario": ("scenario", "a shipped scenario"),
}


def plan_form_message(exc: ValidationError) -> str:
    """A validation error of the Plan form in the form's own words and units (percent)."""
    parts = []
    for e in exc.errors():
        field = str(e.get("loc", ("",))[0])
        label, allowed = PLAN_FORM_FIELDS.get(field, (field.replace("_", " "), ""))
        value = e.get("input")
        if isinstance(value, float) and field.endswith(("_share", "_max")):
            shown = f"{value * 100:g} %"
        elif value is None or value == "":
            shown = "empty"
        else:
            shown = str(value)
        parts.append(f"“{label}” must be {allowed} (it was {shown})." if allowed
                     else f"“{label}”: {e.get('msg', 'invalid')}.")
    return " ".join(parts) or "The form could not be read."


# --------------------------------------------------------------------------- overview, balance


@router.get("/", response_class=HTMLResponse)
async def overview(request: Request, a: Country = "RUS", b: Country = "IND",
                   period: Period = None,
                   frequency: Frequency = "auto") -> HTMLResponse:
    result = await bounded(services(request).balance, a, b, frequency)
    bal = sections.balance_section(result, period)
    head = bal["headline"]
    row = sections.latest_period(result.summary)
    surplus = row is not None and (row["balance"] or 0) >= 0
    exporter, market = (b, a) if surplus or row is None else (a, b)
    periods = [p for p, r in zip(bal["periods"], bal["summary"], strict=True)
               if r["exports"] != "—"]
    return render(request, "overview.html.j2", page="overview", a=a, b=b, bal=bal,
                  head=head, periods=periods, frequency=frequency, exporter=exporter,
                  market=market, synthetic=result.provenance.synthetic)


@router.get("/balance", response_class=HTMLResponse)
async def balance_page(request: Request, a: Country = "RUS", b: Country = "IND",
                       frequency: Frequency = "auto", dataset: OneDataset = "") -> HTMLResponse:
    """The balance; where several datasets hold the pair's numbers, a picker shows one
    dataset's numbers alone (``dataset``)."""
    s = services(request)
    datasets = await bounded(s.pair_datasets, a, b, frequency)
    if dataset and dataset not in datasets:
        from tradegap.errors import InputError

        raise InputError(f"no dataset {dataset!r} holds {a}–{b} numbers", field="dataset",
                         hint="choose one of: " + (", ".join(datasets) or "(none)"))
    result = await bounded(s.balance, a, b, frequency, dataset)
    detail = await bounded(s.composition_hs6, a, b, frequency, dataset)
    bal = sections.balance_section(result, detail=detail)
    return render(request, "balance.html.j2", page="balance", a=a, b=b, bal=bal,
                  frequency=frequency, synthetic=result.provenance.synthetic,
                  dataset=dataset, pair_datasets=datasets)


# --------------------------------------------------------------------------- potential


async def _potential_context(request: Request, exporter: str, market: str,
                             group: list[str] | None, min_untapped: float, q: str, sort: str,
                             order: str) -> dict[str, Any]:
    groups = groups_or_422(group)
    result = await bounded(services(request).potential, exporter, market, groups)
    table = sections.filter_potential(sections.potential_table(result),
                                      min_untapped=min_untapped, q=q, sort=sort, order=order)
    pot = sections.potential_section(result, table, limit=100, groups=groups)
    params = {"exporter": exporter, "market": market, "min_untapped": min_untapped, "q": q}

    def sort_url(key: str) -> str:
        flip = "asc" if sort == key and order == "desc" else "desc"
        query = [*params.items(), *(("group", g) for g in groups), ("sort", key),
                 ("order", flip)]
        return "/potential/results?" + urlencode(query)

    return {"pot": pot, "exporter": exporter, "market": market, "groups": list(groups),
            "min_untapped": min_untapped, "q": q, "sort": sort, "order": order,
            "sort_url": sort_url, "sortable": True, "known_groups": known_groups(),
            "api_query": {**params, "group": list(groups), "sort": sort, "order": order},
            "synthetic": result.provenance.synthetic, "a": market, "b": exporter}


@router.get("/potential", response_class=HTMLResponse)
async def potential_page(
    request: Request, exporter: Country = "IND", market: Country = "RUS", group: Groups = None,
    min_untapped: Annotated[float, Query(ge=0, le=MAX_UNTAPPED)] = 0.0,
    q: Annotated[str, Query(pattern=SEARCH, max_length=80)] = "",
    sort: SortKey = "untapped", order: Order = "desc",
) -> HTMLResponse:
    ctx = await _potential_context(request, exporter, market, group, min_untapped, q, sort,
                                   order)
    return render(request, "potential.html.j2", page="potential", **ctx)


@router.get("/potential/results", response_class=HTMLResponse)
async def potential_results(
    request: Request, exporter: Country = "IND", market: Country = "RUS", group: Groups = None,
    min_untapped: Annotated[float, Query(ge=0, le=MAX_UNTAPPED)] = 0.0,
    q: Annotated[str, Query(pattern=SEARCH, max_length=80)] = "",
    sort: SortKey = "untapped", order: Order = "desc",
) -> HTMLResponse:
    ctx = await _potential_context(request, exporter, market, group, min_untapped, q, sort,
                                   order)
    return render(request, "sections/potential_table.html.j2", **ctx)


# --------------------------------------------------------------------------- headroom


@router.get("/headroom", response_class=HTMLResponse)
async def headroom_page(request: Request, exporter: Country = "IND", market: Country = "RUS",
                        group: Groups = None, sort: HeadroomSort | None = None,
                        order: Order = "desc") -> HTMLResponse:
    """The headroom ranking and the real-data plan; without the real datasets, what is missing
    and the command that builds them. ``sort``/``order``: the table's sorted column, as the
    page writes it into the address when a heading is clicked."""
    groups = groups_or_422(group, headroom=True)
    hr = await bounded(services(request).headroom_section, exporter, market, groups)
    from tradegap.reference.groups import product_groups

    api_query = {"exporter": exporter, "market": market, "groups": ",".join(groups)}
    if sort:
        api_query |= {"sort": sort, "order": order}
    return render(request, "headroom.html.j2", page="headroom", hr=hr, exporter=exporter,
                  market=market, groups=list(groups), known_groups=list(product_groups()),
                  synthetic=hr.get("synthetic", False), a=market, b=exporter, sort=sort or "",
                  order=order, api_query=api_query)


# --------------------------------------------------------------------------- plan


def _plan_form(sc: Any) -> dict[str, Any]:
    return {
        "target_pct": round(100 * sc.target_share[0], 1) if sc.target_share else 25.0,
        "market_share_pct": round(100 * sc.market_share_max, 1)
        if sc.market_share_max is not None else 100.0,
        "ramp_pct": round(100 * sc.ramp_share, 1) if sc.ramp_share is not None else 100.0,
        "groups": list(sc.groups) if sc.groups else [],
    }


#: A scenario by name, or empty: the page's default (real-data scenarios on a real warehouse).
MaybeScenario = Annotated[str, Query(pattern=r"^$|" + NAME,
                                     description="a shipped scenario, by name")]


@router.get("/plan", response_class=HTMLResponse)
async def plan_page(request: Request, scenario: MaybeScenario = "",
                    target_pct: float | None = None, market_share_pct: float | None = None,
                    ramp_pct: float | None = None,
                    groups: Annotated[list[str] | None, Query(max_length=20)] = None,
                    ) -> HTMLResponse:
    """The Plan page; the form's settings in the URL (as the page writes them after a
    re-solve) are applied, so a bookmarked or reloaded view is the same view."""
    s = services(request)
    scenario = scenario or await bounded(s.default_scenario, "plan")
    sc = await bounded(s.plan_scenario, scenario)
    form = _plan_form(sc)
    changes: dict[str, object] = {}
    query: dict[str, Any] = {"scenario": scenario}
    if any(v is not None for v in (target_pct, market_share_pct, ramp_pct)) or groups:
        try:
            settings = PlanSettings(
                scenario=scenario,
                target_share=None if target_pct is None else target_pct / 100,
                market_share_max=None if market_share_pct is None else market_share_pct / 100,
                ramp_share=None if ramp_pct is None else ramp_pct / 100, groups=groups or None)
        except ValidationError as exc:
            return error_page(request, 422, plan_form_message(exc),
                              "percentages run from 0 to 100")
        changes = settings.changes()
        query = plan_query(settings)
        form |= {k: v for k, v in (("target_pct", target_pct),
                                    ("market_share_pct", market_share_pct),
                                    ("ramp_pct", ramp_pct)) if v is not None}
        if groups:
            form["groups"] = list(groups)
    result = await bounded(s.plan, scenario, changes)
    pl = sections.plan_section(result)
    add_fix_links(pl, {"scenario": scenario, "target_pct": target_pct,
                       "market_share_pct": market_share_pct, "ramp_pct": ramp_pct,
                       "groups": list(groups or [])})
    candidate_groups = await bounded(s.plan_groups, scenario)
    return render(request, "plan.html.j2", page="plan", pl=pl, scenario=scenario,
                  api_query=query,
                  scenarios=s.scenario_names("plan"), form=form,
                  candidate_groups=candidate_groups,
                  synthetic=result.provenance.synthetic, a=sc.market, b=sc.exporter)


#: Relaxations the Plan page has a control for: (family, key) → its address parameter.
FIX_PARAMS = {("target", "share"): "target_pct", ("ramp", "share"): "ramp_pct"}


def add_fix_links(pl: dict[str, Any], page: dict[str, Any]) -> None:
    """"Apply this fix" on an infeasible plan: the Plan page's address (``page``: its current
    parameters) with the one setting a least relaxation changes, rounded to the form's 0.1 %
    in the direction that keeps the plan feasible (a target down, a ramp-up limit up)."""
    import math

    inf = pl.get("infeasible")
    for fix in (inf or {}).get("fixes", []):
        param = FIX_PARAMS.get((fix["family"], fix["key"]))
        if param is None:
            continue
        pct = 100 * fix["new"]
        value = math.floor(pct * 10) / 10 if fix["new"] < fix["old"] else math.ceil(pct * 10) / 10
        query = {k: v for k, v in page.items() if v not in (None, [], "")}
        fix["href"] = "/plan?" + urlencode({**query, param: f"{value:g}"}, doseq=True)


def plan_query(settings: PlanSettings) -> dict[str, Any]:
    """The query of ``GET /api/plan`` for these settings (what the download links read)."""
    return {k: v for k, v in settings.model_dump().items() if v is not None}


def _form_number(form: dict[str, list[str]], key: str) -> float | None | str:
    raw = (form.get(key) or [""])[-1].strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        return raw  # Pydantic rejects it with a clear message


@router.post("/plan/results", response_class=HTMLResponse)
async def plan_results(request: Request) -> HTMLResponse:
    """Re-solve from the Plan page's form (URL-encoded; percentages)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    form = parse_qs(body, keep_blank_values=True, max_num_fields=50)

    def pct(key: str) -> float | None | str:
        v = _form_number(form, key)
        return v / 100 if isinstance(v, float) else v

    try:
        settings = PlanSettings(
            scenario=(form.get("scenario") or ["all-sectors"])[-1],
            target_share=pct("target_pct"), market_share_max=pct("market_share_pct"),
            ramp_share=pct("ramp_pct"), groups=form.get("groups") or None,
        )
    except ValidationError as exc:
        return error_page(request, 422, plan_form_message(exc),
                          "percentages run from 0 to 100; leave a box empty to keep the "
                          "scenario's own value")
    result = await bounded(services(request).plan, settings.scenario, settings.changes())
    pl = sections.plan_section(result)

    def pct_of(v: float | None) -> str | None:
        return None if v is None else f"{round(100 * v, 4):g}"

    add_fix_links(pl, {"scenario": settings.scenario,
                       "target_pct": pct_of(settings.target_share),
                       "market_share_pct": pct_of(settings.market_share_max),
                       "ramp_pct": pct_of(settings.ramp_share),
                       "groups": list(settings.groups or [])})
    return render(request, "plan_results.html.j2", pl=pl, partial=True,
                  synthetic=result.provenance.synthetic, api_query=plan_query(settings))


# --------------------------------------------------------------------------- settlement


async def _settlement(request: Request, scenario: str, draws: int, seed: int,
                      plan: str) -> tuple[dict[str, Any], bool]:
    """The settlement section, with the plan's comparison when a plan is chosen."""
    s = services(request)
    if not plan:
        result = await bounded(s.settlement, scenario, draws, seed)
        return sections.settlement_section(result), result.provenance.synthetic
    check_plan_choice(s, plan)
    base, with_plan, comparison, chosen = await bounded(s.settlement_with_plan, scenario, draws,
                                                        seed, plan)
    st = sections.settlement_section(base)
    st["compare"] = sections.settlement_compare_section(comparison, with_plan, chosen)
    return st, bool(base.provenance.synthetic or st["compare"]["synthetic"])


@router.get("/settlement", response_class=HTMLResponse)
async def settlement_page(
    request: Request, scenario: MaybeScenario = "",
    draws: Annotated[int, Query(ge=0, le=2000)] = 200,
    seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0, plan: PlanName = "",
) -> HTMLResponse:
    s = services(request)
    scenario = scenario or await bounded(s.default_scenario, "settlement")
    st, synthetic = await _settlement(request, scenario, draws, seed, plan)
    return render(request, "settlement.html.j2", page="settlement", st=st, scenario=scenario,
                  scenarios=s.scenario_names("settlement"), draws=draws, seed=seed,
                  plan=plan, plans=s.plan_choices(), synthetic=synthetic,
                  api_query={"scenario": scenario, "draws": draws, "seed": seed, "plan": plan},
                  a=st["surplus"] or "RUS", b=st["deficit"] or "IND")


@router.get("/settlement/results", response_class=HTMLResponse)
async def settlement_results(
    request: Request, scenario: Scenario = "settlement-fund",
    draws: Annotated[int, Query(ge=0, le=2000)] = 200,
    seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0, plan: PlanName = "",
) -> HTMLResponse:
    st, synthetic = await _settlement(request, scenario, draws, seed, plan)
    return render(request, "settlement_results.html.j2", st=st, partial=True,
                  synthetic=synthetic,
                  api_query={"scenario": scenario, "draws": draws, "seed": seed, "plan": plan})


# --------------------------------------------------------------------------- data


@router.get("/data", response_class=HTMLResponse)
async def data_page(request: Request, a: Country = "RUS", b: Country = "IND",
                    frequency: Frequency = "calendar_year") -> HTMLResponse:
    s = services(request)
    data = await bounded(s.data)
    result = await bounded(s.balance, a, b, frequency)
    summaries = await bounded(s.dataset_summaries)
    return render(request, "data.html.j2", page="data", data=data, a=a, b=b,
                  frequency=frequency,
                  summary_index={d["name"]: i for i, d in enumerate(summaries)},
                  sources=sections.balance_sources(result), bal_prov=result.provenance,
                  synthetic=data["synthetic"] or result.provenance.synthetic)
