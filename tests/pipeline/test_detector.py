"""The library surface (``from sensorkit import KneeExtension``): parameters checked at
construction, data checked as the file reader checks a recording, results in ``_`` attributes,
live in packets equal to a whole recording."""
from __future__ import annotations

import io
import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sensorkit import HipExternalRotation, KneeExtension, read_recording, reps_frame
from sensorkit.batch import analyze_recording, write_rep_rows
from sensorkit.detect import RepDetector
from sensorkit.errors import ConfigError, SampleError, SensorkitError
from sensorkit.pipeline.rep import REP_COLUMNS, Kind, Rep, Tempo

REAL = Path(__file__).resolve().parents[2] / "recordings" / "real" / "uci_s1_test.csv"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return read_recording(REAL).samples.to_frame()


@pytest.fixture(scope="module")
def detected(frame) -> KneeExtension:
    return KneeExtension(side="right").detect(frame, recording="uci_s1_test")


def test_a_real_session_gives_its_reps_angle_and_axis(detected, frame):
    reps = detected.reps_
    assert list(reps.columns) == list(REP_COLUMNS)
    counted = reps[reps.kind != Kind.REJECTED]
    assert len(counted) == 30 and list(counted.rep) == list(range(1, 31))
    assert all(isinstance(k, Kind) for k in reps.kind) and all(isinstance(t, Tempo) for t in counted.tempo)
    assert reps.rep.dtype == "Int64" and reps.rep.isna().sum() == len(reps) - 30
    assert set(reps.side) == {"right"} and set(reps.recording) == {"uci_s1_test"}
    assert len(detected.angle_[~detected.angle_.filled]) == len(frame)  # a row per input sample
    assert np.linalg.norm(detected.axis_) == pytest.approx(1.0)
    assert detected.sample_rate_hz_ == pytest.approx(25.0, rel=0.01)
    # the angle trace peaks where the reps do
    top = [detected.angle_.angle_deg[(detected.angle_.t >= r.start_s) & (detected.angle_.t <= r.end_s)].max()
           for r in counted.itertuples()]
    assert np.median(np.abs(np.array(top) - counted.rom_deg.to_numpy())) < 5.0


def test_detecting_twice_gives_the_same_and_leaves_the_input_alone(frame):
    before = frame.copy()
    detector = KneeExtension()
    first = detector.detect(frame).reps_.copy()
    pd.testing.assert_frame_equal(first, detector.detect(frame).reps_)
    pd.testing.assert_frame_equal(frame, before)


def test_every_accepted_form_of_the_data_gives_the_same(frame, detected):
    s = read_recording(REAL).samples  # t (s), acc (n, 3) in m/s², gyr (n, 3) in deg/s
    forms = {
        "a DataFrame in another column order": frame[list(reversed(frame.columns))].assign(extra=1.0),
        "a dict of the recording's columns": {"extra": 1.0, **{c: frame[c].to_numpy() for c in frame.columns}},
        "a dict t, acc, gyr": {"t": s.t, "acc": s.acc, "gyr": s.gyr},
        "a (t, acc, gyr) tuple": (s.t, s.acc, s.gyr),
        "a [t, acc, gyr] list": [s.t, s.acc, s.gyr],
        "an (n, 7) array": s.to_array(),
    }
    for form, data in forms.items():
        got = KneeExtension(side="right").detect(data, recording="uci_s1_test").reps_
        pd.testing.assert_frame_equal(got, detected.reps_, obj=form)


def test_live_packets_as_dicts_give_the_reps_of_the_whole_recording(frame, detected):
    live, reps = KneeExtension(side="right"), []
    for start in range(0, len(frame), 50):
        packet = frame.iloc[start:start + 50]
        reps += live.update({"t": packet.t, "acc": packet[["acc_x", "acc_y", "acc_z"]], "gyr": packet.filter(like="gyr_")})
    reps += live.finish()
    pd.testing.assert_frame_equal(reps_frame(reps, "uci_s1_test", "right"), detected.reps_)


ACCEPTED = r"accepted: a DataFrame or a dict with the columns t, acc_x, .*; a dict with the keys t .*; a \(t, acc, gyr\) tuple or list; an \(n, 7\) array .*; a Recording or Samples \(t in s, acc in m/s², gyr in deg/s\)$"


@pytest.mark.parametrize("data, message", [
    ({"time": [0.0], "ax": [9.8]}, "the dict lacks the keys t, acc_x, acc_y, acc_z, gyr_x, gyr_y, gyr_z; " + ACCEPTED),
    ({"t": [0.0, 0.01], "acc": np.ones((2, 3))}, "the dict lacks the keys gyr; " + ACCEPTED),
    ([np.arange(3.0), np.ones((3, 3))], "cannot take a list of length 2 as samples; " + ACCEPTED),
    (["t", "acc", "gyr"], "cannot take a list of 3 that are not arrays of numbers .*; " + ACCEPTED),
    ({1.0, 2.0}, "cannot take a set of length 2 as samples; " + ACCEPTED),
    (np.ones((10, 6)), r"cannot take an array of shape \(10, 6\) as samples; " + ACCEPTED),
    ({c: np.ones(4 if c != "gyr_z" else 3) for c in ("t", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z")},
     "the dict's columns differ in length: .*gyr_y 4, gyr_z 3$"),
])
def test_data_in_no_accepted_form_is_refused_in_one_line_saying_which_are(data, message):
    with pytest.raises(ValueError, match=message) as caught:
        KneeExtension().detect(data)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("size", [1, 7, 250])
def test_live_packets_give_the_reps_of_the_whole_recording(frame, detected, size):
    live = KneeExtension(side="right")
    reps = []
    for start in range(0, len(frame), size):
        reps += live.update(frame.iloc[start:start + size])
    reps += live.finish()
    pd.testing.assert_frame_equal(reps_frame(reps, "uci_s1_test", "right"), detected.reps_)


def test_a_live_packet_refused_changes_nothing_so_the_stream_goes_on(frame, detected):
    live, reps = KneeExtension(side="right"), []
    for number, start in enumerate(range(0, len(frame), 50), 1):
        packet = frame.iloc[start:start + 50]
        if number == 41:
            with pytest.raises(SampleError, match="packet 41: sample 2003: t = .* is earlier than"):
                live.update(packet.assign(t=np.where(np.arange(len(packet)) == 3, packet.t.iloc[0] - 1.0, packet.t)))
        reps += live.update(packet)  # (the same packet again, corrected: it follows the one before)
    reps += live.finish()
    pd.testing.assert_frame_equal(reps_frame(reps, "uci_s1_test", "right"), detected.reps_)


@pytest.mark.parametrize("path", [REAL, REAL.parents[1] / "sim_9010.csv"])  # (sim_9010: rejected movements too)
def test_a_live_detector_pickled_mid_rep_goes_on_to_the_same_reps(path):
    # a long live run checkpointed (or sent to a Dask worker) half way, in the middle of a rep
    recording = read_recording(path)
    frame = recording.samples.to_frame()
    packets = [frame.iloc[start:start + 50] for start in range(0, len(frame), 50)]
    live, reps = RepDetector.for_recording(recording), []
    cut = len(packets) // 2
    for packet in packets[:cut]:
        reps += live.update(packet)
    while live._live.phase_ == "rest":  # (on to a packet that ends in the middle of a movement)
        reps += live.update(packets[cut])
        cut += 1

    resumed = pickle.loads(pickle.dumps(live))
    resumed_reps = list(reps)
    for packet in packets[cut:]:
        reps += live.update(packet)
        resumed_reps += resumed.update(packet)
    reps += live.finish()
    resumed_reps += resumed.finish()

    named = recording.name, recording.meta.side, str(recording.path)
    uninterrupted = reps_frame(reps, *named)
    pd.testing.assert_frame_equal(reps_frame(resumed_reps, *named), uninterrupted)
    pd.testing.assert_frame_equal(uninterrupted, RepDetector.for_recording(recording).detect(recording).reps_)


def test_not_a_number_times_over_one_percent_are_refused_naming_the_first(frame):
    # (up to 1 % are lost samples, as the file reader's malformed lines: tests/pipeline/test_detector_lost_samples.py)
    bad = (np.arange(len(frame)) >= 100) & (np.arange(len(frame)) < 100 + len(frame) // 50)
    with pytest.raises(SampleError, match=r"sample 100: a value that is not a number or infinite: t = nan.*"
                                          r"\(118 of 5949 samples hold one; at most 1 % can be left out"):
        KneeExtension().detect(frame.assign(t=np.where(bad, np.nan, frame.t)))


def test_an_empty_cell_is_pd_na_in_every_column_where_reps_csv_is_empty():
    recording = read_recording(REAL.parents[1] / "sim_9010.csv")  # hip ER with rejected movements
    reps = RepDetector.for_recording(recording).detect(recording).reps_
    rejected = reps[reps.kind == Kind.REJECTED]
    assert len(rejected) and rejected.rep.isna().all() and rejected.tempo.isna().all() and rejected.radius_m.isna().all()
    assert reps[reps.kind != Kind.REJECTED].reason.isna().all()
    # the same marker in a number column and in a text column: pd.NA, never NaN or ""
    empty = reps.isna().to_numpy()
    assert all(reps.iat[row, column] is pd.NA for row, column in zip(*empty.nonzero()))
    assert not (reps.select_dtypes(object) == "").any().any()

    # reps.csv, as sensorkit analyze writes it, is empty in the same cells, and reps_ written so is the same file
    rows = analyze_recording(recording).rep_rows
    written = io.StringIO()
    write_rep_rows(written, rows, header=True)
    csv = pd.read_csv(io.StringIO(written.getvalue()), dtype=str, keep_default_na=False)
    assert ((csv == "").to_numpy() == empty).all()
    assert reps.to_csv(index=False, float_format="%.3f") == written.getvalue()


def test_no_movement_gives_an_empty_table_with_the_columns_types():
    empty = KneeExtension().detect(read_recording(REAL).samples.to_frame().iloc[:50]).reps_
    text = {"recording", "side", "kind", "exercise", "tempo", "reason", "path"}
    assert empty.empty and list(empty.columns) == list(REP_COLUMNS)
    assert {c: str(t) for c, t in empty.dtypes.items()} == {
        c: "object" if c in text else "Int64" if c in ("rep", "set") else "Float64" for c in REP_COLUMNS}
    # (the same dtypes as a table with rows: concatenating subjects keeps them)
    assert empty.dtypes.equals(reps_frame([Rep(1, "full", *[0.0] * 12)]).dtypes)


def test_for_recording_takes_the_sidecar_s_exercise_prescription_and_side():
    rec = read_recording(REAL.parents[1] / "sim_9013.csv")  # hip ER, target 35 deg and 8 s, right
    detector = RepDetector.for_recording(rec)
    assert repr(detector) == "HipExternalRotation(target_rom_deg=35.0, target_hold_s=8.0, side='right')"
    assert repr(HipExternalRotation.for_recording(rec.meta, lowpass_hz=2.5)).endswith("lowpass_hz=2.5)")
    mine = RepDetector.for_recording(rec, target_rom_deg=40, side="left")  # (a keyword given wins)
    assert (mine.target_rom_deg, mine.target_hold_s, mine.side) == (40.0, 8.0, "left")
    with pytest.raises(ValueError, match="exercise is 'hip_external_rotation', not 'knee_extension'"):
        KneeExtension.for_recording(rec)
    # a Recording is analysed as its samples, under its name; a path is refused, saying what to do
    assert set(detector.detect(rec).reps_.recording) == {"sim_9013"}
    with pytest.raises(ValueError, match="not a path .* read_recording"):
        detector.detect(str(REAL))


@pytest.mark.parametrize("keywords, named", [
    ({"lowpass_hz": -1.0}, "lowpass_hz"), ({"lowpass_hz": "3"}, "lowpass_hz"), ({"lowpass_hz": None}, "lowpass_hz"),
    ({"max_reversals": "x"}, "max_reversals"), ({"max_reversals": 2.5}, "max_reversals"),
    ({"target_rom_deg": "30"}, "target_rom_deg"), ({"target_rom_deg": True}, "target_rom_deg"),
    ({"target_rom_deg": np.array([30, 40])}, "target_rom_deg"), ({"target_hold_s": -1}, "target_hold_s"),
    ({"target_movement_s": 0}, "target_movement_s"), ({"target_movement_s": 2400}, "target_movement_s"),
    ({"target_rom_deg": 200}, "target_rom_deg"), ({"side": "up"}, "side"), ({"side": "Right"}, "side"),
    ({"min_rom_deg": 50, "max_rom_deg": 20}, "min_rom_deg"), ({"cutoff": 3}, "cutoff"),
])
def test_a_bad_parameter_is_a_value_error_naming_it_at_construction(keywords, named):
    with pytest.raises(ValueError, match=named):
        KneeExtension(**keywords)


def test_the_prescription_takes_what_the_sidecar_takes():  # (but a ROM of 0: None says "no target")
    assert KneeExtension(target_rom_deg=30, target_hold_s=0).get_params()["target_hold_s"] == 0.0
    with pytest.raises(TypeError, match="base class"):
        RepDetector()


def test_the_parameters_round_trip_and_show():
    detector = HipExternalRotation(target_rom_deg=40, side="left", lowpass_hz=2.5)
    again = HipExternalRotation(**detector.get_params())
    assert again.get_params() == detector.get_params() and again.config == detector.config
    assert repr(detector) == "HipExternalRotation(target_rom_deg=40.0, side='left', lowpass_hz=2.5)"
    assert detector.set_params(lowpass_hz=2.0).config.lowpass_hz == 2.0 and detector.side == "left"
    with pytest.raises(ValueError, match="lowpass_hz"):
        detector.set_params(lowpass_hz=-2.0)
    with pytest.raises(ValueError, match="side"):
        detector.set_params(target_rom_deg=50, side="x")
    # a change refused changes nothing: the detector is as it was, and takes the next change
    assert repr(detector) == "HipExternalRotation(target_rom_deg=40.0, side='left', lowpass_hz=2.0)"
    assert detector.set_params(lowpass_hz=3.0).config.lowpass_hz == 3.0


def _g(frame):
    return frame.assign(**{c: frame[c] / 9.80665 for c in ("acc_x", "acc_y", "acc_z")})


def _rad(frame):
    return frame.assign(**{c: np.radians(frame[c]) for c in ("gyr_x", "gyr_y", "gyr_z")})


@pytest.mark.parametrize("change, message", [
    (_g, "in g, not m/s²"),
    (_rad, "in rad/s, not deg/s"),
    (lambda f: f.iloc[::-1], "sample 1: t = .* is earlier than the sample before"),
    (lambda f: pd.concat([f, f]), "sample 5949: t = 0 s is earlier"),
    (lambda f: f.assign(t=f.t * 1000), "looks like milliseconds"),
    (lambda f: f.assign(t=0.0), "repeat the timestamp before"),
])
def test_data_in_the_wrong_unit_or_order_is_refused_naming_what(frame, change, message):
    with pytest.raises(SampleError, match=message) as caught:
        KneeExtension().detect(change(frame))
    assert isinstance(caught.value, (SensorkitError, ValueError)) and "\n" not in str(caught.value)


@pytest.mark.parametrize("path", [REAL, REAL.parents[1] / "sim_9013.csv"])
def test_an_array_with_the_gyro_first_is_refused_as_swapped_giving_the_column_order(path):
    # (an (n, 7) array t, gyr, acc: the gyro's columns read gravity's 9.81; refused as "in rad/s"
    # before, or only warned about and counted wrong)
    s = read_recording(path).samples
    gyro_first = np.column_stack([s.t, s.gyr, s.acc])
    expected = r"look swapped: .* expected the columns in the order t, acc_x, acc_y, acc_z, gyr_x, gyr_y, gyr_z"
    with pytest.raises(SampleError, match=expected):
        KneeExtension().detect(gyro_first)
    live, first_seconds = KneeExtension(), gyro_first[s.t < s.t[0] + 1.5]  # live: within the first second
    with pytest.raises(SampleError, match=expected):
        for start in range(0, len(first_seconds), 5):
            live.update(first_seconds[start:start + 5])


def test_a_channels_first_tuple_is_refused():
    s = read_recording(REAL).samples
    with pytest.raises(ValueError, match="channels first"):
        KneeExtension().detect((s.t, s.acc.T, s.gyr.T))


def test_a_repeated_timestamp_is_dropped_with_a_warning_as_the_reader_does(frame, detected):
    repeated = pd.concat([frame.iloc[:101], frame.iloc[100:]])
    with pytest.warns(UserWarning, match="sample 101: 1 repeated timestamp"):
        got = KneeExtension(side="right").detect(repeated, recording="uci_s1_test")
    pd.testing.assert_frame_equal(got.reps_, detected.reps_)


def test_arrays_with_a_clock_the_reader_repairs_are_repaired_alike(frame, detected):
    # the file reader re-times clock jitter and spreads times stamped once per packet; arrays given
    # to a detector were refused ("at most 1 % can be repaired", "earlier than the sample before")
    t = frame["t"].to_numpy()
    jittered = frame.copy()
    jittered.loc[1000, "t"] = t[1001] + 0.2 * (t[1001] - t[1000])  # (late by a fifth of a period)
    with pytest.warns(UserWarning, match="sample 1001: t steps back 1 time.*clock jitter"):
        got = KneeExtension(side="right").detect(jittered, recording="uci_s1_test")
    assert len(got.reps_) == len(detected.reps_)
    stamped = frame.copy()
    stamped["t"] = np.repeat(t[::4], 4)[:len(t)]  # (4 samples a stamp, as a logger writing each packet's time)
    with pytest.warns(UserWarning, match="stamped once per packet: .* 4 a stamp"):
        got = KneeExtension(side="right").detect(stamped, recording="uci_s1_test")
    assert list(got.reps_.kind) == list(detected.reps_.kind)
    assert np.abs(got.reps_.start_s - detected.reps_.start_s).max() < 4 * (t[1] - t[0])


def test_arrays_stamped_per_packet_with_a_stamp_jittering_back_are_repaired_as_the_reader_does(frame, detected):
    # one packet's stamp below the packet before's by a quarter of a packet period: refused before
    # ("sample 1200: ... earlier than the sample before")
    t = frame["t"].to_numpy()
    stamps = t[::4].copy()
    stamps[300] = stamps[299] - (stamps[300] - stamps[299]) / 4
    stamped = frame.assign(t=np.repeat(stamps, 4)[:len(t)])
    with (pytest.warns(UserWarning, match="sample 1200: t is stamped once per packet and the stamps step back 1 time"),
          pytest.warns(UserWarning, match="stamped once per packet: .* 4 a stamp")):  # (untangled, then spread)
        got = KneeExtension(side="right").detect(stamped, recording="uci_s1_test")
    assert list(got.reps_.kind) == list(detected.reps_.kind)
    assert np.abs(got.reps_.start_s - detected.reps_.start_s).max() < 4 * (t[1] - t[0])


def test_live_packets_that_overlap_in_time_are_refused_naming_the_packet(frame):
    live = KneeExtension()
    live.update(frame.iloc[:1000])
    with pytest.raises(SampleError, match="packet 2: sample 1000"):
        live.update(frame.iloc[900:])


def test_live_data_in_g_is_refused_within_its_first_second(frame):
    live = KneeExtension()
    with pytest.raises(SampleError, match="in g, not m/s²"):
        for start in range(0, 100, 5):
            live.update(_g(frame).iloc[start:start + 5])


def test_a_cut_off_the_sample_rate_cannot_carry_is_a_value_error(frame):
    with pytest.raises(ConfigError, match="lowpass_hz"):
        KneeExtension(lowpass_hz=15).detect(frame)  # 25 Hz: below 0.45 x 25 = 11.25 Hz
    assert issubclass(ConfigError, ValueError)


def test_a_short_input_gives_empty_results():
    detector = KneeExtension().detect(read_recording(REAL).samples.to_frame().iloc[:1])
    assert detector.reps_.empty and np.isnan(detector.sample_rate_hz_) and np.isnan(detector.axis_).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KneeExtension().detect(read_recording(REAL).samples.to_frame().iloc[:50])


def test_a_recording_without_a_sidecar_is_the_exercise_of_the_detector_it_is_given_to(tmp_path):
    # a knee-extension recording copied without its sidecar: KneeExtension.for_recording said
    # "the recording's exercise is 'hip_external_rotation'", a default nothing in the file had said
    bare = tmp_path / "knee.csv"
    bare.write_bytes(REAL.read_bytes())
    rec = read_recording(bare)
    assert type(KneeExtension.for_recording(rec)) is KneeExtension
    assert len([r for r in KneeExtension.for_recording(rec).detect(rec.samples.to_frame()).reps_.itertuples()
                if r.kind != "rejected"]) == 30
    # asked to choose, the library takes the default exercise and says so, as analyze does
    with pytest.warns(UserWarning, match="no sidecar knee.json: analysed as hip_external_rotation"):
        assert type(RepDetector.for_recording(rec)) is HipExternalRotation
    # a sidecar that names the other exercise still wins over the class
    (tmp_path / "knee.json").write_text('{"exercise": "hip_external_rotation"}')
    with pytest.raises(ValueError, match="exercise is 'hip_external_rotation', not 'knee_extension'"):
        KneeExtension.for_recording(read_recording(bare))


def test_an_exercise_set_on_the_meta_after_reading_is_the_recordings(tmp_path):
    # read without a sidecar (the default assumed), then told: the exercise set is what it is
    bare = tmp_path / "knee.csv"
    bare.write_bytes(REAL.read_bytes())
    rec = read_recording(bare)
    rec.meta.exercise = "knee_extension"
    with pytest.raises(ValueError, match="exercise is 'knee_extension', not 'hip_external_rotation'"):
        HipExternalRotation.for_recording(rec)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert type(RepDetector.for_recording(rec)) is KneeExtension
