"""Start-up: ``tradegap --help`` against the ``--help`` of a two-command Typer app (the floor
any Typer CLI pays: Python, Typer, Click and Rich). Runs alternate between the two so that both
see the same load; best of seven each. Target: ≤ 2× the two-command app."""

from __future__ import annotations

from _common import PYTHON, TRADEGAP, WORK, load, record, run, say, target_row

TWO_COMMANDS = '''import typer

app = typer.Typer()


@app.command()
def first(x: int = 1) -> None:
    """The first command."""


@app.command()
def second(name: str = "") -> None:
    """The second command."""


app()
'''
RUNS = 7
TARGET = 2.0


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    app = WORK / "two_commands.py"
    app.write_text(TWO_COMMANDS)
    load_before = load()
    ours, base = [], []
    for _ in range(RUNS):
        base.append(run([PYTHON, str(app), "--help"]).check().seconds)
        ours.append(run([TRADEGAP, "--help"]).check().seconds)
    ratio = min(ours) / min(base)
    say(f"tradegap --help best {min(ours):.3f} s, two-command Typer app best {min(base):.3f} s")
    row = target_row("`tradegap --help`", "`--help` of a two-command Typer app",
                     f"{min(base):.3f} s", f"{min(ours):.3f} s", ratio, "≤ 2× it",
                     ratio <= TARGET)
    record("startup", {
        "load_before": load_before, "tradegap_s": [round(t, 3) for t in ours],
        "baseline_s": [round(t, 3) for t in base], "ratio": round(ratio, 2), "rows_table": [row],
        "command": "python benchmarks/bench_startup.py",
    })


if __name__ == "__main__":
    main()
