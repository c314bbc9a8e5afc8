"""A Movesense Showcase JSON export with a malformed packet loses that packet's samples only, as
every other reader loses a malformed line only: left out with one warning naming where the packet
is (the line of JSON Lines, the location in one document), the other samples at their own times;
the file refused, naming the first, only when more than 1 % of its packets are malformed."""
from __future__ import annotations

import json

import numpy as np
import pytest

from io_synth import swinging_sensor
from sensorkit.errors import RecordingError
from sensorkit.io import read_recording
from vendor_synth import write_movesense_imu6_json, write_movesense_json_lines

PER_PACKET = 4
SIGNAL = swinging_sensor(rate_hz=50.0, reps=3)  # 650 samples: 162 packets, one of them 0.6 %
SIGNAL = SIGNAL[: len(SIGNAL) // PER_PACKET * PER_PACKET]


def _lost_packet_only(got, clean, packet: int) -> None:
    """``got`` is ``clean`` less the samples of ``packet``, each at its own time."""
    kept = np.ones(len(clean.samples), dtype=bool)
    kept[packet * PER_PACKET:(packet + 1) * PER_PACKET] = False
    np.testing.assert_allclose(got.samples.t, clean.samples.t[kept], atol=1e-9)
    np.testing.assert_allclose(got.samples.acc, clean.samples.acc[kept], atol=1e-9)
    np.testing.assert_allclose(got.samples.gyr, clean.samples.gyr[kept], atol=1e-9)


def _damage_line(path, number: int, change) -> None:
    lines = path.read_text().splitlines()
    lines[number - 1] = change(lines[number - 1])
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("damage, problem", [
    (lambda line: line.replace('"x": ', '"x": "abc", "w": ', 1), "acc.ArrayAcc: must be a list of {x, y, z} numbers"),
    (lambda line: line.replace('"Timestamp": ', '"Timestamp": "', 1).replace(", \"ArrayAcc", "\", \"ArrayAcc", 1),
     "acc.Timestamp: '"),
    (lambda line: line[:40] + line[60:], "column "),  # (a line that is no JSON: its stamp still read)
])
def test_one_bad_json_lines_packet_loses_its_samples_only(tmp_path, damage, problem):
    # it refused the whole file: "line 81: acc.ArrayAcc: must be a list of {x, y, z} numbers"
    acc, _ = write_movesense_json_lines(tmp_path, SIGNAL, PER_PACKET)
    clean = read_recording(acc)
    _damage_line(acc, 81, damage)
    got = read_recording(acc)
    [said] = [w for w in got.warnings if "malformed" in w]
    assert said.startswith(f"{acc}: 1 malformed packet left out as lost samples (line 81: {problem}")
    _lost_packet_only(got, clean, 80)


def test_one_bad_packet_of_one_json_document_is_named_by_its_location(tmp_path):
    path = write_movesense_imu6_json(tmp_path / "imu6.json", SIGNAL, PER_PACKET)
    clean = read_recording(path)
    body = json.loads(path.read_text())
    body["Meas"]["IMU6"][30]["Body"]["Timestamp"] = None  # (its time lost: midway between its neighbours')
    path.write_text(json.dumps(body, indent=2))
    got = read_recording(path)
    [said] = [w for w in got.warnings if "malformed" in w]
    assert said == (f"{path}: 1 malformed packet left out as lost samples"
                    " (Meas.IMU6[30].Body.Timestamp: None is not a number (ms))")
    _lost_packet_only(got, clean, 30)


def test_more_than_one_percent_of_bad_packets_is_refused_naming_the_first(tmp_path):
    acc, _ = write_movesense_json_lines(tmp_path, SIGNAL, PER_PACKET)
    for number in (50, 81):
        _damage_line(acc, number, lambda line: line.replace('"x": ', '"x": null, "w": ', 1))
    with pytest.raises(RecordingError) as info:
        read_recording(acc)
    assert str(info.value) == (f"{acc}: line 50: acc.ArrayAcc: must be a list of {{x, y, z}} numbers"
                               " (2 of 162 packets malformed; at most 1% can be left out)")


def test_a_json_lines_export_cut_inside_its_last_line_drops_that_line(tmp_path):
    acc, _ = write_movesense_json_lines(tmp_path, SIGNAL, PER_PACKET)
    clean = read_recording(acc)
    text = acc.read_text()
    acc.write_text(text[: text.rstrip("\n").rfind("\n") + 50])  # (cut inside the last event, no line break)
    got = read_recording(acc)
    assert f"{acc}: line 162: incomplete last line dropped (export cut short?)" in got.warnings
    assert not any("malformed" in w for w in got.warnings)
    np.testing.assert_allclose(got.samples.t, clean.samples.t[: len(got.samples)], atol=1e-9)
    assert len(got.samples) == len(clean.samples) - PER_PACKET
