"""`tradegap gravity fit DATA --formula ...`: PPML gravity with absorbed fixed effects."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from tradegap.cli.common import (
    JSON_OPTION,
    OUT_OPTION,
    console,
    print_json,
    rich_table,
    write_table,
)
from tradegap.errors import InputError
from tradegap.progress import task


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
        as_json: bool = JSON_OPTION,
        out: Path = OUT_OPTION,
    ) -> None:
        """Fit a PPML gravity model and print its coefficients, N and what was dropped."""
        from tradegap.analysis.gravity import fit_ppml, load_table

        frame = load_table(data, where=where, derive=list(derive or []) or None)
        try:
            with task(f"PPML on {len(frame):,} rows"):
                result = fit_ppml(frame, formula, cluster=cluster, vcov=vcov, ssc=ssc)
        except InputError as exc:  # name the file the user gave
            if exc.file:
                raise
            raise InputError(exc.reason, file=str(data), field=exc.field, hint=exc.hint) from exc
        if out is not None:
            write_table(result.coefficients, out)
        if as_json:
            print_json({"data": str(data), "where": where, **result.to_dict()})
            return
        console.print(rich_table(
            _display(result.coefficients),
            title=f"PPML: {result.formula}",
            caption=f"{result.vcov_type}; {result.small_sample}",
        ))
        console.print(
            f"N = {result.n_obs:,} of {result.n_input:,} rows"
            + (f"; {result.n_clusters:,} clusters" if result.n_clusters else "")
            + f"; pseudo log-likelihood {result.pseudo_loglik:,.2f}"
            + ("" if result.converged else "; [bold red]NOT CONVERGED[/]")
        )
        if result.n_dropped:
            console.print("Dropped:")
            for reason, count in result.dropped.items():
                if count:
                    console.print(f"  {count:>10,}  {reason}")
        for note in result.notes:
            console.print(f"[yellow]note:[/] {note}")
        if out is not None:
            console.print(f"coefficients written to {out}")

    @group.command("potential")
    def potential(
        exports: Path = typer.Argument(
            ..., help="One exporter's exports: a .csv/.parquet/.dta with product, market (ISO3) "
            "and value (US$) columns."
        ),
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
    ) -> None:
        """Rank products by untapped gravity potential of EXPORTER in TARGET."""
        from tradegap.analysis.gravity import load_table
        from tradegap.analysis.gravity_potential import gravity_potential, market_covariates

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
            raise InputError(exc.reason, file=str(exports), field=exc.field, hint=exc.hint) from exc
        if out is not None:
            write_table(ranking, out)
        prov = ranking.attrs["provenance"]
        if as_json:
            print_json({"target": target, "ranking": ranking.head(top),
                        "coefficients": ranking.attrs["coefficients"],
                        "excluded": ranking.attrs["excluded"], "provenance": prov.to_dict()})
            return
        shown = ranking.head(top)[["product", "actual", "expected", "untapped", "ratio",
                                   "n_markets", "model"]].copy()
        for col in ("actual", "expected", "untapped"):
            shown[col] = shown[col] / 1e6
        console.print(rich_table(shown.rename(columns={"n_markets": "markets"}),
                                 title=f"Gravity potential of {exporter} in {target} (US$ million)",
                                 caption=prov.label))
        for note in prov.notes:
            console.print(f"[dim]{note}[/]")
        if out is not None:
            console.print(f"ranking written to {out}")

    app.add_typer(group, name="gravity")
