"""A recording's clock as loggers write it: stamped once per packet, or jittered, is repaired; a
time column going back by a sample period or more (a damaged file, two recordings in one) is not."""
from __future__ import annotations

import json

import numpy as np
import pytest
from in_process import run_in_process
from io_synth import csv_text, good_lines, set_cell, write_csv

from sensorkit.batch import analyze_recording
from sensorkit.errors import RecordingError
from sensorkit.io import read_recording, write_recording
from sensorkit.io.clock import untangle_jitter
from sensorkit.samples import Samples
from sensorkit.sim import simulate_session


def restamped(samples: Samples, stamp_row: np.ndarray) -> Samples:
    """``samples`` with each row's time replaced by the time of row ``stamp_row[i]`` (its packet's first)."""
    return Samples(samples.t[stamp_row], samples.acc, samples.gyr)


def counted(path):
    return [rep for rep in analyze_recording(path).reps if rep.counted]


@pytest.mark.parametrize("rate_hz, per_packet", [(200, 10), (52, 4)])
def test_a_recording_stamped_once_per_packet_counts_the_reps_of_its_own_clock(tmp_path, rate_hz, per_packet):
    # a logger that writes the packet's time on each of its samples (the first sample's time)
    session = simulate_session(3, sample_rate_hz=rate_hz, max_duration_s=120)
    own = session.write(tmp_path / "own", "rec")["csv"]
    first_of_packet = np.arange(len(session.samples)) // per_packet * per_packet
    stamped = write_recording(tmp_path / "packets" / "rec.csv", restamped(session.samples, first_of_packet), session.meta)

    recording = read_recording(stamped)
    assert np.all(np.diff(recording.samples.t) > 0) and len(recording.samples) == len(session.samples)
    assert recording.samples.t[0] == session.samples.t[0]  # (the stamp is the first sample's: the start is kept)
    [note] = [w for w in recording.warnings if "packet" in w]
    assert f"{per_packet} rows a stamp" in note and f"{rate_hz:.3g} Hz" in note, note
    reps, expected = counted(stamped), counted(own)
    assert len(reps) == len(expected) >= 10
    packet_s = per_packet / rate_hz
    for rep, truth in zip(reps, expected):
        assert abs(rep.start_s - truth.start_s) <= packet_s and abs(rep.end_s - truth.end_s) <= packet_s
    # (a packet holding one of the simulator's lost-packet gaps moves the gap after it: a rep there measures differently)
    rom_error_deg = np.abs([rep.rom_deg - truth.rom_deg for rep, truth in zip(reps, expected)])
    assert np.mean(rom_error_deg < 0.1) >= 0.9


def test_a_clock_ticking_every_50_ms_stamps_9_to_11_samples_alike_and_is_spread_too(tmp_path):
    # (the reviewer's own file: t floored to 50 ms at 200 Hz with the simulator's jitter and lost packets)
    session = simulate_session(3, sample_rate_hz=200, max_duration_s=120)
    t = np.floor(session.samples.t / 0.05) * 0.05
    path = write_recording(tmp_path / "rec.csv", Samples(t, session.samples.acc, session.samples.gyr), session.meta)
    recording = read_recording(path)
    assert any("stamped once per packet" in w and "10 rows a stamp" in w for w in recording.warnings)
    assert np.abs(recording.samples.t - session.samples.t).max() < 0.05
    assert len(counted(path)) == len(counted(session.write(tmp_path / "own", "rec")["csv"]))


def test_convert_writes_each_sample_of_a_packet_its_own_time_and_says_so(tmp_path):
    session = simulate_session(3, sample_rate_hz=52, max_duration_s=30)
    stamp_row = np.arange(len(session.samples)) // 4 * 4
    source = write_recording(tmp_path / "in" / "rec.csv", restamped(session.samples, stamp_row))
    result = run_in_process("convert", source, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "t is stamped once per packet" in result.stderr
    converted = read_recording(tmp_path / "out" / "rec.csv")
    assert not any("packet" in w for w in converted.warnings)  # (its own times, written)
    assert np.abs(converted.samples.t - session.samples.t).max() < 4 / 52


def test_repeats_that_are_no_regular_packets_are_refused_saying_what_to_do(tmp_path):
    lines = good_lines(rate_hz=100.0)
    rows = list(lines)
    rng = np.random.default_rng(0)
    for line_number in sorted(rng.choice(np.arange(3, len(lines)), size=len(lines) // 10, replace=False)):
        rows = set_cell(rows, line_number, 0, rows[line_number - 2].split(",")[0])  # ~10 % repeat the line before
    with pytest.raises(RecordingError) as caught:
        read_recording(write_csv(tmp_path, rows))
    message = str(caught.value)
    assert "repeat a timestamp; at most 1% can be repaired, or regular packets" in message
    assert "the commonest 1 (" in message and message.endswith("give each row its own time (s)")


def test_rows_written_twice_are_no_packets(tmp_path):
    lines = good_lines(rate_hz=100.0)
    path = write_csv(tmp_path, [lines[0], *(line for line in lines[1:] for _ in range(2))])
    with pytest.raises(RecordingError, match="repeat the whole row before: rows written twice"):
        read_recording(path)


def jittered(seed: int = 1, jitter_s: float = 0.001) -> tuple[Samples, Samples]:
    """A simulated 200 Hz session and the same with Gaussian jitter of ``jitter_s`` on its times."""
    samples = simulate_session(5, sample_rate_hz=200, max_duration_s=120).samples
    t = samples.t + np.random.default_rng(seed).normal(0.0, jitter_s, len(samples))
    return samples, Samples(t, samples.acc, samples.gyr)


def test_clock_jitter_stepping_back_less_than_a_period_is_retimed_in_the_file_s_order(tmp_path):
    samples, shaken = jittered()
    assert (np.diff(shaken.t) < 0).any()
    path = tmp_path / "rec.csv"
    path.write_text(csv_text(shaken))  # (as the logger wrote it: write_recording refuses t going back)
    recording = read_recording(path)
    got = recording.samples
    assert len(got) == len(samples) and np.all(np.diff(got.t) > 0)
    np.testing.assert_allclose(got.gyr, shaken.gyr, atol=1e-4)  # (every row, in the file's order)
    assert np.abs(got.t - shaken.t).max() < 0.005
    backs = int((np.diff(np.round(shaken.t, 6)) < 0).sum())
    [note] = [w for w in recording.warnings if "jitter" in w]
    assert f"t steps back {backs} times by less than a sample period" in note, note
    original = write_recording(tmp_path / "own" / "rec.csv", samples)
    assert len(counted(path)) == len(counted(original))


def test_a_step_back_of_more_than_a_period_is_refused_naming_its_line(tmp_path):
    lines = good_lines(rate_hz=50.0)  # 20 ms between lines
    before = float(lines[98].split(",")[0])
    rows = set_cell(lines, 100, 0, f"{before - 0.025:.6f}")
    with pytest.raises(RecordingError) as caught:
        read_recording(write_csv(tmp_path, rows))
    assert str(caught.value) == (
        f"{tmp_path}/rec.csv: line 100: column t: {before - 0.025:.9g} is less than the line before ({before:.9g})"
        " by 0.025 s, a sample period (0.02 s, the median interval) or more; t must increase (a damaged file, or two"
        " recordings one after the other?)")
    rows = set_cell(lines, 100, 0, f"{before - 0.015:.6f}")  # (less than a period: jitter)
    assert any("t steps back 1 time by" in w for w in read_recording(write_csv(tmp_path, rows)).warnings)


def test_two_recordings_one_after_the_other_are_refused_at_the_second_s_first_line(tmp_path):
    lines = good_lines(rate_hz=50.0)
    with pytest.raises(RecordingError, match=r"line 652: column t: 0 is less than the line before .* two recordings"):
        read_recording(write_csv(tmp_path, lines + lines[1:]))


def test_jitter_is_untangled_between_neighbours_in_order_and_the_span_is_kept():
    t = np.array([0.003, 0.001, 0.010, 0.015, 0.0195, 0.0185, 0.025, 0.030, 0.029])
    fixed = untangle_jitter(t)
    assert fixed.too_far is None and fixed.steps_back == 3 and fixed.retimed == 6
    np.testing.assert_allclose(fixed.t, [0.001, 0.0055, 0.010, 0.015, 0.055 / 3, 0.065 / 3, 0.025, 0.0275, 0.030])
    assert untangle_jitter(np.array([0.0, 0.005, 0.010, 0.004, 0.015])).too_far == 3  # (6 ms back: more than 5)


def test_the_sidecar_rate_is_checked_against_the_spread_times(tmp_path):
    samples = simulate_session(3, sample_rate_hz=52, max_duration_s=20).samples
    path = write_recording(tmp_path / "rec.csv", restamped(samples, np.arange(len(samples)) // 4 * 4))
    path.with_suffix(".json").write_text(json.dumps({"sample_rate_hz": 13}))  # (the packets' rate, not the samples')
    with pytest.raises(RecordingError, match="sample_rate_hz: 13 Hz disagrees with the timestamps"):
        read_recording(path)


def test_a_file_written_backwards_is_one_clear_error_not_a_crash(tmp_path):
    # every step goes back, none forward: the jitter repair's "sample period" (the median step
    # forward) was undefined and it raised IndexError ("internal error" in analyze)
    rows = ["t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"] + [f"{(99 - i) * 0.01:.2f},0,0,9.81,0,0,0" for i in range(100)]
    (tmp_path / "backwards.csv").write_text("\n".join(rows) + "\n")
    with pytest.raises(RecordingError, match=r"backwards.csv: line 3: column t: .* is less than the line before"):
        read_recording(tmp_path / "backwards.csv")


def test_a_file_opening_with_a_run_of_one_time_names_that_run(tmp_path):
    # 50 rows at t = 0, then one time a row: refused (no packets), and the reason named only the
    # inner runs, "runs of 1 to 1 rows per time" (found by review)
    t = [0.0] * 50 + [0.01 * k for k in range(1, 3081)]
    rows = ["t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"] + [f"{x:.2f},0,0,9.81,0,0,0" for x in t]
    (tmp_path / "head.csv").write_text("\n".join(rows) + "\n")
    with pytest.raises(RecordingError, match=r"runs of 1 to 1 rows per time \(50 at the start\)"):
        read_recording(tmp_path / "head.csv")


def packet_stamped(samples: Samples, per_packet: int, early_s: float, early: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(``samples``' times stamped once per packet of ``per_packet`` rows, the first row of each
    packet), with the packets numbered in ``early`` stamped ``early_s`` below the packet before's
    stamp (jitter of the packet clock)."""
    starts = np.arange(0, len(samples), per_packet)
    t = restamped(samples, np.arange(len(samples)) // per_packet * per_packet).t.copy()
    for k in early:
        t[starts[k]:starts[k] + per_packet] = t[starts[k - 1]] - early_s
    return t, starts


def test_packet_stamps_jittering_back_less_than_a_packet_are_untangled_then_spread(tmp_path):
    # 100 Hz, 10 rows a stamp (a stamp every 0.1 s), three stamps 5 ms below the stamp before:
    # refused at the first ("t must increase") before
    session = simulate_session(3, sample_rate_hz=100, max_duration_s=120)
    t, starts = packet_stamped(session.samples, 10, 0.005, [50, 200, 400])
    path = tmp_path / "rec.csv"
    path.write_text(csv_text(Samples(t, session.samples.acc, session.samples.gyr)))  # (as the logger wrote it)

    recording = read_recording(path)
    got = recording.samples
    assert len(got) == len(session.samples) and np.all(np.diff(got.t) > 0)
    np.testing.assert_allclose(got.gyr, session.samples.gyr, atol=1e-4)  # (every row, in the file's order)
    assert np.abs(got.t - session.samples.t).max() < 0.1  # (within a packet of the sampled times)
    jitter, packets = recording.warnings
    assert jitter == (f"{path}: line {starts[50] + 2}: t is stamped once per packet and the stamps step back 3 times by"
                      " less than a packet period (at most 5 ms; the median step between stamps 100 ms): clock jitter;"
                      " 6 stamps re-timed evenly between their neighbours, in the file's order")
    assert "t is stamped once per packet:" in packets and "10 rows a stamp" in packets and "100 Hz" in packets
    reps, expected = counted(path), counted(session.write(tmp_path / "own", "rec")["csv"])
    assert len(reps) == len(expected) >= 10
    for rep, truth in zip(reps, expected):
        assert abs(rep.start_s - truth.start_s) <= 0.1 and abs(rep.end_s - truth.end_s) <= 0.1


def test_a_packet_stamp_a_packet_period_or_more_back_is_refused_naming_its_line(tmp_path):
    samples = simulate_session(3, sample_rate_hz=100, max_duration_s=30).samples
    t, starts = packet_stamped(samples, 10, 0.15, [100])
    t = np.round(t, 6)  # (as csv_text writes it)
    path = tmp_path / "rec.csv"
    path.write_text(csv_text(Samples(t, samples.acc, samples.gyr)))
    with pytest.raises(RecordingError) as caught:
        read_recording(path)
    before = t[starts[100] - 1]
    assert str(caught.value) == (
        f"{path}: line {starts[100] + 2}: column t: {before - 0.15:.9g} is less than the line before ({before:.9g}) by"
        f" 0.15 s, a packet period ({np.median(np.diff(t[starts])[np.diff(t[starts]) > 0]):.6g} s, the median step"
        " between stamps) or more; t must increase (a damaged file, or two recordings one after the other?)")
