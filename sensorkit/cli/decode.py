"""``sensorkit decode PROTOCOL FILE``: captured notification payloads (hex, one per line) to CSV.

Blank lines and lines starting with ``#`` are skipped; bytes may be separated by spaces or colons.
Samples go to stdout as CSV (``t,acc_x,...,gyr_z``, absent channels empty); a bad line is reported
on stderr as ``FILE:LINE: reason`` and skipped (the first :data:`MAX_ERROR_LINES`; the rest counted
in one line, ``FILE: ... and N more undecodable packets``); a stream-health summary ends stderr.
Exit status: 0 all lines decoded, 1 some failed, 2 usage error.
"""
from __future__ import annotations

import math
import sys
from typing import TextIO

import click
import numpy as np

import firmware_protocols
from firmware_protocols import ProtocolError, StreamHealth, union_of_gaps
from firmware_protocols.settings import decoder_settings  # (the one rule; also the BLE client's)
from sensorkit.errors import escape_controls
from sensorkit.samples import COLUMNS


def _setting(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` split; the value stays text until the decoder's settings say what it is."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise click.BadParameter(f"{text!r} is not NAME=VALUE", param_hint="--setting")
    return name.strip(), raw.strip()


def _guess(raw: str) -> object:
    """A value of a setting whose type is not declared: int, else float, else the text."""
    for kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            pass
    return raw


#: what a setting of each declared type takes, as an error message says it
_KINDS: dict[type, str] = {bool: "true or false", int: "a whole number", float: "a finite number",
                           bytes: "bytes in hex", str: "text"}


def _setting_value(protocol: str, name: str, raw: str, kind: type | None) -> object:
    """``raw`` as the ``kind`` setting ``name`` takes; UsageError naming the setting, the value and
    what it takes. bytes stay hex text (the factory reads the hex)."""
    if kind is None:
        return _guess(raw)
    if kind in (str, bytes):
        return raw
    if kind is bool:
        if raw.lower() in ("true", "false", "1", "0", "yes", "no"):
            return raw.lower() in ("true", "1", "yes")
    else:
        try:
            value = kind(raw)
        except ValueError:
            pass
        else:
            if kind is not float or math.isfinite(value):
                return value
    raise click.UsageError(f"bad settings for {protocol!r}: {name}={raw!r}: expected {_KINDS[kind]}")


def _described(settings: dict[str, type | None]) -> str:
    return ", ".join(f"{name} ({_KINDS[kind]})" if kind else name for name, kind in settings.items())


#: what a sample rate takes, in the words of both ways of giving it (--sample-rate-hz, -s sample_rate_hz=)
RATE_HZ_TAKES = "a number of Hz above 0"


def _is_rate_hz(value: object) -> bool:
    """``value`` is a sample rate: a finite number (Hz) above 0 (:data:`RATE_HZ_TAKES`)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def _positive_rate_hz(_ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    """``--sample-rate-hz``: a sample rate (:func:`_is_rate_hz`), else a usage error naming the option
    (text too: click's own float type said "'fifty' is not a valid float")."""
    if value is None:
        return None
    try:
        rate_hz = float(value)
    except ValueError:
        rate_hz = None
    if not _is_rate_hz(rate_hz):
        raise click.BadParameter(f"{value}: expected {RATE_HZ_TAKES}", param=param)
    return rate_hz


def _payload(line: str) -> bytes:
    """The bytes of one hex line; ValueError naming what is wrong."""
    digits = "".join(line.split()).replace(":", "")
    try:
        return bytes.fromhex(digits)
    except ValueError:
        raise ValueError(f"not hex: {line.strip()[:40]!r}") from None


def _csv(block: np.ndarray) -> str:
    """Rows of an (n, 7) sample block as CSV text; NaN as an empty field."""
    text = np.char.mod("%.9g", block)
    text[np.isnan(block)] = ""
    return "".join(",".join(row) + "\n" for row in text)


class _Tally:
    """What the decoded rows say about the stream: rows, and rows carrying each channel; the
    sample spacing (s) within blocks, for the period where the decoder does not know its rate."""

    def __init__(self) -> None:
        self.rows = self.acc_rows = self.gyr_rows = 0
        self._spacings_s: list[np.ndarray] = []

    def add(self, block: np.ndarray) -> None:
        self.rows += len(block)
        self.acc_rows += int((~np.isnan(block[:, 1:4]).any(axis=1)).sum())
        self.gyr_rows += int((~np.isnan(block[:, 4:7]).any(axis=1)).sum())
        if len(block) > 1 and len(self._spacings_s) < 1000:
            spacing_s = np.diff(block[:, 0])
            self._spacings_s.append(spacing_s[spacing_s > 0])

    @property
    def samples(self) -> int:
        """Samples, each once: a stream sent as split ACC and GYRO frames has a row for each."""
        return max(self.acc_rows, self.gyr_rows)

    def period_s(self, sample_rate_hz: float | None) -> float:
        """The stream's sample period (s): the decoder's rate, else the median spacing seen (0: none)."""
        if sample_rate_hz:
            return 1.0 / sample_rate_hz
        spacings_s = np.concatenate(self._spacings_s) if self._spacings_s else np.empty(0)
        return float(np.median(spacings_s)) if len(spacings_s) else 0.0


def _summary(name: str, lines: int, bad: int, health: StreamHealth, tally: _Tally, period_s: float) -> str:
    """The stream-health line. A dropout the sensor's split ACC and GYRO streams both saw is one
    gap (:func:`firmware_protocols.union_of_gaps`), its samples counted once, as the samples are."""
    holes = union_of_gaps(health.gaps, period_s)
    lost = sum(hole.lost_samples for hole in holes)
    total = tally.samples + lost
    rows = f" ({tally.rows} rows: acceleration and angular rate apart)" if tally.rows != tally.samples else ""
    return (f"{name}: {lines} payloads, {bad} failed; {tally.samples} samples{rows}, "
            f"{lost} lost ({100 * lost / total if total else 0.0:.1f}%) in {len(holes)} gap{'' if len(holes) == 1 else 's'}, "
            f"{health.duplicate_packets} duplicate and {health.reordered_packets} out-of-order packets dropped")


def _make_decoder(protocol: str, settings: dict[str, str], sample_rate_hz: float | None = None
                  ) -> firmware_protocols.Decoder:
    """The decoder of ``protocol`` with the command line's ``settings`` (NAME -> text, each read as
    the type the decoder declares for it) and ``sample_rate_hz`` (Hz). UsageError (exit 2) for an
    unknown protocol or setting, a value of the wrong type, or one the decoder refuses: naming the
    setting, the value given and what it takes."""
    try:
        proto = firmware_protocols.get(protocol)
    except KeyError as exc:
        raise click.UsageError(str(exc.args[0])) from None
    except ImportError as exc:
        raise click.UsageError(f"protocol {protocol!r} is registered but not available: {exc}") from None
    known = decoder_settings(proto)
    if known is None and (settings or sample_rate_hz is not None):
        raise click.UsageError(f"bad settings for {protocol!r}: its decoder does not say which settings it takes"
                               " (docs/protocols/adding.md: the decoder contract); none can be given")
    known = known or {}
    for name in settings:
        if name not in known:
            raise click.UsageError(f"bad settings for {protocol!r}: no setting {name!r};"
                                   f" its settings: {_described(known) or 'none'}")
    if "sample_rate_hz" in settings:  # (the rule and the words of --sample-rate-hz, for text, NaN, 0 or -3 alike)
        raw = settings["sample_rate_hz"]
        try:
            rate_hz = _setting_value(protocol, "sample_rate_hz", raw, known.get("sample_rate_hz"))
        except click.UsageError:
            rate_hz = None
        if not _is_rate_hz(rate_hz):
            raise click.UsageError(f"bad settings for {protocol!r}: sample_rate_hz={raw!r}: expected {RATE_HZ_TAKES}")
    values = {name: _setting_value(protocol, name, raw, known.get(name)) for name, raw in settings.items()}
    if sample_rate_hz is not None:
        if "sample_rate_hz" in values and values["sample_rate_hz"] != sample_rate_hz:
            raise click.UsageError(f"--sample-rate-hz {sample_rate_hz:g} and -s sample_rate_hz="
                                   f"{settings['sample_rate_hz']} disagree: give the rate once")
        values["sample_rate_hz"] = sample_rate_hz
    try:
        return proto.decoder(**values)
    except (TypeError, ValueError) as exc:  # (the decoder's own check: a range, a chip's name, ...)
        given = ", ".join(f"{name}={value!r}" for name, value in settings.items())
        raise click.UsageError(f"bad settings for {protocol!r}{f' ({given})' if given else ''}: {exc}") from None


#: a notification payload is at most 512 bytes (BLE's attribute limit): 1,536 characters of hex
#: with separators; a longer line ends the decoding (``/dev/zero`` or a binary file never fills memory)
MAX_LINE_CHARS = 4096
#: the undecodable packets named one by one on stderr; the rest are counted in one line (a file
#: that is no capture, a recording's CSV, would otherwise print a line for each of its thousands)
MAX_ERROR_LINES = 10


def _decode_lines(source: TextIO, name: str, decoder: firmware_protocols.Decoder, out: TextIO,
                  tally: _Tally | None = None) -> tuple[int, int]:
    """Decode every payload line, writing CSV rows (counted in ``tally``); returns (payload
    lines, failed lines).

    The first :data:`MAX_ERROR_LINES` failed lines are named on stderr (``FILE:LINE: reason``), the
    rest counted in one line after them. Raises ClickException (exit 1) at a line longer than
    MAX_LINE_CHARS, read no further.
    """
    lines = bad = 0
    number = 0

    def say_unnamed() -> None:
        if bad > MAX_ERROR_LINES:
            click.echo(f"{name}: ... and {bad - MAX_ERROR_LINES} more undecodable packets", err=True)

    while line := source.readline(MAX_LINE_CHARS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
            say_unnamed()
            raise click.ClickException(f"{name}:{number}: line longer than {MAX_LINE_CHARS} characters;"
                                       " not a capture of notification payloads (one hex payload per line)")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        lines += 1
        try:
            block = decoder.feed(_payload(line))
        except (ValueError, ProtocolError) as exc:  # ProtocolError is a ValueError; named for the reader
            bad += 1
            if bad <= MAX_ERROR_LINES:
                click.echo(f"{name}:{number}: {exc}", err=True)
            continue
        if len(block):
            out.write(_csv(block))
            if tally is not None:
                tally.add(block)
    try:  # (the capture's end: a packet cut off there is said, the samples still held written)
        block = decoder.finish()
    except (ValueError, ProtocolError) as exc:
        bad += 1
        if bad <= MAX_ERROR_LINES:
            click.echo(f"{name}:end: {exc}", err=True)
        block = decoder.finish()  # (what it held beside the cut-off packet)
    if len(block):
        out.write(_csv(block))
        if tally is not None:
            tally.add(block)
    say_unnamed()
    return lines, bad


@click.command("decode")
@click.argument("protocol")
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--sample-rate-hz", type=str, default=None, metavar="HZ", callback=_positive_rate_hz,
              help="Nominal sample rate the stream was started with (Hz, above 0; passed to the decoder).")
@click.option("--setting", "-s", "settings", multiple=True, metavar="NAME=VALUE",
              help="Another decoder setting, e.g. -s acc_factor=0.000244 for polar_pmd. Repeatable.")
@click.pass_context
def decode(ctx: click.Context, protocol: str, file: str, sample_rate_hz: float | None, settings: tuple[str, ...]) -> None:
    """Decode FILE (one notification payload per line, hex) with PROTOCOL and print CSV samples."""
    from sensorkit.cli.safety import require_inputs

    require_inputs([file], folders=False, streams=True)  # (a missing FILE said as every command says it)
    given = dict(_setting(s) for s in settings)
    decoder = _make_decoder(protocol, given, sample_rate_hz)
    unscaled = [f for f in ("acc_factor", "gyr_factor") if protocol == "polar_pmd" and f not in given]
    if unscaled:  # (live, the sensor's start response gives them; a file of payloads does not)
        click.echo(f"note: polar_pmd: no {' or '.join(unscaled)} given: delta-compressed frames are scaled by 1.0;"
                   f" the factor is in the sensor's start response (-s {unscaled[0]}=VALUE)", err=True)
    out = sys.stdout
    out.write(",".join(COLUMNS) + "\n")
    name = "-" if file == "-" else escape_controls(click.format_filename(file))
    with click.open_file(file, "r", encoding="utf-8-sig", errors="replace") as source:  # (a BOM is no payload)
        tally = _Tally()
        lines, bad = _decode_lines(source, name, decoder, out, tally)
    out.flush()
    period_s = tally.period_s(decoder.sample_rate_hz)
    click.echo(_summary(name, lines, bad, decoder.health, tally, period_s), err=True)
    ctx.exit(1 if bad else 0)
