"""`tradegap gravity fit DATA --formula ...`: PPML gravity with absorbed fixed effects."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tradegap.cli.common import (
    JSON_OPTION,
    OUT_OPTION,
    console,
    print_json,
    state,
    write_table,
)
from tradegap.cli.tables import FORMAT_OPTION, Output
from tradegap.errors import InputError
from tradegap.progress import task

if TYPE_CHECKING:
    import pandas as pd


def _display(table: pd.DataFrame) -> pd.DataFrame:
    """Coefficients as text with Stata-like precision (the Rich helper rounds to 2 places)."""
    shown = table.copy()
    for col in ("estimate", "std_error", "conf_low", "conf_high"):
        shown[col] = shown[col].map(lambda v: f"{v:.7g}")
    shown["z"] = shown["z"].map(lambda v: f"{v:.2f}")
    shown["p"] = shown["p"].map(lambda v: f"{v:.3f}")
    return shown


def register(app: typer.Typer) -> None:
    """Add the ``gravity`` command group to ``app``."""
    group = typer.Typer(help="Structural gravity: PPML with high-dimensional fixed effects.",
                        no_args_is_help=True)

    @group.command("fit")
    def fit(
        data: Path = typer.Argument(..., help="A .dta, .csv or .parquet file."),
        formula: str = typer.Option(
            ..., "--formula", "-f",
            help='pyfixest/ppmlhdfe syntax, e.g. "trade ~ log(DIST) + CNTG | exporter^year + '
            'importer^year" (log, exp, sqrt and np.* may be used on variables).',
        ),
        cluster: str = typer.Option(None, "--cluster", help="Cluster variable (a+b: two-way)."),
        vcov: str = typer.Option(
            None, "--vcov", help="hetero (default) or iid, without --cluster."
        ),
        where: str = typer.Option(
            None, "--where", help="SQL row filter, e.g. \"year IN (1986,1990) AND exporter <> "
            "importer\"."
        ),
        derive: list[str] = typer.Option(
            None, "--derive", help="NAME = SQL expression, repeatable, e.g. \"ln_dist = ln(DIST)\"."
        ),
        ssc: str = typer.Option(
            "stata", "--ssc", help="Small-sample convention: stata (default; Stata's ML "
            "convention, as in the published results) or pyfixest."
        ),
        offset: str = typer.Option(
            None, "--offset", help="Column entered with coefficient 1 (Stata's offset())."
        ),
        lincoms: list[str] = typer.Option(
            None, "--lincom", help='Linear combination with its standard error, repeatable, '
            'e.g. "RTA + RTA_LAG4 + RTA_LAG8" (as Stata\'s lincom).'
        ),
        estimator: str = typer.Option(
            "ppml", "--estimator", help="ppml (default) or ols (ln y, zeros dropped)."
        ),
        separation: str = typer.Option(
            "auto", "--separation", help="Separation checks: auto (both when y has zeros, "
            "else none), none, fe, ir or both; ir costs about a third of a run."
        ),
        save: Path = typer.Option(
            None, "--save", help="Write the rows used with fitted values, linear predictor "
            "and each fixed effect's estimate (.csv, .parquet or .json)."
        ),
        as_json: bool = JSON_OPTION,
        out: Path = OUT_OPTION,
        fmt: str = FORMAT_OPTION,
    ) -> None:
        """Fit a PPML gravity model and print its coefficients, N and what was dropped."""
        from tradegap.analysis.gravity import fit_ppml, load_table
        from tradegap.analysis.gravity_lincom import lincom
        from tradegap.analysis.gravity_ols import fit_ols

        if estimator not in ("ppml", "ols"):
            raise InputError(f"unknown estimator {estimator!r}", field="--estimator",
                             hint="use ppml or ols")
        if estimator == "ols" and offset:
            raise InputError("--offset is for PPML", field="--offset",
                             hint="drop --offset or use --estimator ppml")
        frame = load_table(data, where=where, derive=list(derive or []) or None)
        try:
            with task(f"{estimator.upper()} on {len(frame):,} rows"):
                if estimator == "ols":
                    result = fit_ols(frame, formula, cluster=cluster, vcov=vcov)
                else:
                    result = fit_ppml(frame, formula, cluster=cluster, vcov=vcov, ssc=ssc,
                                      separation=separation, offset=offset)
            combos = [lincom(result.coefficients, result.vcov, e) for e in lincoms or []]
        except InputError as exc:  # name the file the user gave
            if exc.file:
                raise
            raise InputError(exc.reason, file=str(data), field=exc.field, hint=exc.hint) from exc
        if out is not None:
            write_table(result.coefficients, out)
        if save is not None:
            from tradegap.analysis.gravity_effects import rows_with_effects

            write_table(rows_with_effects(result).reset_index(names="row"), save)
        if as_json:
            print_json({"data": str(data), "where": where, **result.to_dict(),
                        "lincom": combos})
            return
        Output(fmt, console).table(_display(result.coefficients),
                                   f"{result.estimator.upper()}: {result.formula}")
        console.print(f"[dim]{result.vcov_type}; {result.small_sample}[/]", highlight=False)
        console.print(
            f"N = {result.n_obs:,} of {result.n_input:,} rows"
            + (f"; {result.n_clusters:,} clusters" if result.n_clusters else "")
            + (f"; pseudo log-likelihood {result.pseudo_loglik:,.2f}"
               if math.isfinite(result.pseudo_loglik) else "")  # OLS has none (NaN)
            + ("" if result.converged else "; [bold red]NOT CONVERGED[/]")
        )
        if result.n_dropped:
            console.print("Dropped:")
            for reason, count in result.dropped.items():
                if count:
                    console.print(f"  {count:>10,}  {reason}")
        for combo in combos:
            console.print(f"lincom {combo['expression']}: {combo['estimate']:.7g} "
                          f"(se {combo['std_error']:.7g}, z {combo['z']:.2f}, p "
                          f"{combo['p']:.3f}, 95% [{combo['conf_low']:.7g}, "
                          f"{combo['conf_high']:.7g}])")
        for note in result.notes:
            console.print(f"[yellow]note:[/] {note}")
        if out is not None:
            console.print(f"coefficients written to {out}")
        if save is not None:
            console.print(f"fitted values and fixed effects written to {save}")

    @group.command("potential")
    def potential(
        ctx: typer.Context,
        exports: Path = typer.Argument(
            None, help="One exporter's exports: a .csv/.parquet/.dta with product, market (ISO3) "
            "and value (US$) columns. Without it: read from the warehouse (--dataset)."
        ),
        dataset: str = typer.Option(None, "--dataset", help="Warehouse flows dataset with the "
                                    "exporter's exports to every market (default: the one "
                                    "with the most markets, e.g. india-dgcis)."),
        period: str = typer.Option(None, "--period", help="Period of --dataset (default: its "
                                   "latest year)."),
        exporter: str = typer.Option(..., "--exporter", help="ISO3 of the exporter (distances)."),
        target: str = typer.Option(..., "--target", help="ISO3 of the target market."),
        year: int = typer.Option(..., "--year", help="Year of the markets' GDP."),
        product_col: str = typer.Option("product", "--product-col"),
        market_col: str = typer.Option("market", "--market-col"),
        value_col: str = typer.Option("value", "--value-col"),
        digits: int = typer.Option(
            None, "--digits", help="Aggregate product codes to their first N digits (e.g. 4)."
        ),
        where: str = typer.Option(None, "--where", help="SQL row filter on the exports file."),
        min_markets: int = typer.Option(5, "--min-markets", help="Rank products exported to at "
                                        "least this many markets."),
        group_digits: int = typer.Option(2, "--group-digits", help="Slopes shared by products "
                                         "with the same first N digits (2 = HS chapter)."),
        top: int = typer.Option(20, "--top", help="Rows to print (the file gets all)."),
        as_json: bool = JSON_OPTION,
        out: Path = OUT_OPTION,
        fmt: str = FORMAT_OPTION,
    ) -> None:
        """Rank products by untapped gravity potential of EXPORTER in TARGET."""
        import pandas as pd

        from tradegap.analysis.gravity import load_table
        from tradegap.analysis.gravity_potential import gravity_potential, market_covariates

        source = str(exports) if exports is not None else None
        if exports is None:
            from tradegap.analysis.potential_estimate import national_exports

            frame, source = national_exports(state(ctx).warehouse(), exporter, dataset=dataset,
                                             period=period)
            product_col, market_col, value_col = "product", "market", "value"
            digits = digits or 4
            if where:
                import duckdb

                try:
                    frame = duckdb.sql(f"SELECT * FROM frame WHERE {where}").df()
                except duckdb.Error as exc:
                    raise InputError(f"--where {where!r} does not apply: {exc}",
                                     field="--where", hint="columns: product, market, "
                                     "value") from exc
        else:
            frame = load_table(exports, where=where)
        if digits and product_col in frame.columns:
            frame[product_col] = frame[product_col].astype(str).str[:digits]
        try:
            ranking = gravity_potential(
                frame, market_covariates(exporter, year), target, product_col=product_col,
                market_col=market_col, value_col=value_col, min_markets=min_markets,
                group_digits=group_digits,
            )
        except InputError as exc:
            if exc.file:
                raise
            raise InputError(exc.reason, file=source, field=exc.field, hint=exc.hint) from exc
        if out is not None:
            write_table(ranking, out)
        prov = ranking.attrs["provenance"]
        if exports is None:
            prov.datasets = [source or "", *prov.datasets]
        if as_json:
            print_json({"target": target, "ranking": ranking.head(top),
                        "coefficients": ranking.attrs["coefficients"],
                        "excluded": ranking.attrs["excluded"], "provenance": prov.to_dict()})
            return
        from tradegap.report.format import country_label, product_label

        printer = Output(fmt, console)
        printer.synthetic(prov)
        head = ranking.head(top)
        shown = pd.DataFrame({
            "product": head["product"].to_numpy(),
            "name": [product_label(c) for c in head["product"]],
            "untapped": head["untapped"].to_numpy(), "actual": head["actual"].to_numpy(),
            "expected": head["expected"].to_numpy(), "ratio": head["ratio"].to_numpy(),
            "markets": head["n_markets"].to_numpy(), "model": head["model"].to_numpy()})
        printer.table(shown, f"Gravity potential of {country_label(exporter)} in "
                      f"{country_label(target)}, largest untapped first",
                      kinds={"product": "code", "name": "name", "untapped": "money",
                             "actual": "money", "expected": "money", "ratio": "number",
                             "markets": "integer"},
                      labels={"ratio": "actual ÷ expected"},
                      optional=["actual", "ratio", "markets", "model"][::-1])
        for note in prov.notes:
            if note != prov.label:
                printer.note(note)
        if out is not None:
            printer.message(f"ranking written to {out}")

    from tradegap.cli.gravity_ge import register_ge

    register_ge(group)
    app.add_typer(group, name="gravity")
