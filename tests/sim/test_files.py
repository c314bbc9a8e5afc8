"""Written recordings reload to the same samples, metadata and truth; the CLI writes sim_<seed>."""
import json
import subprocess
import sys
from datetime import datetime

import numpy as np
import pandas as pd
from click.testing import CliRunner

from sensorkit.cli.simulate import simulate
from sensorkit.samples import COLUMNS, Samples
from sensorkit.sim import read_truth, simulate_session
from tests.sim.conftest import session


def test_written_files_reload_and_match(tmp_path):
    s = session(9600, sample_rate_hz=104)
    paths = s.write(tmp_path, "rec")
    assert paths["csv"].read_text().splitlines()[0] == ",".join(COLUMNS)
    frame = pd.read_csv(paths["csv"])
    assert list(frame.columns) == list(COLUMNS)
    back = Samples.from_frame(frame)
    np.testing.assert_allclose(back.t, s.samples.t, atol=1e-6)
    np.testing.assert_allclose(back.acc, s.samples.acc, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(back.gyr, s.samples.gyr, rtol=1e-5, atol=1e-5)
    assert np.all(np.diff(back.t) > 0)

    meta = json.loads(paths["meta"].read_text())
    assert meta == s.meta
    assert meta["exercise"] == "hip_external_rotation" and meta["sensor"] == "simulated"
    assert datetime.fromisoformat(meta["started_at"]).utcoffset() is not None

    movements, document = read_truth(paths["truth"])
    assert [m.kind for m in movements] == [m.kind for m in s.truth]
    assert [m.tempo for m in movements] == [m.tempo for m in s.truth]
    for got, want in zip(movements, s.truth):
        assert abs(got.start_s - want.start_s) < 1e-5 and abs(got.rom_deg - want.rom_deg) < 1e-5
    assert document["seed"] == 9600
    np.testing.assert_allclose(document["er_axis_sensor"], s.er_axis_sensor, atol=1e-7)
    np.testing.assert_allclose(document["exercise_axis_sensor"], s.er_axis_sensor, atol=1e-7)  # hip ER
    strap = np.array(document["sensor_to_shank_matrix"])
    np.testing.assert_allclose(strap @ strap.T, np.eye(3), atol=1e-6)
    assert set(document["sensor_errors"]) >= {"acc_bias_ms2", "gyr_bias_dps", "drop_probability"}


def test_truth_options_regenerate_the_same_session(tmp_path):
    s = simulate_session(9601, sample_rate_hz=25, distractors=False)
    _, document = read_truth(s.write(tmp_path, "x")["truth"])
    options = {k: (tuple(v) if isinstance(v, list) else v) for k, v in document["options"].items()}
    again = simulate_session(document["seed"], **options)
    np.testing.assert_array_equal(again.samples.to_array(), s.samples.to_array())


def test_strap_rotation_override():
    s = simulate_session(9602, strap_rotation="identity", imperfections=False, sample_rate_hz=25)
    np.testing.assert_allclose(s.sensor_to_shank.as_matrix(), np.eye(3), atol=1e-12)
    # sensor z is the shank's long axis: at rest gravity is mostly along it, minus the shank's slope
    first = s.samples.acc[0]
    assert first[2] / np.linalg.norm(first) > np.cos(np.radians(30))


def test_cli_writes_one_session_per_seed(tmp_path):
    result = CliRunner().invoke(simulate, ["--out", str(tmp_path), "--sessions", "2", "--seed", "9700",
                                           "--sample-rate-hz", "25", "--side", "left", "--perfect",
                                           "--no-distractors", "--max-duration-s", "60"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["sim_9700", "sim_9701"]
    for seed in (9700, 9701):
        assert {p.name for p in tmp_path.glob(f"sim_{seed}*")} == {f"sim_{seed}.csv", f"sim_{seed}.json",
                                                                   f"sim_{seed}.truth.json"}
        meta = json.loads((tmp_path / f"sim_{seed}.json").read_text())
        assert meta["side"] == "left" and meta["sample_rate_hz"] == 25
        movements, _ = read_truth(tmp_path / f"sim_{seed}.truth.json")
        assert movements and all(m.counted for m in movements)


def test_cli_reports_bad_options_in_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sensorkit", "simulate", "--out", str(tmp_path), "--kinds", "twirl"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("error: simulate: kinds") and "Traceback" not in done.stderr


def test_cli_simulates_knee_extension_without_fast_reps(tmp_path):
    result = CliRunner().invoke(simulate, ["--out", str(tmp_path), "--seed", "9140", "--exercise", "knee_extension",
                                           "--sample-rate-hz", "25", "--perfect", "--no-fast-reps", "--targets",
                                           "--no-axis-spread", "--max-duration-s", "90"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("sim_9140: knee_extension ") and "0 fast" in result.output
    meta = json.loads((tmp_path / "sim_9140.json").read_text())
    assert meta["exercise"] == "knee_extension" and meta["target_rom_deg"] % 5 == 0
    movements, document = read_truth(tmp_path / "sim_9140.truth.json")
    assert document["exercise"] == "knee_extension" and document["options"]["fast_reps"] is False
    assert {m.kind for m in movements if m.counted} <= {"full", "partial"}
    assert all(m.tempo == "normal" for m in movements if m.counted)
    assert document["options"]["axis_spread"] is False and all(m.axis_tilt_deg == 0 for m in movements)
    bad = CliRunner().invoke(simulate, ["--out", str(tmp_path), "--exercise", "squat"])
    assert bad.exit_code == 2 and "squat" in bad.output


def test_cli_never_overwrites_a_file_and_refuses_a_rate_too_low_to_analyse(tmp_path):
    (tmp_path / "sim_5.json").write_text("someone's notes\n")
    result = CliRunner().invoke(simulate, ["--out", str(tmp_path), "--seed", "4", "--sessions", "2"])
    assert result.exit_code == 2 and "sim_5.json already exists" in result.output
    assert (tmp_path / "sim_5.json").read_text() == "someone's notes\n" and not (tmp_path / "sim_4.csv").exists()
    assert CliRunner().invoke(simulate, ["--out", str(tmp_path), "--seed", "9", "--sample-rate-hz", "5"]).exit_code == 2
