"""The sensor's battery during a session: followed, warned about once when low, recorded."""
import asyncio
import json
import logging

from sensorkit.ble import SensorSession
from sensorkit.ble.recorder import SessionRecorder, run_session
from sensorkit.ble.session import BATTERY_LOW_PERCENT
from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
from sensorkit.ble.virtual.open_v1_firmware import OpenV1Firmware

from .conftest import synthetic_samples
from .test_recorder import Quiet


def low_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and "battery low" in r.getMessage()]


def battery_session(tmp_path, run, levels: dict[float, int], start_percent: int = 60, notifies: bool = True,
                    duration_s: float = 6.0):
    """A recorded session whose sensor's battery is set to ``levels[t]`` % once the sensor's clock
    passes ``t`` s: (session, the levels the session said at each block, the sidecar's stream)."""
    sensor = VirtualSensor(OpenV1Firmware(104.0), synthetic_samples(duration_s + 2), speed=20.0,
                           battery_percent=start_percent, battery_notifies=notifies)
    radio = VirtualRadio([sensor])
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, clock=sensor.clock,
                            battery_read_interval_s=0.02)
    recorder = SessionRecorder(tmp_path, "b", {})
    pending = dict(sorted(levels.items()))
    seen = []

    class Drain(Quiet):
        def show(self, status):
            for t_s in [t for t in pending if sensor.clock() >= t]:
                sensor.set_battery_percent(pending.pop(t_s))
            seen.append(status.battery_percent)

    async def go():
        await run_session(session, recorder, Drain(), duration_s=duration_s)
        await asyncio.sleep(0)

    run(go())
    return session, seen, json.loads(recorder.path.with_suffix(".json").read_text())["stream"]


def test_a_battery_that_runs_low_mid_session_is_followed_warned_about_once_and_recorded(tmp_path, run, caplog):
    # The level was read once per connection: a battery at 4 % mid-session still read as at the start,
    # with no warning (review 35, finding 9)
    caplog.set_level(logging.WARNING, "sensorkit.ble.session")
    session, seen, stream = battery_session(tmp_path, run, {1.0: 35, 2.0: BATTERY_LOW_PERCENT, 3.0: 12, 4.0: 9})
    assert seen[0] == 60 and {35, BATTERY_LOW_PERCENT, 12} <= set(seen)
    (said,) = low_warnings(caplog)
    assert f"battery low ({BATTERY_LOW_PERCENT}%): charge it after this session" in said
    assert session.battery_percent == 9 and stream["battery_percent"] == 9


def test_a_battery_level_that_does_not_notify_is_read_again_during_the_session(tmp_path, run, caplog):
    caplog.set_level(logging.WARNING, "sensorkit.ble.session")
    session, seen, stream = battery_session(tmp_path, run, {1.0: 15}, notifies=False)
    assert 15 in seen and stream["battery_percent"] == 15
    assert len(low_warnings(caplog)) == 1


def test_a_session_started_on_a_low_battery_is_warned_about_at_once_and_a_high_one_never(tmp_path, run, caplog):
    caplog.set_level(logging.WARNING, "sensorkit.ble.session")
    battery_session(tmp_path / "high", run, {}, start_percent=BATTERY_LOW_PERCENT + 1, duration_s=2.0)
    assert low_warnings(caplog) == []
    session, seen, stream = battery_session(tmp_path / "low", run, {}, start_percent=7, duration_s=2.0)
    assert seen[0] == 7 and len(low_warnings(caplog)) == 1 and stream["battery_percent"] == 7
