"""What every sensor family's decoder shares: the sample layout, errors, stream health.

Sans-I/O: a :class:`Protocol` describes a wire format (UUIDs, start/stop commands); its
:meth:`Protocol.decoder` returns a stateful :class:`Decoder` whose :meth:`Decoder.feed` takes one
notification payload (bytes) and returns the samples in it. No sockets, no files, no clocks.

Decoded samples are a float64 array of shape (n, 7) with columns :data:`COLUMNS`:
``t`` in seconds (from the sensor's own timestamps where the format has them, else from the
sample counter and nominal rate; 0 at the first sample this decoder produced), acceleration in
m/s², angular rate in deg/s, all in the sensor's own frame. A channel the frame does not carry
is NaN.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np

COLUMNS = ("t", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z")
STANDARD_GRAVITY_MS2 = 9.80665


class ProtocolError(ValueError):
    """A payload that does not follow the wire format. The only exception a decoder raises."""


def empty_samples() -> np.ndarray:
    """A (0, 7) array: what ``feed`` returns for a payload that carries no samples."""
    return np.empty((0, 7), dtype=np.float64)


def make_samples(n: int) -> np.ndarray:
    """An (n, 7) array full of NaN, to fill in the channels a frame carries."""
    return np.full((n, 7), np.nan, dtype=np.float64)


@dataclass
class Gap:
    """Samples lost between two received packets: ``lost_samples`` missing before ``at_t_s``."""

    at_t_s: float
    lost_samples: int


@dataclass(frozen=True)
class DeviceTime:
    """A reading of a sensor's own sample clock: ``ticks`` of a counter running at ``ticks_per_s``
    (Hz) that wraps at ``modulus`` ticks (None: it does not wrap in practice)."""

    ticks: int
    ticks_per_s: float
    modulus: int | None = None

    def plus_s(self, seconds: float) -> "DeviceTime":
        """The reading ``seconds`` later on the same clock."""
        ticks = self.ticks + round(seconds * self.ticks_per_s)
        return DeviceTime(ticks % self.modulus if self.modulus else ticks, self.ticks_per_s, self.modulus)

    def seconds_until(self, later: "DeviceTime") -> float | None:
        """Seconds on this clock from this reading to ``later`` (negative: earlier; a wrapping
        counter's difference taken within half its wrap); None when ``later`` is another clock."""
        if (later.ticks_per_s, later.modulus) != (self.ticks_per_s, self.modulus):
            return None
        delta = later.ticks - self.ticks
        if self.modulus:
            half = self.modulus // 2
            delta = (delta + half) % self.modulus - half
        return delta / self.ticks_per_s


def union_of_gaps(gaps: list[Gap], period_s: float) -> list[Gap]:
    """The holes ``gaps`` say, once each, in time order: a gap is the interval
    [``at_t_s`` − ``lost_samples`` · ``period_s``, ``at_t_s``]; gaps that overlap or meet (within
    half a sample) are one hole, seen by two streams of one sensor (Polar's ACC and GYRO frames,
    lost in one dropout, hold different numbers of samples), at the end of their union, of as many
    samples as the union spans (at least any of them says)."""
    holes: list[tuple[float, float, int]] = []  # (start s, end s, lost samples)
    for gap in sorted(gaps, key=lambda g: (g.at_t_s - g.lost_samples * period_s, g.at_t_s)):
        start_s, end_s = gap.at_t_s - gap.lost_samples * period_s, gap.at_t_s
        if holes and start_s <= holes[-1][1] + period_s / 2:
            old_start_s, old_end_s, old_lost = holes[-1]
            new_start_s, new_end_s = min(start_s, old_start_s), max(end_s, old_end_s)
            spanned = int(round((new_end_s - new_start_s) / period_s)) if period_s > 0 else 0
            holes[-1] = (new_start_s, new_end_s, max(spanned, old_lost, gap.lost_samples))
        else:
            holes.append((start_s, end_s, gap.lost_samples))
    return [Gap(at_t_s=end_s, lost_samples=lost) for _start_s, end_s, lost in holes]


@dataclass
class StreamHealth:
    """Counters a decoder keeps about the stream it has been fed."""

    packets: int = 0
    samples: int = 0
    corrupt_packets: int = 0
    duplicate_packets: int = 0
    reordered_packets: int = 0
    lost_samples: int = 0
    clock_wraps: int = 0
    gaps: list[Gap] = field(default_factory=list)

    def add_gap(self, at_t_s: float, lost_samples: int) -> None:
        """Record ``lost_samples`` missing before ``at_t_s``."""
        self.lost_samples += lost_samples
        self.gaps.append(Gap(at_t_s=at_t_s, lost_samples=lost_samples))

    @property
    def loss_fraction(self) -> float:
        """Lost samples over all samples the stream should have carried (0 to 1)."""
        total = self.samples + self.lost_samples
        return self.lost_samples / total if total else 0.0


class Decoder(ABC):
    """Stateful decoder for one stream. ``feed`` raises only :class:`ProtocolError`.

    ``sample_rate_hz``: the rate (Hz) the sensor was set to stream at, as far as the decoder
    knows it (a protocol snaps a requested rate to one its sensors support); None if unknown.
    """

    sample_rate_hz: float | None = None
    #: The sensor's own clock at this decoder's ``t = 0`` (None: the format carries no sample
    #: clock, or no sample has been decoded yet); kept true as the decoder follows wraps and resets,
    #: so the sensor clock at decoded time ``t`` is ``clock_origin.plus_s(t)``.
    clock_origin: DeviceTime | None = None

    def __init__(self) -> None:
        self.health = StreamHealth()

    def feed(self, payload: bytes) -> np.ndarray:
        """Decode one notification payload into an (n, 7) sample array (see module doc).

        A payload that raises :class:`ProtocolError` must leave the decoder as it was before it
        (samples held, counters, ``health`` but for ``corrupt_packets``, which this method counts):
        decide everything about a payload before changing any state (a gap is counted only with
        the samples after it). Movesense does not yet: see docs/protocols/adding.md."""
        try:
            samples = self._decode(bytes(payload))
        except ProtocolError:
            self.health.corrupt_packets += 1
            raise
        except Exception as exc:  # a decoder bug must not escape as another type
            self.health.corrupt_packets += 1
            raise ProtocolError(f"{type(self).__name__}: cannot decode payload: {exc}") from exc
        self.health.packets += 1
        self.health.samples += len(samples)
        return samples

    def finish(self) -> np.ndarray:
        """The stream has ended (the capture's end, the link lost): the samples the decoder still
        holds, (n, 7), or a :class:`ProtocolError` naming a packet cut off mid-way (a part whose
        rest never came), counted as a corrupt packet. The decoder starts afresh after it, but for
        samples it held back when such an error was raised: a decoder may keep them for the next
        ``finish()`` (Movesense does), so a caller that goes on calls it again."""
        try:
            samples = self._finish()
        except ProtocolError:
            self.health.corrupt_packets += 1
            raise
        self.health.samples += len(samples)
        return samples

    def _finish(self) -> np.ndarray:
        """What :meth:`finish` returns or raises; nothing held by default."""
        return empty_samples()

    @abstractmethod
    def _decode(self, payload: bytes) -> np.ndarray:
        """Decode one payload; raise :class:`ProtocolError` for malformed input, before any state
        has changed (see :meth:`feed`)."""


@dataclass(frozen=True)
class Command:
    """One GATT write: ``payload`` to characteristic ``char_uuid`` (with or without response);
    ``pause_after_s``: how long the device needs before the next write (seconds)."""

    char_uuid: str
    payload: bytes
    response: bool = True
    pause_after_s: float = 0.0


class Protocol(ABC):
    """A sensor family's wire format: how to find it, start it, stop it and decode it.

    Subclasses set ``name`` (the registry name), the advertised ``service_uuids`` or
    ``name_prefixes`` that :meth:`matches` looks for, and ``data_char_uuids`` (the characteristics
    to subscribe to); they write no bytes themselves, they return :class:`Command` objects.
    """

    name: str = ""
    #: Advertised service UUIDs or name prefixes that identify this family in a scan.
    service_uuids: tuple[str, ...] = ()
    name_prefixes: tuple[str, ...] = ()
    #: Characteristics to subscribe to for sample data.
    data_char_uuids: tuple[str, ...] = ()

    def matches(self, name: str | None, service_uuids: list[str] | tuple[str, ...] = ()) -> bool:
        """True when an advertisement (local name, service UUIDs) belongs to this family."""
        uuids = {u.lower() for u in service_uuids}
        if any(u.lower() in uuids for u in self.service_uuids):
            return True
        return bool(name) and any(name.startswith(p) for p in self.name_prefixes)

    @abstractmethod
    def start_commands(self, sample_rate_hz: float = 104.0) -> list[Command]:
        """The writes that start acceleration + angular-rate streaming."""

    @abstractmethod
    def stop_commands(self) -> list[Command]:
        """The writes that stop streaming."""

    @abstractmethod
    def decoder(self, **settings) -> Decoder:
        """A fresh stateful decoder built with ``settings`` (the rest at their defaults).

        Its settings are told from the signatures (:func:`firmware_protocols.decoder_settings`):
        name each as a parameter of this method, or take ``**settings`` and pass them to a Decoder
        subclass (annotate the return with it) whose ``__init__`` names them; annotate each with its
        type (bytes, bool, int, float, str, or ``X | None``) or give it a default of that type, so
        that ``sensorkit decode -s NAME=VALUE`` reads the text as that type (a value that is not
        one is a usage error naming the setting). Raise ``ValueError`` for a value the decoder
        refuses (a range, a chip's name), saying what it takes. Take ``sample_rate_hz: float``
        (Hz): the BLE client passes the rate the stream was started at (a decoder whose format
        carries the rate may ignore it)."""
