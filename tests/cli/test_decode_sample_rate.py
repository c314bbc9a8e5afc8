"""``sensorkit decode --sample-rate-hz``: a rate that is no rate (0, negative, NaN, infinite) is refused
as a usage error in one line naming the option, before any decoder sees it, whatever the protocol."""
import pytest

from in_process import run_in_process


def decode(*args, cwd):
    return run_in_process("decode", *args, cwd=cwd)  # (the command in this process: exit status and messages)


@pytest.mark.parametrize("protocol", ["movesense", "metawear", "witmotion", "polar_pmd"])
@pytest.mark.parametrize("rate", ["0", "-52", "nan", "inf"])
def test_a_sample_rate_that_is_no_rate_is_a_one_line_usage_error_naming_the_option(tmp_path, protocol, rate):
    capture = tmp_path / "capture.hex"
    capture.write_text("00\n")
    result = decode(protocol, capture, f"--sample-rate-hz={rate}", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""  # not even the CSV header
    (line,) = result.stderr.splitlines()
    assert "'--sample-rate-hz'" in line and "above 0" in line


def test_a_positive_sample_rate_still_reaches_the_decoder(tmp_path):
    capture = tmp_path / "capture.hex"
    capture.write_text("00\n")
    result = decode("movesense", capture, "--sample-rate-hz", "52", cwd=tmp_path)
    assert result.returncode == 1  # the one payload is too short: decoded and reported, not refused
    assert "capture.hex:1:" in result.stderr


@pytest.mark.parametrize("rate", ["0", "-52", "nan", "inf", "fifty"])
def test_the_option_and_the_setting_refuse_a_rate_by_one_rule_in_the_same_words(tmp_path, rate):
    # (-s sample_rate_hz= said "expected a finite number" for nan and inf, --sample-rate-hz "give a number
    # of Hz above 0" for all four, each in its own words; for text the option said click's "'fifty' is
    # not a valid float")
    capture = tmp_path / "capture.hex"
    capture.write_text("00\n")
    by_option = decode("witmotion", capture, f"--sample-rate-hz={rate}", cwd=tmp_path)
    by_setting = decode("witmotion", capture, "-s", f"sample_rate_hz={rate}", cwd=tmp_path)
    assert by_option.returncode == by_setting.returncode == 2
    assert f"'--sample-rate-hz': {rate}: expected a number of Hz above 0 (" in by_option.stderr
    assert f"sample_rate_hz='{rate}': expected a number of Hz above 0 (" in by_setting.stderr
