"""A streaming session with one sensor: connect, start, decode, merge, reconnect, stop.

::

    async with SensorSession("Polar Sense 1A2B3C", give_up_s=60) as session:
        async for block in session:          # Samples, t in seconds since the session started
            ...

Each notification is decoded by the protocol's decoder as it arrives (a malformed one is counted
and skipped), split acc/gyr frames are merged into complete samples, and times are rebased onto
the session. A dropped link is retried with exponential backoff; the gap is recorded in
:attr:`SensorSession.reconnects`. A sensor that stops sending while its link stays up is said
(one warning per gap) and treated the same way (disconnected, then reconnected): see :class:`~sensorkit.ble.link.DataWatchdog`.
After ``give_up_s`` without a link (or without data) the stream ends cleanly.
Leaving the ``async with`` (also on cancellation or Ctrl-C) writes the stop commands,
unsubscribes and disconnects.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import AsyncIterator, Callable

import numpy as np
from bleak import BleakClient
from bleak.backends.client import BaseBleakClient
from bleak.backends.scanner import BaseBleakScanner
from bleak.exc import BleakError

import firmware_protocols
from firmware_protocols import Decoder, Protocol, ProtocolError
from sensorkit.ble import adapters
from sensorkit.ble.adapters import (NEEDS, ControlChannel, control_channel, make_decoder, start_stream,
                                    subscription_refusal, write)
from sensorkit.ble.connect import backoff_delays, connect_once
from sensorkit.ble.errors import (ConnectError, DecodeError, NotConnectedError, StreamRefusedError,
                                  SubscribeRefusedError, UnknownSensorError)
from sensorkit.ble.link import DataWatchdog, LinkState, Reconnect, SessionHealth, TimeBase
from sensorkit.ble.merge import ChannelMerger
from sensorkit.ble.scan import FoundSensor, find_sensor
from sensorkit.ble.uuids import BATTERY_LEVEL_UUID, FIRMWARE_REVISION_UUID, MODEL_NUMBER_UUID
from sensorkit.samples import Samples

log = logging.getLogger(__name__)

_END = object()
_LINK_ERRORS = (BleakError, asyncio.TimeoutError, OSError, ConnectError)
#: How often the data watchdog looks (s, host time): a fortieth of its 2 s floor at real time, and
#: within half the floor for a simulated sensor at 20 times real time (the tests' speed). A look
#: this much later than due means the event loop was held up (the data with it): it is skipped.
WATCHDOG_TICK_S = 0.05
#: How long (s) a silent sensor is given to take its stop commands before its link is let go (it
#: may have hung: the writes are best effort)
SILENT_STOP_TIMEOUT_S = 1.0
#: The battery level (%) at or below which the session warns, once: "charge it after this session".
#: Sensors compute the level from their cell's voltage, which stays nearly flat over most of a
#: lithium cell's charge and falls steeply over its last fifth: below 20 % the figure can reach 0
#: within a session, and a sensor that dies mid-session ends it (the level phones first warn at, too)
BATTERY_LOW_PERCENT = 20
#: How often (s, host time) the battery level is read again during a session, from a sensor whose
#: Battery Level does not notify (one that does is subscribed to: it says each change itself)
BATTERY_READ_INTERVAL_S = 60.0


class SensorSession:
    """One sensor's sample stream (see module doc). Times are in seconds, rates in Hz.

    ``device``: address or advertised name (scanned for) or a :class:`FoundSensor` from
    :func:`~sensorkit.ble.scan.scan`. ``protocol``: a registered name or a Protocol, by default
    the one recognised in the advertisement. ``client_backend``/``scanner_backend``: bleak
    backends (the simulator's, in tests). ``clock``: seconds on the sensor's time scale (a
    simulator running faster than real time passes its own). ``on_state(state)`` is called on
    every change of :attr:`state`.
    """

    def __init__(self, device: str | FoundSensor, *, protocol: str | Protocol | None = None,
                 sample_rate_hz: float = 104.0, client_backend: type[BaseBleakClient] | None = None,
                 scanner_backend: type[BaseBleakScanner] | None = None, scan_timeout_s: float = 10.0,
                 connect_timeout_s: float = 20.0, give_up_s: float = 60.0, backoff_initial_s: float = 0.5,
                 backoff_max_s: float = 8.0, clock: Callable[[], float] = time.monotonic,
                 on_state: Callable[[LinkState], None] | None = None,
                 battery_read_interval_s: float = BATTERY_READ_INTERVAL_S) -> None:
        self._device_spec = device
        self._protocol_spec = protocol
        self.sample_rate_hz = sample_rate_hz
        self._client_backend = client_backend
        self._scanner_backend = scanner_backend
        self.scan_timeout_s = scan_timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.give_up_s = give_up_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self._clock = clock
        self._on_state = on_state
        self.state = LinkState.CONNECTING
        #: every state the session has entered, in order (a display that looks now and then sees a
        #: reconnect quicker than its looks here: :meth:`sensorkit.ble.recorder.SessionRecorder.statuses`)
        self.state_history: list[LinkState] = []
        self.sensor: FoundSensor | None = None
        self.protocol: Protocol | None = None
        self.client: BleakClient | None = None
        self.mtu: int | None = None
        #: the rate (Hz) the sensor was set to stream at (the protocol snaps ``sample_rate_hz`` to one
        #: its sensors support: Movesense 30 -> 26 Hz); None before streaming or when the protocol cannot tell
        self.stream_sample_rate_hz: float | None = None
        #: the sensor's battery level (%), the last one read or notified (None: it has no Battery
        #: Service, or none was read); warned about once at or below :data:`BATTERY_LOW_PERCENT`
        self.battery_percent: int | None = None
        self.battery_read_interval_s = battery_read_interval_s
        #: the sensor's Device Information (``model``, ``firmware``), where it offers them: read at
        #: the first connection
        self.device_info: dict[str, str] = {}
        self._battery_warned = False
        self._battery_notifies = False  # (this connection's Battery Level notifies: subscribed to)
        self._battery_task: asyncio.Task | None = None
        #: the last notification the decoder could not read (skipped; the stream goes on), as a
        #: :class:`~sensorkit.ble.errors.DecodeError` whose ``__cause__`` is the decoder's
        #: ``ProtocolError``; None while every one was read. (The first three are logged as warnings;
        #: ``health.corrupt_packets`` counts them all.)
        self.last_decode_error: DecodeError | None = None
        self._health = SessionHealth()
        self.last_arrival_s = float("nan")  # perf_counter() when the last yielded block's packet arrived
        self._queue: asyncio.Queue = asyncio.Queue()
        self._timebase = TimeBase()
        self._decoder: Decoder | None = None
        self._early: list[tuple] = []
        self._gaps_seen = 0
        self._merged_dropped = 0  # samples the mergers of closed connections dropped
        self._merger = ChannelMerger()
        self._answers: asyncio.Queue[tuple[str, bytes]] | None = None
        self._reconnect_task: asyncio.Task | None = None
        self._pending_gap: Reconnect | None = None
        # (host s (_host_s) of the pending gap's loss, clock s of its last data)
        self._outage_started: tuple[float, float] | None = None
        self._watchdog = DataWatchdog()
        self._watchdog_task: asyncio.Task | None = None
        self._subscribed: list[str] = []
        self._closing = False
        self._started_clock_s: float | None = None
        self._warned_one_channel = False
        #: why the stream ended without a give-up (a sensor that sends one channel only): raised to the reader
        self._refusal: StreamRefusedError | None = None
        #: a refusal that may pass (a Movesense's 507) was met, and a reconnect tried for it, since the
        #: stream last brought samples: the next one ends the stream
        self._retried_refusal = False
        #: this connection's check of a notification for a refusal answered after the start's wait
        self._late_refusal: Callable[[bytes], StreamRefusedError | None] | None = None
        self._connection_clock_s = 0.0  # clock s when the current connection's stream was set up (asked for)
        #: what this connection's start asked that brought neither data nor an answer (StreamStart.unanswered)
        self._unanswered: str | None = None

    # ---- public --------------------------------------------------------------------------
    @property
    def health(self) -> SessionHealth:
        """Counters over all connections so far (brought up to date when read)."""
        self._health.refresh(self._decoder.health if self._decoder is not None else None)
        self._health.merge_dropped_samples = self._merged_dropped + self._merger.dropped_samples
        return self._health

    @property
    def reconnects(self) -> list[Reconnect]:
        """Every dropped link so far, in order (times in the session's seconds)."""
        return self._health.reconnects

    @property
    def protocol_name(self) -> str:
        """The wire protocol in use (``polar_pmd``, ``open_v1``, ...; empty before connecting)."""
        return self.protocol.name if self.protocol is not None else ""

    @property
    def elapsed_s(self) -> float:
        """Seconds (on ``clock``) since the first samples arrived; 0 before."""
        return self._clock() - self._started_clock_s if self._started_clock_s is not None else 0.0

    @property
    def refusal(self) -> StreamRefusedError | None:
        """The error that ended the stream when the sensor refused to stream as asked (state
        :attr:`LinkState.REFUSED`), else None."""
        return self._refusal

    @property
    def address(self) -> str | None:
        """The sensor's BLE address once found (None before)."""
        return self.sensor.address if self.sensor else None

    async def __aenter__(self) -> "SensorSession":
        await self.open()
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()

    async def open(self) -> None:
        """Find the sensor, connect (retrying with backoff up to ``give_up_s``) and start streaming."""
        spec = self._device_spec
        self.sensor = spec if isinstance(spec, FoundSensor) else await find_sensor(
            spec, self.scan_timeout_s, self._scanner_backend)
        self.protocol = self._resolve_protocol()
        if not await self._connect_with_backoff(_host_s() + self.give_up_s):
            raise ConnectError(f"could not connect to {self.sensor.address} ({self.sensor.name}) "
                               f"within {self.give_up_s:g} s")
        self._watchdog_task = asyncio.get_running_loop().create_task(self._watch_data())
        self._battery_task = asyncio.get_running_loop().create_task(self._reread_battery())

    async def close(self) -> None:
        """Stop streaming and disconnect (best effort, bounded in time); ends the block stream."""
        if self._closing:
            return
        self._closing = True
        for task in (self._watchdog_task, self._battery_task, self._reconnect_task):
            if task is not None and not task.done():
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass
        client = self.client
        if client is not None and client.is_connected:
            try:
                async with asyncio.timeout(5.0):
                    for command in self.protocol.stop_commands():
                        await write(client, command)
                    for uuid in self._subscribed:
                        await client.stop_notify(uuid)
            except _LINK_ERRORS as exc:
                log.debug("stopping the stream failed: %s", exc)
            try:
                async with asyncio.timeout(5.0):
                    await client.disconnect()
            except _LINK_ERRORS as exc:
                log.debug("disconnect failed: %s", exc)
        self._finish_decoder()
        if self.state not in (LinkState.GAVE_UP, LinkState.REFUSED):  # (how it ended stays said)
            self._set_state(LinkState.CLOSED)
        self._queue.put_nowait(_END)

    def drain(self) -> list[Samples]:
        """The blocks decoded but not yet read (after the reader stopped early: a duration reached,
        Ctrl-C), without waiting; the stream's end stays queued for later readers."""
        blocks = []
        while True:
            try:
                item = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                return blocks
            if item is _END:
                self._queue.put_nowait(_END)
                return blocks
            self.last_arrival_s, block = item
            blocks.append(block)

    def __aiter__(self) -> AsyncIterator[Samples]:
        return self.blocks()

    async def blocks(self, idle_tick_s: float | None = None) -> AsyncIterator[Samples]:
        """Sample blocks as they arrive; with ``idle_tick_s``, an empty block after that long without data."""
        if self.protocol is None:
            raise NotConnectedError("open the session before reading from it")
        while True:
            try:
                if idle_tick_s:
                    # asyncio.timeout, not wait_for: Python 3.11's wait_for loses a cancellation
                    # (Ctrl-C, SIGTERM, SIGHUP) that arrives as the item does, and the session runs on
                    async with asyncio.timeout(idle_tick_s):
                        item = await self._queue.get()
                else:
                    item = await self._queue.get()
            except TimeoutError:
                yield Samples.empty()
                continue
            if item is _END:
                self._queue.put_nowait(_END)  # later readers end too
                if self._refusal is not None:
                    raise self._refusal
                return
            arrival_s, block = item
            self.last_arrival_s = arrival_s
            yield block

    # ---- connecting ----------------------------------------------------------------------
    def _resolve_protocol(self) -> Protocol:
        spec = self._protocol_spec or self.sensor.protocol
        if not spec:
            raise UnknownSensorError(f"{self.sensor.address} ({self.sensor.name}) speaks no known protocol; "
                                     f"pass one of: {', '.join(firmware_protocols.names())}")
        return firmware_protocols.get(spec) if isinstance(spec, str) else spec

    async def _connect_with_backoff(self, deadline: float) -> bool:
        """Attempt until connected and streaming (True) or ``deadline`` (host s: :func:`_host_s`) has passed (False)."""
        attempts = 0
        for delay_s in backoff_delays(self.backoff_initial_s, self.backoff_max_s):
            attempts += 1
            if self._pending_gap is not None:  # (a gap's count goes on over links that brought no data)
                self._pending_gap.attempts += 1
            if await self._attempt(deadline, attempts):
                return True
            remaining_s = deadline - _host_s()
            if remaining_s <= 0 or self._closing:
                return False
            await asyncio.sleep(min(delay_s, remaining_s))
        return False

    async def _attempt(self, deadline: float, attempt: int) -> bool:
        """One connection + stream setup; a half-set-up link is disconnected again."""
        client = None
        # an attempt ends with the give-up time, but the one attempt made after it (--give-up-s 0:
        # one try) has the whole connect timeout: a real sensor takes more than a moment to connect
        remaining_s = deadline - _host_s()
        timeout_s = (self.connect_timeout_s if attempt == 1 and remaining_s <= 0
                     else min(self.connect_timeout_s, max(remaining_s, 0.1)))
        try:
            client = await connect_once(self.sensor.device or self.sensor.address, backend=self._client_backend,
                                        disconnected_callback=self._link_lost, timeout_s=timeout_s)
            await self._start_streaming(client)
            return True
        except SubscribeRefusedError as exc:
            await self._disconnect_quietly(client)
            if not exc.transient or self._retried_refusal:
                raise
            # (a Movesense's app frees its subscription slots when the link drops: one more try)
            self._retried_refusal = True
            log.warning("%s; reconnecting once to subscribe again", exc)
            if self._pending_gap is not None:
                self._pending_gap.attempts += 1
            await asyncio.sleep(self.backoff_initial_s)
            return await self._attempt(deadline, attempt)
        except (StreamRefusedError, asyncio.CancelledError):
            # it will not stream as asked (no point retrying), or Ctrl-C while setting up: the
            # sensor must not be left connected, maybe streaming, with nobody to stop it
            await self._disconnect_quietly(client)
            raise
        except _LINK_ERRORS as exc:
            log.info("connection attempt %d to %s failed: %s", attempt, self.sensor.address, exc)
        await self._disconnect_quietly(client)
        return False

    async def _stop_quietly(self, client: BleakClient | None) -> None:
        """Write the protocol's stop commands on a link still up, best effort, within
        :data:`SILENT_STOP_TIMEOUT_S`: a sensor let go while streaming (or about to resume) would
        go on with nobody to stop it, draining its battery."""
        if client is None or not client.is_connected:
            return
        try:
            async with asyncio.timeout(SILENT_STOP_TIMEOUT_S):
                for command in self.protocol.stop_commands():
                    await write(client, command)
        except _LINK_ERRORS as exc:
            log.debug("stopping the silent sensor failed: %s", exc)

    @staticmethod
    async def _disconnect_quietly(client: BleakClient | None) -> None:
        if client is not None and client.is_connected:
            try:
                async with asyncio.timeout(5.0):
                    await client.disconnect()
            except _LINK_ERRORS:
                pass

    def _check_kind(self, client: BleakClient, channel: ControlChannel | None) -> None:
        """Refuse a sensor that lacks the protocol's characteristics (``--protocol`` not its own, or
        the wrong device named): every further attempt would fail the same way. Where the
        advertisement claims this very protocol, a stale GATT cache may hide them: retried."""
        wanted = [*self.protocol.data_char_uuids, *([channel.char_uuid] if channel else []),
                  *([self.protocol.config_char_uuid] if hasattr(self.protocol, "config_char_uuid") else [])]
        missing = [uuid for uuid in wanted if client.services.get_characteristic(uuid) is None]
        if not missing:
            return
        said = self.sensor.protocol
        if said == self.protocol.name:
            raise ConnectError(f"characteristic {missing[0]} not found (a stale GATT cache?)")
        raise StreamRefusedError(
            f"{self.sensor.address} ({self.sensor.name}) does not speak {self.protocol.name}: it has no "
            f"characteristic {missing[0]}" + (f"; its advertisement says {said}" if said else ""))

    async def _start_streaming(self, client: BleakClient) -> None:
        self.client = client
        channel = control_channel(self.protocol)
        self._check_kind(client, channel)
        await self._negotiate_mtu(client)
        self._set_battery(await self._read_battery(client))
        if not self.device_info:
            self.device_info = await self._read_device_info(client)
        self._decoder = None  # notifications before the decoder exists wait in self._early
        self._early = []
        self._gaps_seen = 0
        self._timebase.new_connection()
        self._subscribed = []
        await self._subscribe_battery(client)
        self._answers = asyncio.Queue()  # what the sensor says while the stream is set up
        if channel is not None:
            joiner = channel.joiner()  # (per connection: an answer a lost link cut off is not continued)
            await client.start_notify(channel.char_uuid,
                                      lambda _s, data: self._on_control(channel, joiner.push(bytes(data))))
            self._subscribed.append(channel.char_uuid)
        for uuid in self.protocol.data_char_uuids:
            await client.start_notify(uuid, self._on_notification)
            self._subscribed.append(uuid)
        try:
            started = await start_stream(self.protocol, client, self.sample_rate_hz, self._answers, self._clock)
        finally:
            self._answers = None
        self.protocol = started.protocol
        self._late_refusal = subscription_refusal(self.protocol, client, started.rate_hz)
        self._decoder = await make_decoder(self.protocol, client, started.rate_hz)
        self.stream_sample_rate_hz = self._decoder.sample_rate_hz
        if self.stream_sample_rate_hz:  # (the gaps' lost samples counted in it: an estimate grows with loss)
            self._timebase.nominal_period_s = 1.0 / self.stream_sample_rate_hz
        early, self._early = self._early, []
        if not started.early_data_usable:  # (measured at another rate: see StreamStart)
            data = [item for item in early if item[0] == self._on_notification]
            early = [item for item in early if item[0] != self._on_notification]
            if data:
                log.info("%s: %d notification(s) sent before its rate was set dropped",
                         self.sensor.address, len(data))
        # the silence a silent sensor is allowed counts from when its stream was asked for: a start
        # that then waited for the sensor's answer (a Polar's start, a Movesense's first word) spent part of it
        self._connection_clock_s = started.asked_clock_s if started.asked_clock_s is not None else self._clock()
        self._unanswered = started.unanswered
        self._watchdog.new_connection(self._connection_clock_s)
        for handler, *args in early:
            handler(*args)
        self._set_state(LinkState.STREAMING)

    async def _negotiate_mtu(self, client: BleakClient) -> None:
        """Use the largest MTU the backend offers. BlueZ reports 23 until asked (bleak's own advice)."""
        acquire = getattr(getattr(client, "_backend", None), "_acquire_mtu", None)
        if client.mtu_size <= 23 and acquire is not None:
            try:
                await acquire()
            except Exception as exc:  # noqa: BLE001 - an old BlueZ lacks AcquireWrite; 23 still works
                log.debug("MTU exchange not available: %s", exc)
        self.mtu = client.mtu_size

    @staticmethod
    async def _read_battery(client: BleakClient) -> int | None:
        if client.services.get_characteristic(BATTERY_LEVEL_UUID) is None:
            return None
        try:
            value = await client.read_gatt_char(BATTERY_LEVEL_UUID)
        except BleakError:
            return None
        return _battery_level(value)

    async def _subscribe_battery(self, client: BleakClient) -> None:
        """Subscribe to the Battery Level where it notifies (a failure: it is read again instead)."""
        char = client.services.get_characteristic(BATTERY_LEVEL_UUID)
        self._battery_notifies = False
        if char is None or "notify" not in char.properties:
            return
        try:
            await client.start_notify(BATTERY_LEVEL_UUID, lambda _char, value: self._set_battery(_battery_level(value)))
        except BleakError as exc:
            log.debug("battery level notifications not available: %s", exc)
            return
        self._subscribed.append(BATTERY_LEVEL_UUID)
        self._battery_notifies = True

    async def _reread_battery(self) -> None:
        """Read the battery level every :attr:`battery_read_interval_s` (s) while streaming, from a
        sensor whose level does not notify."""
        while not self._closing:
            await asyncio.sleep(self.battery_read_interval_s)
            client = self.client
            if self.state is LinkState.STREAMING and not self._battery_notifies and client is not None:
                try:
                    async with asyncio.timeout(5.0):
                        self._set_battery(await self._read_battery(client))
                except (*_LINK_ERRORS, TimeoutError) as exc:  # (a link going down: the next look)
                    log.debug("reading the battery level failed: %s", exc)

    def _set_battery(self, level: int | None) -> None:
        """A battery level read or notified (None: none, the last one stays); the first at or below
        :data:`BATTERY_LOW_PERCENT` is warned about, once per session."""
        if level is None:
            return
        self.battery_percent = level
        if level <= BATTERY_LOW_PERCENT and not self._battery_warned:
            self._battery_warned = True
            log.warning("%s (%s): battery low (%d%%): charge it after this session (at %d%% or less it may "
                        "run out during the next)", self.sensor.address, self.sensor.name, level, BATTERY_LOW_PERCENT)

    @staticmethod
    async def _read_device_info(client: BleakClient) -> dict[str, str]:
        """The Device Information Service's model number and firmware revision, where offered."""
        info = {}
        for key, uuid in (("model", MODEL_NUMBER_UUID), ("firmware", FIRMWARE_REVISION_UUID)):
            if client.services.get_characteristic(uuid) is None:
                continue
            try:
                async with asyncio.timeout(5.0):
                    value = await client.read_gatt_char(uuid)
            except (BleakError, TimeoutError):
                continue
            text = bytes(value).split(b"\0", 1)[0].decode("utf-8", "replace").strip()[:64]
            if text:
                info[key] = text
        return info

    # ---- data path (bleak callbacks, in the event loop) ----------------------------------
    def _on_notification(self, sender, payload: bytearray, arrival_s: float | None = None,
                         arrival_clock_s: float | None = None) -> None:
        arrival_s = time.perf_counter() if arrival_s is None else arrival_s
        # (on clock: when it came, also for one that waited for the decoder; the time base places
        # the session's start by it, and a start placed late puts every later connection early)
        arrival_clock_s = self._clock() if arrival_clock_s is None else arrival_clock_s
        decoder = self._decoder
        if decoder is None:
            if self._answers is not None:  # (setting up: start_stream reads them; MetaWear answers here)
                self._answers.put_nowait(("data", bytes(payload)))
            self._early.append((self._on_notification, sender, payload, arrival_s, arrival_clock_s))
            return
        try:
            rows = decoder.feed(payload)
        except ProtocolError as exc:
            number = decoder.health.packets + decoder.health.corrupt_packets
            self.last_decode_error = self._decode_error(f"skipped packet {number}", exc)
            if decoder.health.corrupt_packets <= 3:
                log.warning("%s", self.last_decode_error)
            return
        if not self._place(decoder, rows, arrival_s, arrival_clock_s):
            self._warn_if_one_channel(decoder)
            if self._late_refusal is not None and (refusal := self._late_refusal(bytes(payload))) is not None:
                self._refused_late(refusal)

    def _place(self, decoder: Decoder, rows: np.ndarray, arrival_s: float, arrival_clock_s: float) -> bool:
        """Decoded ``rows`` ((n, 7), the decoder's time) merged into complete samples, placed on the
        session's time and queued for the reader (a notification's, or what the decoder's
        ``finish()`` returned at the link's end); False when no complete sample came of them."""
        rows = self._merger.push(rows)
        self._health.samples += len(rows)  # (complete samples: split ACC and GYRO rows counted once)
        finite = np.isfinite(rows).all(axis=1)
        if not finite.all():  # the decoders refuse such packets: this guards the recording against a bug
            dropped = int(np.count_nonzero(~finite))
            self._health.nonfinite_samples += dropped
            log.warning("dropped %d decoded sample(s) holding NaN or infinity", dropped)
            rows = rows[finite]
        if not len(rows):
            return False
        self._retried_refusal = False
        now_s = self._clock()
        if self._started_clock_s is None:
            self._started_clock_s = now_s
        t = self._timebase.map(rows[:, 0], arrival_clock_s, decoder.clock_origin)
        self._watchdog.data(now_s, len(t))
        self._collect_gaps(decoder)
        if self._pending_gap is not None:
            self._close_gap(float(t[0]))
        self._queue.put_nowait((arrival_s, Samples(t, rows[:, 1:4], rows[:, 4:7])))
        return True

    def _warn_if_one_channel(self, decoder: Decoder) -> None:
        """A sensor that stopped sending one of its channels mid-session yields no more complete
        samples: say so once. (One that never sent both is refused: :meth:`_one_channel_refusal`.)"""
        if (not self._warned_one_channel and self._started_clock_s is not None
                and decoder.health.packets >= 50 and self._timebase.offset_s is None):
            self._warned_one_channel = True
            log.warning("%s: %d packets but no sample with both acceleration and angular rate; "
                        "sensorkit needs a sensor with a gyroscope", self.sensor.name, decoder.health.packets)

    def _collect_gaps(self, decoder: Decoder) -> None:
        """Copy the decoder's new packet-loss gaps into the session's health, in session time."""
        offset_s = self._timebase.offset_s
        if offset_s is None:
            return
        # (the decoder's period, that its lost samples are counted in; the time base's mean over
        # what arrived grows with every hole)
        rate_hz = decoder.sample_rate_hz
        period_s = 1.0 / rate_hz if rate_hz else self._timebase.sample_period_s
        for gap in decoder.health.gaps[self._gaps_seen:]:
            self._health.add_gap(round(float(gap.at_t_s + offset_s), 4), gap.lost_samples, period_s)
        self._gaps_seen = len(decoder.health.gaps)

    def _on_control(self, channel: ControlChannel, payload: bytes | None) -> None:
        """A whole answer on the control channel (None: a notification that does not end one)."""
        if payload is None:
            return
        if self._answers is not None:  # (setting up: start_stream reads them)
            self._answers.put_nowait(("control", bytes(payload)))
        if self._decoder is None:
            self._early.append((self._on_control, channel, payload))
            return
        try:
            channel.apply(self._decoder, bytes(payload))
        except ProtocolError as exc:
            self.last_decode_error = self._decode_error(f"ignored control response {bytes(payload[:8]).hex()}", exc)
            log.warning("%s", self.last_decode_error)

    def _decode_error(self, what: str, exc: ProtocolError) -> DecodeError:
        """The decoder's ``exc`` as a :class:`DecodeError` (its cause) naming the sensor and ``what``
        was done with the notification: ``F0:0D:00:00:00:01 (Movesense 174630000192): skipped
        packet 7: Movesense IMU6 packet has 3 bytes; ...``."""
        error = DecodeError(f"{self.sensor.address} ({self.sensor.name}): {what}: {exc}")
        error.__cause__ = exc
        return error

    def _close_gap(self, resumed_at_t_s: float) -> None:
        gap = self._pending_gap
        self._pending_gap = None
        period_s = self._timebase.sample_period_s
        gap.resumed_at_t_s = resumed_at_t_s
        gap.lost_s = max(resumed_at_t_s - gap.dropped_at_t_s - period_s, 0.0)
        gap.lost_samples = int(round(gap.lost_s / period_s))

    def _finish_decoder(self) -> None:
        """The connection's end (a lost link, the session closed): a packet cut off mid-way is said,
        and the samples the decoder still held (a Movesense packet waiting for a notification to
        come after it) are placed as a notification's would be, times from the decoder; nothing is
        held past a link."""
        if self._decoder is not None:
            held = None
            try:
                held = self._decoder.finish()
            except ProtocolError as exc:
                self.last_decode_error = self._decode_error("at the link's end", exc)
                log.warning("%s", self.last_decode_error)
                try:  # (what it held beside the cut-off packet)
                    held = self._decoder.finish()
                except ProtocolError:
                    held = None
            if held is not None and len(held):
                self._place(self._decoder, held, time.perf_counter(), self._clock())
            self._collect_gaps(self._decoder)
            self._health.add_connection(self._decoder.health)
            self._decoder = None
        self._merged_dropped += self._merger.dropped_samples
        self._merger = ChannelMerger()

    # ---- link loss -----------------------------------------------------------------------
    async def _watch_data(self) -> None:
        """The data watchdog: a streaming link that brings no samples for longer than the stream's
        allowance (:class:`~sensorkit.ble.link.DataWatchdog`) is lost, as if it had dropped."""
        due = _host_s() + WATCHDOG_TICK_S
        while not self._closing:
            await asyncio.sleep(WATCHDOG_TICK_S)
            now = _host_s()
            held_up = now - due > WATCHDOG_TICK_S  # (the loop was busy: the data gets its turn first)
            due = now + WATCHDOG_TICK_S
            if held_up or self.state is not LinkState.STREAMING:
                continue
            now_s = self._clock()
            if self._watchdog.overdue(now_s, self._timebase.sample_period_s):
                refusal = self._one_channel_refusal(now_s) or self._unanswered_refusal(now_s)
                if refusal is not None:
                    self._refuse(refusal)
                    return
                self._link_lost(self.client, silent_s=self._watchdog.silent_s(now_s))

    def _one_channel_refusal(self, now_s: float) -> StreamRefusedError | None:
        """A sensor that has streamed only one of the two channels, and never a complete sample, for
        as long as the watchdog waits: it claims a gyroscope (or an accelerometer) it does not send.
        Reconnecting would bring the same; the error says which data came and which did not."""
        merger = self._merger
        if self._started_clock_s is not None or bool(merger.acc_rows) == bool(merger.gyr_rows):
            return None
        came, missing, sensor_part = (("acceleration", "angular rate", "gyroscope") if merger.acc_rows
                                      else ("angular rate", "acceleration", "accelerometer"))
        n_samples, waited_s = max(merger.acc_rows, merger.gyr_rows), now_s - self._connection_clock_s
        return StreamRefusedError(
            f"{self.sensor.address} ({self.sensor.name}) sends no {missing} ({sensor_part}) data: {n_samples} "
            f"samples of {came} came in {waited_s:.1f} s, none of {missing}; {NEEDS}")

    def _unanswered_refusal(self, now_s: float) -> StreamRefusedError | None:
        """A sensor that has sent nothing for us in this session, neither data nor an answer (another
        client's stream is not ours), for as long as the watchdog waits for a connection's first
        data, after a start that got no answer (a Movesense subscribed to a path its app does not
        serve: the app says nothing at all). Reconnecting would ask the same: the stream ends with
        an error naming the sensor and what was asked. (A session that has streamed, or a start
        answered after its wait: a sensor gone silent, reconnected until the give-up time as any other.)"""
        if (self._unanswered is None or self._started_clock_s is not None or self._merger.acc_rows
                or self._merger.gyr_rows or (self._decoder is not None and self._decoder.health.corrupt_packets)):
            return None
        # (an answer that came after the start's wait, a Movesense's 200: the path is served, the
        # silence a silent sensor's)
        answer = getattr(self._decoder, "last_command_result", None)
        if answer is not None and answer.reference == getattr(self._decoder, "reference", None):
            return None
        return StreamRefusedError(
            f"{self.sensor.address} ({self.sensor.name}) sent no data and no answer in "
            f"{now_s - self._connection_clock_s:.1f} s after {self._unanswered} (a path the sensor does not "
            "serve gets no answer at all)")

    def _refused_late(self, refusal: StreamRefusedError, deferred: bool = False) -> None:
        """The sensor refused the subscription after the start stopped waiting for its answer (it
        streams nothing then): said, and one reconnect tried for a refusal that may pass (the
        subscription is made again); the stream ends with it when that was tried already."""
        if self._closing:
            return
        if self.state is not LinkState.STREAMING:
            if self._decoder is not None and not deferred:
                # (an answer that came as the wait ended, replayed while the stream is set up: handled
                # once it is, right after; nothing else runs between)
                asyncio.get_running_loop().call_soon(self._refused_late, refusal, True)
            return
        said = f"{refusal} (an answer that came after the {adapters.CONTROL_ANSWER_TIMEOUT_S:g} s wait for it)"
        if self._retried_refusal or not getattr(refusal, "transient", False):
            log.warning("%s", said)
            self._end_pending_gap()  # (a reconnect's link, refused: that gap never resumed)
            self._refuse(refusal)
            return
        self._retried_refusal = True
        self._link_lost(self.client, why=f"{said}; reconnecting once to subscribe again")

    def _refuse(self, refusal: StreamRefusedError) -> None:
        """End the stream: its reader gets ``refusal`` (closing lets the sensor go)."""
        log.debug("ending the stream: %s", refusal)
        self._finish_decoder()  # (what it still holds is read before the end)
        self._refusal = refusal
        self._set_state(LinkState.REFUSED)
        self._queue.put_nowait(_END)

    def _link_lost(self, client: BleakClient | None, silent_s: float | None = None, why: str | None = None) -> None:
        """The link is lost: bleak says it dropped, or (``silent_s``) the sensor sent nothing for that
        long, or (``why``, what is said) the sensor refused its stream late. Either way: the gap is
        marked, the link let go, and the reconnecting loop started."""
        if self._closing or self.state is not LinkState.STREAMING:
            return  # a failure while (re)connecting is handled by the connecting loop
        if client is not None and self.client is not None and client is not self.client:
            return  # a link let go before (the silent sensor's) saying it has gone
        # one warning per gap: a link that came back but was lost again before any data is the same
        # gap (its attempts go on), said at info level (a clinic's log has one line per outage)
        say = log.warning if self._pending_gap is None or why is not None else log.info
        if why is not None:
            say("%s", why)
        elif silent_s is None:
            say("link to %s lost; reconnecting", self.sensor.address)
        else:
            say("no data from %s (%s) for %.1f s; reconnecting", self.sensor.address, self.sensor.name, silent_s)
        self._finish_decoder()
        if self._pending_gap is None:
            last_t = self._timebase.last_t_s
            gap = Reconnect(dropped_at_t_s=float(last_t) if np.isfinite(last_t) else 0.0)
            self._health.reconnects.append(gap)
            self._pending_gap = gap
            # (clock s: when the data stopped, not when the watchdog saw it; lost_s on giving up counts
            # from there, as a resumed gap's counts from its last sample)
            self._outage_started = (_host_s(), self._clock() - (silent_s or 0.0))
        self._set_state(LinkState.RECONNECTING)
        self._reconnect_task = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        """Reconnect until the give-up time; a sensor that answers but refuses to stream as asked (a
        Movesense with no free subscription slot: 507) ends the stream at once, its reader getting
        the :class:`StreamRefusedError` the first connection would have raised (a 507: after the one
        resubscription :meth:`_attempt` makes for it)."""
        started_host_s = self._outage_started[0]
        refusal: StreamRefusedError | None = None
        try:
            await self._stop_quietly(self.client)  # (a silent sensor's link is still up: stopped, let go)
            await self._disconnect_quietly(self.client)
            deadline = started_host_s + self.give_up_s  # (counted from the first loss of a gap)
            # at least one attempt per gap, as open() makes one (--give-up-s 0: one try, no waiting);
            # a link re-lost before any data after the deadline is given up at once
            if ((self._pending_gap is not None and self._pending_gap.attempts == 0 or _host_s() < deadline)
                    and await self._connect_with_backoff(deadline)):
                return
        except StreamRefusedError as exc:  # (another attempt would be refused the same way)
            refusal = exc
        except Exception:  # noqa: BLE001 - a bug here must end the stream, not hang it
            log.exception("reconnecting to %s failed", self.sensor.address)
        self._end_pending_gap()
        if refusal is not None:
            self._refuse(refusal)
            return
        log.warning("gave up reconnecting to %s after %g s", self.sensor.address, self.give_up_s)
        self._set_state(LinkState.GAVE_UP)
        self._queue.put_nowait(_END)

    def _end_pending_gap(self) -> None:
        """The gap still open never resumed (the stream ends): it lasts from its last data until now."""
        gap = self._pending_gap
        self._pending_gap = None
        if gap is not None:
            gap.lost_s = self._clock() - self._outage_started[1]
            gap.lost_samples = int(round(gap.lost_s / self._timebase.sample_period_s))

    def _set_state(self, state: LinkState) -> None:
        if state is self.state:
            return
        self.state = state
        self.state_history.append(state)
        if self._on_state is not None:
            self._on_state(state)


def _host_s() -> float:
    """The host's clock (s): the running event loop's (``time.monotonic`` on asyncio's own loops; a
    test's loop of simulated time moves it only while every task waits, as a slow host cannot)."""
    return asyncio.get_running_loop().time()


def _battery_level(value: bytes | bytearray | None) -> int | None:
    """A Battery Level value (one byte, 0-100 %); None for one empty or out of range."""
    return int(value[0]) if value and value[0] <= 100 else None
