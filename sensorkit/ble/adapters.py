"""What the client needs from a protocol beyond the ``Protocol`` base: how to configure a decoder
for a stream just started (open_v1 reads its config characteristic) and the control-point
responses some sensors send back (Polar PMD reports its scale factors there), and how a sensor
that must be asked first is started (Polar PMD: the settings it offers; MetaWear: its chip;
WitMotion: the rate it is set to, rewritten only when it differs; Movesense: whether it refused the
subscription)."""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Awaitable, Callable

from bleak import BleakClient
from bleak.exc import BleakError

from firmware_protocols import Command, Decoder, Protocol, ProtocolError, decoder_settings
from sensorkit.ble.errors import ConnectError, StreamRefusedError, SubscribeRefusedError

log = logging.getLogger(__name__)

#: how long a sensor may take to answer a control point write (s)
CONTROL_ANSWER_TIMEOUT_S = 5.0
#: what sensorkit's analysis needs of a sensor, said when one lacks a channel
NEEDS = "sensorkit needs an accelerometer and a gyroscope"

@dataclass(frozen=True)
class StreamStart:
    """How a stream was started: ``rate_hz``, the rate (Hz) asked of the sensor; ``protocol``, the
    protocol as the sensor turned out to be (MetaWear: its chip); ``early_data_usable``: whether
    the data that came while the stream was set up was measured at ``rate_hz`` (False: a sensor
    that streamed at another rate until it was set, a WitMotion: that data is dropped, as samples
    that carry no time would be stamped at the new rate); ``asked_clock_s``: when (s, on the
    session's clock) the command that asks for the stream was written (None: when the start
    returned). A start may wait for the sensor's answer after it (Polar PMD: its start's answer;
    a Movesense: its subscription's first word, its data): the data watchdog counts the silence
    before the first samples from this write, so that a silent sensor is said after the same
    silence whatever its family and however long it took to answer; ``unanswered``: what was asked that
    brought neither data nor an answer within that wait (``"the subscription to /Meas/IMU6/52"``),
    else None: a session that never streamed ends with an error naming it once the watchdog's
    first-data allowance has passed in silence."""

    rate_hz: float
    protocol: Protocol
    early_data_usable: bool = True
    asked_clock_s: float | None = None
    unanswered: str | None = None


#: start(protocol, client, requested rate in Hz, what the sensor says as it arrives: ("control", a
#: whole answer: see ControlChannel.joiner) or ("data", a notification), the session's clock in s)
#: -> how it was started
StartFunction = Callable[[Protocol, BleakClient, float, "asyncio.Queue[tuple[str, bytes]]", Callable[[], float]],
                         Awaitable[StreamStart]]


class _WholeNotifications:
    """The joiner of a channel whose answers each fit in one notification."""

    @staticmethod
    def push(payload: bytes) -> bytes | None:
        return payload


@dataclass(frozen=True)
class ControlChannel:
    """A characteristic to subscribe to before the start commands, and what to do with its answers.
    ``joiner()``: a fresh object (one per connection) whose ``push(notification)`` returns the whole
    answer the notification completes, or None while more is to come: setup and ``apply`` see
    whole answers only (a part decoded alone is no answer)."""

    char_uuid: str
    apply: Callable[[Decoder, bytes], None]
    joiner: Callable[[], object] = _WholeNotifications


async def make_decoder(protocol: Protocol, client: BleakClient, sample_rate_hz: float) -> Decoder:
    """A fresh decoder for a stream just started: configured from the sensor where the protocol
    says so (open_v1 reads its config characteristic), else told the rate (Hz) the stream was
    started at, wherever its decoder takes ``sample_rate_hz`` (by the rule ``sensorkit decode``
    reads settings with: :func:`firmware_protocols.decoder_settings`, ``**settings`` included)."""
    factory = _DECODER_FACTORIES.get(protocol.name)
    if factory is not None:
        return await factory(protocol, client)
    if "sample_rate_hz" in (decoder_settings(protocol) or {}):
        return protocol.decoder(sample_rate_hz=sample_rate_hz)
    return protocol.decoder()


async def _open_v1_decoder(protocol: Protocol, client: BleakClient) -> Decoder:
    config = await client.read_gatt_char(protocol.config_char_uuid)
    try:
        return protocol.decoder(config=bytes(config))
    except ProtocolError as exc:
        raise ConnectError(f"{client.address}: unusable config characteristic {bytes(config).hex()}: {exc}") from exc


_DECODER_FACTORIES: dict[str, Callable[[Protocol, BleakClient], Awaitable[Decoder]]] = {"open_v1": _open_v1_decoder}


def _polar_pmd_channel(protocol: Protocol) -> ControlChannel:
    from firmware_protocols import polar_pmd

    def apply(decoder: Decoder, payload: bytes) -> None:
        answer = polar_pmd.parse_control_point_response(payload)
        if isinstance(answer, polar_pmd.MeasurementStopped):  # no more data will come: say so
            names = ", ".join(polar_pmd.MEASUREMENT_TYPES.get(t, str(t)) for t in answer.measurement_types)
            log.warning("the Polar sensor stopped streaming %s by itself; no more of its data will come", names)
        decoder.apply_control_point_response(answer)

    return ControlChannel(protocol.control_point_uuid, apply, _PmdAnswerJoiner)


class _PmdAnswerJoiner:
    """Joins a PMD control point answer longer than one notification (``F0 op type status more
    parameters`` with ``more`` set) and its continuations ``more, parameters...`` (Polar SDK
    ``BlePmdClient``) into one answer ``F0 op type status 0 parameters``."""

    def __init__(self) -> None:
        self._partial: bytearray | None = None

    def push(self, payload: bytes) -> bytes | None:
        """The whole answer ``payload`` completes, or None while more is to come."""
        from firmware_protocols import polar_pmd as pmd

        payload = bytes(payload)
        if self._partial is not None:  # a continuation: [more, parameters...]
            self._partial += payload[1:]
            if payload[:1] and payload[0] != 0:
                return None
            whole, self._partial = bytes(self._partial), None
            return whole
        if len(payload) >= 5 and payload[0] == pmd.CP_RESPONSE_CODE and payload[3] == 0 and payload[4] != 0:
            self._partial = bytearray(payload[:4] + b"\x00" + payload[5:])
            return None
        return payload


async def write(client: BleakClient, command: Command) -> None:
    """One command's GATT write, then the pause the device needs after it (``pause_after_s``)."""
    await client.write_gatt_char(command.char_uuid, command.payload, response=command.response)
    if command.pause_after_s > 0:
        await asyncio.sleep(command.pause_after_s)


def _who(client: BleakClient) -> str:
    return f"{client.address} ({getattr(client, 'name', '') or '?'})"


async def _polar_features(client: BleakClient) -> frozenset[int] | None:
    """The measurement types the sensor offers (a read of the PMD control point); None when the read
    fails or is not a features answer (the settings answers tell then)."""
    from firmware_protocols import polar_pmd as pmd

    try:
        return pmd.parse_features(await client.read_gatt_char(pmd.PMD_CONTROL_POINT_UUID))
    except (BleakError, ProtocolError) as exc:
        log.info("%s: PMD features not read (%s); its settings answers will tell", _who(client), exc)
        return None


#: the settings answers that say a Polar sensor has no such measurement (all others: it has, but
#: will not say now: busy, in its charger, ...)
_NO_SUCH_MEASUREMENT = frozenset({"ERROR_NOT_SUPPORTED", "ERROR_INVALID_MEASUREMENT_TYPE"})


async def _polar_pmd_start(protocol: Protocol, client: BleakClient, sample_rate_hz: float,
                           answers: "asyncio.Queue[tuple[str, bytes]]",
                           clock: Callable[[], float]) -> StreamStart:
    """Read which measurement types the sensor offers and refuse one without ACC or GYRO (a Polar
    H10, an OH1), before anything is started; ask it which ACC and GYRO settings it offers, start
    both with offered ones (the rate nearest the request), and check each answer: a sensor answers
    a start it cannot honour with an error status and then stays silent, so a refusal is a
    :class:`StreamRefusedError` naming it. The stream is asked for by the last start written
    (``asked_clock_s``: a sensor slow to answer it has spent that time of its first-data allowance)."""
    from firmware_protocols import polar_pmd as pmd

    async def control() -> bytes:
        while True:
            kind, payload = await answers.get()
            if kind == "control":
                return payload

    written_clock_s = 0.0  # (clock s when the last command was written)

    async def ask(command):
        nonlocal written_clock_s
        await write(client, command)
        written_clock_s = clock()
        op, mtype = command.payload[0], command.payload[1] & 0x3F
        async with asyncio.timeout(CONTROL_ANSWER_TIMEOUT_S):
            while True:
                try:
                    answer = pmd.parse_control_point_response(await control())
                except ProtocolError:
                    continue
                if (isinstance(answer, pmd.ControlPointResponse)
                        and (answer.op_code, answer.measurement_type) == (op, mtype)):
                    break
            return answer  # (whole: one longer than a notification comes joined, see _PmdAnswerJoiner)

    who = _who(client)
    features = await _polar_features(client)
    if features is not None and not {pmd.ACC, pmd.GYRO} <= features:
        lacks = " or ".join(name for t, name in ((pmd.ACC, "accelerometer"), (pmd.GYRO, "gyroscope"))
                            if t not in features)
        raise StreamRefusedError(f"{who} offers no {lacks} stream (PMD features: "
                                 f"{pmd.feature_names(features) or 'none'}); {NEEDS}")
    offered = {}
    for command in protocol.settings_commands():
        answer = await ask(command)
        if answer.ok:
            try:
                offered[answer.measurement_type] = answer.settings
            except ProtocolError:  # settings this client cannot read: the defaults, the rate as asked
                offered[answer.measurement_type] = {}
        elif (answer.measurement_type == pmd.GYRO and features is None
              and answer.status_name in _NO_SUCH_MEASUREMENT):
            # (the features could not be read: a sensor without a gyroscope says so here)
            raise StreamRefusedError(f"{who} offers no gyroscope stream (its GYRO settings query answered "
                                     f"{answer.status_name}); {NEEDS}")
        else:  # (busy, charging, ...: a sensor whose features list GYRO has a gyroscope)
            name = pmd.MEASUREMENT_TYPES.get(answer.measurement_type, str(answer.measurement_type))
            raise StreamRefusedError(f"{who}: the sensor refuses to say its {name} settings ({answer.status_name})")
    rate_hz, commands = protocol.start_commands_for(offered, sample_rate_hz)
    for command in commands:
        answer = await ask(command)
        if answer.status_name == "ERROR_ALREADY_IN_STATE":  # still streaming from before: its scale
            await ask(pmd.stop_measurement_command(answer.measurement_type))  # factor comes with a start
            answer = await ask(command)
        if not answer.ok:
            name = pmd.MEASUREMENT_TYPES[answer.measurement_type]
            why = (f" (the link's ATT MTU, {client.mtu_size} bytes, is under what the sensor needs to stream: "
                   "this computer's Bluetooth stack did not negotiate a larger one)"
                   if answer.status_name == "ERROR_INVALID_MTU" else "")
            raise StreamRefusedError(f"{who}: the sensor refused to start {name} at {rate_hz:g} Hz "
                                     f"(settings {command.payload[2:].hex(' ')}): {answer.status_name}{why}")
    return StreamStart(rate_hz, protocol, asked_clock_s=written_clock_s if commands else clock())


async def _metawear_start(protocol: Protocol, client: BleakClient, sample_rate_hz: float,
                          answers: "asyncio.Queue[tuple[str, bytes]]",
                          clock: Callable[[], float]) -> StreamStart:
    """Ask the board which accelerometer it has (``03 80``), then start it with that chip's
    registers and configuration bytes: a MetaMotion S (BMI270) started as a BMI160 streams nothing
    (other packed registers) at ±2 g (other range codes). No answer: the protocol as given. A board
    whose chip has no gyroscope (BMA255) is refused before anything is started."""
    from firmware_protocols import metawear as mw

    command = protocol.identify_command()
    await write(client, command)
    reply = None
    try:
        async with asyncio.timeout(CONTROL_ANSWER_TIMEOUT_S):
            while reply is None:
                kind, payload = await answers.get()
                if kind == "data" and payload[:2] == command.payload[:2]:
                    reply = payload
    except TimeoutError:
        log.warning("%s: no answer to the module info request; streaming as a %s board", _who(client), protocol.chip)
    if reply is not None:
        try:
            protocol = protocol.with_module_info(reply)
        except ProtocolError as exc:
            raise StreamRefusedError(f"{_who(client)}: {exc}") from exc
    if not mw.CHIPS[protocol.chip].has_gyro:
        raise StreamRefusedError(f"{_who(client)} offers no gyroscope stream (module info: a "
                                 f"{protocol.chip.upper()} accelerometer, no gyroscope); {NEEDS}")
    for command in protocol.start_commands(sample_rate_hz):
        await write(client, command)
    return StreamStart(mw.output_data_rate_hz(protocol.chip, sample_rate_hz), protocol, asked_clock_s=clock())


async def _witmotion_start(protocol: Protocol, client: BleakClient, sample_rate_hz: float,
                           answers: "asyncio.Queue[tuple[str, bytes]]",
                           clock: Callable[[], float]) -> StreamStart:
    """Read the sensor's return rate register first (``FF AA 27 03 00``, answered ``55 71 03 00 ...``
    amid its data) and write (unlock, rate, save) only when it differs from the rate wanted: the
    save writes the sensor's flash, which every connection rewrote. No answer: written as before.

    The sensor streams from the moment it is connected, at the rate it was saved at. Where the rate
    is written, the samples that came before are not usable: its packets carry no time, so they
    would be stamped at the new rate (10 Hz samples 0.01 s apart, every later sample that much
    early), and nothing tells which of them came after the change took effect."""
    from firmware_protocols import witmotion as wm

    await write(client, protocol.read_rate_command())
    reader = wm.WitMotionDecoder()  # (frames the byte stream: a reply may be split or joined with data)
    current = None
    try:
        async with asyncio.timeout(CONTROL_ANSWER_TIMEOUT_S):
            while current is None:
                kind, payload = await answers.get()
                if kind == "data":
                    try:
                        reader.feed(payload)
                    except ProtocolError:
                        pass
                    current = reader.registers.get(wm.RATE_REGISTER)
    except TimeoutError:
        log.warning("%s: no answer to the rate register read; setting and saving the rate", _who(client))
    commands = protocol.start_commands(sample_rate_hz, current_rate_code=current)
    for command in commands:
        await write(client, command)
    return StreamStart(wm.return_rate_hz(sample_rate_hz), protocol, early_data_usable=not commands,
                       asked_clock_s=clock())


def _movesense_refusal(protocol: Protocol, client: BleakClient,
                       sample_rate_hz: float) -> Callable[[bytes], SubscribeRefusedError | None]:
    """A check of one notification: the :class:`SubscribeRefusedError` its command result says (our
    reference, a status of 400 or more: no free slot, 507), naming the sensor, the path subscribed
    at ``sample_rate_hz`` (Hz) and the status; None for any other notification."""
    from firmware_protocols import movesense as ms

    return lambda payload: _movesense_refused(ms.classify_notification(payload), protocol, client, sample_rate_hz)


def _movesense_refused(note: object, protocol: Protocol, client: BleakClient,
                       sample_rate_hz: float) -> SubscribeRefusedError | None:
    """The :class:`SubscribeRefusedError` a notification classified by
    ``firmware_protocols.movesense.classify_notification`` (``note``) says: a command result of our
    reference with a status of 400 or more; else None."""
    from firmware_protocols import movesense as ms

    if isinstance(note, ms.CommandResult) and note.reference == protocol.reference and note.failed:
        path = ms.imu6_path(sample_rate_hz)
        return SubscribeRefusedError(f"{_who(client)} refused the subscription to {path}: {note.describe()}",
                                     path, note.status)
    return None


async def _movesense_start(protocol: Protocol, client: BleakClient, sample_rate_hz: float,
                           answers: "asyncio.Queue[tuple[str, bytes]]",
                           clock: Callable[[], float]) -> StreamStart:
    """Subscribe, then wait for the sensor's first word on it: the GATT SensorData app answers a
    SUBSCRIBE that succeeds with nothing but its data, and one it cannot honour (no free slot) with
    a command result, ``01 ref 01 FB`` (status 507), and then nothing. A data notification of our
    reference: streaming. A result of 400 or more: :class:`SubscribeRefusedError` naming the
    sensor, the path and the status (waiting for data would only end in the data watchdog's
    reconnects; the session tries one reconnect for a 507). Neither within
    :data:`CONTROL_ANSWER_TIMEOUT_S`: streaming as asked, the session checks what comes later
    (:func:`subscription_refusal`), and the data watchdog handles a silence, counted from the
    subscription (``asked_clock_s``): the app answers a path it does not serve with nothing at
    all, so a session that never streamed ends then with an error naming the path
    (``unanswered``)."""
    from firmware_protocols import movesense as ms

    commands = protocol.start_commands(sample_rate_hz)
    for command in commands:
        await write(client, command)
    asked_clock_s = clock()
    path = ms.imu6_path(sample_rate_hz)
    rate_hz = ms.imu6_rate_hz(sample_rate_hz)
    try:
        async with asyncio.timeout(CONTROL_ANSWER_TIMEOUT_S):
            while True:
                _kind, payload = await answers.get()
                note = ms.classify_notification(payload)
                if note.reference != protocol.reference:
                    continue
                if isinstance(note, ms.DataNotification):
                    break
                if isinstance(note, ms.OtherNotification):
                    if note.kind == ms.RESPONSE_COMMAND_RESULT:
                        log.warning("%s: unreadable answer to the subscription to %s: %s", _who(client), path,
                                    note.why)
                    continue
                refusal = _movesense_refused(note, protocol, client, sample_rate_hz)
                if refusal is not None:
                    raise refusal
                if note.status is not None:  # (a success the app does not send: data follows)
                    break
    except TimeoutError:
        log.info("%s: no data and no answer within %g s of the subscription to %s; waiting for data",
                 _who(client), CONTROL_ANSWER_TIMEOUT_S, path)
        return StreamStart(rate_hz, protocol, asked_clock_s=asked_clock_s, unanswered=f"the subscription to {path}")
    return StreamStart(rate_hz, protocol, asked_clock_s=asked_clock_s)


_STARTS: dict[str, StartFunction] = {"polar_pmd": _polar_pmd_start, "metawear": _metawear_start,
                                     "witmotion": _witmotion_start, "movesense": _movesense_start}


async def start_stream(protocol: Protocol, client: BleakClient, sample_rate_hz: float,
                       answers: "asyncio.Queue[tuple[str, bytes]]",
                       clock: Callable[[], float] = time.monotonic) -> StreamStart:
    """Start streaming: the protocol's own way where it must ask the sensor first (reading its
    answers from ``answers``: whole, as its :class:`ControlChannel` joins them), else its plain
    start commands. Returns how: the rate (Hz) asked of the sensor, the protocol as the sensor
    turned out to be (MetaWear: its chip), whether what it sent meanwhile is usable, and when (s
    on ``clock``, the session's) the stream was asked for where the start waited after that."""
    start = _STARTS.get(protocol.name)
    if start is not None:
        return await start(protocol, client, sample_rate_hz, answers, clock)
    for command in protocol.start_commands(sample_rate_hz):
        await write(client, command)
    return StreamStart(sample_rate_hz, protocol, asked_clock_s=clock())


_REFUSALS: dict[str, Callable[[Protocol, BleakClient, float], Callable[[bytes], StreamRefusedError | None]]] = {
    "movesense": _movesense_refusal}


def subscription_refusal(protocol: Protocol, client: BleakClient,
                         sample_rate_hz: float) -> Callable[[bytes], StreamRefusedError | None] | None:
    """For a stream started at ``sample_rate_hz`` (Hz): a check of each notification that comes after
    the start's wait, returning the refusal it carries (a Movesense's 507 answered late), or None
    where the protocol has no such answer."""
    factory = _REFUSALS.get(protocol.name)
    return factory(protocol, client, sample_rate_hz) if factory else None


_CONTROL_CHANNELS: dict[str, Callable[[Protocol], ControlChannel]] = {"polar_pmd": _polar_pmd_channel}


def control_channel(protocol: Protocol) -> ControlChannel | None:
    """The protocol's control-response channel, or None when it has none."""
    factory = _CONTROL_CHANNELS.get(protocol.name)
    return factory(protocol) if factory else None
