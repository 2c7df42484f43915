"""Entry point of the ``tradegap`` command. Each command group lives in its own module and
registers itself here; errors raised on purpose are printed without a traceback."""

from __future__ import annotations

import sys
from importlib import import_module

import typer
from rich.text import Text

from tradegap.cli.common import err_console, state
from tradegap.errors import TradegapError

app = typer.Typer(
    name="tradegap",
    help="Measure a bilateral trade imbalance, find export potential, plan purchases that "
    "close the gap, and simulate how the payments settle.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

#: Command modules, each with ``register(app)``.
COMMAND_MODULES = (
    "tradegap.cli.ingest",
    "tradegap.cli.data",
    "tradegap.cli.fetch",
    "tradegap.cli.balance",
    "tradegap.cli.gravity",
    "tradegap.cli.potential",
    "tradegap.cli.potential_global",
    "tradegap.cli.balances",
    "tradegap.cli.plan",
    "tradegap.cli.settle",
    "tradegap.cli.serve",
    "tradegap.cli.report",
    "tradegap.cli.case_study",
)


@app.callback()
def main(
    ctx: typer.Context,
    home: str = typer.Option(
        None,
        "--home",
        help="Warehouse directory (default: $TRADEGAP_HOME, else ~/.local/share/tradegap).",
    ),
) -> None:
    state(ctx).home = home


for _module in COMMAND_MODULES:
    import_module(_module).register(app)


def run() -> None:
    """Console-script entry: run the app; a :class:`TradegapError` prints as a short message."""
    try:
        app(standalone_mode=False)
    except TradegapError as exc:
        err_console.print(Text.assemble(("error: ", "bold red"), str(exc)), highlight=False)
        sys.exit(2)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # click's usage errors arrive here in non-standalone mode
        import click

        from tradegap.warehouse.store import damaged_data_error

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        clear = damaged_data_error(exc)
        if clear is None:
            raise
        err_console.print(Text.assemble(("error: ", "bold red"), str(clear)), highlight=False)
        sys.exit(2)
