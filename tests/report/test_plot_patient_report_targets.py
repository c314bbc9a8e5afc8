"""``sensorkit plot --patient-report REPORT.csv --prescription RX`` draws each exercise's target ROM
over the days it was in force, as ``report --plot-dir`` does; without --prescription none (the CSV
holds no target). It drew none at all (left by report10)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sensorkit.cli import cli

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"
RX = ('patient = "demo-p044"\ntimezone = "UTC"\nstart = 2026-11-01\n\n[[exercise]]\nname = "hip_external_rotation"\n'
      'sides = ["left", "right"]\nsets = 1\nreps_per_set = 3\nhold_s = 1\nrom_deg = 12\ndays_per_week = 7\n')


@pytest.fixture
def drawn(monkeypatch, tmp_path):
    """The target lines drawn ((y, label) of each ``hlines``), with a report of one session."""
    pytest.importorskip("matplotlib")
    from matplotlib.axes import Axes

    (tmp_path / "data").mkdir()
    shutil.copy(RECORDINGS / "sim_9013.csv", tmp_path / "data" / "s1.csv")
    meta = json.loads((RECORDINGS / "sim_9013.json").read_text()) | {"started_at": "2026-11-03T10:00:00+00:00"}
    (tmp_path / "data" / "s1.json").write_text(json.dumps(meta))
    (tmp_path / "rx.toml").write_text(RX)
    lines: list[tuple] = []
    hlines = Axes.hlines
    monkeypatch.setattr(Axes, "hlines", lambda ax, y, xmin, xmax, *a, **k: (lines.append((y, k.get("label"))),
                                                                         hlines(ax, y, xmin, xmax, *a, **k))[1])
    return tmp_path, lines


def test_the_plot_of_a_report_csv_draws_the_prescribed_targets_as_the_report_does(drawn):
    root, lines = drawn
    report = CliRunner().invoke(cli, ["report", "--include-simulated", "--prescription", str(root / "rx.toml"),
                                      str(root / "data"), "--as-of", "2026-11-05", "--out", str(root / "r.csv"),
                                      "--plot-dir", str(root / "by_report")])
    assert report.exit_code == 0, report.output
    by_report = list(lines)
    assert by_report == [(12.0, "hip external rotation target 12°")]
    lines.clear()
    plot = CliRunner().invoke(cli, ["plot", "--patient-report", str(root / "r.csv"), "--prescription",
                                    str(root / "rx.toml"), "--out", str(root / "by_plot")])
    assert plot.exit_code == 0, plot.output
    assert lines == by_report
    lines.clear()
    plain = CliRunner().invoke(cli, ["plot", "--patient-report", str(root / "r.csv"), "--out", str(root / "plain")])
    assert plain.exit_code == 0 and lines == []


def test_prescription_is_only_for_a_patient_report(drawn):
    root, _ = drawn
    result = CliRunner().invoke(cli, ["plot", str(root / "data" / "s1.csv"), "--prescription", str(root / "rx.toml"),
                                      "--out", str(root / "s1.png")])
    assert result.exit_code == 2 and "--prescription draws a report's targets: only with --patient-report" in result.output
