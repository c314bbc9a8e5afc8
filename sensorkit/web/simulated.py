"""A simulated live session with its page, run in a background thread: for the browser tests, the
latency benchmark and the README's screenshots.

    with SimulatedLivePage(tmp_path, seed=3, speed=2.0) as live:
        page.goto(live.url)
        live.drop_link(down_s=2.0)      # force a disconnect (the sensor refuses reconnects 2 s)
        live.mute(refusals=3)           # the sensor stops sending, its link up (then refuses 3 attempts)
        live.wait()                     # until the simulated session has ended
        live.reps                       # the pipeline's reps, as the recorder got them

Same path as ``sensorkit live --simulate --web``: the simulated sensor on a virtual BLE radio,
:class:`~sensorkit.ble.session.SensorSession`, :class:`~sensorkit.ble.recorder.SessionRecorder`
with a :class:`~sensorkit.pipeline.Pipeline`, :func:`~sensorkit.web.live_app.run_live_web`.
"""
from __future__ import annotations

import asyncio
import os
import threading
from concurrent.futures import Future

from sensorkit.ble.recorder import SessionRecorder
from sensorkit.ble.session import SensorSession
from sensorkit.ble.virtual.backend import VirtualRadio
from sensorkit.ble.virtual.simulated import DEFAULT_PROTOCOL, simulated_sensor
from sensorkit.pipeline import Pipeline, Rep
from sensorkit.web.live_app import live_app, run_live_web
from sensorkit.web.live_hub import LiveHub, SessionPlan
from sensorkit.web.serve import WebServer


class SimulatedLivePage:
    """See module doc. ``sim_options`` go to :func:`~sensorkit.sim.simulate_session`
    (e.g. ``sample_rate_hz``, ``exercise``, ``max_duration_s``); ``meta`` adds sidecar keys
    (``patient``, ``target_hold_s``, ...). With ``wait_for_page_s`` > 0 the simulated sensor
    starts its session only once a page has opened the stream (or after that many seconds): a page
    opened after :meth:`start` sees every rep."""

    def __init__(self, out_dir: str | os.PathLike, *, seed: int = 0, speed: float = 1.0, plan: SessionPlan | None = None,
                 meta: dict | None = None, host: str = "127.0.0.1", port: int = 0, linger_s: float = 0.5,
                 protocol: str = DEFAULT_PROTOCOL, latencies_s: list[float] | None = None,
                 wait_for_page_s: float = 0.0, **sim_options) -> None:
        self.sensor, self.simulation = simulated_sensor(protocol, seed, speed, **sim_options)
        self.meta = {k: v for k, v in self.simulation.meta.items() if k != "started_at"} | dict(meta or {})
        if plan is not None:
            self.meta |= {"target_rom_deg": plan.rom_deg, "target_hold_s": plan.hold_s}
        self.pipeline = Pipeline(meta=self.meta)
        self.recorder = SessionRecorder(out_dir, f"live_sim_{seed}", self.meta, self.pipeline, latencies_s=latencies_s)
        self._radio = VirtualRadio([self.sensor])
        self._protocol, self._rate_hz = protocol, float(self.meta["sample_rate_hz"])
        self._plan, self._host, self._port, self._linger_s = plan, host, port, linger_s
        self._wait_for_page_s = wait_for_page_s
        self.hub: LiveHub | None = None
        self.server: WebServer | None = None
        self.session: SensorSession | None = None
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._thread: threading.Thread | None = None
        self._ready: Future = Future()
        self._done: Future = Future()

    # ---- control ---------------------------------------------------------------------------
    def start(self, timeout_s: float = 30.0) -> str:
        """Start serving and streaming (with ``wait_for_page_s``: once a page has opened the
        stream); returns the page's URL once it answers."""
        self._thread = threading.Thread(target=self._main, name="simulated-live-page", daemon=True)
        self._thread.start()
        self.url = self._ready.result(timeout_s)
        return self.url

    def wait(self, timeout_s: float = 120.0) -> list[Rep]:
        """Wait for the session (and the page's linger) to end; returns the pipeline's reps."""
        self._done.result(timeout_s)
        return self.reps

    def stop(self) -> None:
        """End the session now (as Ctrl-C does) and wait for the thread."""
        if self._loop is not None and self._task is not None and not self._done.done():
            self._loop.call_soon_threadsafe(self._task.cancel)
        if self._thread is not None:
            self._thread.join(30)

    def drop_link(self, down_s: float = 0.0) -> None:
        """Lose the BLE link now; the sensor refuses reconnects for ``down_s`` sensor seconds."""
        self._call(self.sensor.drop_link, down_s)

    def mute(self, refusals: int = 0) -> None:
        """The sensor stops sending now while its link stays up (until the link ends); its next
        ``refusals`` connection attempts fail (it takes a moment to come back)."""
        def go() -> None:
            self.sensor.mute()
            self.sensor.refuse_connections(refusals)
        self._call(go)

    @property
    def reps(self) -> list[Rep]:
        return list(self.recorder.reps)

    @property
    def phase(self) -> str:
        """The pipeline's current phase (read from the session's thread)."""
        return self._call(lambda: self.pipeline.phase_)

    def __enter__(self) -> "SimulatedLivePage":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- the session's thread --------------------------------------------------------------
    def _call(self, func, *args):
        future: Future = Future()

        def run() -> None:
            try:
                future.set_result(func(*args))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                future.set_exception(exc)

        self._loop.call_soon_threadsafe(run)
        return future.result(10)

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits
            if not self._ready.done():
                self._ready.set_exception(exc)
            if not self._done.done():
                self._done.set_exception(exc)
            return
        if not self._done.done():
            self._done.set_result(None)

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self.session = SensorSession(self.sensor.local_name, protocol=self._protocol, sample_rate_hz=self._rate_hz,
                                     client_backend=self._radio.client_backend,
                                     scanner_backend=self._radio.scanner_backend, clock=self.sensor.clock,
                                     backoff_initial_s=0.2, backoff_max_s=1.0)
        session = self.session
        self.hub = LiveHub(plan=self._plan, exercise=self.meta.get("exercise", ""), patient=self.meta.get("patient", ""),
                           recording=self.recorder.path.name, arrival_s=lambda: session.last_arrival_s,
                           reconnects=lambda: session.reconnects)
        self.server = WebServer(live_app(self.hub), self._host, self._port)
        try:
            await run_live_web(session, self.recorder, self.hub, self.server, self.simulation.samples.duration_s,
                               on_ready=self._ready.set_result, linger_s=self._linger_s,
                               until=lambda: self.sensor.finished, wait_for_page_s=self._wait_for_page_s)
        except asyncio.CancelledError:
            pass
