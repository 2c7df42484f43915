"""The HTML report, and the Jinja environment the dashboard shares with it.

The report and the dashboard render the same section partials
(``report/templates/sections/*.html.j2``). Charts are rendered by the ``chart`` global: in the
dashboard and the HTML report as a Plotly div (plotly.js served by the app or inlined in the
file); :mod:`tradegap.report.pdf` swaps it for PNG data URIs made by Kaleido.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from tradegap.atomicfile import write_text
from tradegap.errors import TradegapError
from tradegap.provenance import SYNTHETIC_LABEL
from tradegap.report import sections
from tradegap.report.format import money, share

TEMPLATES = Path(__file__).parent / "templates"
#: The shipped scenarios directory (the project's ``scenarios/``) when installed from a checkout.
SHIPPED_SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"
PLOT_CONFIG = {"responsive": True, "displaylogo": False}


def interactive_chart(fig: go.Figure | Markup | None) -> Markup:
    """A div that ``tradegap.js`` turns into a Plotly chart (figure JSON in ``data-figure``);
    a div rendered before (:func:`prerendered`) is returned as it is."""
    if fig is None:
        return Markup("")
    if isinstance(fig, Markup):
        return fig
    title = fig.layout.title.text or "chart"
    height = fig.layout.height
    style = Markup(' style="min-height: {}px"').format(int(height)) if height else ""
    tag = '<div class="tg-chart" role="img" aria-label="{}"{} data-figure="{}"></div>'
    return Markup(tag).format(title.split("<br>")[0], style, fig.to_json())


def prerendered(section: dict[str, Any]) -> dict[str, Any]:
    """``section`` with every Plotly figure (at any depth of dicts) replaced by its chart div:
    plain strings, cheap to keep and to read back (no figure is rebuilt)."""
    out: dict[str, Any] = {}
    for key, value in section.items():
        if isinstance(value, go.Figure):
            out[key] = interactive_chart(value)
        elif isinstance(value, dict):
            out[key] = prerendered(value)
        else:
            out[key] = value
    return out


def environment(extra: Iterable[Path] = ()) -> Environment:
    """Jinja environment over ``extra`` template folders, then the report's templates."""
    loaders = [FileSystemLoader(str(p)) for p in extra] + [FileSystemLoader(str(TEMPLATES))]
    env = Environment(loader=ChoiceLoader(loaders), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    from tradegap.report.glossary import glossary, term

    env.globals.update(
        chart=interactive_chart, term=term, glossary=glossary,
        money=money, share=share, SYNTHETIC_LABEL=SYNTHETIC_LABEL,
    )
    return env


def plotly_js() -> str:
    """plotly.min.js from the installed plotly package (no CDN)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def app_js() -> str:
    """The small script that renders ``.tg-chart`` divs (shared with the dashboard)."""
    return (TEMPLATES / "tradegap.js").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the report


@dataclass
class ReportOptions:
    """What goes into a report besides the pair."""

    scenario: Path | None = None
    settlement: Path | None = None
    draws: int = 200
    seed: int = 0
    datasets: list[str] | None = None
    frequency: str | None = None  # None: as the data allow (tradegap.analysis.pair_data)
    top: int = 25
    plan: bool = True
    #: The headroom ranking and real-data plan (when the warehouse holds the real datasets).
    headroom: bool = True
    headroom_top: int = 50
    notes: list[str] = field(default_factory=list)


def default_scenario(a: str, b: str, wh: Any = None) -> Path | None:
    """The plan a report shows unless told: on a warehouse of real data only (no synthetic
    dataset), the shipped real-data scenario ``russia-india-real.toml`` (candidates from the
    potential); else the demo ``all-sectors.toml``; either only if it is about this pair."""
    real = wh is not None and not any(d.synthetic for d in wh.datasets())
    path = SHIPPED_SCENARIOS / ("russia-india-real.toml" if real else "all-sectors.toml")
    if not path.is_file():
        return None
    try:
        from tradegap.planning import load_scenario

        sc = load_scenario(path)
    except TradegapError:
        return None
    return path if {sc.exporter, sc.market} == {a, b} else None


def _attempt(label: str, notes: list[str], fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except TradegapError as exc:
        notes.append(f"{label} left out: {exc}")
        return None


def build_context(wh: Any, a: str, b: str, options: ReportOptions | None = None) -> dict[str, Any]:
    """Everything the report shows, from the same Python API calls the dashboard makes."""
    from tradegap.analysis.balance import balance
    from tradegap.analysis.potential_estimate import choose_method, estimate_potential

    opts = options or ReportOptions()
    a, b = a.upper(), b.upper()
    notes = list(opts.notes)
    bal_result = balance(wh, a, b, frequency=opts.frequency, datasets=opts.datasets)
    bal = sections.balance_section(bal_result)
    row = sections.latest_period(bal_result.summary)
    # The deficit side sells more to the surplus side: potential of the deficit side.
    exporter, market = (b, a) if row is None or (row["balance"] or 0) >= 0 else (a, b)
    pot_result = None
    try:
        method = choose_method(wh, exporter, market)[0]
    except TradegapError as exc:
        method = None
        notes.append(f"export potential left out: {exc}")
    if method == "itc":  # world flows: the ITC section; else the demand method's (headroom)
        pot_result = _attempt("export potential", notes, lambda: estimate_potential(
            wh, exporter, market).itc)
    pot = sections.potential_section(pot_result, limit=opts.top) if pot_result else None
    hr = None
    view = None
    if opts.headroom or _is_real_scenario(opts.scenario):
        view = _attempt("headroom ranking and real-data plan", notes,
                        lambda: sections.headroom_view(wh, exporter, market, keep=True))
        if view is not None and not view.available:
            notes.append(f"headroom ranking and real-data plan left out: {view.missing_message()}"
                         f" (then `tradegap --home tradegap-real report {a} {b} --out FILE`)")
        elif view is not None and opts.headroom:
            hr = sections.headroom_section(view, limit=opts.headroom_top)
    pl = None
    plan_result = None
    scenario = opts.scenario
    if scenario is None and opts.plan:
        scenario = default_scenario(a, b, wh)
    if opts.plan and _is_real_scenario(scenario) and view is not None and \
            view.plan is not None:
        # the real-data scenario's candidates come from the headroom ranking: its plan is the
        # one shown in the real-data plan section, not solved again
        plan_result = view.plan
        if hr is None:
            pl = sections.plan_section(plan_result)
    elif scenario is not None and opts.plan:
        from tradegap.planning import plan

        plan_result = _attempt("plan", notes, lambda: plan(scenario, warehouse=wh))
        pl = sections.plan_section(plan_result) if plan_result else None
    st = None
    if opts.settlement is not None:
        st = _attempt("settlement", notes, lambda: _settlement(opts, plan_result, notes))
    data = sections.data_section(wh)
    # the report's banner says SYNTHETIC when its data are; a section that reads demo inputs
    # (a plan on demo candidates, say) is labelled on that section by its provenance
    synthetic = any(p and p["provenance"]["synthetic"] for p in (bal, pot, hr)) or \
        bool(data.get("synthetic"))
    demo_sections = [name for name, p in (("plan", pl), ("settlement", st))
                     if p and p["provenance"]["synthetic"]]
    return {
        "title": f"{a}–{b} trade imbalance: measures to soften it",
        "a": a, "b": b, "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "bal": bal, "pot": pot, "hr": hr, "pl": pl, "st": st, "data": data,
        "sources": sections.balance_sources(bal_result), "notes": notes,
        "synthetic": synthetic, "demo_sections": demo_sections, "interactive": False,
        "sortable": False,
    }


def _is_real_scenario(scenario: Path | None) -> bool:
    """Whether ``scenario`` is the shipped real-data scenario (``russia-india-real.toml``),
    whose candidates are built from the headroom ranking."""
    from tradegap.casestudy.pipeline import REAL_SCENARIO

    try:
        return scenario is not None and Path(scenario).resolve() == REAL_SCENARIO.resolve()
    except OSError:
        return False


def _settlement(opts: ReportOptions, plan_result: Any, notes: list[str]) -> dict[str, Any]:
    """The settlement section; with a plan, also the settlement with the plan's purchases
    (``settlement.compare``) when plan and settlement are about the same pair."""
    from tradegap.settlement import load_scenario, simulate

    sc = load_scenario(opts.settlement)
    draws = opts.draws or None
    if plan_result is None or not plan_result.feasible:
        return sections.settlement_section(simulate(sc, draws=draws, seed=opts.seed))
    from tradegap.settlement.from_plan import simulate_with_plan

    try:
        sections.check_plan_pair(plan_result, sc)
    except TradegapError as exc:
        notes.append(f"settlement with the plan left out: {exc}")
        return sections.settlement_section(simulate(sc, draws=draws, seed=opts.seed))
    base, with_plan, comparison = simulate_with_plan(sc, plan_result.path, draws=draws,
                                                     seed=opts.seed)
    st = sections.settlement_section(base)
    st["compare"] = sections.settlement_compare_section(comparison, with_plan, plan_result)
    return st


def render_html(context: dict[str, Any]) -> str:
    """The self-contained HTML report (plotly.js and the chart script inlined)."""
    env = environment()
    return env.get_template("report.html.j2").render(
        **context, pdf=False, inline_js=Markup(plotly_js() + "\n" + app_js()))


def write_report(wh: Any, a: str, b: str, out: Path,
                 options: ReportOptions | None = None) -> Path:
    """Write the report to ``out``: ``.html`` (self-contained) or ``.pdf`` (printed by Chromium)."""
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise TradegapError(f"cannot write a report as {suffix or '(no extension)'!r}",
                            hint="name the file .html or .pdf")
    from tradegap.report.pdf import report_printer, write_pdf

    pdf = suffix == ".pdf"
    # for a PDF, Chromium starts while the report is computed
    with report_printer() if pdf else contextlib.nullcontext() as printer:
        context = build_context(wh, a, b, options)
        out.parent.mkdir(parents=True, exist_ok=True)
        return write_pdf(context, out, printer) if pdf else write_text(out, render_html(context))
