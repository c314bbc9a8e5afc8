"""``sensorkit live --web``: the session on a local page instead of the terminal panel."""
from __future__ import annotations

import sys

import click

from sensorkit import exercises
from sensorkit.ble.recorder import SessionRecorder
from sensorkit.ble.session import SensorSession
from sensorkit.live import PlainDisplay
from sensorkit.web.live_app import live_app, run_live_web
from sensorkit.web.live_hub import LiveHub, SessionPlan
from sensorkit.web.serve import WebServer, open_browser

#: the gauge's initial full scale per exercise (degrees; it grows with the reps)
_GAUGE_DEG = {"hip_external_rotation": 60.0, "knee_extension": 90.0}
#: a simulated session shown in the browser the command opens waits this long (s) at most for the
#: page to connect: the simulated sensor starts its session then, and the page misses no rep
SIMULATED_WAIT_FOR_PAGE_S = 30.0


def live_page(session: SensorSession, recorder: SessionRecorder, meta: dict, duration_s: float | None,
              plan: SessionPlan | None, host: str, port: int, browser: bool, until=None, targets_note: str = ""):
    """The coroutine running the session with its page (see :func:`run_live_web`). The page's
    address (and the warning for a non-loopback host) goes to stderr; one log line per rep and the
    summary to stdout, as ``live`` without a terminal (after the first link line, ``targets_note``). A simulated session (``meta["simulated"]``)
    whose page the command opens in a browser starts once that page has connected
    (:data:`SIMULATED_WAIT_FOR_PAGE_S` at most)."""
    model = exercises.get(meta.get("exercise"))
    hub = LiveHub(plan=plan, exercise=model.name, patient=meta.get("patient", ""), recording=recorder.path.name,
                  rom_scale_deg=_GAUGE_DEG.get(model.name, 60.0),
                  arrival_s=lambda: session.last_arrival_s, reconnects=lambda: session.reconnects)
    server = WebServer(live_app(hub), host, port)
    wait_s = SIMULATED_WAIT_FOR_PAGE_S if browser and meta.get("simulated") else 0.0

    def ready(url: str) -> None:
        if server.warning:
            click.echo(server.warning, err=True)
        click.echo(f"live page: {url}", err=True)
        if browser and not open_browser(url):
            click.echo("no browser could be opened: open the address above", err=True)
        if wait_s:
            click.echo(f"the simulated session starts when the page opens (at most {wait_s:g} s from now)", err=True)

    return run_live_web(session, recorder, hub, server, duration_s, on_ready=ready, until=until, wait_for_page_s=wait_s,
                        also=PlainDisplay(sys.stdout, show_reps=True, path=str(recorder.path),
                                                     targets_note=targets_note))
