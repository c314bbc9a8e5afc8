"""A prescribed rom_deg beyond the exercise's max_rom_deg is refused (no rep could reach it: the
pipeline rejects a movement beyond it; review 35, finding 7)."""
from __future__ import annotations

import pytest

from sensorkit.errors import ConfigError
from sensorkit.report import load_prescriptions

RX = ('patient = "p1"\ntimezone = "UTC"\nstart = 2026-01-01\n\n[[exercise]]\nname = "{name}"\n'
      'sides = ["left"]\nsets = 1\nreps_per_set = 3\nhold_s = 1\nrom_deg = {rom}\ndays_per_week = 7\n')


def test_a_rom_beyond_the_exercise_s_range_is_refused_in_one_line(tmp_path):
    (tmp_path / "p1.toml").write_text(RX.format(name="hip_external_rotation", rom=75))
    with pytest.raises(ConfigError) as error:
        load_prescriptions(tmp_path)
    message = str(error.value)
    assert "\n" not in message and str(tmp_path / "p1.toml") in message
    assert "exercise[1].rom_deg: 75 is over hip_external_rotation's max_rom_deg 60" in message


@pytest.mark.parametrize(("name", "rom"), [("hip_external_rotation", 60), ("knee_extension", 75)])
def test_a_rom_within_the_range_is_taken(tmp_path, name, rom):
    (tmp_path / "p1.toml").write_text(RX.format(name=name, rom=rom))
    assert load_prescriptions(tmp_path)["p1"].plan(name).rom_deg == rom
