"""Polar PMD encoder: SI samples to the frames a Polar sensor sends (see polar_pmd.md).

For tests, benchmarks and the simulated sensor; decode(encode(x)) equals x within one LSB.
Import it through :mod:`firmware_protocols.polar_pmd`, which re-exports these names.
"""
from __future__ import annotations

import numpy as np

from firmware_protocols.polar_pmd import ACC, FEATURES_READ_CODE, FRAME_FORMATS, GYRO, _signed

EXAMPLE_START_NS = 820_540_800_000_000_000  # 2026-01-01T00:00:00 on the sensor clock


def counts_from_si(measurement_type: int, frame_type: int, values: np.ndarray, factor: float = 1.0) -> np.ndarray:
    """SI samples (ACC m/s², GYRO deg/s) as the counts a frame carries: rounded ints, or float32 bits."""
    fmt = FRAME_FORMATS[(measurement_type, frame_type)]
    polar = np.asarray(values, dtype=np.float64).reshape(-1, 3) / fmt.si_per_polar_unit
    scale = (factor if fmt.uses_factor else 1.0) * fmt.polar_units_per_count
    if fmt.is_float:
        return (polar / scale).astype(np.float32).view(np.uint32).astype(np.int64)
    return np.rint(polar / scale).astype(np.int64)


def _pack_deltas(deltas: np.ndarray, block_samples: int) -> bytes:
    """Delta blocks: width, count, then the deltas LSB-first. Widths start at 2 bits (see spec)."""
    out = bytearray()
    for start in range(0, len(deltas), block_samples):
        block = deltas[start:start + block_samples]
        width = max(2, int(np.where(block < 0, ~block, block).max()).bit_length() + 1)
        bits = (block.reshape(-1, 1) >> np.arange(width, dtype=np.int64)) & 1
        out += bytes([width, len(block)]) + np.packbits(bits.astype(np.uint8).reshape(-1), bitorder="little").tobytes()
    return bytes(out)


def encode_frame(measurement_type: int, frame_type: int, counts: np.ndarray, timestamp_ns: int,
                 block_samples: int = 32) -> bytes:
    """One data notification carrying ``counts`` ((n, 3) ints; float frames: uint32 bit patterns)."""
    fmt = FRAME_FORMATS.get((measurement_type, frame_type))
    if fmt is None:
        raise ValueError(f"polar_pmd: no frame format for type {measurement_type} frame 0x{frame_type:02x}")
    counts = np.asarray(counts, dtype=np.int64).reshape(-1, 3)
    low, high = (0, 1 << 32) if fmt.is_float else (-(1 << (fmt.sample_bits - 1)), 1 << (fmt.sample_bits - 1))
    if not len(counts) or counts.min() < low or counts.max() >= high or not 1 <= block_samples <= 255:
        raise ValueError(f"polar_pmd: {len(counts)} samples, counts must lie in [{low}, {high})")
    header = bytes([measurement_type]) + int(timestamp_ns).to_bytes(8, "little") + bytes([frame_type])
    nbytes = -(-fmt.sample_bits // 8)
    as_bytes = lambda a: ((a.reshape(-1, 1) >> (8 * np.arange(nbytes))) & 0xFF).astype(np.uint8).tobytes()  # noqa: E731
    if not fmt.compressed:
        return header + as_bytes(counts)
    deltas = np.diff(counts, axis=0)
    if fmt.is_float:
        deltas = _signed(deltas, 32)  # the decoder's sums wrap at 32 bits
    return header + as_bytes(counts[0]) + _pack_deltas(deltas, block_samples)


def encode_stream(acc_ms2: np.ndarray | None, gyr_dps: np.ndarray | None, sample_rate_hz: float, *,
                  start_ns: int = EXAMPLE_START_NS, samples_per_frame: int = 36, acc_frame_type: int = 0x01,
                  gyr_frame_type: int = 0x81, acc_factor: float = 1.0, gyr_factor: float = 1.0) -> list[bytes]:
    """Notifications for sample i at ``start_ns + i/rate``: an ACC frame then a GYRO frame per block."""
    payloads = []
    total = len(acc_ms2) if acc_ms2 is not None else len(gyr_dps)
    for first in range(0, total, samples_per_frame):
        last = min(first + samples_per_frame, total) - 1
        ts = start_ns + round(last * 1e9 / sample_rate_hz)
        for mtype, ftype, values, factor in ((ACC, acc_frame_type, acc_ms2, acc_factor),
                                             (GYRO, gyr_frame_type, gyr_dps, gyr_factor)):
            if values is not None:
                counts = counts_from_si(mtype, ftype, values[first:last + 1], factor)
                payloads.append(encode_frame(mtype, ftype, counts, ts))
    return payloads


def encode_features(types) -> bytes:
    """What a read of the control point answers for a sensor offering these measurement types:
    ``0F`` then the bitmap :func:`~firmware_protocols.polar_pmd.parse_features` reads, two bytes at
    least (the SDK reads bytes 1 and 2: the types 0 to 15 it knows)."""
    bitmap = bytearray(max(2, max(types, default=0) // 8 + 1))
    for t in types:
        bitmap[t // 8] |= 1 << (t % 8)
    return bytes([FEATURES_READ_CODE]) + bytes(bitmap)


def encode_example_payloads() -> list[bytes]:
    """A few valid data notifications in stream order (52 Hz, 8 samples each), one per frame format."""
    payloads, n, phase = [], 8, np.arange(8 * len(FRAME_FORMATS)) / 52.0
    for k, ((mtype, ftype), fmt) in enumerate(FRAME_FORMATS.items()):
        wave = np.column_stack([np.sin(2 * np.pi * phase), np.cos(2 * np.pi * phase), 0.3 + 0 * phase])[k * n:(k + 1) * n]
        if fmt.is_float:
            counts = (40.0 * wave).astype(np.float32).view(np.uint32).astype(np.int64)
        else:
            counts = np.rint(wave * min(1000, (1 << (fmt.sample_bits - 1)) - 1)).astype(np.int64)
        payloads.append(encode_frame(mtype, ftype, counts, EXAMPLE_START_NS + round(((k + 1) * n - 1) * 1e9 / 52)))
    return payloads
