"""Entry point of the ``tradegap`` command. Each command group lives in its own module and
registers itself here; errors raised on purpose are printed without a traceback."""

from __future__ import annotations

import inspect
import signal
import sys
from importlib import import_module

import typer
from rich.text import Text

from tradegap.cli.common import err_console, quiet_libraries, state
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
    "tradegap.cli.measures",
    "tradegap.cli.serve",
    "tradegap.cli.report",
    "tradegap.cli.case_study",
    "tradegap.cli.version",
    "tradegap.cli.complexity",
    "tradegap.cli.smart",
)


def _print_version(value: bool) -> None:
    if value:
        from tradegap import __version__

        typer.echo(f"tradegap {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    home: str = typer.Option(
        None,
        "--home",
        help="Warehouse directory (default: $TRADEGAP_HOME, else ~/.local/share/tradegap).",
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v",
        help="Show the solver's log and the INFO messages of the chart and PDF libraries.",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True,
        help="Print tradegap's version and exit (`tradegap version --json` for more).",
    ),
) -> None:
    state(ctx).home = home
    state(ctx).verbose = verbose
    quiet_libraries(verbose)


def one_line_summaries(group: typer.Typer) -> None:
    """Give every command of ``group`` (and of its sub-groups) whose summary is its docstring
    that summary as one line: the first paragraph with its source line breaks joined. Typer
    keeps a docstring's line breaks in the commands panel, where they break lines mid-sentence
    at any terminal width; the command's own ``--help`` keeps the docstring as written."""
    for info in group.registered_commands:
        doc = info.help or (info.callback.__doc__ if info.callback else None)
        if info.short_help is None and doc:
            info.short_help = " ".join(inspect.cleandoc(doc).split("\n\n")[0].split())
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            one_line_summaries(sub.typer_instance)


for _module in COMMAND_MODULES:
    import_module(_module).register(app)
one_line_summaries(app)


def run(argv: list[str] | None = None) -> None:
    """Console-script entry.

    Usage errors (missing argument, unknown option or command, bad value) are left to the
    command-line library in its standalone mode, which prints the message and the usage line
    and exits 2 — whichever click it uses (typer ≥ 0.29 vendors its own), so no exception class
    of it is named here. A :class:`TradegapError` prints as one short message, exit 2. Bare
    ``tradegap`` prints the help and exits 0."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        args = ["--help"]
    from tradegap.cli.progress_bars import install

    install(err_console, args)
    previous = _interrupt_as_own_exception()
    try:
        app(args=args, prog_name="tradegap", standalone_mode=True)
    except TradegapError as exc:
        err_console.print(Text.assemble(("error: ", "bold red"), str(exc)), highlight=False,
                          soft_wrap=True)  # the terminal wraps: paths stay whole
        sys.exit(2)
    except (KeyboardInterrupt, Interrupted):
        err_console.print("aborted")
        sys.exit(130)
    except Exception as exc:
        from tradegap.warehouse.store import damaged_data_error

        clear = damaged_data_error(exc)  # a damaged page met mid-query: name it, no traceback
        if clear is None:
            raise
        err_console.print(Text.assemble(("error: ", "bold red"), str(clear)), highlight=False,
                          soft_wrap=True)
        sys.exit(2)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


class Interrupted(BaseException):
    """Ctrl+C. Raised instead of KeyboardInterrupt so that it passes the command-line
    library's own handling (which would print "Aborted!" and exit 1): an interrupted command
    says "aborted" and exits 130, as shells expect of SIGINT."""


def _raise_interrupted(signum: int, frame: object) -> None:
    raise Interrupted()


def _interrupt_as_own_exception() -> object:
    """Route SIGINT to :class:`Interrupted` (main thread only); the previous handler."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGINT, _raise_interrupted)
