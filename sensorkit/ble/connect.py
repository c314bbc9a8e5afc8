"""One connection attempt, and the exponential backoff between attempts.

With the ``ble`` extra installed, each attempt goes through bleak-retry-connector's
``establish_connection`` (it works around BlueZ quirks: stale service caches, half-open links,
out-of-slot adapters) with ``max_attempts=1``; our own loop does the backoff, so the give-up time
is ours. Without it, a plain ``BleakClient.connect``. Both accept an injected bleak backend.
"""
from __future__ import annotations

import asyncio
from typing import Callable, Iterator

from bleak import BleakClient
from bleak.backends.client import BaseBleakClient
from bleak.backends.device import BLEDevice

try:
    from bleak_retry_connector import establish_connection
except ImportError:  # the ble extra is optional
    establish_connection = None


async def connect_once(device: BLEDevice | str, *, backend: type[BaseBleakClient] | None,
                       disconnected_callback: Callable[[BleakClient], None], timeout_s: float,
                       use_retry_connector: bool = True) -> BleakClient:
    """A connected :class:`BleakClient` for ``device``, or a ``BleakError``/``TimeoutError``."""
    backend_kw = {} if backend is None else {"backend": backend}
    async with asyncio.timeout(timeout_s):
        if use_retry_connector and establish_connection is not None and isinstance(device, BLEDevice):
            return await establish_connection(BleakClient, device, device.name or device.address,
                                              disconnected_callback=disconnected_callback,
                                              max_attempts=1, **backend_kw)
        client = BleakClient(device, disconnected_callback=disconnected_callback, timeout=timeout_s, **backend_kw)
        await client.connect()
        return client


def backoff_delays(initial_s: float, max_s: float, factor: float = 2.0) -> Iterator[float]:
    """Waits between connection attempts: ``initial_s``, then ×``factor`` each time, capped at ``max_s``."""
    delay = initial_s
    while True:
        yield delay
        delay = min(delay * factor, max_s)
