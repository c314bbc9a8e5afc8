"""A file given to the wrong command says so in a few lines: a recording's CSV given to ``decode``
(one line per undecodable packet, thousands, before), a sidecar given to ``analyze`` as a recording."""
from __future__ import annotations

import shutil

import pytest
from pathlib import Path

import pandas as pd

from sensorkit.batch import analyze_paths
from in_process import run_in_process as sk  # (the command in this process: outputs and messages only)

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"


def test_decode_of_a_recordings_csv_names_ten_packets_and_counts_the_rest(tmp_path):
    shutil.copy(RECORDINGS / "sim_9013.csv", tmp_path / "x.csv")
    lines = (tmp_path / "x.csv").read_text().count("\n")
    result = sk("decode", "open_v1", "x.csv", cwd=tmp_path)
    assert result.returncode == 1
    said = result.stderr.splitlines()
    assert said[0] == "x.csv:1: not hex: 't,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z'"
    assert [line.split(":")[1] for line in said[:10]] == [str(n) for n in range(1, 11)]
    assert said[10:] == [f"x.csv: ... and {lines - 10} more undecodable packets",
                         f"x.csv: {lines} payloads, {lines} failed; 0 samples, 0 lost (0.0%) in 0 gaps, 0 duplicate"
                         " and 0 out-of-order packets dropped"]


def test_decode_with_a_few_bad_packets_names_each(tmp_path):
    (tmp_path / "capture.hex").write_text("zz\n" * 10)
    said = sk("decode", "open_v1", "capture.hex", cwd=tmp_path).stderr.splitlines()
    assert [line.split(":")[1] for line in said[:-1]] == [str(n) for n in range(1, 11)]  # (no "... and 0 more")
    assert said[-1].startswith("capture.hex: 10 payloads, 10 failed")


def test_analyze_of_a_sidecar_says_whose_it_is(tmp_path):
    for suffix in (".csv", ".json"):
        shutil.copy(RECORDINGS / f"sim_9013{suffix}", tmp_path / f"x{suffix}")
    result = sk("analyze", "x.json", "--out", "o", "--quiet", cwd=tmp_path)
    assert result.returncode == 1
    line = "x.json: is the sidecar of x.csv, not a recording: give x.csv (its sidecar is read with it)"
    assert result.stderr.splitlines() == [line]  # (was "x.json: unknown layout (not a supported vendor export)")
    assert pd.read_csv(tmp_path / "o" / "sessions.csv").error.tolist() == [line]


def test_analyze_of_a_sidecar_without_its_csv_says_so(tmp_path):
    shutil.copy(RECORDINGS / "sim_9013.json", tmp_path / "lone.json")
    outcome = analyze_paths([tmp_path / "lone.json"], out_dir=tmp_path / "o", workers=1)
    assert outcome.failures == [(tmp_path / "lone.json", f"{tmp_path / 'lone.json'}: is a sidecar (a recording's"
                                 " metadata) without its CSV: no lone.csv beside it; a sidecar is no recording")]


def test_another_json_is_still_an_unknown_layout(tmp_path):
    (tmp_path / "settings.json").write_text('{"theme": "dark"}')
    result = sk("analyze", "settings.json", "--out", "o", "--quiet", cwd=tmp_path)
    assert result.stderr.startswith("settings.json: unknown layout (not a supported vendor export)")


@pytest.mark.parametrize("command", [["plot", "x.json", "--out", "x.png"], ["convert", "x.json", "--out", "o"]])
def test_plot_and_convert_of_a_sidecar_say_whose_it_is_too(tmp_path, command):
    # (they said "unknown layout (not a supported vendor export)": the check was analyze's alone;
    # it is the reader's now, so the library's read_recording says it as well)
    for suffix in (".csv", ".json"):
        shutil.copy(RECORDINGS / f"sim_9013{suffix}", tmp_path / f"x{suffix}")
    result = sk(*command, cwd=tmp_path)
    assert result.returncode != 0
    assert "x.json: is the sidecar of x.csv, not a recording: give x.csv" in result.stderr
    assert "unknown layout" not in result.stderr
