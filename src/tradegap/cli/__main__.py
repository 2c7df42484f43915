"""``python -m tradegap.cli``: the same as the ``tradegap`` command."""

from tradegap.cli.main import run

run()
