"""Link bookkeeping for a session: state, health counters, reconnect gaps, the session time base,
and the data watchdog that takes a connected sensor gone silent for a lost link."""
from __future__ import annotations

import enum
import heapq
from collections import deque
from dataclasses import asdict, dataclass, field

import numpy as np

from firmware_protocols import DeviceTime, StreamHealth
from sensorkit.ble.adapters import CONTROL_ANSWER_TIMEOUT_S

#: The shortest silence (s, session clock) taken for a sensor that stopped sending while its link
#: stays up. Well above the pauses of a healthy stream: centrals stream at connection intervals of
#: 7.5-50 ms, and a notification the radio missed is resent at the following connection events
#: (tens of ms); a host stall that holds the data up is not counted (the session's watchdog skips
#: a look that comes late). Short enough that the patient sees "reconnecting" within a rep: a
#: prescribed hold alone lasts seconds (3-8 s in the sample recordings' prescriptions).
SILENCE_FLOOR_S = 2.0
#: Silence taken for a sensor that stopped sending, in multiples of the stream's longest wait
#: between sample batches on this connection (of the last :data:`GAP_WINDOW`, the
#: :data:`GAPS_IGNORED` longest left out; this decides over the floor for streams whose batches come
#: more than 0.4 s apart). The wait is not steady: a Polar sensor's delta-compressed frames hold
#: more samples when the deltas are small, so with the leg at rest between sets a frame spans
#: several times as long as while it moves (the tests play 4 times), and a sensor sends a full frame
#: at most about one interval late (FIFO watermark, then a connection event): 5 of the longest waits
#: seen covers a 4-fold growth and that lateness without a false "no data", and is far short of a
#: stop. The longest wait, not the mean: split ACC and GYRO frames of different lengths make
#: complete samples at uneven waits, the longest well above the mean. A few packets lost in a row
#: are a packet gap the decoder counts, also covered (the tests drop 3 in a row while moving).
SILENT_GAP_FACTOR = 5
#: How many of the longest recent waits are left out: a wait a host stall stretched (the loop held
#: up, the data with it) or a lost packet doubled does not raise the allowance for the rest of the
#: connection; the uneven waits of split frames recur, and are kept.
GAPS_IGNORED = 2
#: How many of the latest waits between batches are looked at (tens of seconds of a stream: a stall
#: long ago is forgotten, a set's waits are still there).
GAP_WINDOW = 256
#: How long (s, session clock) a sensor may take from the command that asks for its stream (the end
#: of the set-up; a Movesense's SUBSCRIBE, whose start then waits for the sensor's first word, a
#: Polar's last start, whose answer is waited for: that wait is part of this, for the same silence
#: in every family: :attr:`~sensorkit.ble.adapters.StreamStart.asked_clock_s`) to its first samples: as long as it
#: may take to answer a control write (its start command's answer is its data), then the floor for
#: its first packet to fill. A slow starter is not a silent sensor.
FIRST_DATA_ALLOWANCE_S = CONTROL_ANSWER_TIMEOUT_S + SILENCE_FLOOR_S
#: How much longer (s) than the computer's clock a sensor's own clock may say a link was down and
#: still be believed, plus :data:`SENSOR_CLOCK_DRIFT` of the session so far: the computer places a
#: resumed block as measured when it arrived, never earlier than the sensor did (a block arrives
#: after its samples were measured), so the sensor's outage is at most the computer's, give or take
#: the two clocks' drift (crystals: 20-100 ppm) and the computer's timing (ms). A sensor clock that
#: says more restarted elsewhere (a Polar set to another time by a phone): the computer's is used.
SENSOR_CLOCK_SLACK_S = 0.25
#: The two clocks' drift allowed for, as a fraction of the session so far (1000 ppm).
SENSOR_CLOCK_DRIFT = 1e-3


class LinkState(str, enum.Enum):
    """Where a session's link is; ``GAVE_UP``: no link within the give-up time (the stream ended);
    ``REFUSED``: the sensor answered but will not stream as asked (a Movesense subscription answered
    507, or not at all by a sensor that never streamed: a path its app does not serve; a sensor
    sending one channel only): the stream ended with that error
    (:attr:`~sensorkit.ble.session.SensorSession.refusal`)."""

    CONNECTING = "connecting"
    STREAMING = "streaming"
    RECONNECTING = "reconnecting"
    CLOSED = "closed"
    GAVE_UP = "gave_up"
    REFUSED = "refused"


@dataclass
class Reconnect:
    """One dropped link. Times in the recording's ``t`` seconds; ``resumed_at_t_s`` None: gave up."""

    dropped_at_t_s: float
    resumed_at_t_s: float | None = None
    lost_s: float = 0.0
    lost_samples: int = 0
    attempts: int = 0

    def as_dict(self) -> dict:
        """The sidecar's ``reconnects`` entry: these fields, times rounded to the microsecond."""
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in asdict(self).items()}


@dataclass
class SessionHealth:
    """Counters over every connection of a session (decoders are fresh on each connection)."""

    packets: int = 0
    #: complete samples decoded (each once: a Polar sensor's ACC and GYRO rows of one instant are one)
    samples: int = 0
    corrupt_packets: int = 0
    lost_samples: int = 0  # seen by the decoders' counters/timestamps within connections: the sum over ``gaps``
    merge_dropped_samples: int = 0
    nonfinite_samples: int = 0  # decoded samples holding NaN or infinity: dropped, never recorded
    reconnects: list[Reconnect] = field(default_factory=list)
    #: packet-loss gaps within connections, in session time: {"at_t_s", "lost_samples"}
    gaps: list[dict] = field(default_factory=list)
    _closed: StreamHealth = field(default_factory=StreamHealth, repr=False)
    _spans: list[list[float]] = field(default_factory=list, repr=False)  # [start, end] s of each of ``gaps``

    def add_connection(self, health: StreamHealth) -> None:
        """Fold a finished connection's decoder packet counters into the totals."""
        for name in ("packets", "corrupt_packets"):
            setattr(self._closed, name, getattr(self._closed, name) + getattr(health, name))

    def refresh(self, current: StreamHealth | None) -> None:
        """Packet totals = closed connections + ``current`` (the live connection's decoder counters).
        (``samples`` is counted by the session as it merges them: a decoder counts split ACC and
        GYRO frames' rows apart.)"""
        for name in ("packets", "corrupt_packets"):
            setattr(self, name, getattr(self._closed, name) + (getattr(current, name) if current else 0))

    def add_gap(self, at_t_s: float, lost_samples: int, period_s: float) -> None:
        """A decoder's packet-loss gap, in session time: ``lost_samples`` samples ``period_s`` apart
        missing before ``at_t_s``, the interval [at_t_s − lost_samples·period_s, at_t_s]. Where it
        overlaps (or meets, within half a sample) a gap already recorded, it is the same hole seen
        by another stream of the sensor: Polar's ACC and GYRO frames are lost in one radio dropout,
        but carry different numbers of samples, so their holes overlap without lining up. Such gaps
        are one entry, at the end of their union, of the recording samples the union spans."""
        start_s, end_s = at_t_s - lost_samples * period_s, at_t_s
        tolerance_s = period_s / 2
        first = max(len(self.gaps) - 8, 0)  # (the streams' reports of one hole come close together)
        overlapping = [i for i in range(first, len(self.gaps))
                       if self._spans[i][0] <= end_s + tolerance_s and start_s <= self._spans[i][1] + tolerance_s]
        if not overlapping:
            self.gaps.append({"at_t_s": at_t_s, "lost_samples": lost_samples})
            self._spans.append([start_s, end_s])
            self.lost_samples += lost_samples
            self._keep_in_time_order(len(self.gaps) - 1)
            return
        for i in reversed(overlapping[1:]):  # (several recorded apart that this one joins: one hole)
            old_start_s, old_end_s = self._spans.pop(i)
            start_s, end_s = min(start_s, old_start_s), max(end_s, old_end_s)
            self.lost_samples -= self.gaps.pop(i)["lost_samples"]
        keep = overlapping[0]
        span, gap = self._spans[keep], self.gaps[keep]
        span[0], span[1] = min(start_s, span[0]), max(end_s, span[1])
        gap["at_t_s"] = span[1]  # (where the recording resumes: one of the gaps' own times)
        union = max(int(round((span[1] - span[0]) / period_s)), lost_samples, gap["lost_samples"])
        self.lost_samples += union - gap["lost_samples"]
        gap["lost_samples"] = union
        self._keep_in_time_order(keep)

    def _keep_in_time_order(self, i: int) -> None:
        """Move ``gaps[i]`` (just added or grown) to its place in time order: the streams of a
        sensor report their holes out of step (a GYRO frame's hole can come after a later ACC one's)."""
        gaps, spans = self.gaps, self._spans
        while i > 0 and gaps[i - 1]["at_t_s"] > gaps[i]["at_t_s"]:
            gaps[i - 1], gaps[i], spans[i - 1], spans[i] = gaps[i], gaps[i - 1], spans[i], spans[i - 1]
            i -= 1
        while i + 1 < len(gaps) and gaps[i + 1]["at_t_s"] < gaps[i]["at_t_s"]:
            gaps[i + 1], gaps[i], spans[i + 1], spans[i] = gaps[i], gaps[i + 1], spans[i], spans[i + 1]
            i += 1

    @property
    def lost_total_samples(self) -> int:
        """Samples lost to dropped packets and to link gaps."""
        return self.lost_samples + sum(r.lost_samples for r in self.reconnects)

    @property
    def loss_fraction(self) -> float:
        """Lost samples (dropped packets and link gaps) over all the sensor sent, 0 to 1."""
        total = self.samples + self.lost_total_samples
        return self.lost_total_samples / total if total else 0.0


class TimeBase:
    """Maps each connection's decoder time (0 at its first sample) onto session time.

    The first connection's first sample is ``t = 0``. A later connection is placed by the sensor's
    own sample clock where its decoder reads one (Polar PMD, Movesense, open_v1: see
    :attr:`firmware_protocols.Decoder.clock_origin`) and that clock kept running through the
    outage: the resumed samples are as far after the last ones as the sensor measured. Where it
    cannot (no sensor clock, or one that went backwards or jumped further than the computer's
    clock allows: :data:`SENSOR_CLOCK_SLACK_S`, a sensor that restarted), the computer's clock
    places it: the last sample of a connection's first block is taken to have been measured when
    that block arrived. Output times always increase.

    Where on the host clock ``t = 0`` was is taken from every block of the first connection, not
    its first alone: a block arrives some time after its last sample was measured, never before,
    so the earliest arrival relative to its samples' times is the best guess. A first block that
    came late (a host busy as the stream started, notifications waiting for the decoder) placed
    the start late, and every later connection's times that much early: its gap too short.
    """

    def __init__(self) -> None:
        self._start_clock_s: float | None = None
        self._first_connection = True
        self._offset_s: float | None = None
        self._connection_last_t_s: float | None = None
        self.last_t_s = -np.inf
        self._sum_dt_s = 0.0
        self._count_dt = 0
        self._last_device: DeviceTime | None = None  # the sensor's clock at the last sample mapped
        #: the stream's nominal sample period (s), where the decoder knows its rate; None: estimated
        self.nominal_period_s: float | None = None
        #: how the current connection was placed: "start" (the first), "sensor_clock" or "host_clock"
        self.placed_by: str | None = None

    def new_connection(self) -> None:
        if self._start_clock_s is not None:
            self._first_connection = False
        self._offset_s = None
        self._connection_last_t_s = None

    @property
    def offset_s(self) -> float | None:
        """Session time minus decoder time on the current connection (None before its first block)."""
        return self._offset_s

    @property
    def measured_period_s(self) -> float:
        """Mean sample spacing seen so far within connections (0.01 s before any): grows with
        every sample lost to a dropped packet."""
        return self._sum_dt_s / self._count_dt if self._count_dt else 0.01

    @property
    def sample_period_s(self) -> float:
        """The stream's sample period (s): :attr:`nominal_period_s` where known, else :attr:`measured_period_s`."""
        return self.nominal_period_s or self.measured_period_s

    def map(self, t_decoder_s: np.ndarray, arrival_clock_s: float,
            clock_origin: DeviceTime | None = None) -> np.ndarray:
        """Session times of one decoded block that arrived at ``arrival_clock_s`` (host clock, s);
        ``clock_origin``: the sensor's clock at this connection's decoder ``t = 0``, if it has one."""
        if self._offset_s is None:
            if self._start_clock_s is None:
                self._start_clock_s = arrival_clock_s - (t_decoder_s[-1] - t_decoder_s[0])
                self._offset_s = -t_decoder_s[0]
                self.placed_by = "start"
            else:
                self._offset_s = (arrival_clock_s - self._start_clock_s) - t_decoder_s[-1]
                earliest = self.last_t_s + self.sample_period_s
                self._offset_s += max(earliest - (t_decoder_s[0] + self._offset_s), 0.0)
                self.placed_by = "host_clock"
                sensor_s = self._sensor_outage_s(float(t_decoder_s[0]), clock_origin)
                if sensor_s is not None:
                    self._offset_s = self.last_t_s + sensor_s - float(t_decoder_s[0])
                    self.placed_by = "sensor_clock"
        t = t_decoder_s + self._offset_s
        if self._first_connection:  # (its last sample was measured by then: t = 0 no later than this)
            self._start_clock_s = min(self._start_clock_s, arrival_clock_s - float(t[-1]))
        if self._connection_last_t_s is not None:
            self._sum_dt_s += float(t[-1] - self._connection_last_t_s)
            self._count_dt += len(t)
        elif len(t) > 1:
            self._sum_dt_s += float(t[-1] - t[0])
            self._count_dt += len(t) - 1
        self._connection_last_t_s = self.last_t_s = float(t[-1])
        self._last_device = clock_origin.plus_s(float(t_decoder_s[-1])) if clock_origin is not None else None
        return t

    def _sensor_outage_s(self, first_t_decoder_s: float, clock_origin: DeviceTime | None) -> float | None:
        """Seconds from the last sample mapped to this connection's first, on the sensor's clock;
        None where it has none or it restarted (it went backwards, or further than the host's
        placement, :attr:`offset_s` as the host clock placed it, allows)."""
        if clock_origin is None or self._last_device is None:
            return None
        sensor_s = self._last_device.seconds_until(clock_origin.plus_s(first_t_decoder_s))
        if sensor_s is None:
            return None
        host_s = first_t_decoder_s + self._offset_s - self.last_t_s
        allowed_s = host_s + SENSOR_CLOCK_SLACK_S + SENSOR_CLOCK_DRIFT * max(self.last_t_s, 0.0)
        return sensor_s if self.sample_period_s / 2 <= sensor_s <= allowed_s else None


class DataWatchdog:
    """Says when a connection that streams has brought no samples for too long (times in seconds
    on the session's clock).

    The allowance is :data:`SILENT_GAP_FACTOR` times the stream's longest wait between sample
    batches on this connection (of the last :data:`GAP_WINDOW` waits, the :data:`GAPS_IGNORED`
    longest left out; at least the span of the largest batch's samples: what one notification
    holds), at least :data:`SILENCE_FLOOR_S`. The longest wait, not the mean: the waits grow
    several-fold when a Polar sensor's frames lengthen at rest, and the batches of split ACC and
    GYRO frames come unevenly. Before the connection's first samples it is
    :data:`FIRST_DATA_ALLOWANCE_S`.
    """

    def __init__(self) -> None:
        self.new_connection(0.0)

    def new_connection(self, now_s: float) -> None:
        """The stream has just been asked for (connected, started) at ``now_s``: the silence counts from there."""
        self._last_s = now_s
        self._blocks = 0
        self._largest_batch = 0
        self._gaps: deque[float] = deque(maxlen=GAP_WINDOW)
        self._usual_gap_s: float | None = 0.0  # (None: to be computed again from _gaps)

    def data(self, now_s: float, n_samples: int) -> None:
        """A notification brought ``n_samples`` samples at ``now_s``."""
        if self._blocks:  # (not the wait for the first samples: the set-up's)
            self._gaps.append(max(now_s - self._last_s, 0.0))
            self._usual_gap_s = None
        self._last_s = now_s
        self._blocks += 1
        self._largest_batch = max(self._largest_batch, n_samples)

    def allowance_s(self, sample_period_s: float) -> float:
        """The silence taken for a stopped sensor on this connection, with this sample period (s)."""
        if not self._blocks:
            return FIRST_DATA_ALLOWANCE_S
        if self._usual_gap_s is None:
            longest = heapq.nlargest(GAPS_IGNORED + 1, self._gaps)
            self._usual_gap_s = longest[-1] if len(longest) > GAPS_IGNORED else max(longest, default=0.0)
        usual_gap_s = max(self._usual_gap_s, self._largest_batch * sample_period_s)
        return max(SILENCE_FLOOR_S, SILENT_GAP_FACTOR * usual_gap_s)

    def silent_s(self, now_s: float) -> float:
        """Seconds since the last samples came (or since the stream was set up, before any)."""
        return now_s - self._last_s

    def overdue(self, now_s: float, sample_period_s: float) -> bool:
        """Whether the silence has outlasted the allowance."""
        return self.silent_s(now_s) > self.allowance_s(sample_period_s)
