"""The live command's warm-up runs the whole pipeline on its exact one-rep signal."""
from sensorkit.pipeline import Pipeline
from sensorkit.pipeline.warmup import one_rep_signal, warm_up


def test_the_warm_up_signal_is_one_movement_of_40_degrees():
    reps = Pipeline().run(one_rep_signal())
    assert len(reps) == 1 and abs(reps[0].rom_deg - 40.0) < 0.5
    assert reps[0].radius_m < 0.05  # a pure turn of the sensor about itself: no radius


def test_warm_up_reports_a_slow_compile_only_when_slow():
    calls = []
    warm_up(lambda: calls.append(1), slow_s=60.0)  # compiled already (the test above): fast
    assert calls == []
