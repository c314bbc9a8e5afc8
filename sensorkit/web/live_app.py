"""The live session page (``sensorkit live --web``): a Starlette app over a :class:`LiveHub`,
and :func:`run_live_web`, which runs the session and the page server in one event loop.

Routes: ``/`` the page; ``/static/...`` its files; ``/api/state`` the current snapshot (JSON);
``/events`` server-sent events (the snapshot, then every message of the hub).
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from sensorkit.ble.recorder import Display, SessionRecorder, run_session
from sensorkit.ble.session import SensorSession
from sensorkit.pipeline.rep import Rep
from sensorkit.web.live_hub import LiveHub
from sensorkit.web.serve import WebServer

STATIC = Path(__file__).parent / "static"
_NO_STORE = {"Cache-Control": "no-store"}
KEEP_ALIVE_S = 10.0


def _json(message: dict) -> str:
    return json.dumps(message, separators=(",", ":"), allow_nan=False)


def live_app(hub: LiveHub) -> Starlette:
    """The page's ASGI app (wrap it in :class:`~sensorkit.web.access.AccessGuard` to serve it)."""

    async def page(request: Request) -> FileResponse:
        return FileResponse(STATIC / "live.html", headers=_NO_STORE)

    async def state(request: Request) -> JSONResponse:
        return JSONResponse(hub.snapshot(), headers=_NO_STORE)

    async def events(request: Request) -> StreamingResponse:
        queue = hub.subscribe()

        async def stream():
            try:
                yield "retry: 500\n\n"
                while True:
                    try:  # (asyncio.timeout: 3.11's wait_for can drop a cancellation, and the server would not stop)
                        async with asyncio.timeout(KEEP_ALIVE_S):
                            message = await queue.get()
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    yield f"data: {_json(message)}\n\n"
                    if message["type"] == "done" or (message["type"] == "snapshot" and hub.ended):
                        return  # the session is over: the page keeps what it shows
            finally:
                hub.unsubscribe(queue)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers=_NO_STORE | {"X-Accel-Buffering": "no"})

    return Starlette(routes=[
        Route("/", page), Route("/api/state", state), Route("/events", events),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ])


class Tee:
    """A display that forwards to several (the page's hub and the terminal's log lines)."""

    def __init__(self, *displays: Display) -> None:
        self.displays = displays

    def show(self, status) -> None:
        for d in self.displays:
            d.show(status)

    def rep(self, rep: Rep, status) -> None:
        for d in self.displays:
            d.rep(rep, status)

    def close(self, status) -> None:
        for d in self.displays:
            d.close(status)


async def run_live_web(session: SensorSession, recorder: SessionRecorder, hub: LiveHub, server: WebServer,
                       duration_s: float | None = None, *, also: Display | None = None,
                       on_ready: Callable[[str], None] | None = None, linger_s: float = 3.0,
                       until: Callable[[], bool] | None = None, wait_for_page_s: float = 0.0) -> list[Rep]:
    """Serve the page, then stream ``session`` into ``recorder`` (as :func:`run_session`, with
    ``duration_s`` and ``until``) with
    ``hub`` (and ``also``, e.g. the terminal's log lines) as the display. ``on_ready(url)`` is
    called once the page answers. With ``wait_for_page_s`` > 0 the session connects only once a
    page has opened the stream, or after that many seconds without one (a simulated sensor starts
    its session when the stream starts: a page opened late then misses no rep). After the session
    the page keeps being served ``linger_s`` seconds so open pages receive the summary."""
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            serving.result()  # raises what stopped it
            raise RuntimeError("the page server stopped before it started")
        await asyncio.sleep(0.01)
    if on_ready is not None:
        on_ready(server.url)
    waited_until = asyncio.get_running_loop().time() + wait_for_page_s
    while hub.subscribers == 0 and asyncio.get_running_loop().time() < waited_until:
        await asyncio.sleep(0.02)
    display = Tee(hub, also) if also is not None else hub
    ended = False
    try:
        reps = await run_session(session, recorder, display, duration_s, until=until)
        ended = True
        return reps
    finally:
        try:  # stopped (Ctrl-C): only long enough for open pages to get the summary
            if linger_s > 0:
                await asyncio.sleep(linger_s if ended else min(linger_s, 0.3))
        finally:
            server.stop()
            await asyncio.shield(serving)
