"""`sensorkit scan/record/live` on the simulated sensor, as a newcomer runs them."""
import dataclasses
import io
import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from click.testing import CliRunner
from rich.console import Console

from sensorkit.ble.link import LinkState
from sensorkit.ble.recorder import LiveStatus
from sensorkit.cli import cli, notice
from sensorkit.io import read_recording
from sensorkit.live import PlainDisplay, RichDisplay
from sensorkit.pipeline.rep import Rep
from prescriptions import exercise, rx_toml


def test_scan_simulate_lists_one_sensor_per_protocol_each_at_its_fixed_address():
    # The addresses moved each time a simulated protocol was added (sorted names numbered :01, :02,
    # ...: open_v1 went :01 -> :02 -> :03); each now has its own, as docs/sensors.md lists them.
    result = CliRunner().invoke(cli, ["scan", "--simulate", "--timeout-s", "0.2"])
    assert result.exit_code == 0, result.output
    listed = {line.split()[0]: (line.split()[3], line.split(maxsplit=4)[4]) for line in result.output.splitlines()}
    assert listed == {"F0:0D:00:00:00:01": ("open_v1", "sensorkit-imu"),
                      "F0:0D:00:00:00:02": ("polar_pmd", "Polar Sense 1A2B3C4D"),
                      "F0:0D:00:00:00:03": ("metawear", "MetaWear"),
                      "F0:0D:00:00:00:04": ("movesense", "Movesense 174630000192"),
                      "F0:0D:00:00:00:05": ("witmotion", "WT901BLE68")}


@pytest.mark.parametrize("protocol", ["open_v1", "polar_pmd", "metawear", "movesense", "witmotion"])
def test_record_simulate_connects_to_the_sensor_at_the_address_scan_lists_for_its_protocol(tmp_path, monkeypatch,
                                                                                          protocol):
    # `record --simulate --protocol movesense` played the Movesense at F0:0D:00:00:00:01, the address
    # `scan --simulate` lists for the open_v1 sensor; now at :04, where scan lists the Movesense
    from sensorkit.ble.virtual.backend import VirtualRadio

    scanned = CliRunner().invoke(cli, ["scan", "--simulate", "--timeout-s", "0.2"])
    listed = {line.split()[3]: line.split()[0] for line in scanned.output.splitlines()}
    connected = []
    looked_up = VirtualRadio.sensor
    monkeypatch.setattr(VirtualRadio, "sensor", lambda radio, address: connected.append(address) or looked_up(radio, address))
    result = CliRunner().invoke(cli, ["record", "--simulate", "--protocol", protocol, "--duration-s", "2",
                                      "--speed", "10", "--out", str(tmp_path), "--name", "r"])
    assert result.exit_code == 0, result.output
    assert set(connected) == {listed[protocol]}


def test_a_scan_that_finds_no_sensor_is_one_line_and_exit_2(monkeypatch):
    # a radio with no sensor in range: what a clinic sees with the sensor switched off
    from sensorkit.ble.virtual import VirtualRadio, simulated

    monkeypatch.setattr(simulated, "demo_radio", lambda: VirtualRadio([]))
    result = CliRunner().invoke(cli, ["scan", "--simulate", "--timeout-s", "0.2"])
    assert result.exit_code == 2
    assert result.stdout == "" and result.stderr == "error: no known sensor advertised within 0.2 s\n"


def test_live_simulate_prints_reps_and_writes_a_readable_recording(tmp_path):
    pytest.importorskip("sensorkit.pipeline.pipeline")
    result = CliRunner().invoke(cli, ["live", "--simulate", "--duration-s", "30", "--speed", "20",
                                      "--seed", "3", "--out", str(tmp_path), "--name", "demo"])
    assert result.exit_code == 0, result.output
    # (a first line says so when the pipeline's kernels are being compiled: a fresh install)
    lines = [line for line in result.output.splitlines() if line != notice.COMPILING]
    assert "link streaming (sensorkit-imu" in lines[0]
    assert sum(" rep " in line for line in lines) >= 2
    assert lines[-1].startswith("done (closed):")
    recording = read_recording(tmp_path / "demo.csv")
    assert 20.0 < recording.samples.duration_s <= 30.5 and recording.meta.side in ("left", "right")
    assert recording.meta.n_samples == len(recording.samples) and not recording.warnings
    assert recording.meta.stream["protocol"] == "open_v1" and recording.meta.stream["ended_by"] == "closed"


def test_live_simulate_plays_a_metawear_board_at_its_own_rate(tmp_path):
    # `--protocol metawear --simulate` was "no simulated sensor speaks 'metawear'"; a board's Bosch
    # chip streams 100 Hz when asked for 104 Hz (its output data rates), and so does the simulation.
    pytest.importorskip("sensorkit.pipeline.pipeline")
    # (--speed 8: a board sends a notification per 3 samples and per sensor, 5 times open_v1's
    # frames; at 20x a loaded machine fell far behind the clock, which the run now waits for)
    result = CliRunner().invoke(cli, ["live", "--simulate", "--protocol", "metawear", "--duration-s", "30",
                                      "--speed", "8", "--seed", "3", "--out", str(tmp_path), "--name", "mw"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line != notice.COMPILING]
    assert "link streaming (MetaWear" in lines[0] and sum(" rep " in line for line in lines) >= 2
    recording = read_recording(tmp_path / "mw.csv")
    assert recording.meta.stream["protocol"] == "metawear" and recording.meta.sample_rate_hz == 100.0
    assert "simulated metawear" in recording.meta.sensor and not recording.warnings
    assert 20.0 < recording.samples.duration_s <= 30.5
    spacing_s = float(np.median(np.diff(recording.samples.t)))
    assert spacing_s == pytest.approx(0.01, rel=1e-3)  # 100 Hz, as streamed (104 Hz: 0.0096 s)


def test_record_simulate_plays_a_movesense_through_the_client_end_to_end(tmp_path):
    # There was no simulated Movesense: `--protocol movesense --simulate` was a usage error. It is
    # subscribed to /Meas/IMU6/104 (100 Hz asked: the nearest IMU6 rate) and sends its float32
    # IMU6 notifications, stamped on its millisecond clock, until the session's end.
    from sensorkit.ble.virtual.simulated import simulated_sensor

    result = CliRunner().invoke(cli, ["record", "--simulate", "--protocol", "movesense", "--sample-rate-hz", "100",
                                      "--duration-s", "20", "--speed", "10", "--seed", "3",
                                      "--out", str(tmp_path), "--name", "ms"])
    assert result.exit_code == 0, result.output
    recording = read_recording(tmp_path / "ms.csv")
    assert recording.meta.stream["protocol"] == "movesense" and recording.meta.sample_rate_hz == 104.0
    assert "Movesense 174630000192 (simulated movesense, seed 3)" == recording.meta.sensor
    _sensor, sim = simulated_sensor("movesense", 3, sample_rate_hz=104.0, max_duration_s=20)
    source = sim.samples
    holes = int(np.sum(np.rint(np.diff(source.t) * 104.0) - 1))  # (the simulation's own dropouts)
    assert not recording.warnings and recording.meta.stream["lost_samples"] == holes > 0
    assert len(recording.samples) == len(source)  # the whole session, its last notification too
    # every sample at its own time on the sensor's clock (a packet's first at its ms timestamp, the
    # rest at the nominal spacing IMU6 gives them, which the simulated timing jitter is not: within
    # a quarter of a sample), the hole where it was, and with its own values (float32 on the wire)
    assert np.abs(recording.samples.t - (source.t - source.t[0])).max() <= 0.25 / 104.0
    assert np.abs(recording.samples.acc - source.acc).max() < 1e-3
    assert np.abs(recording.samples.gyr - source.gyr).max() < 1e-2


def test_record_simulate_plays_a_witmotion_through_the_client_end_to_end(tmp_path):
    # `--protocol witmotion --simulate` was "no simulated sensor speaks 'witmotion'". The client reads
    # its rate register (saved at 100 Hz: nothing written), and it streams one 55 61 packet per
    # sample at its return rate, 100 Hz for the 104 Hz asked, as the sidecar says.
    from sensorkit.ble.virtual.simulated import simulated_sensor

    result = CliRunner().invoke(cli, ["record", "--simulate", "--protocol", "witmotion", "--duration-s", "20",
                                      "--speed", "10", "--seed", "3", "--out", str(tmp_path), "--name", "wm"])
    assert result.exit_code == 0, result.output
    recording = read_recording(tmp_path / "wm.csv")
    assert recording.meta.stream["protocol"] == "witmotion" and recording.meta.sample_rate_hz == 100.0
    assert recording.meta.sensor == "WT901BLE68 (simulated witmotion, seed 3)" and not recording.warnings
    _sensor, sim = simulated_sensor("witmotion", 3, sample_rate_hz=104.0, max_duration_s=20)
    source = sim.samples
    assert sim.meta["sample_rate_hz"] == 100 and len(recording.samples) == len(source)  # every sample sent
    # in order, with its own values (int16 on the wire: ±16 g and ±2000 deg/s over 32768), and at
    # 1/100 s each: its packets carry no time, so t counts them (the simulation's 2 dropouts are not
    # seen: the samples after them come 0.01 s early each, as from a real WitMotion)
    assert np.abs(recording.samples.acc - source.acc).max() <= 16 * 9.80665 / 32768
    assert np.abs(recording.samples.gyr - source.gyr).max() <= 2000 / 32768
    np.testing.assert_allclose(recording.samples.t, np.arange(len(source)) / 100.0, atol=1e-9)


def test_simulate_with_a_protocol_no_simulated_sensor_speaks_is_a_usage_error(tmp_path, monkeypatch):
    # (every registered protocol is simulated now: one whose simulated sensor is taken away)
    from sensorkit.ble.virtual import simulated

    monkeypatch.delitem(simulated.FIRMWARES, "witmotion")
    result = CliRunner().invoke(cli, ["record", "--simulate", "--protocol", "witmotion", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "no simulated sensor speaks 'witmotion'" in result.stderr
    assert "metawear, movesense, open_v1, polar_pmd" in result.stderr and not list(tmp_path.iterdir())


def test_live_knee_extension_on_the_simulated_sensor(tmp_path):
    result = CliRunner().invoke(cli, ["live", "--simulate", "--exercise", "knee_extension", "--duration-s", "40",
                                      "--speed", "20", "--seed", "3", "--out", str(tmp_path), "--name", "knee"])
    assert result.exit_code == 0, result.output
    roms = [float(line.split("ROM ")[1].split()[0]) for line in result.output.splitlines() if " rep " in line]
    assert len(roms) >= 2 and min(roms) > 20  # knee extensions reach well beyond hip ER's ~35 deg
    assert read_recording(tmp_path / "knee.csv").meta.exercise == "knee_extension"


def test_record_needs_exactly_one_source(tmp_path):
    result = CliRunner().invoke(cli, ["record", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "exactly one of --device" in result.output


def test_a_sensor_not_found_is_exit_2_as_documented_and_writes_nothing(tmp_path):
    # (no Bluetooth here, or none called so: either way the sensor is not found)
    result = CliRunner().invoke(cli, ["live", "--device", "no-such-sensor", "--out", str(tmp_path / "out"),
                                      "--give-up-s", "1"])
    assert result.exit_code == 2 and result.output.strip().startswith("error: ") and "Traceback" not in result.output
    assert not list(tmp_path.rglob("*.csv"))


def assert_recorded_without_data(folder, error_line: str) -> None:
    """``folder`` holds one recording: the CSV's header alone, and a sidecar saying the session was
    refused with ``error_line`` (it held nothing: nothing said the session was tried)."""
    (path,) = folder.rglob("*.csv")
    assert path.read_text() == "t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n"
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["n_samples"] == 0 and meta["stream"]["ended_by"] == "refused"
    assert f"error: {meta['stream']['error']}" == error_line


def _record_simulated(tmp_path, monkeypatch, protocol: str, firmware) -> object:
    """``record --simulate --protocol PROTOCOL`` at 20x with the simulated sensor's firmware made by ``firmware``."""
    from sensorkit.ble.virtual import simulated

    monkeypatch.setitem(simulated.FIRMWARES, protocol, firmware)
    return CliRunner().invoke(cli, ["record", "--simulate", "--protocol", protocol, "--speed", "20",
                                    "--out", str(tmp_path / "out")])


def test_a_sensor_without_gyroscope_is_exit_2_in_one_line_and_leaves_a_record_without_data(tmp_path, monkeypatch):
    # the simulated Polar sensor played as an H10 (ECG and ACC: no gyroscope)
    from sensorkit.ble.virtual.polar_firmware import PolarVerityFirmware

    result = _record_simulated(tmp_path, monkeypatch, "polar_pmd", lambda rate_hz: PolarVerityFirmware(rate_hz, gyro=False))
    assert result.exit_code == 2
    assert result.stderr == ("error: F0:0D:00:00:00:02 (Polar H10 1A2B3C4D) offers no gyroscope stream (PMD features: "
                             "ECG, ACC); sensorkit needs an accelerometer and a gyroscope\n")
    assert_recorded_without_data(tmp_path, result.stderr.strip())
    (path,) = tmp_path.rglob("*.csv")
    assert result.stdout == f"done (refused): saved 0 samples to {path}\n"  # (as a run's end says where)


def test_a_sensor_that_streams_no_gyroscope_data_is_exit_2_in_one_line_and_leaves_a_record_without_data(
        tmp_path, monkeypatch):
    # a Polar sensor that offers and starts GYRO but sends ACC frames only: reconnected until the
    # give-up time (a minute), then "gave up" as if the link had failed
    from firmware_protocols import polar_pmd as pmd
    from sensorkit.ble.virtual.polar_firmware import PolarVerityFirmware

    class AccOnly(PolarVerityFirmware):
        def encode(self, rows):
            return [packet for packet in super().encode(rows) if packet[1][0] & 0x3F == pmd.ACC]

    result = _record_simulated(tmp_path, monkeypatch, "polar_pmd", AccOnly)
    assert result.exit_code == 2 and "saved 0 samples" in result.stdout  # (the live status: it streamed)
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: F0:0D:00:00:00:02 (Polar Sense 1A2B3C4D) sends no angular rate (gyroscope) data: ")
    assert line.endswith(" s, none of angular rate; sensorkit needs an accelerometer and a gyroscope")
    assert_recorded_without_data(tmp_path, line)


def test_a_movesense_refusing_the_subscription_is_exit_2_in_one_line_and_leaves_a_record_without_data(
        tmp_path, monkeypatch):
    # the simulated Movesense with every subscription slot taken answers 01 63 01 FB (507): said at
    # once, not after a silence, reconnects and a give-up a minute later
    from sensorkit.ble.virtual.movesense_firmware import MAX_SUBSCRIPTIONS, MovesenseFirmware

    def full(rate_hz):
        firmware = MovesenseFirmware(rate_hz)
        firmware.slots_held = MAX_SUBSCRIPTIONS  # (slots a dropped link does not free)
        return firmware

    result = _record_simulated(tmp_path, monkeypatch, "movesense", full)
    assert result.exit_code == 2 and result.stdout.startswith("done (refused): saved 0 samples to ")
    refused = ("F0:0D:00:00:00:04 (Movesense 174630000192) refused the subscription to /Meas/IMU6/104: status 507 "
               "(Insufficient Storage)")
    assert result.stderr == f"error: {refused}\n"  # (after the one resubscription a 507 gets)
    assert_recorded_without_data(tmp_path, result.stderr.strip())


def test_a_movesense_refusing_the_subscription_on_reconnecting_is_exit_2_in_one_line_and_keeps_the_data(
        tmp_path, monkeypatch):
    # the link drops 2 s in and other subscriptions take every slot meanwhile: the resubscription
    # is answered 507. That was a warning and a "gave up reconnecting" (exit 0, as if out of reach);
    # now the same one line as a refusal of the first subscription, exit 2, the samples before saved
    import asyncio

    from sensorkit.ble.virtual.movesense_firmware import MAX_SUBSCRIPTIONS, MovesenseFirmware

    class TakenWhileAway(MovesenseFirmware):
        dropped = False

        def encode(self, rows):
            # (by the samples' time, not the clock: a loaded machine sends a backlog of packets at
            # once, and the drop comes after it; the recording must end at 2 s all the same)
            if not self.dropped and rows[0, 0] >= 2.0:
                self.dropped = True
                asyncio.get_running_loop().call_soon(self.host.drop_link)
            return [] if self.dropped else super().encode(rows)

        def on_disconnect(self):
            super().on_disconnect()
            if self.dropped:
                self.subscriptions.update({ref: "/Meas/ECG/125" for ref in range(1, MAX_SUBSCRIPTIONS + 1)})

    result = _record_simulated(tmp_path, monkeypatch, "movesense", TakenWhileAway)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1] == ("error: F0:0D:00:00:00:04 (Movesense 174630000192) refused the "
                                              "subscription to /Meas/IMU6/104: status 507 (Insufficient Storage)")
    assert "gave up" not in result.stderr
    (saved,) = tmp_path.rglob("*.csv")
    recording = read_recording(saved)
    (gap,) = recording.meta.reconnects  # the drop, not resumed
    assert gap["resumed_at_t_s"] is None and recording.samples.duration_s == pytest.approx(2.0, abs=0.1)
    assert recording.meta.stream["ended_by"] == "refused"
    assert recording.meta.stream["error"] == result.stderr.splitlines()[-1].removeprefix("error: ")


def test_ctrl_c_stops_record_cleanly_and_closes_the_sidecar(tmp_path):
    command = [sys.executable, "-m", "sensorkit", "record", "--simulate", "--speed", "10", "--out", str(tmp_path),
               "--name", "stopped"]
    # (SIGINT at its default, as in a terminal's foreground: a suite started in the background by a
    # shell has SIGINT ignored, and the command would inherit that)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = process.stdout.readline()  # "link streaming ..." once data flows
        assert "link streaming" in first
        time.sleep(1.2)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "stopped" in err and "link closed" in out
    sidecar = json.loads((tmp_path / "stopped.json").read_text())
    assert sidecar["n_samples"] == len(read_recording(tmp_path / "stopped.csv").samples) > 0
    assert "ended_at" in sidecar


def test_a_stop_while_the_sensor_is_still_connecting_names_the_record_it_leaves(tmp_path, monkeypatch):
    # SIGTERM (as Ctrl-C) at the first connection attempt of a sensor that never accepts one: the
    # record without data was made, but only "stopped" was said (a stop after data names its file)
    from sensorkit.ble.virtual import simulated
    from sensorkit.ble.virtual.sensor import VirtualSensor

    made = simulated.simulated_sensor

    def unreachable(*args, **options):
        sensor, sim = made(*args, **options)
        sensor.refuse_connections(100_000)
        return sensor, sim

    def stopped_as_it_connects(sensor, requested_mtu, on_lost):
        signal.raise_signal(signal.SIGTERM)  # (handled by the run's loop: its task cancelled)
        return refused_accept(sensor, requested_mtu, on_lost)

    refused_accept = VirtualSensor.accept
    monkeypatch.setattr(simulated, "simulated_sensor", unreachable)
    monkeypatch.setattr(VirtualSensor, "accept", stopped_as_it_connects)
    result = CliRunner().invoke(cli, ["record", "--simulate", "--speed", "20", "--out", str(tmp_path), "--name", "tried"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "stopped\n"
    assert result.stdout == f"done (closed): saved 0 samples to {tmp_path / 'tried.csv'}\n"
    meta = json.loads((tmp_path / "tried.json").read_text())
    assert meta["n_samples"] == 0 and meta["stream"]["ended_by"] == "closed"


def status(**changes):
    base = LiveStatus(state=LinkState.STREAMING, t_s=12.5, angle_deg=33.0, phase="hold", hold_elapsed_s=5.5,
                      battery_percent=80, loss_fraction=0.012, target_rom_deg=30.0, target_hold_s=5.0,
                      sensor="sensorkit-imu")
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def a_rep(number=1, kind="full"):
    return Rep(number, kind, 1.0, 9.0, 34.2, 5.1, 3.0, 8.1, 60.0, 2.0, 1.0, 0.0, 0.35, 3.0)


def test_rich_panel_shows_angle_band_counts_hold_cue_link_battery_loss():
    console = Console(file=io.StringIO(), width=120, record=True)
    display = RichDisplay(console)
    display.rep(a_rep(), status())
    console.print(display.render(status(counts={"full": 1, "partial": 0, "knee_out": 0, "rejected": 2})))
    display.close(status())
    text = console.export_text()
    for expected in ("33.0 deg", "target 30 deg", "full 1", "not counted 2", "Hold  5.5 of 5 s  reached: return slowly",
                     "streaming", "battery 80%", "loss 1.2%", "rep 1 full: ROM 34.2 deg, hold 5.1 s"):
        assert expected in text, expected


def phase_row(display: RichDisplay, console: Console, st: LiveStatus) -> str:
    """The panel's phase row as a terminal shows it (with its colour codes), from its word on."""
    console.print(display.render(st))
    row = next(line for line in console.export_text(styles=True).splitlines() if "phase" in line)
    return row[row.index("phase") + len("phase"):].strip(" │\x1b[0m")


@pytest.mark.parametrize("phase, word", [("hold", "Hold"), ("out", "Moving out"), ("still", "Still")])
def test_the_phase_row_says_its_word_once_in_its_colour_and_the_time_held_in_the_normal_style(phase, word):
    # the row read "Hold   hold  5.5 / 5 s", the hold colour over the time too: now the page's
    # words ("Hold  5.5 of 5 s"), the colour (truecolor #f2c94c: 242;201;76) on "Hold" alone
    console = Console(file=io.StringIO(), width=120, record=True, force_terminal=True, color_system="truecolor")
    display = RichDisplay(console)
    row = phase_row(display, console, status(phase=phase, hold_elapsed_s=1.2 if phase == "hold" else 0.0))
    display.close(status())
    plain = "".join(part.split("m", 1)[-1] for part in row.split("\x1b[")).strip()
    coloured = [part.split("m", 1) for part in row.split("\x1b[") if part.startswith("38;2;")]
    assert [text for _, text in coloured] == [word]
    assert plain.split()[:len(word.split())] == word.split() and plain.lower().count("hold") == (phase == "hold")
    if phase == "hold":
        assert plain.startswith("Hold  1.2 of 5 s") and "reached" not in plain


def test_the_angle_reads_in_the_normal_style_beside_the_bar_s_colour():
    # the bar's colour (cyan, green in the band) covered the readout "33.0 deg" and "(target 30 deg)"
    console = Console(file=io.StringIO(), width=120, record=True, force_terminal=True, color_system="standard")
    display = RichDisplay(console)
    for angle_deg in (20.0, 33.0):
        console.print(display.render(status(phase="out", angle_deg=angle_deg)))
    display.close(status())
    rows = [line for line in console.export_text(styles=True).splitlines() if "angle" in line]
    for row in rows:
        readout = row[row.index("deg") - 12:row.index("deg")]
        assert "\x1b[36m" not in readout and "\x1b[32m" not in readout, repr(row)  # (cyan, green: ESC[36m, ESC[32m)
    assert "\x1b[2m  (target 30 deg)" in rows[-1]  # (dim alone: ESC[2m)


def test_a_hold_under_the_target_range_is_not_called_reached_as_on_the_live_page():
    # held 5.5 s (target 5 s) at 25 deg, the target range 30 deg: the page says "Hold 5.5 s: go a
    # little further (30°)", with no cue; the terminal rang its bell and said "HOLD REACHED"
    console = Console(file=io.StringIO(), width=120, record=True)
    display = RichDisplay(console)
    rings = []
    console.bell = lambda: rings.append(1)
    low = status(angle_deg=25.0)
    display.show(low)
    console.print(display.render(low))
    display.show(status())  # (at 33 deg: reached)
    display.close(status())
    text = console.export_text()
    assert "Hold  5.5 s: go a little further (30 deg)" in text and "reached" not in text.split("further")[0]
    assert rings == [1]
    out = io.StringIO()
    plain = PlainDisplay(out)
    plain.show(low)
    assert "reached" not in out.getvalue()
    plain.show(status())
    assert "hold 5 s reached: return slowly" in out.getvalue()


def test_rich_panel_shows_a_stream_the_sensor_refused_in_red_as_a_lost_one():
    console = Console(file=io.StringIO(), width=120, record=True, force_terminal=True, color_system="standard")
    display = RichDisplay(console)
    colours = {}
    for state in (LinkState.GAVE_UP, LinkState.REFUSED):
        console.print(display.render(status(state=state)))
        text = console.export_text(styles=True)
        colours[state.value] = text[text.index(state.value) - 5:text.index(state.value)]
    display.close(status())
    assert colours["refused"] == colours["gave_up"] and "31" in colours["refused"], colours  # (red: ESC[31m)


def test_plain_display_logs_state_changes_cues_and_reps_once():
    out = io.StringIO()
    display = PlainDisplay(out)
    for _ in range(3):
        display.show(status())
    display.show(status(phase="out", hold_elapsed_s=0.0))      # jitter within the same rep: no new cue
    display.show(status())
    display.rep(a_rep(), status(phase="rest"))
    display.show(status(state=LinkState.RECONNECTING, phase="rest", hold_elapsed_s=0.0))
    lines = out.getvalue().splitlines()
    assert [line.split("] ", 1)[1] for line in lines] == [
        "link streaming (sensorkit-imu, battery 80%)", "hold 5 s reached: return slowly",
        "rep 1 full: ROM 34.2 deg, hold 5.1 s (1.0-9.0 s)", "link reconnecting (sensorkit-imu, battery 80%)"]


def test_without_a_target_the_band_is_the_usual_full_rep_range():
    console = Console(file=io.StringIO(), width=120, record=True)
    display = RichDisplay(console)
    for number, rom in enumerate([30.0, 36.0, 33.0], start=1):
        display.rep(dataclasses.replace(a_rep(number), rom_deg=rom), status())
    console.print(display.render(status(target_rom_deg=None, target_hold_s=None)))
    display.close(status())
    assert "(usual 33 deg)" in console.export_text()


def test_the_plain_log_says_go_a_little_further_as_the_terminal_view_does():
    # (the plain log said nothing in a hold under the target range, then no "reached": no why)
    out = io.StringIO()
    plain = PlainDisplay(out)
    low = status(angle_deg=25.0, peak_deg=25.0)
    for _ in range(3):
        plain.show(low)
    plain.show(status(angle_deg=33.0, peak_deg=33.0))
    plain.rep(a_rep(), status(phase="rest"))
    plain.show(dataclasses.replace(low, hold_elapsed_s=1.5))  # the next rep's hold: said again
    said = [line.split("] ", 1)[1] for line in out.getvalue().splitlines()]
    assert said[1:] == ["hold 5.5 s: go a little further (30 deg)", "hold 5 s reached: return slowly",
                        "rep 1 full: ROM 34.2 deg, hold 5.1 s (1.0-9.0 s)", "hold 1.5 s: go a little further (30 deg)"]


def shake_row(start_s: float, end_s: float, rom_deg: float, reason: str) -> Rep:
    return Rep(None, "rejected", start_s, end_s, rom_deg, 0.0, end_s, end_s, 150.0, 0.1, 0.1, 0.0, float("nan"),
               89.5, reason=reason)


def test_the_plain_log_says_a_leg_shake_in_two_lines_not_one_per_row():
    out = io.StringIO()
    plain = PlainDisplay(out)
    rows = [shake_row(21.44, 21.69, 1.6, "too small (1.6 deg)"), shake_row(21.70, 21.87, 10.9, "too abrupt"),
            *(shake_row(21.9 + 0.2 * i, 22.05 + 0.2 * i, 4.0, "too small (4.0 deg)") for i in range(12))]
    for row in rows:
        plain.rep(row, status(phase="rest", t_s=row.end_s + 0.1))
    plain.rep(dataclasses.replace(a_rep(3), start_s=27.1, end_s=31.8), status(phase="rest", t_s=31.9))
    said = [line.split("] ", 1)[1] for line in out.getvalue().splitlines()]
    assert said == ["movement rejected (too small (1.6 deg)) 21.4-21.7 s: a small quick movement (a fidget or shake), "
                    "no cue", "13 more small quick movements (a fidget or shake) 21.7-24.2 s: not counted, no cue",
                    "rep 3 full: ROM 34.2 deg, hold 5.1 s (27.1-31.8 s)"]


def test_a_rep_short_of_its_target_is_not_logged_as_reaching_it():
    out = io.StringIO()
    plain = PlainDisplay(out)
    short = dataclasses.replace(a_rep(), rom_deg=29.96, hold_s=4.96)  # (targets: 30 deg, 5 s)
    plain.rep(short, status(phase="rest"))
    assert "rep 1 full: ROM 29.96 deg, hold 4.96 s (1.0-9.0 s)" in out.getvalue()


def live_with_rx(tmp_path, *options, sides=("left",)):
    """`sensorkit live` on the simulated sensor (seed 0: a right leg) with a prescription for ``sides``."""
    (tmp_path / "rx.toml").write_text(rx_toml("p101", "UTC", "2026-01-01", None,
                                              exercise("hip_external_rotation", 40.0, 3.0, sides=sides)))
    return CliRunner().invoke(cli, ["live", "--simulate", "--speed", "20", "--duration-s", "4", "--out",
                                    str(tmp_path / "out"), "--name", "s", "--prescription", str(tmp_path / "rx.toml"),
                                    "--patient", "p101", *options])


def test_live_refuses_a_side_the_prescription_does_not_have(tmp_path):
    # (the page said "1 of 6 prescribed reps completed"; the report then skipped the session)
    result = live_with_rx(tmp_path, "--side", "right")
    assert result.exit_code == 2 and "--side right:" in result.output
    assert "hip_external_rotation for the left leg only" in result.output and "would not count" in result.output
    assert not (tmp_path / "out").exists()


def test_live_without_side_takes_the_one_prescribed_and_simulates_that_leg(tmp_path):
    result = live_with_rx(tmp_path)
    assert result.exit_code == 0, result.output
    assert read_recording(tmp_path / "out" / "s.csv").meta.side == "left"  # (seed 0 alone: a right leg)
    assert f"targets: range 40 deg, hold 3 s (prescription {tmp_path / 'rx.toml'}); left leg (prescription" \
        in result.output


def test_a_sensor_session_without_side_under_a_two_leg_prescription_is_refused(tmp_path):
    (tmp_path / "rx.toml").write_text(rx_toml("p101", "UTC", "2026-01-01", None,
                                              exercise("hip_external_rotation", 40.0, sides=("left", "right"))))
    result = CliRunner().invoke(cli, ["live", "--device", "AA:BB", "--out", str(tmp_path / "out"),
                                      "--prescription", str(tmp_path / "rx.toml"), "--patient", "p101"])
    assert result.exit_code == 2 and "--side left or right is needed" in result.output
    assert not (tmp_path / "out").exists()


def test_live_refuses_an_exercise_the_prescription_does_not_have(tmp_path):
    (tmp_path / "rx.toml").write_text(rx_toml("p101", "UTC", "2026-01-01", None, exercise("hip_external_rotation", 40.0)))
    out = subprocess.run([sys.executable, "-m", "sensorkit", "live", "--simulate", "--exercise", "knee_extension",
                          "--out", "out", "--prescription", "rx.toml", "--patient", "p101"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and out.stderr.splitlines()[-1] == "error: rx.toml: knee_extension is not prescribed to p101"
    assert not (tmp_path / "out").exists()


def test_the_live_log_says_where_its_targets_came_from(tmp_path):
    # (the simulated session's own 40-deg target held back "hold 3 s reached", unsaid)
    result = CliRunner().invoke(cli, ["live", "--simulate", "--speed", "20", "--duration-s", "4", "--target-hold-s",
                                      "2", "--out", str(tmp_path), "--name", "t"])
    assert result.exit_code == 0, result.output
    lines = [line.split("] ", 1)[-1] for line in result.output.splitlines() if line != notice.COMPILING]
    assert lines[1] == ("targets: range 40 deg (the simulated session's), hold 2 s (--target-hold-s); right leg "
                        "(the simulated session's)")


def test_a_side_the_simulation_drew_is_not_credited_to_a_prescription_for_both_legs():
    # (found by review: "right leg (prescription rx_both.toml)", where the prescription named both)
    from pathlib import Path
    from types import SimpleNamespace

    from sensorkit.cli.ble_commands import targets_note

    meta = {"target_rom_deg": 40.0, "target_hold_s": 3.0, "side": "right"}
    given = {"target_rom_deg": None, "target_hold_s": None, "side": None}
    both, one = SimpleNamespace(sides=("left", "right")), SimpleNamespace(sides=("right",))
    assert targets_note(meta, given, both, Path("rx.toml"), simulate=True) == \
        "targets: range 40 deg, hold 3 s (prescription rx.toml); right leg (the simulated session's)"
    assert targets_note(meta, given, one, Path("rx.toml"), simulate=True).endswith("right leg (prescription rx.toml)")
    assert targets_note(meta, {**given, "side": "right"}, both, Path("rx.toml"), simulate=True).endswith(
        "right leg (--side)")
