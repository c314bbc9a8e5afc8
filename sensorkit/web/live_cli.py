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


def live_page(session: SensorSession, recorder: SessionRecorder, meta: dict, duration_s: float | None,
              plan: SessionPlan | None, host: str, port: int, browser: bool, until=None):
    """The coroutine running the session with its page (see :func:`run_live_web`). The page's
    address (and the warning for a non-loopback host) goes to stderr; one log line per rep and the
    summary to stdout, as ``live`` without a terminal."""
    model = exercises.get(meta.get("exercise"))
    hub = LiveHub(plan=plan, exercise=model.name, patient=meta.get("patient", ""), recording=recorder.path.name,
                  rom_scale_deg=_GAUGE_DEG.get(model.name, 60.0),
                  arrival_s=lambda: session.last_arrival_s, reconnects=lambda: session.reconnects)
    server = WebServer(live_app(hub), host, port)

    def ready(url: str) -> None:
        if server.warning:
            click.echo(server.warning, err=True)
        click.echo(f"live page: {url}", err=True)
        if browser and not open_browser(url):
            click.echo("no browser could be opened: open the address above", err=True)

    return run_live_web(session, recorder, hub, server, duration_s, on_ready=ready, until=until,
                        also=PlainDisplay(sys.stdout, show_reps=True, path=str(recorder.path)))
