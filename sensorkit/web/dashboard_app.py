"""The clinician dashboard (``sensorkit dashboard``): a Starlette app over :class:`DashboardData`.

Pages (one HTML file, drawn by ``static/dashboard.js``): ``/`` the patient list,
``/patient/{id}`` a patient, ``/recording/{id}`` one recording. Data: ``/api/patients``,
``/api/patient/{id}``, ``/api/recording/{id}``. Downloads: ``/download/report.csv`` and
``/download/summary.csv`` (the bytes ``sensorkit report`` writes). Every data request first
rescans the folders (at most every ``rescan_s`` seconds); only new or changed recordings are
analysed again.
"""
from __future__ import annotations

import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from sensorkit.web.dashboard_data import DashboardData

STATIC = Path(__file__).parent / "static"
_NO_STORE = {"Cache-Control": "no-store"}


def dashboard_app(data: DashboardData, rescan_s: float = 2.0) -> Starlette:
    """The dashboard's ASGI app (wrap it in :class:`~sensorkit.web.access.AccessGuard` to serve it)."""
    last_scan = [-float("inf")]

    async def fresh() -> None:
        if time.monotonic() - last_scan[0] >= rescan_s:
            await run_in_threadpool(data.refresh)
            last_scan[0] = time.monotonic()

    async def page(request: Request) -> FileResponse:
        return FileResponse(STATIC / "dashboard.html", headers=_NO_STORE)

    async def patients(request: Request) -> JSONResponse:
        await fresh()
        return JSONResponse(await run_in_threadpool(data.patients), headers=_NO_STORE)

    async def patient(request: Request) -> Response:
        await fresh()
        found = await run_in_threadpool(data.patient, request.path_params["patient"])
        if found is None:
            return PlainTextResponse("404 not found: no such patient\n", 404)
        return JSONResponse(found, headers=_NO_STORE)

    async def recording(request: Request) -> Response:
        await fresh()
        found = await run_in_threadpool(data.recording, request.path_params["rec_id"])
        if found is None:
            return PlainTextResponse("404 not found: no such recording\n", 404)
        return JSONResponse(found, headers=_NO_STORE)

    def download(name: str, text_of):
        async def endpoint(request: Request) -> Response:
            await fresh()
            body = (await run_in_threadpool(text_of)).encode("utf-8")
            return Response(body, media_type="text/csv; charset=utf-8",
                            headers=_NO_STORE | {"Content-Disposition": f'attachment; filename="{name}"'})
        return endpoint

    return Starlette(routes=[
        Route("/", page), Route("/patient/{patient}", page), Route("/recording/{rec_id}", page),
        Route("/api/patients", patients), Route("/api/patient/{patient}", patient),
        Route("/api/recording/{rec_id}", recording),
        Route("/download/report.csv", download("report.csv", data.report_csv)),
        Route("/download/summary.csv", download("summary.csv", data.summary_csv)),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ])
