"""The FastAPI application: pages (``pages.py``), the JSON API (``api.py``), static files, and
the guards (body size, request time, errors as JSON without tracebacks)."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from tradegap.errors import NotFound, TradegapError
from tradegap.warehouse.store import damaged_data_error
from tradegap.web.limits import MAX_BODY, BodyLimit, TooSlow
from tradegap.web.services import Services

STATIC = Path(__file__).parent / "static"
REPORT_TEMPLATES = Path(__file__).resolve().parent.parent / "report" / "templates"
log = logging.getLogger("tradegap.web")


def _static_files() -> dict[str, tuple[Path, str]]:
    """The only files served under /static/, by fixed name (no path from the request)."""
    import plotly

    js = "text/javascript; charset=utf-8"
    return {
        "htmx.min.js": (STATIC / "htmx.min.js", js),
        "plotly.min.js": (Path(plotly.__file__).parent / "package_data" / "plotly.min.js", js),
        "tradegap.js": (REPORT_TEMPLATES / "tradegap.js", js),
        "tradegap.css": (REPORT_TEMPLATES / "tradegap.css", "text/css; charset=utf-8"),
        "swagger-ui-bundle.js": (STATIC / "swagger-ui-bundle.js", js),
        "swagger-ui.css": (STATIC / "swagger-ui.css", "text/css; charset=utf-8"),
    }


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(("/api", "/openapi", "/docs")) and \
        "text/html" in request.headers.get("accept", "")


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for e in exc.errors():
        where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "body"))
        parts.append(f"{where or 'request'}: {e.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


#: Headers on every response: nothing is loaded from elsewhere, nothing embeds the pages.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline' "
    "'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def prepare(services: Services) -> None:
    """What every first request would otherwise pay once per process, paid at start-up (about
    1 s): the analyses most pages call imported (the command line imports them lazily, for
    its own start-up; a server would otherwise import them inside its first requests, holding
    every request behind them), the page templates compiled, the product groups that pages
    check their ``group`` against read, the code's stamp that kept results are checked against
    (``warehouse.kept.code_stamp``), the catalogue read and the query views built
    (``Warehouse.connect``). A catalogue that cannot be read is left for the requests to
    report."""
    import tradegap.analysis.balance
    import tradegap.analysis.potential_estimate  # noqa: F401
    from tradegap.errors import TradegapError
    from tradegap.reference.groups import product_groups
    from tradegap.warehouse.kept import code_stamp
    from tradegap.web import pages

    pages.compile_templates()
    product_groups()
    code_stamp()
    with contextlib.suppress(TradegapError, OSError):
        services.wh.connect().close()


async def serve_once(app: FastAPI, host: str = "localhost") -> None:
    """One request through the whole app at start-up, for an address no route serves (so
    that every route is tried: a 404): FastAPI builds a route's parameter models when it
    first tries the route on a request (≈ 80 ms for this dashboard's routes), which the first
    visitor would otherwise wait for. Served in process (``httpx.ASGITransport``), nothing
    listens for it."""
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{host}") as client:
        await client.get("/.well-known/tradegap-start-up")


def create_app(home: str | Path | None = None, scenarios: str | Path | None = None,
               allowed_hosts: list[str] | None = None, *, warm: bool = False) -> FastAPI:
    """The dashboard over the warehouse at ``home`` (opened read-only) and the scenarios in
    ``scenarios`` (default: the project's shipped ``scenarios/``). ``allowed_hosts`` limits
    the Host header (``tradegap serve`` on 127.0.0.1 allows only local names, which defeats
    DNS rebinding). ``warm``: once the server starts, compute the likely first requests in a
    background thread (:meth:`Services.warm`)."""
    import threading
    from contextlib import asynccontextmanager

    from tradegap.report.html import SHIPPED_SCENARIOS
    from tradegap.web import api, measures_page, pages

    services = Services(home, Path(scenarios) if scenarios else SHIPPED_SCENARIOS)

    @asynccontextmanager
    async def lifespan(started: FastAPI):  # type: ignore[no-untyped-def]
        prepare(services)
        # a name the host check lets through (a wildcard pattern is not a name)
        await serve_once(started, next((h for h in allowed_hosts or [] if "*" not in h),
                                       "localhost"))
        if warm:
            threading.Thread(target=services.warm, name="tradegap-warm", daemon=True).start()
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="tradegap",
        description="The numbers behind the tradegap dashboard: balance, export potential, "
        "plans, settlement and the data they come from. Every route calls the same Python "
        "function a Python user calls. The warehouse is read, never written.",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    app.add_middleware(BodyLimit, limit=MAX_BODY)
    if allowed_hosts:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)

    @app.middleware("http")
    async def _headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    def error(request: Request, status: int, message: str, hint: str | None = None) -> Response:
        if _wants_html(request):
            return pages.error_page(request, status, message, hint)
        body = {"error": message, "status": status}
        if hint:
            body["hint"] = hint
        return JSONResponse(body, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return error(request, 422, _validation_message(exc))

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return error(request, 404, exc.message, exc.hint)

    @app.exception_handler(TradegapError)
    async def _tradegap(request: Request, exc: TradegapError) -> Response:
        status = 422 if getattr(exc, "field", None) == "scenario" else 400
        return error(request, status, exc.message, exc.hint)

    @app.exception_handler(TooSlow)
    async def _slow(request: Request, exc: TooSlow) -> Response:
        return error(request, 503, str(exc), "narrow the request and try again")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        clear = damaged_data_error(exc)
        if clear is not None:
            return error(request, 400, clear.message, clear.hint)
        log.exception("unexpected error on %s", request.url.path)
        return error(request, 500, "internal error: the server could not compute this",
                     "see the server's log")

    files = _static_files()

    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name not in files:
            return JSONResponse({"error": "not found", "status": 404}, status_code=404)
        path, media = files[name]
        return FileResponse(path, media_type=media,
                            headers={"Cache-Control": "public, max-age=3600"})

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        """FastAPI's Swagger UI page, its script and style served from the package."""
        from fastapi.openapi.docs import get_swagger_ui_html

        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="tradegap API",
            swagger_js_url="/static/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui.css", swagger_favicon_url="data:,",
            swagger_ui_parameters={"validatorUrl": None},
        )

    from tradegap.web import downloads

    app.middleware("http")(downloads.middleware)
    app.include_router(api.router)
    app.include_router(measures_page.api_router)
    app.include_router(pages.router)
    app.include_router(measures_page.router)
    return app
