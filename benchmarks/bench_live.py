"""Live path figures: notification-to-processed latency, rep-event latency, memory over a long session.

Everything runs through the real client (bleak with the virtual backend), the open_v1 reference
frame code on the simulated sensor, the RecordingWriter and the Pipeline.

1. Latency from a notification's arrival (bleak callback) to its samples being written and
   processed by the pipeline, at 200 Hz in real time (median, p99; target p99 < 5 ms). Baseline in
   the same run: the same payloads decoded and fed to a fresh pipeline in a plain loop.
2. Time from each rep's true end (simulation truth) to its event, on the sensor clock in real
   time (target < 300 ms).
3. Memory (resident set) at the start and end of a 2-hour simulated session streamed at
   ``--speed`` × real time.
4. The pipeline's time per packet (10 samples) through long holds (``--hold-s``, 20 s) at 200 Hz,
   best of 3 per packet: at rest, early and late in a hold. The live view's hold timer looks at the
   whole movement so far on every packet, so late in a long hold a packet costs more.

Run: ``python benchmarks/bench_live.py`` (about 5 minutes; ``--quick`` for a short smoke run,
``--holds-only`` for 4 alone).
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from sensorkit.ble.recorder import SessionRecorder, run_session
from sensorkit.ble.session import SensorSession
from sensorkit.ble.virtual import VirtualRadio
from sensorkit.ble.virtual.simulated import simulated_sensor
from sensorkit.pipeline import Pipeline
from sensorkit.samples import Samples


class EventTimes:
    """A display recording, at each rep event, the sensor clock and the newest sample's time."""

    def __init__(self, clock):
        self.clock, self.events = clock, []

    def show(self, status):
        pass

    def rep(self, rep, status):
        self.events.append((self.clock(), status.t_s, rep))

    def close(self, status):
        pass


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stream(folder: Path, name: str, seed: int, rate_hz: float, speed: float, latencies: list | None,
           **sim_options):
    sensor, sim = simulated_sensor("open_v1", seed, speed=speed, sample_rate_hz=rate_hz, **sim_options)
    radio = VirtualRadio([sensor])
    meta = {"side": sim.meta["side"], "sample_rate_hz": rate_hz}
    recorder = SessionRecorder(folder, name, meta, Pipeline(meta=meta), latencies_s=latencies)
    events = EventTimes(sensor.clock)
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, sample_rate_hz=rate_hz, clock=sensor.clock)
    memory = {}

    async def go():
        task = asyncio.create_task(run_session(session, recorder, events, sim.samples.duration_s + 0.5))
        while session.elapsed_s < min(60.0, sim.samples.duration_s / 10):  # settled: pipeline started, buffers sized
            await asyncio.sleep(0.05)
        gc.collect()
        memory["start_mb"] = rss_mb()
        await task
        gc.collect()
        memory["end_mb"] = rss_mb()

    wall = time.perf_counter()
    asyncio.run(go())
    return sim, sensor, recorder, events, memory, time.perf_counter() - wall


def direct_processing_s(sim, rate_hz: float) -> list[float]:
    """Baseline: decode the same open_v1 frames and run a fresh pipeline, no BLE path, per frame."""
    from firmware_protocols import open_v1
    from sensorkit.ble.virtual.open_v1_firmware import OpenV1Firmware

    protocol, firmware = open_v1.OpenV1(), OpenV1Firmware(rate_hz)
    firmware.on_connect(247)
    chars = {c.uuid: c for service in firmware.services() for c in service.characteristics}
    for command in protocol.start_commands(rate_hz):
        chars[command.char_uuid].on_write(command.payload)
    decoder = protocol.decoder(config=chars[open_v1.CONFIG_CHAR_UUID].value)
    rows = sim.samples.to_array()
    per_frame = firmware.samples_per_packet(247)
    pipeline = Pipeline(meta={"side": sim.meta["side"]})
    times = []
    for start in range(0, len(rows), per_frame):
        for _, payload in firmware.encode(rows[start:start + per_frame]):
            began = time.perf_counter()
            decoded = decoder.feed(payload)
            pipeline.update(Samples.from_array(decoded))
            times.append(time.perf_counter() - began)
    return times


def match_truth(sim, events) -> list[tuple[float, float, float]]:
    """Per counted true rep that got an event, the three parts of (event time - true end), s:
    detected end - true end; newest sample at the event - detected end (the pipeline confirming
    the rest); event clock - newest sample (packetization, transport, processing)."""
    parts = []
    for truth in (m for m in sim.truth if m.counted):
        matches = [(clock, newest_t, rep) for clock, newest_t, rep in events.events
                   if rep.counted and rep.start_s < truth.end_s and rep.end_s > truth.start_s]
        if matches:
            clock, newest_t, rep = matches[0]
            parts.append((rep.end_s - truth.end_s, newest_t - rep.end_s, clock - newest_t))
    return parts


def held_reps(rate_hz: float, hold_s: float, n_reps: int = 3, rom_deg: float = 60.0, seed: int = 0) -> Samples:
    """A knee extension's exact readings (a little noise): ``n_reps`` reps of ``rom_deg`` out in
    1.2 s (minimum jerk), held ``hold_s``, back in 1.2 s, 4 s apart, about the sensor's x axis."""
    rng = np.random.default_rng(seed)
    period_s = 2.4 + hold_s + 4.0
    t = np.arange(0.0, 3.0 + n_reps * period_s, 1.0 / rate_hz)
    theta = np.zeros_like(t)
    for k in range(n_reps):
        t0 = 3.0 + k * period_s
        for start, sign in ((t0, 1.0), (t0 + 1.2 + hold_s, -1.0)):
            tau = np.clip((t - start) / 1.2, 0.0, 1.0)
            theta += sign * rom_deg * (10 * tau**3 - 15 * tau**4 + 6 * tau**5)
    rad = np.radians(theta)
    acc = 9.81 * np.column_stack([np.zeros_like(t), np.sin(rad), np.cos(rad)])
    gyr = np.column_stack([np.gradient(theta, t), np.zeros_like(t), np.zeros_like(t)])
    return Samples(t, acc + 0.02 * rng.standard_normal(acc.shape), gyr + 0.1 * rng.standard_normal(gyr.shape))


def per_packet_through_holds(rate_hz: float, hold_s: float, per_packet: int = 10, repeats: int = 3):
    """Best-of-``repeats`` pipeline time per packet (s) and each packet's last sample time (s)."""
    samples = held_reps(rate_hz, hold_s)
    packets = list(samples.chunks(per_packet))
    best = np.full(len(packets), np.inf)
    for _ in range(repeats):
        pipeline = Pipeline(meta={"exercise": "knee_extension"})
        for k, packet in enumerate(packets):
            began = time.perf_counter()
            pipeline.update(packet)
            best[k] = min(best[k], time.perf_counter() - began)
    return best, np.array([float(p.t[-1]) for p in packets])


def ms(values) -> str:
    values = np.asarray(values) * 1e3
    return f"median {np.median(values):6.2f} ms, p99 {np.percentile(values, 99):6.2f} ms, max {values.max():6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency-s", type=float, default=90.0, help="real-time session length for 1 and 2 (s)")
    parser.add_argument("--hours", type=float, default=2.0, help="simulated session length for 3 (h)")
    parser.add_argument("--speed", type=float, default=40.0, help="time scale of the memory run")
    parser.add_argument("--quick", action="store_true", help="30 s latency run, 10-minute memory run")
    parser.add_argument("--skip-memory", action="store_true", help="no memory run (3)")
    parser.add_argument("--hold-s", type=float, default=20.0, help="hold of each rep in 4 (s)")
    parser.add_argument("--holds-only", action="store_true", help="only the per-packet figures through holds (4)")
    args = parser.parse_args()
    if args.quick:
        args.latency_s, args.hours = 30.0, 1 / 6
    if args.holds_only:
        return holds_run(args.hold_s)
    folder = Path(tempfile.mkdtemp(prefix="bench_live_"))

    print(f"1+2. open_v1 at 200 Hz, real time, {args.latency_s:g} s simulated session (perfect sensor clock, so "
          f"the device's sample grid is the simulation's time base)")
    latencies: list[float] = []
    sim, sensor, recorder, events, _, wall_s = stream(folder, "latency", 4, 200.0, 1.0, latencies,
                                                      max_duration_s=args.latency_s, imperfections=False)
    baseline = direct_processing_s(sim, 200.0)
    print(f"   notification -> processed: {ms(latencies)}  ({len(latencies)} notifications; target p99 < 5 ms)")
    print(f"   baseline, same frames decoded + pipeline in a plain loop: {ms(baseline)}")
    print(f"   ratio live/baseline: median {statistics.median(latencies) / statistics.median(baseline):.2f}, "
          f"p99 {np.percentile(latencies, 99) / np.percentile(baseline, 99):.2f}")
    parts = np.array(match_truth(sim, events))
    if len(parts):
        print(f"   rep true end -> event: {ms(parts.sum(axis=1))}  ({len(parts)} of "
              f"{sum(m.counted for m in sim.truth)} true reps; target < 300 ms), made of")
        print(f"     pipeline's end estimate - true end:  {ms(parts[:, 0])}")
        print(f"     pipeline confirming rest after it:   {ms(parts[:, 1])}")
        print(f"     packet + transport + processing:     {ms(parts[:, 2])}")
    if not args.skip_memory:
        memory_run(folder, args)
    holds_run(args.hold_s)


def holds_run(hold_s: float) -> None:
    print(f"4. pipeline time per packet (10 samples, 200 Hz, best of 3) through 60-deg reps held {hold_s:g} s")
    best, t_s = per_packet_through_holds(200.0, hold_s)
    first_hold_s = 3.0 + 1.2  # (the first rep's hold starts there)
    for name, lo, hi in (("at rest", 1.5, 2.9), ("hold, first 2 s", first_hold_s + 0.5, first_hold_s + 2.5),
                         ("hold, last 2 s", first_hold_s + hold_s - 2.5, first_hold_s + hold_s - 0.5)):
        sel = (t_s >= lo) & (t_s <= hi)
        print(f"   {name:16s} {ms(best[sel])}")


def memory_run(folder: Path, args) -> None:
    print(f"3. memory over a {args.hours:g} h simulated session (104 Hz, {args.speed:g}x real time)")
    sim, sensor, recorder, events, memory, wall_s = stream(
        folder, "long", 1, 104.0, args.speed, None, n_sets=200, max_duration_s=args.hours * 3600)
    print(f"   streamed {recorder.status.samples_saved} samples ({sim.samples.duration_s / 3600:.2f} h) "
          f"in {wall_s:.0f} s wall, {len(recorder.reps)} movements")
    print(f"   resident memory: start {memory['start_mb']:.1f} MB, end {memory['end_mb']:.1f} MB, "
          f"ratio end/start {memory['end_mb'] / memory['start_mb']:.3f}")


if __name__ == "__main__":
    main()
