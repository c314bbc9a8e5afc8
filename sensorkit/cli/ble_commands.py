"""``sensorkit scan``, ``sensorkit record``, ``sensorkit live``: the sensor over BLE.

``--simulate`` runs the built-in simulated sensor behind the same BLE client code (a virtual
bleak backend), ``--speed`` scales its clock (1.0 = real time).
"""
from __future__ import annotations

import asyncio
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Callable

import click

import firmware_protocols
from sensorkit import exercises
from sensorkit.ble.errors import BleError
from sensorkit.ble.recorder import SessionRecorder, run_session
from sensorkit.ble.scan import scan as scan_sensors
from sensorkit.ble.session import SensorSession
from sensorkit.cli.params import Number, TextDefault
from sensorkit.errors import ConfigError, SensorkitError, escape_controls
from sensorkit.live import make_display


#: signals that end a session like Ctrl-C does: the recording is finished (sidecar with its counts)
_ENDING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _run(coro, recorder: SessionRecorder | None = None):
    """Run ``coro``; SIGTERM and SIGHUP (the terminal closed) cancel it like Ctrl-C does, and all end
    it cleanly. A sensor not found, not recognised or never connected is one line, exit 2 (where
    it ended the session before it streamed, ``recorder``'s record of it is named on stdout as a
    run's end is: ``done (refused): saved 0 samples to PATH``, and so it is for a run stopped while
    the sensor found was connecting: ``done (closed): ...``); a failure to write (disk full,
    read-only) one line, exit 1."""
    async def main():
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        for number in _ENDING_SIGNALS:
            loop.add_signal_handler(number, task.cancel)
        try:
            return await coro
        finally:
            for number in _ENDING_SIGNALS:
                loop.remove_signal_handler(number)

    try:
        return asyncio.run(main())
    except (KeyboardInterrupt, asyncio.CancelledError):
        _say_record_without_data(recorder)  # (stopped while connecting; after data the display said it)
        click.echo("stopped", err=True)
        return None
    except BleError as exc:  # (no sensor found, not recognised, no first connection: docs' exit 2)
        click.echo(f"error: {exc}", err=True)
        _say_record_without_data(recorder)
        sys.exit(2)
    except SensorkitError as exc:  # (the recording could not be written)
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


def _say_record_without_data(recorder: SessionRecorder | None) -> None:
    """Name on stdout the record ``recorder`` made of a session that ended before it streamed (no
    display's end did): ``done (ENDED_BY): saved 0 samples to PATH``, as a run's end says where."""
    if recorder is not None and recorder.recorded_without_data and recorder.path.exists():
        click.echo(escape_controls(f"done ({recorder.ended_by}): saved 0 samples to {recorder.path}"))


@click.option("--timeout-s", type=Number(min=0.1), default=5.0, show_default=True, metavar="SECONDS",
              help="How long to listen for advertisements (s).")
@click.option("--simulate", is_flag=True, help="Scan the built-in simulated sensors instead of the radio.")
def _scan(timeout_s: float, simulate: bool) -> None:
    """List the sensors in range that sensorkit can read (from their Bluetooth advertisements)."""
    backend = None
    if simulate:
        from sensorkit.ble.virtual.simulated import demo_radio
        backend = demo_radio().scanner_backend
    found = _run(scan_sensors(timeout_s, backend=backend))
    if found is None:  # stopped (Ctrl-C): "stopped" was said
        return
    if not found:  # (exit 2, as for record/live with no sensor: a script can tell "none" from a list)
        click.echo(f"error: no known sensor advertised within {timeout_s:g} s", err=True)
        sys.exit(2)
    for sensor in found:
        click.echo(f"{sensor.address}  {sensor.rssi:4d} dBm  {sensor.protocol:<10}  {sensor.name or ''}")


scan = click.command("scan")(_scan)


def _stream_options(func):
    options = [
        click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
                     help="Folder for NAME.csv + NAME.json (written as samples arrive)."),
        click.option("--name", default=None, metavar="NAME", cls=TextDefault, show_default="session_YYYYMMDD_HHMMSS, the start time",
                     help="Recording name: the files are NAME.csv and NAME.json."),
        click.option("--duration-s", type=Number(min=0, min_open=True), default=None, metavar="SECONDS",
                     cls=TextDefault, show_default="until Ctrl-C; with --simulate: the simulated session's end",
                     help="Stop after this many seconds."),
        click.option("--device", default=None, metavar="ADDRESS_OR_NAME",
                     help="Bluetooth address or advertised name of a real sensor (see scan). A name more than one"
                          " sensor in range advertises (every MetaWear board's) is refused, listing them: give the"
                          " address."),
        click.option("--simulate", is_flag=True, help="Use a built-in simulated sensor instead of a real one (the same"
                     " Bluetooth client code runs); --protocol picks which: any protocol `scan --simulate` lists."),
        click.option("--protocol", type=click.Choice(firmware_protocols.names()), default=None,
                     cls=TextDefault, show_default="recognised from the advertisement; with --simulate: open_v1",
                     help="The sensor's wire protocol."),
        click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, metavar="SEED",
                     help="With --simulate: which simulated session (each seed makes another)."),
        click.option("--speed", type=Number(min=0, min_open=True), default=1.0, show_default=True,
                     metavar="FACTOR", help="With --simulate: how much faster than real time the session plays."),
        click.option("--sample-rate-hz", type=Number(min=10), default=104.0, show_default=True,
                     metavar="HZ",
                     help="Sample rate to ask the sensor for (Hz), and to simulate; at least 10 Hz (the real"
                          " recordings: 25-101 Hz). A sensor with fixed rates streams the nearest (MetaWear:"
                          " 104 -> 100 Hz); the sidecar says the rate streamed."),
        click.option("--side", type=click.Choice(["left", "right"]), default=None, help="The leg wearing the sensor."),
        click.option("--exercise", type=click.Choice(exercises.names()), default=None,
                     cls=TextDefault, show_default=f"{exercises.DEFAULT_EXERCISE}; with --simulate: the one simulated",
                     help="The exercise done in the session."),
        click.option("--patient", default=None, metavar="PSEUDONYM", help="The patient's pseudonym, for the sidecar."),
        click.option("--target-rom-deg", type=Number(min=0), default=None, metavar="DEG",
                     help="The patient's target range of motion (deg): the live target band, and the full-rep"
                          " ROM assumed until the patient's own reps show it."),
        click.option("--target-hold-s", type=Number(min=0), default=None, metavar="SECONDS",
                     help="The patient's target hold at the top of a rep (s), timed live."),
        click.option("--target-movement-s", type=Number(min=0, min_open=True), default=None,
                     metavar="SECONDS",
                     help="The prescribed time of one rep's movement out and back, without the hold (s): a rep"
                          " far quicker than this plus the target hold is called rushed."),
        click.option("--give-up-s", type=Number(min=0), default=60.0, show_default=True, metavar="SECONDS",
                     help="Stop reconnecting after this long without a link (s); the recording is then closed."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _web_options(func):
    """``live``'s page options (``--web`` needs the web extra) and its prescription."""
    options = [
        click.option("--web", is_flag=True, help="Show the session on a local web page instead of the terminal "
                     "(pip install 'sensorkit[web]')."),
        click.option("--no-browser", is_flag=True, help="With --web: only print the page's address."),
        click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDRESS",
                     help="With --web: address to serve on; any but loopback warns and requires the printed token."),
        click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, metavar="PORT",
                     help="With --web: port to serve on (0: any free port)."),
        click.option("--prescription", "rx_path", type=click.Path(exists=True, path_type=Path), default=None,
                     help="A prescription TOML file, or a folder of them, naming --patient: its target ROM, hold"
                          " and tempo where no option gives them, its side where --side does not (a side or"
                          " exercise it does not prescribe is refused: the report would not count the session),"
                          " and its sets and reps: each rep said to count toward them or not (and why), and"
                          " the prescribed reps completed at the end, as the report counts them."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _stream(live: bool, out_dir: Path, name: str | None, duration_s: float | None, device: str | None,
            simulate: bool, protocol: str | None, seed: int, speed: float, sample_rate_hz: float,
            side: str | None, exercise: str | None, patient: str | None, target_rom_deg: float | None,
            target_hold_s: float | None, target_movement_s: float | None, give_up_s: float,
            web: dict | None = None, rx_path: Path | None = None) -> None:
    if simulate == bool(device):
        raise click.UsageError("pass exactly one of --device ADDRESS_OR_NAME or --simulate")
    if name is not None:
        from sensorkit.io.outputs import unsafe_name_reason

        why = unsafe_name_reason(name)
        if why:
            raise click.UsageError(f"--name {name!r}: not a plain file name inside --out: {why}")
    plan = None
    given = {"target_rom_deg": target_rom_deg, "target_hold_s": target_hold_s, "side": side}  # (by an option)
    if rx_path is not None:  # the prescription's targets where no option gives them
        from sensorkit.web.live_hub import plan_for
        # (an exercise not prescribed, the patient's prescription unreadable or absent: a one-line error,
        # exit 2; another patient's file of the folder that cannot be read: a warning naming it)
        plan = plan_for(rx_path, patient, exercise, warn=lambda line: click.echo(escape_controls(line), err=True))
        exercise = plan.exercise  # (the one the report will count the session toward; simulated so)
        side = _prescribed_side(plan, side, patient, simulate)
        target_rom_deg = plan.rom_deg if target_rom_deg is None else target_rom_deg
        target_hold_s = plan.hold_s if target_hold_s is None else target_hold_s
        target_movement_s = plan.movement_s if target_movement_s is None else target_movement_s
    if web and web["web"]:
        from sensorkit.web import require_web
        require_web()
    meta = {"side": side, "exercise": exercise, "patient": patient, "sample_rate_hz": sample_rate_hz,
            "target_rom_deg": target_rom_deg, "target_hold_s": target_hold_s, "target_movement_s": target_movement_s}
    session_options: dict = {"give_up_s": give_up_s, "sample_rate_hz": sample_rate_hz, "protocol": protocol}
    until = None
    if simulate:
        device, duration_s, meta, sim_session_options, until = _simulation(protocol, seed, speed, sample_rate_hz,
                                                                           duration_s, meta)
        session_options |= sim_session_options
    targets = targets_note(meta, given, plan, rx_path, simulate) if live else ""
    unique_name = name is None  # a default name taken (two sessions in one second) gets _2, _3, ...
    name = name or datetime.now().strftime("session_%Y%m%d_%H%M%S")
    meta.setdefault("sensor", device)
    meta = {key: value for key, value in meta.items() if value is not None}
    try:
        recorder = _make_recorder(live, out_dir, name, meta, unique_name)
    except SensorkitError as exc:
        raise click.UsageError(str(exc)) from None
    if web and web["web"]:
        from sensorkit.web.live_cli import live_page
        _run(live_page(SensorSession(device, **session_options), recorder, meta, duration_s, plan,
                       web["host"], web["port"], not web["no_browser"], until, targets_note=targets), recorder)
        return
    display = make_display(show_reps=live, path=str(recorder.path), targets_note=targets, plan=plan)
    _run(run_session(SensorSession(device, **session_options), recorder, display, duration_s, until=until), recorder)


def _prescribed_side(plan, side: str | None, patient: str | None, simulate: bool) -> str | None:
    """The session's side under ``plan`` (a :class:`~sensorkit.web.live_hub.SessionPlan`): ``side``
    (``--side``) when prescribed; without it the one side prescribed (a simulated session is of that
    leg), or None where both are (a simulated session draws one). A session ``sensorkit report``
    would not count is refused before it starts (:class:`click.UsageError`, exit 2): a side not
    prescribed, or a real sensor's session with no side where both legs are prescribed."""
    legs = " and ".join(plan.sides)
    if side is not None and side not in plan.sides:
        raise click.UsageError(f"--side {side}: {patient}'s prescription ({plan.source}) has {plan.exercise} for the "
                               f"{legs} leg only; a session on the {side} leg would not count toward it")
    if side is None and len(plan.sides) == 1:
        return plan.sides[0]
    if side is None and not simulate:
        raise click.UsageError(f"--side left or right is needed: {patient}'s prescription ({plan.source}) has "
                               f"{plan.exercise} for the {legs} legs, and a session without its side is not counted")
    return side


#: where a target the simulated session drew came from, in the live log
SIMULATED = "the simulated session's"


def targets_note(meta: dict, given: dict, plan, rx_path: Path | None, simulate: bool) -> str:
    """The live log's line saying the session's targets and where each came from: an option, the
    prescription (``plan``, from ``rx_path``), or the simulated session (``meta`` after it)."""
    def source(key: str) -> str:
        if given[key] is not None:
            return "--" + key.replace("_", "-")
        if plan is not None:
            return f"prescription {rx_path}"
        return SIMULATED if simulate else "?"

    said = {"target_rom_deg": f"range {meta.get('target_rom_deg') or 0:g} deg",
            "target_hold_s": f"hold {meta.get('target_hold_s') or 0:g} s"}
    keys = [key for key in said if meta.get(key)]
    if len(keys) == 2 and source(keys[0]) == source(keys[1]):  # (one source named once)
        text = f"{said[keys[0]]}, {said[keys[1]]} ({source(keys[0])})"
    else:
        text = ", ".join(f"{said[key]} ({source(key)})" for key in keys)
    text = text or "none (--target-rom-deg, --target-hold-s or --prescription set them): no hold cue"
    if meta.get("side"):
        # (a prescription for both legs names neither: a simulated session drew its own)
        drawn = simulate and plan is not None and given["side"] is None and len(plan.sides) > 1
        text += f"; {meta['side']} leg ({SIMULATED if drawn else source('side')})"
    return "targets: " + text


def _simulation(protocol: str | None, seed: int, speed: float, sample_rate_hz: float, duration_s: float | None,
                meta: dict) -> tuple[str, float, dict, dict, Callable[[], bool]]:
    """The simulated sensor on a virtual radio: its name, the run's duration, sidecar meta, session
    options, and whether it has sent its whole session (the run ends then: the sensor falls silent)."""
    from sensorkit.ble.virtual.backend import VirtualRadio
    from sensorkit.ble.virtual.simulated import DEFAULT_PROTOCOL, simulated_sensor

    protocol = protocol or DEFAULT_PROTOCOL
    sim_options = {"sample_rate_hz": sample_rate_hz}
    if meta.get("exercise"):
        sim_options["exercise"] = meta["exercise"]
    if meta.get("side"):
        sim_options["side"] = meta["side"]  # (the other leg's motion is the mirror image)
    if duration_s is not None:
        sim_options["max_duration_s"] = duration_s
    try:
        sensor, sim = simulated_sensor(protocol, seed, speed, **sim_options)
    except ConfigError as exc:  # (a protocol no simulated sensor speaks)
        raise click.UsageError(f"--protocol {protocol}: {exc}") from None
    radio = VirtualRadio([sensor])
    meta = {key: value if value is not None else sim.meta.get(key) for key, value in meta.items()}
    meta["sample_rate_hz"] = sim.meta["sample_rate_hz"]  # (the rate it streams: a MetaWear board's own)
    meta["sensor"] = f"{sensor.local_name} (simulated {protocol}, seed {seed})"
    meta["simulated"] = True  # demo data: reports leave it out unless asked
    options = {"protocol": protocol, "client_backend": radio.client_backend,
               "scanner_backend": radio.scanner_backend, "clock": sensor.clock}
    # (the run ends with the simulated session, which fits in duration_s: once the sensor has sent it)
    ends_s = min(duration_s, sim.samples.duration_s) if duration_s is not None else sim.samples.duration_s
    return sensor.local_name, ends_s, meta, options, lambda: sensor.finished


def _make_recorder(live: bool, out_dir: Path, name: str, meta: dict, unique_name: bool = False) -> SessionRecorder:
    pipeline = None
    if live:
        from sensorkit.pipeline import Pipeline

        pipeline = Pipeline(meta=meta)
    return SessionRecorder(out_dir, name, meta, pipeline, unique_name=unique_name)


@_stream_options
def _record(**options) -> None:
    """Record a session from the sensor to --out (NAME.csv + NAME.json, saved every second)."""
    _stream(False, **options)


@_stream_options
@_web_options
def _live(web: bool, no_browser: bool, host: str, port: int, rx_path: Path | None, **options) -> None:
    """Record and show reps live: angle, target band, hold timer, rep counts."""
    _stream(True, **options, web={"web": web, "no_browser": no_browser, "host": host, "port": port}, rx_path=rx_path)


record = click.command("record")(_record)
live = click.command("live")(_live)
