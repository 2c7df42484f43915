"""`tradegap serve`: the dashboard (FastAPI + HTMX + Plotly) over the warehouse, read-only."""

from __future__ import annotations

from pathlib import Path

import typer

from tradegap.cli.common import console, state


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_command(
        ctx: typer.Context,
        host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (default: this "
                                 "machine only; 0.0.0.0 exposes the dashboard to the network)."),
        port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
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
        console.print(f"tradegap dashboard on http://{host}:{port}/ (warehouse {wh.home}, "
                      "read-only; Ctrl+C stops it)")
        uvicorn.run(web_app, host=host, port=port, log_level="warning")
