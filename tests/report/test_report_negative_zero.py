"""The report's CSV writer (report.csv, summary.csv, the dashboard's downloads) writes a value that
rounds to zero as 0.000 (adherence 0.0), never with a minus sign, whatever float type the value is:
a NumPy float (a library caller's rows, ``csv_text`` being public) was written as ``str`` gives it,
``-0.0``, and with all its digits (``0.12345679``) instead of 3 decimals."""
import numpy as np

from sensorkit.report import csv_text


def test_a_value_that_rounds_to_zero_has_no_minus_sign_whatever_its_float_type():
    values = [-0.0, -0.0004, np.float64(-0.0004), np.float32(-0.0), np.float32(-0.0004), np.float16(-0.0)]
    rows = [{"rom_mean_deg": v, "adherence_pct": v, "reps_total": 0} for v in values]
    text = csv_text(rows, ("rom_mean_deg", "adherence_pct", "reps_total"))
    assert text.splitlines()[1:] == ["0.000,0.0,0"] * len(values)


def test_other_values_keep_their_sign_and_decimals():
    rows = [{"rom_mean_deg": v, "adherence_pct": v} for v in (-0.0006, np.float32(0.123456789), np.float64(-2.5), np.nan,
                                                             np.float32(np.nan))]
    assert csv_text(rows, ("rom_mean_deg", "adherence_pct")).splitlines()[1:] == [
        "-0.001,0.0", "0.123,0.1", "-2.500,-2.5", ",", ","]
