"""`tradegap plan run SCENARIO.toml` and `tradegap plan compare A.toml B.toml …`: thin wrappers
over :func:`tradegap.planning.plan` and :func:`tradegap.planning.compare`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tradegap.cli.common import (
    CHARTS_OPTION,
    JSON_OPTION,
    OUT_OPTION,
    RunByDefault,
    console,
    err_console,
    print_json,
    write_charts,
    write_table,
)
from tradegap.cli.tables import FORMAT_OPTION, Output

if TYPE_CHECKING:
    import pandas as pd

CANDIDATES_OPTION = typer.Option(
    None, "--candidates", help="Candidates CSV/Parquet (overrides candidates.path in the TOML)."
)


def _candidates(path: Path | None) -> pd.DataFrame | None:
    if path is None:
        return None
    from tradegap.planning.scenario import read_candidates

    return read_candidates(path)


def _warehouse(ctx: typer.Context, scenario: Path, candidates: Path | None) -> object:
    """The warehouse, when the scenario builds its candidates from the potential."""
    if candidates is not None:
        return None
    from tradegap.cli.common import state
    from tradegap.planning import load_scenario

    if load_scenario(scenario).candidates_path is not None:
        return None
    return state(ctx).warehouse()


STATUS_WORDS = {"optimal": "best plan within the limits", "infeasible": "no plan meets every "
                "limit", "time_limit": "stopped at the time limit"}


def _binding_words(text: object) -> str:
    if not isinstance(text, str) or not text:
        return "—"
    from tradegap.planning.explain import constraint_words

    return "; ".join(constraint_words(k.strip()) for k in text.split(";") if k.strip())


def register(app: typer.Typer) -> None:
    """Add the ``plan`` command group to ``app``."""
    group = typer.Typer(help="Plan extra purchases that close a share of the trade gap "
                        "(`tradegap plan FILE.toml` runs one scenario).",
                        no_args_is_help=True, cls=RunByDefault)

    @group.command("run")
    def run(
        ctx: typer.Context,
        scenario: Path = typer.Argument(..., help="Scenario TOML file (see scenarios/)."),
        candidates: Path = CANDIDATES_OPTION,
        as_json: bool = JSON_OPTION,
        out: Path = OUT_OPTION,
        charts: Path = CHARTS_OPTION,
        fmt: str = FORMAT_OPTION,
    ) -> None:
        """Solve a scenario: the plan per product and year, the balance path, what binds."""
        import pandas as pd

        from tradegap.planning import plan

        result = plan(scenario, _candidates(candidates),
                      warehouse=_warehouse(ctx, scenario, candidates))
        if out is not None:
            write_table(result.table, out, result.provenance)
        if charts is not None:
            from tradegap.report.charts_plan import balance_path, binding_constraints, mix_bars

            figures = {"balance_path": balance_path(result)}
            if result.feasible:
                figures |= {"mix": mix_bars(result), "binding": binding_constraints(result)}
            for path in write_charts(figures, charts):
                err_console.print(f"chart: {path}")
        if as_json:
            print_json(result.to_dict())
            return
        sc = result.scenario
        printer = Output(fmt, console)
        printer.synthetic(result.provenance)
        status = STATUS_WORDS.get(result.status, result.status.replace("_", " "))
        solver = "mixed-integer (minimum order sizes)" if result.is_mip else "linear"
        printer.message(f"[bold]{sc.name}[/bold]: {_country(sc.market)} buys more from "
                        f"{_country(sc.exporter)} — {status}; {solver} model")
        path = result.path.copy()
        printer.table(path, "How the gap closes, by year",
                      kinds={"year": "year", "baseline_gap": "money", "target_usd": "money",
                             "extra_purchases": "money", "projected_gap": "money",
                             "share_closed": "share"},
                      labels={"baseline_gap": "gap without the plan", "target_usd": "target",
                              "extra_purchases": "extra purchases",
                              "projected_gap": "gap with the plan",
                              "share_closed": "share closed"})
        if result.feasible:
            from tradegap.report.format import product_label

            final = result.table[result.table["year"] == result.table["year"].max()]
            top = final.sort_values("extra_usd", ascending=False).head(15)
            view = pd.DataFrame({
                "product": top["product"].to_numpy(),
                "name": [product_label(c, n) for c, n in zip(top["product"], top["name"],
                                                             strict=True)],
                "extra": top["extra_usd"].to_numpy(),
                "group": top["group"].to_numpy(), "route": top["route"].to_numpy()})
            printer.table(view, f"Largest extra purchases in {int(result.path['year'].iloc[-1])}",
                          kinds={"product": "code", "name": "name", "extra": "money"},
                          labels={"extra": "extra purchases"}, optional=["group", "route"][::-1])
            printer.table(result.mix, "Mix by product group, final year",
                          kinds={"extra_usd": "money", "share": "share"},
                          labels={"extra_usd": "extra purchases"})
            if len(result.binding):
                printer.message("[bold]What binds[/bold]")
                for sentence in result.binding["sentence"]:
                    printer.message(f"  • {sentence}")
        elif result.infeasibility is not None:
            printer.message(f"[bold red]No plan meets every limit.[/bold red] "
                            f"{result.infeasibility.sentence}")
        for note in result.notes:
            printer.note(f"note: {note}")

    @group.command("compare")
    def compare_cmd(
        ctx: typer.Context,
        scenarios: list[Path] = typer.Argument(..., help="Two or more scenario TOML files."),
        candidates: Path = CANDIDATES_OPTION,
        as_json: bool = JSON_OPTION,
        out: Path = OUT_OPTION,
        fmt: str = FORMAT_OPTION,
    ) -> None:
        """Side by side: gap closed, mix by group, binding constraints."""
        import pandas as pd

        from tradegap.planning import compare, plan

        cands = _candidates(candidates)
        results = [plan(s, cands, warehouse=_warehouse(ctx, s, candidates))
                   for s in scenarios]
        table = compare(*results)
        if out is not None:
            write_table(table, out)
        if as_json:
            print_json(table)
            return
        from tradegap.cli.tables import cell

        printer = Output(fmt, console)
        for result in results:
            printer.synthetic(result.provenance)
        rows: dict[str, list[str]] = {}
        for _, r in table.iterrows():
            values = {
                "status": STATUS_WORDS.get(str(r["status"]), str(r["status"])),
                "final year": cell(r["final_year"], "year"),
                "gap closed": cell(r["gap_closed_usd"], "money"),
                "share of the gap": cell(r["share_closed"], "share"),
                "model": "mixed-integer" if r["is_mip"] else "linear",
            }
            for c in [c for c in table.columns if c.startswith("mix_")]:
                values[f"{c[4:]} in the mix"] = cell(r[c], "share")
            for key, value in values.items():
                rows.setdefault(key, []).append(value)
        shown = pd.DataFrame({"": list(rows), **{str(name): [rows[k][i] for k in rows]
                                                  for i, name in enumerate(table["scenario"])}})
        printer.table(shown, "Scenarios compared",
                      kinds={str(n): "name" for n in table["scenario"]} | {"": "text"})
        for _, r in table.iterrows():
            printer.note(f"What binds in {r['scenario']}: {_binding_words(r.get('binding'))}")

    app.add_typer(group, name="plan")


def _country(iso3: str) -> str:
    from tradegap.report.format import country_label

    return country_label(iso3)
