"""`tradegap serve`: the dashboard (FastAPI + HTMX + Plotly) over the warehouse, read-only."""

from __future__ import annotations

import socket
from pathlib import Path

import typer

from tradegap.cli.common import console, state
from tradegap.errors import InputError


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_command(
        ctx: typer.Context,
        host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (default: this "
                                 "machine only; 0.0.0.0 exposes the dashboard to the network)."),
        port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on "
                                 "(0: a free port, printed on the first line)."),
        scenarios: Path = typer.Option(None, "--scenarios", help="Folder of scenario TOML "
                                       "files offered by name (default: the shipped ones)."),
    ) -> None:
        """Serve the dashboard: Overview, Balance, Potential, Headroom (real data), Plan,
        Settlement and Data pages, with the JSON API at /docs. Reads the warehouse, never
        writes it."""
        import uvicorn

        from tradegap.web import create_app

        wh = state(ctx).warehouse()
        local = host in ("127.0.0.1", "localhost", "::1")
        hosts = ["127.0.0.1", "localhost", "[::1]"] if local else None
        web_app = create_app(wh.home, scenarios, allowed_hosts=hosts, warm=True)
        sock = bind(host, port)
        bound = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        console.print(f"tradegap dashboard on http://{shown}:{bound}/ (warehouse {wh.home}, "
                      "read-only; Ctrl+C stops it)", soft_wrap=True)
        config = uvicorn.Config(web_app, host=host, port=bound, log_level="warning")
        uvicorn.Server(config).run(sockets=[sock])


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (port 0: a free one chosen by the kernel, so
    that a caller who reads the printed address never races another process for it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         field="--port", hint="choose another --port, or 0 for a free one"
                         ) from exc
    sock.listen(2048)
    return sock
