"""Merge decoded frames into complete 6-axis samples.

Some sensors (Polar PMD) send acceleration and angular rate in separate frames, each with its own
timestamps; the decoder marks the channels a frame lacks as NaN. :class:`ChannelMerger` buffers
the two streams and emits samples on the angular-rate timestamps with acceleration linearly
interpolated between its two neighbouring samples (never extrapolated), so every emitted row has
all seven columns. Rows that already carry both channels pass straight through.
"""
from __future__ import annotations

import numpy as np

_ACC = slice(1, 4)
_GYR = slice(4, 7)


class ChannelMerger:
    """Causal merger of acc-only and gyr-only rows into complete rows (see module doc).

    ``max_gap_s``: acceleration samples further apart than this are not interpolated across; the
    angular-rate samples in between are dropped (a gap in the output, as for lost packets).
    ``max_lag_s``: angular-rate samples waiting longer than this for acceleration are dropped,
    which bounds memory when one stream stops.
    """

    def __init__(self, max_gap_s: float = 0.25, max_lag_s: float = 2.0) -> None:
        self.max_gap_s = max_gap_s
        self.max_lag_s = max_lag_s
        self._acc = np.empty((0, 4))  # t, acc_x, acc_y, acc_z
        self._gyr = np.empty((0, 4))  # t, gyr_x, gyr_y, gyr_z
        self._last_t = -np.inf
        #: angular-rate samples dropped for lack of acceleration around them
        self.dropped_samples = 0
        #: decoded rows pushed that carry acceleration, and that carry angular rate
        self.acc_rows = 0
        self.gyr_rows = 0

    def push(self, rows: np.ndarray) -> np.ndarray:
        """Take decoded (n, 7) rows; return the (m, 7) complete rows now ready, in time order."""
        rows = np.asarray(rows, dtype=np.float64).reshape(-1, 7)
        if not len(rows):
            return rows
        has_acc = ~np.isnan(rows[:, _ACC]).any(axis=1)
        has_gyr = ~np.isnan(rows[:, _GYR]).any(axis=1)
        both = has_acc & has_gyr
        self.acc_rows += int(has_acc.sum())
        self.gyr_rows += int(has_gyr.sum())
        if both.all() and not len(self._gyr):
            return self._after_last(rows)
        acc_only = has_acc & ~has_gyr
        gyr_only = has_gyr & ~has_acc
        if acc_only.any():
            self._acc = _append_sorted(self._acc, rows[acc_only][:, [0, 1, 2, 3]])
        if gyr_only.any():
            self._gyr = _append_sorted(self._gyr, rows[gyr_only][:, [0, 4, 5, 6]])
        merged = [self._merge_ready()]
        if both.any():
            merged.append(rows[both])
        out = np.concatenate(merged)
        return self._after_last(out[np.argsort(out[:, 0], kind="stable")])

    def _after_last(self, rows: np.ndarray) -> np.ndarray:
        """Keep rows strictly after the last emitted time (duplicates and stragglers go)."""
        keep = rows[:, 0] > self._last_t
        rows = rows[keep]
        if len(rows):
            self._last_t = rows[-1, 0]
        return rows

    def _merge_ready(self) -> np.ndarray:
        if not len(self._gyr) or not len(self._acc):
            self._bound_buffers()
            return np.empty((0, 7))
        acc_t = self._acc[:, 0]
        gyr_t = self._gyr[:, 0]
        ready = gyr_t <= acc_t[-1]
        before_acc = gyr_t < acc_t[0]
        usable = ready & ~before_acc
        self.dropped_samples += int(before_acc.sum())
        gyr = self._gyr[usable]
        right = np.clip(np.searchsorted(acc_t, gyr[:, 0], side="left"), 0, len(acc_t) - 1)
        left = np.clip(np.searchsorted(acc_t, gyr[:, 0], side="right") - 1, 0, len(acc_t) - 1)
        span_ok = (acc_t[right] - acc_t[left]) <= self.max_gap_s
        self.dropped_samples += int((~span_ok).sum())
        gyr = gyr[span_ok]
        out = np.empty((len(gyr), 7))
        out[:, 0] = gyr[:, 0]
        for axis in range(3):
            out[:, 1 + axis] = np.interp(gyr[:, 0], acc_t, self._acc[:, 1 + axis])
        out[:, 4:7] = gyr[:, 1:4]
        self._gyr = self._gyr[~(ready | before_acc)]
        if len(out):  # keep one acc sample at or before the last emitted time for the next bracket
            first_needed = max(int(np.searchsorted(acc_t, out[-1, 0], side="right")) - 1, 0)
            self._acc = self._acc[first_needed:]
        self._bound_buffers()
        return out

    def _bound_buffers(self) -> None:
        """Drop angular rate waiting too long for acceleration, and acceleration nobody needs."""
        if len(self._gyr):
            stale = self._gyr[:, 0] < self._gyr[-1, 0] - self.max_lag_s
            self.dropped_samples += int(stale.sum())
            self._gyr = self._gyr[~stale]
        elif len(self._acc) > 1:
            keep_from = np.searchsorted(self._acc[:, 0], self._acc[-1, 0] - self.max_lag_s, side="right")
            self._acc = self._acc[max(int(keep_from) - 1, 0):]


def _append_sorted(buffer: np.ndarray, rows: np.ndarray) -> np.ndarray:
    out = np.concatenate([buffer, rows])
    if len(buffer) and len(rows) and rows[0, 0] < buffer[-1, 0]:
        out = out[np.argsort(out[:, 0], kind="stable")]
    return out
