"""Guards of the web layer: request body size, request time, a read-only warehouse."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tradegap.errors import TradegapError
from tradegap.warehouse import Warehouse

#: Largest request body accepted (bytes).
MAX_BODY = 64 * 1024
#: Longest a request may compute (seconds) before the client gets a 503.
TIMEOUT = 60.0
#: Computations running at once (2 cores shared).
CONCURRENCY = 2

T = TypeVar("T")


class ReadOnlyWarehouse(Warehouse):
    """A warehouse the web layer can only read: every write raises."""

    def write(self, *args: Any, **kwargs: Any) -> Any:
        raise TradegapError("the dashboard never writes to the warehouse",
                            hint="use `tradegap ingest` from the command line")

    write_many = write
    remove = write


class BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes gets 413 with a JSON message."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                await self._refuse(send)
                return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        payload = json.dumps({"error": f"request body larger than {self.limit // 1024} KB",
                              "status": 413}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})


class TooSlow(Exception):
    """A computation ran past :data:`TIMEOUT`."""


#: The computation slots, shared by every thread of the process.
_slots = threading.BoundedSemaphore(CONCURRENCY)
_held = threading.local()
_active = [0]  # computations holding a slot now
_active_lock = threading.Lock()


def busy() -> bool:
    """Whether any computation holds a slot (background warming waits for none)."""
    return _active[0] > 0


@contextmanager
def computing() -> Iterator[None]:
    """Hold one of the :data:`CONCURRENCY` computation slots while computing (re-entrant: a
    computation that asks for another cached result keeps its one slot). Answers already
    cached never take a slot, so they never queue behind a computation."""
    if getattr(_held, "depth", 0):
        _held.depth += 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    with _slots:
        _held.depth = 1
        with _active_lock:
            _active[0] += 1
        try:
            yield
        finally:
            _held.depth = 0
            with _active_lock:
                _active[0] -= 1


async def bounded(fn: Callable[..., T], *args: Any, timeout: float | None = None,
                  **kwargs: Any) -> T:
    """Run ``fn`` in a worker thread and give up waiting after ``timeout`` seconds
    (:class:`TooSlow`). The work that computes takes a slot (:func:`computing`, in
    :class:`tradegap.web.services.Services`); a cached answer returns at once."""
    limit = TIMEOUT if timeout is None else timeout
    try:
        async with asyncio.timeout(limit):
            return await run_in_threadpool(fn, *args, **kwargs)
    except TimeoutError as exc:
        raise TooSlow(f"the computation took longer than {limit:g} s") from exc
