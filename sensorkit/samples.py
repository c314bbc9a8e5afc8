"""The one block type for IMU samples, and the canonical column names and units.

Sensor frame (picture in words): the sensor's own x, y, z axes, fixed to its case, right-handed.
Nothing assumes how the case sits on the shank: the strap may hold it in any rotation.

- ``t``: seconds since the recording started (increasing; gaps allowed).
- ``acc``: specific force in m/s², shape (n, 3); about +9.81 on the axis pointing up at rest.
- ``gyr``: angular rate in deg/s, shape (n, 3), right-hand rule about each sensor axis.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

#: the time column, in seconds since the recording started
T = "t"
#: specific force in the sensor frame, m/s²
ACC_COLUMNS = ("acc_x", "acc_y", "acc_z")
#: angular rate in the sensor frame, deg/s
GYR_COLUMNS = ("gyr_x", "gyr_y", "gyr_z")
#: the recording CSV's columns, in order
COLUMNS = (T, *ACC_COLUMNS, *GYR_COLUMNS)
#: standard gravity, m/s²
GRAVITY_MS2 = 9.80665


def _rows_of_three(name: str, values) -> np.ndarray:
    """``values`` as an (n, 3) float64 array: (n, 3) as it is, one sample of 3 values as (1, 3),
    nothing as (0, 3); any other shape (a (3, n) array: channels first) is a ValueError."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 2 and array.shape[1] == 3:
        return array
    if array.size == 0 or array.shape == (3,):
        return array.reshape(-1, 3)
    raise ValueError(f"Samples: {name} must be (n, 3), one row per sample, got shape {array.shape}"
                     + (" (channels first? transpose it)" if array.ndim == 2 and array.shape[0] == 3 else ""))


@dataclass(frozen=True)
class Samples:
    """A block of IMU samples: ``t`` (n,) in s, ``acc`` (n, 3) in m/s², ``gyr`` (n, 3) in deg/s."""

    t: np.ndarray
    acc: np.ndarray
    gyr: np.ndarray

    def __post_init__(self) -> None:
        t = np.asarray(self.t, dtype=np.float64).reshape(-1)
        acc, gyr = _rows_of_three("acc", self.acc), _rows_of_three("gyr", self.gyr)
        if not (len(t) == len(acc) == len(gyr)):
            raise ValueError(f"Samples: t, acc and gyr lengths differ ({len(t)}, {len(acc)}, {len(gyr)})")
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "acc", acc)
        object.__setattr__(self, "gyr", gyr)

    def __len__(self) -> int:
        return len(self.t)

    def __getitem__(self, index: slice | np.ndarray) -> "Samples":
        return Samples(self.t[index], self.acc[index], self.gyr[index])

    @classmethod
    def empty(cls) -> "Samples":
        """A block of no samples."""
        return cls(np.empty(0), np.empty((0, 3)), np.empty((0, 3)))

    @classmethod
    def from_array(cls, array: np.ndarray) -> "Samples":
        """From an (n, 7) array with columns :data:`COLUMNS`."""
        array = np.asarray(array, dtype=np.float64).reshape(-1, 7)
        return cls(array[:, 0], array[:, 1:4], array[:, 4:7])

    def to_array(self) -> np.ndarray:
        """An (n, 7) float64 array with columns :data:`COLUMNS`."""
        return np.column_stack([self.t, self.acc, self.gyr])

    @classmethod
    def concat(cls, blocks: Iterable["Samples"]) -> "Samples":
        """The blocks one after the other, in the order given (``t`` is not checked or shifted)."""
        blocks = [b for b in blocks if len(b)]
        if not blocks:
            return cls.empty()
        return cls(
            np.concatenate([b.t for b in blocks]),
            np.concatenate([b.acc for b in blocks]),
            np.concatenate([b.gyr for b in blocks]),
        )

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> "Samples":
        """From a DataFrame with the columns :data:`COLUMNS` (``t`` in s, ``acc_*`` in m/s², ``gyr_*``
        in deg/s); other columns are ignored."""
        return cls(
            frame[T].to_numpy(np.float64),
            frame[list(ACC_COLUMNS)].to_numpy(np.float64),
            frame[list(GYR_COLUMNS)].to_numpy(np.float64),
        )

    def to_frame(self) -> pd.DataFrame:
        """A DataFrame with the columns :data:`COLUMNS` (the recording CSV's layout and units)."""
        import pandas as pd  # at the edges only: importing it costs a quarter second at every start

        return pd.DataFrame(self.to_array(), columns=list(COLUMNS))

    def chunks(self, size: int) -> Iterable["Samples"]:
        """Consecutive blocks of at most ``size`` samples (for feeding a stage packet-wise)."""
        for start in range(0, len(self), size):
            yield self[start : start + size]

    def first_non_finite(self) -> int | None:
        """The index of the first sample holding a NaN or an infinity (in ``t``, ``acc`` or ``gyr``),
        or None when every value is finite."""
        finite = np.isfinite(self.t) & np.isfinite(self.acc).all(axis=1) & np.isfinite(self.gyr).all(axis=1)
        return None if finite.all() else int(np.argmin(finite))

    @property
    def duration_s(self) -> float:
        """Last ``t`` minus first ``t``, seconds (0 for fewer than two samples)."""
        return float(self.t[-1] - self.t[0]) if len(self) else 0.0

    @property
    def sample_rate_hz(self) -> float:
        """Median sample rate in Hz (nan for fewer than two samples)."""
        if len(self) < 2:
            return float("nan")
        return float(1.0 / np.median(np.diff(self.t)))
