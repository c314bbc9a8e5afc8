"""Hostile input for EVERY registered protocol: decoders raise only ProtocolError and never hang.

Convention shared by all protocol modules (docs/protocols/adding.md): a module-level
``encode_example_payloads() -> list[bytes]`` returns a few valid data notifications in stream order;
they seed the mutation strategy. A registered protocol without it FAILS here (it was skipped, and its
decoder escaped the mutation fuzzing with the suite green). Each decoder is built with
``protocol.decoder()`` (default settings). A payload that raises must leave the decoder as it was
(``Decoder.feed``); Movesense, which says a lost second part with the notification after it, is
the one known exception (:data:`CHANGES_STATE_WHEN_RAISING`). Beyond "only ProtocolError escapes", a ProtocolError produced by
base.Decoder's safety net (an IndexError, struct.error, ... inside ``_decode``) fails the test: it
is a decoder bug, only hidden by the net. The number of payloads tried per protocol is printed at
the end of the module. Inputs are bounded (payloads <= 300 bytes, <= 10 per example), each feed must
finish within 2 s, and the derandomized runs keep the whole file within ~30 s on 2 cores.
"""
from __future__ import annotations

import dataclasses
import pickle
import signal
import sys
from collections import Counter
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import firmware_protocols
from firmware_protocols import ProtocolError

MAX_PAYLOAD_BYTES = 300
MAX_PAYLOADS_PER_EXAMPLE = 10
FEED_TIME_LIMIT_S = 2.0
EXAMPLES_PER_TEST = 500
FUZZ_SETTINGS = settings(max_examples=EXAMPLES_PER_TEST, deadline=None, derandomize=True, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SAFETY_NET_MARK = ": cannot decode payload: "  # base.Decoder.feed's wording for a converted bug


@pytest.fixture(scope="module")
def tried(request):
    """Counts payloads fed per protocol; printed when the module's tests are done."""
    counts: Counter[str] = Counter()
    yield counts
    summary = ", ".join(f"{name} {n}" for name, n in sorted(counts.items())) or "none"
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nfuzz: payloads fed per protocol: {summary}")


#: protocols whose ``feed`` changes the decoder before raising, and why (the contract says it must
#: not: docs/protocols/adding.md); a new family is not added here but fixed
CHANGES_STATE_WHEN_RAISING = {
    "movesense": "a notification that shows the packet before it lost its second part raises for that "
                 "packet, dropping the first part held, and holds its own samples for the next call",
}


def example_payloads(protocol: firmware_protocols.Protocol) -> list[bytes]:
    """The protocol module's ``encode_example_payloads()``; the test fails without them."""
    make = getattr(sys.modules[type(protocol).__module__], "encode_example_payloads", None)
    if make is None:
        pytest.fail(f"protocol {protocol.name}: its module {type(protocol).__module__} has no "
                    "encode_example_payloads() -> list[bytes] (docs/protocols/adding.md): nothing to fuzz from")
    examples = [bytes(p) for p in make()]
    if not examples:
        pytest.fail(f"protocol {protocol.name}: encode_example_payloads() returned none")
    return examples


def state(decoder: firmware_protocols.Decoder) -> bytes:
    """Everything a decoder holds, but ``health.corrupt_packets`` (which a refused payload counts)."""
    held = dict(vars(decoder), health=dataclasses.replace(decoder.health, corrupt_packets=0))
    return pickle.dumps(held)


def feed_checking_state(name: str, decoder: firmware_protocols.Decoder, payloads: list[bytes]) -> None:
    """Feed ``payloads``; AssertionError at one that raises after changing the decoder."""
    for payload in payloads:
        before = state(decoder)
        try:
            decoder.feed(payload)
        except ProtocolError as exc:
            assert state(decoder) == before, f"{name}: payload {payload.hex()} changed the decoder, then raised: {exc}"


@contextmanager
def time_limit(seconds: float):
    """Fail (instead of hanging) when the body runs longer than ``seconds`` (SIGALRM, main thread)."""
    def expire(signum, frame):
        raise TimeoutError(f"decoder did not return within {seconds} s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def feed_all(name: str, decoder: firmware_protocols.Decoder, payloads: list[bytes], tried: Counter) -> None:
    for payload in payloads:
        tried[name] += 1
        with time_limit(FEED_TIME_LIMIT_S):
            try:
                samples = decoder.feed(payload)
            except ProtocolError as exc:
                assert SAFETY_NET_MARK not in str(exc), f"{name}: bug on payload {payload.hex()}: {exc.__cause__!r}"
                continue
        assert isinstance(samples, np.ndarray) and samples.dtype == np.float64, f"{name}: {type(samples)}"
        assert samples.ndim == 2 and samples.shape[1] == 7, f"{name}: shape {samples.shape}"
    health = decoder.health
    assert min(health.packets, health.samples, health.corrupt_packets, health.lost_samples) >= 0


@st.composite
def mutated(draw, examples: list[bytes]) -> bytes:
    """A valid payload with 1-4 edits: bit flips, byte overwrites, truncation, insertions, tails."""
    payload = bytearray(draw(st.sampled_from(examples)))
    for _ in range(draw(st.integers(1, 4))):
        edit = draw(st.sampled_from(["flip", "set", "cut", "insert", "extend"]))
        at = draw(st.integers(0, max(len(payload) - 1, 0)))
        if edit == "flip" and payload:
            payload[at] ^= 1 << draw(st.integers(0, 7))
        elif edit == "set" and payload:
            payload[at] = draw(st.integers(0, 255))
        elif edit == "cut":
            del payload[at:]
        elif edit == "insert":
            payload[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif edit == "extend":
            payload += draw(st.binary(max_size=32))
    return bytes(payload[:MAX_PAYLOAD_BYTES])


@pytest.mark.parametrize("name", firmware_protocols.names())
def test_example_payloads_decode_cleanly(name, tried):
    protocol = firmware_protocols.get(name)
    examples = example_payloads(protocol)
    decoder = protocol.decoder()
    blocks = [decoder.feed(p) for p in examples]
    tried[name] += len(examples)
    assert sum(len(b) for b in blocks) > 0 and decoder.health.corrupt_packets == 0


@pytest.mark.parametrize("name", firmware_protocols.names())
def test_random_bytes_raise_only_protocol_error(name, tried):
    protocol = firmware_protocols.get(name)

    @FUZZ_SETTINGS
    @given(st.lists(st.binary(max_size=MAX_PAYLOAD_BYTES), min_size=1, max_size=MAX_PAYLOADS_PER_EXAMPLE))
    def check(payloads):
        feed_all(name, protocol.decoder(), payloads, tried)

    check()


@pytest.mark.parametrize("name", firmware_protocols.names())
def test_mutated_frames_raise_only_protocol_error(name, tried):
    protocol = firmware_protocols.get(name)
    examples = example_payloads(protocol)
    payload = st.one_of(st.sampled_from(examples), mutated(examples))

    @FUZZ_SETTINGS
    @given(st.lists(payload, min_size=1, max_size=MAX_PAYLOADS_PER_EXAMPLE))
    def check(payloads):
        feed_all(name, protocol.decoder(), payloads, tried)

    check()


def test_the_harness_catches_a_bug_hidden_by_the_safety_net():
    class IndexingDecoder(firmware_protocols.Decoder):
        def _decode(self, payload: bytes) -> np.ndarray:
            return np.zeros((payload[5], 7))  # IndexError on short payloads: a bug, not a ProtocolError

    with pytest.raises(AssertionError, match="IndexError"):
        feed_all("buggy", IndexingDecoder(), [b"\x01\x02"], Counter())


@pytest.mark.parametrize("name", [n for n in firmware_protocols.names() if n not in CHANGES_STATE_WHEN_RAISING])
def test_a_payload_that_raises_leaves_the_decoder_as_it_was(name):
    # (a decoder that counted a gap and then refused the packet said "0 samples, 4 lost (100%)")
    protocol = firmware_protocols.get(name)
    examples = example_payloads(protocol)
    payload = st.one_of(st.sampled_from(examples), mutated(examples), st.binary(max_size=60))

    @settings(max_examples=300, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.lists(payload, min_size=1, max_size=8))
    def check(payloads):
        feed_checking_state(name, protocol.decoder(), payloads)

    check()


def test_the_known_exceptions_still_change_state_when_raising():
    # (when Movesense keeps the rule, it leaves CHANGES_STATE_WHEN_RAISING: this test says so)
    from firmware_protocols.movesense import encode_imu6

    first_part = encode_imu6(1000, [[0.0, 0.0, 9.8]] * 2, [[0.0, 0.0, 0.0]] * 2)[:40]  # (its rest never comes)
    with pytest.raises(AssertionError, match="changed the decoder, then raised"):
        feed_checking_state("movesense", firmware_protocols.get("movesense").decoder(packet_samples=2),
                            [first_part, encode_imu6(1040, [[0.0, 0.0, 9.8]] * 2, [[0.0, 0.0, 0.0]] * 2)])
    assert set(CHANGES_STATE_WHEN_RAISING) == {"movesense"}


class _GapThenRefusal(firmware_protocols.Decoder):
    """Finding 12's toy: counts a gap, then refuses the same packet."""

    def _decode(self, payload: bytes) -> np.ndarray:
        self.health.add_gap(0.0, 4)
        raise ProtocolError("refused")


def test_the_harness_catches_a_decoder_changed_before_it_raised():
    with pytest.raises(AssertionError, match="changed the decoder, then raised"):
        feed_checking_state("toy", _GapThenRefusal(), [b"\x00"])


def test_a_registered_protocol_without_example_payloads_fails_not_skips(monkeypatch):
    import types

    module = types.ModuleType("toy_without_examples")
    module.Toy = type("Toy", (), {"name": "toy"})
    monkeypatch.setitem(sys.modules, "toy_without_examples", module)
    with pytest.raises(pytest.fail.Exception, match="has no encode_example_payloads"):
        example_payloads(module.Toy())
