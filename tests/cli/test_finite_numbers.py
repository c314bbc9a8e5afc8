"""Number options refuse nan and inf up front, naming the option (click's FloatRange lets nan through)."""
import pytest
from click.testing import CliRunner

from sensorkit.cli import cli


@pytest.mark.parametrize("args", [
    ["record", "--simulate", "--target-rom-deg", "nan"],
    ["record", "--simulate", "--sample-rate-hz", "inf"],
    ["live", "--simulate", "--target-hold-s", "nan"],
    ["simulate", "--max-duration-s", "nan"],
])
def test_nan_or_inf_is_a_usage_error_naming_the_option_and_writes_nothing(tmp_path, args):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 2
    option = next(a for a in args if a.startswith("--") and a != "--simulate")
    assert option in result.stderr and "is not a finite number" in result.stderr
    assert not out.exists()


def test_a_finite_number_in_range_is_taken():
    from sensorkit.cli.params import Number

    assert Number(min=0).convert("2.5", None, None) == 2.5
