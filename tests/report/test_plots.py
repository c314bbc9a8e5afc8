"""Plots: PNGs are written and non-trivial; the report itself never needs matplotlib."""
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from prescriptions import exercise, rx_toml
from sensorkit.cli import cli
from sensorkit.pipeline import Pipeline
from sensorkit.sim import simulate_session

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RX = rx_toml("p7", "Asia/Kolkata", "2026-10-01", None,
             exercise("hip_external_rotation", 28, 1.5, 5, days_per_week=5))


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("plots")
    sessions = []
    for i, (seed, started_at) in enumerate([(100, "2026-10-01T09:00:00+05:30"), (103, "2026-10-03T18:00:00Z")]):
        s = simulate_session(seed, n_sets=1, reps_per_set=(5, 6), sample_rate_hz=50, distractors=False,
                             imperfections=False, side="left")
        s.meta.update(patient="p7", started_at=started_at)
        s.write(root / "data", f"s{i}")
        sessions.append(s)
    (root / "rx.toml").write_text(RX)
    return root, sessions


def assert_png(path, min_bytes=20_000):
    assert path.read_bytes()[:8] == PNG_SIGNATURE and path.stat().st_size > min_bytes


def test_angle_trace_is_the_pipeline_angle_and_peaks_at_each_rep_rom(data):
    pytest.importorskip("matplotlib")
    from sensorkit.plot import angle_trace

    root, sessions = data
    s = sessions[0]
    t_s, angle_deg, reps = angle_trace(s.samples, s.meta)
    assert list(map(repr, reps)) == list(map(repr, Pipeline(meta=s.meta).run(s.samples)))  # block feeding changes nothing (repr: nan == nan)
    for truth in s.reps:
        during = (t_s >= truth.start_s) & (t_s <= truth.end_s)
        assert np.max(angle_deg[during]) == pytest.approx(truth.rom_deg, abs=3.0)
    assert np.all(np.abs(angle_deg[t_s < s.reps[0].start_s - 0.5]) < 2.0)  # 0 at rest (within the resting sway)
    assert t_s[0] < 0.1  # from the first sample on


def test_plot_recording_writes_a_png(data, tmp_path):
    pytest.importorskip("matplotlib")
    root, _ = data
    result = CliRunner().invoke(cli, ["plot", str(root / "data" / "s0.csv"), "--out", str(tmp_path / "s0.png")])
    assert result.exit_code == 0, result.output
    assert_png(tmp_path / "s0.png")


def test_plot_into_a_folder_names_the_png_after_the_recording_and_refuses_another_format(data, tmp_path):
    pytest.importorskip("matplotlib")
    root, _ = data
    result = CliRunner().invoke(cli, ["plot", str(root / "data" / "s0.csv"), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert_png(tmp_path / "s0.png")
    result = CliRunner().invoke(cli, ["plot", str(root / "data" / "s0.csv"), "--out", str(tmp_path / "s0.pdf")])
    assert result.exit_code == 2 and "give a name ending in .png" in result.output and not (tmp_path / "s0.pdf").exists()


def test_plot_into_a_new_folder_written_with_a_slash_makes_it_as_analyze_does(data, tmp_path):
    pytest.importorskip("matplotlib")
    root, _ = data
    result = CliRunner().invoke(cli, ["plot", str(root / "data" / "s0.csv"), "--out", f"{tmp_path / 'new' / 'plots'}/"])
    assert result.exit_code == 0, result.output
    assert_png(tmp_path / "new" / "plots" / "s0.png")
    assert [p.relative_to(tmp_path).as_posix() for p in sorted(tmp_path.rglob("*"))] == ["new", "new/plots", "new/plots/s0.png"]
    # (a plot that fails leaves no folder made for it)
    (tmp_path / "bad.csv").write_text("t,acc_x\n0,1\n")
    failed = CliRunner().invoke(cli, ["plot", str(tmp_path / "bad.csv"), "--out", f"{tmp_path / 'other'}/"])
    assert failed.exit_code == 1 and not (tmp_path / "other").exists(), failed.output


def test_progress_plots_from_the_report_and_from_its_csv(data, tmp_path):
    pytest.importorskip("matplotlib")
    root, _ = data
    result = CliRunner().invoke(cli, ["report", "--include-simulated", "--prescription", str(root / "rx.toml"), str(root / "data"),
                                      "--out", str(tmp_path / "r.csv"), "--plot-dir", str(tmp_path / "plots")])
    assert result.exit_code == 0, result.output
    assert_png(tmp_path / "plots" / "p7.png")
    result = CliRunner().invoke(cli, ["plot", "--patient-report", str(tmp_path / "r.csv"), "--out", str(tmp_path / "again")])
    assert result.exit_code == 0, result.output
    assert_png(tmp_path / "again" / "p7.png")


BLOCK_MATPLOTLIB = "import sys; sys.modules['matplotlib'] = None; from sensorkit.cli import main; sys.argv[0] = 'sensorkit'; main()"


@pytest.mark.parametrize("damage, message", [
    (lambda header, row: row.__setitem__(header.index("rom_full_mean_deg"), "abc"), "line 2: column rom_full_mean_deg: 'abc' is not a number"),
    (lambda header, row: row.__delitem__(slice(5, None)), "line 2: 5 fields, expected"),
    (lambda header, row: row.append("x"), "fields, expected"),
])
def test_a_damaged_report_row_is_one_line_naming_it(data, tmp_path, damage, message):
    pytest.importorskip("matplotlib")
    root, _ = data
    result = CliRunner().invoke(cli, ["report", "--include-simulated", "--prescription", str(root / "rx.toml"), "--as-of",
                                      "2026-10-03", str(root / "data"), "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    header, first, *rest = [line.split(",") for line in (tmp_path / "r.csv").read_text().splitlines()]
    damage(header, first)
    (tmp_path / "bad.csv").write_text("\n".join(",".join(row) for row in (header, first, *rest)) + "\n")
    result = CliRunner().invoke(cli, ["plot", "--patient-report", str(tmp_path / "bad.csv"), "--out", str(tmp_path / "p")])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_the_report_runs_without_matplotlib_and_plot_says_what_is_missing(data, tmp_path):
    root, _ = data
    report = subprocess.run([sys.executable, "-c", BLOCK_MATPLOTLIB, "report", "--include-simulated", "--prescription", str(root / "rx.toml"),
                             "--as-of", "2026-10-03", str(root / "data"), "--out", str(tmp_path / "r.csv")],
                            capture_output=True, text=True)
    assert report.returncode == 0, report.stderr
    assert len((tmp_path / "r.csv").read_text().splitlines()) == 1 + 3  # 2026-10-01..03
    plot = subprocess.run([sys.executable, "-c", BLOCK_MATPLOTLIB, "plot", str(root / "data" / "s0.csv"),
                           "--out", str(tmp_path / "s0.png")], capture_output=True, text=True)
    assert plot.returncode == 2
    assert plot.stderr.strip() == "error: plotting needs matplotlib: pip install 'sensorkit[plot]'"


def test_rom_labels_of_a_dense_fast_set_do_not_overlap():
    pytest.importorskip("matplotlib")
    from types import SimpleNamespace

    from sensorkit.plot import _figure, _label_roms

    # ten fast reps 3 s apart at 80-90 deg in a 4-minute recording (a real fast set's density)
    reps = [SimpleNamespace(start_s=100 + 3 * i, end_s=102.5 + 3 * i, rom_deg=80 + (7 * i) % 11, tempo="fast",
                            kind="full") for i in range(10)]
    figure = _figure(12, 4.5)
    ax = figure.add_subplot()
    ax.set_xlim(0, 240)
    ax.set_ylim(-5, 120)
    boxes = _label_roms(figure, ax, reps)
    assert len(boxes) == 10
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_a_recording_dated_by_its_file_time_says_so_in_the_title(data, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    import json

    from matplotlib.axes import Axes

    from sensorkit.plot import recording_png

    titles = []
    original = Axes.set_title
    monkeypatch.setattr(Axes, "set_title", lambda ax, label, *a, **k: (titles.append(label), original(ax, label, *a, **k))[1])
    root, _ = data
    recording_png(root / "data" / "s0.csv")
    undated = tmp_path / "s0.csv"
    undated.write_bytes((root / "data" / "s0.csv").read_bytes())
    sidecar = json.loads((root / "data" / "s0.json").read_text())
    sidecar.pop("started_at")
    (tmp_path / "s0.json").write_text(json.dumps(sidecar))
    recording_png(undated)
    assert "2026-10-01" in titles[0] and "file time" not in titles[0]
    assert titles[1].endswith("(file time)")  # the date is when the file was written, not recorded


def test_a_session_dated_in_the_year_1_is_skipped_saying_why_and_the_report_is_made(data, tmp_path):
    import json
    import shutil

    root, _ = data
    shutil.copytree(root / "data", tmp_path / "data")
    meta = json.loads((tmp_path / "data" / "s1.json").read_text())
    (tmp_path / "data" / "s1.json").write_text(json.dumps(meta | {"started_at": "0001-01-01T00:00:00+14:00"}))
    result = CliRunner().invoke(cli, ["report", "--include-simulated", "--prescription", str(root / "rx.toml"), "--as-of",
                                      "2026-10-03", str(tmp_path / "data"), "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    assert "s1.csv: skipped: its start time 0001-01-01T00:00:00+14:00 is not in the years 1990 to 2100" in result.output
    assert "Traceback" not in result.output and (tmp_path / "r.csv").exists()


def test_an_as_of_day_that_does_not_exist_is_refused_saying_so(data, tmp_path):
    root, _ = data
    result = CliRunner().invoke(cli, ["report", "--prescription", str(root / "rx.toml"), "--as-of", "2026-02-30",
                                      str(root / "data"), "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 2 and "'2026-02-30' is not a day written YYYY-MM-DD that exists" in result.output


def test_a_rep_of_a_series_without_rests_shows_the_span_its_rom_covers_from_the_swings_bottom(monkeypatch):
    # PHYTMO's continuous series: each rep after the first goes on from the bottom of the swing before,
    # 15-35 deg behind the rest pose the trace is drawn from, so its ROM label (83-101 deg) stood over
    # a peak of 61-73 deg with nothing to say why; a dotted line now spans from the swing's bottom to
    # the peak (the first rep, from rest, has none), and the legend says what it is
    pytest.importorskip("matplotlib")
    from pathlib import Path

    from matplotlib.axes import Axes

    from sensorkit.plot import recording_png

    series = Path(__file__).resolve().parents[3] / "shared" / "data" / "phytmo-knee-flexion-extension" / "phytmo_e01kfer0_1.csv"
    if not series.exists():
        pytest.skip(f"no real recording at {series}")
    spans, legends = [], []
    original_vlines = Axes.vlines
    monkeypatch.setattr(Axes, "vlines", lambda ax, x, lo, hi, *a, **k: (spans.append((x, lo, hi)), original_vlines(ax, x, lo, hi, *a, **k))[1])
    from matplotlib.figure import Figure
    original = Figure.legend
    monkeypatch.setattr(Figure, "legend", lambda fig, *a, **k: (legends.append([h.get_label() for h in k["handles"]]), original(fig, *a, **k))[1])
    labels = []
    original_annotate = Axes.annotate
    monkeypatch.setattr(Axes, "annotate", lambda ax, text, *a, **k: (labels.append(text), original_annotate(ax, text, *a, **k))[1])
    recording_png(series)
    assert len(spans) == 9  # the 9 reps after the first of the 10
    # each label says how far the rep got from rest, the peak the trace shows (61-77 deg), not its arc
    spans_deg = [hi - lo for _, lo, hi in spans]
    assert all(float(text.rstrip("°")) < 80.0 for text in labels) and min(spans_deg) > 80.0
    assert all(lo < -10 and hi - lo > 80 for _, lo, hi in spans)
    assert any("swing's bottom" in label for label in legends[0])
