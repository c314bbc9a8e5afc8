"""An asyncio event loop on simulated time, for the BLE tests that time a virtual sensor.

A virtual sensor's clock ran on the wall clock (at 20 times real time): on a loaded machine the
process, descheduled for a tenth of a second, woke to find two sensor seconds gone with nothing
read; the data watchdog reconnected, or the give-up time passed while a reconnect was set up, and
a test of the stream failed for the machine's sake (load 10+ on two cores). On this loop
:meth:`time` (the clock the session's deadlines, the watchdog and the virtual sensor read) moves
only when every task waits: by as much as the next timer asks, at once. Work takes no simulated
time, however slow the machine; what the tests check (every sample, the gap, the reconnects, the
give-up) still happens in the same order as on a fast one, and a bug still fails them.
"""
from __future__ import annotations

import asyncio
import selectors
import time


#: Simulated time (s) each turn of the loop takes at least: time moves on by itself as a real
#: clock does (a timer a rounding short of its due time, the virtual sensor's next packet, comes due)
TURN_S = 1e-6


class SimulatedTimeLoop(asyncio.SelectorEventLoop):
    """A selector loop whose clock (s) starts at the host's and advances only as the loop turns: a
    wait of ``timeout`` s polls the selector without blocking and adds ``timeout`` to the clock, a
    turn that does not wait :data:`TURN_S` (a wait with no timer at all polls again: something
    real, a thread, may wake it)."""

    def __init__(self) -> None:
        super().__init__(selectors.DefaultSelector())
        self._now_s = time.monotonic()
        poll = self._selector.select

        def select(timeout: float | None = None):
            events = poll(0)
            self._now_s += max(timeout or 0.0, TURN_S) if not events else TURN_S
            return events

        self._selector.select = select

    def time(self) -> float:
        return self._now_s


def run_on_simulated_time(coro, limit_s: float = 30.0):
    """Run a coroutine to completion on a fresh :class:`SimulatedTimeLoop` (``limit_s`` of its
    time; a wall-clock limit too, ten times that, for a test that spins without waiting)."""
    started_s = time.monotonic()

    async def bounded():
        task = asyncio.ensure_future(coro)
        while not task.done():
            if time.monotonic() - started_s > 10 * limit_s:
                task.cancel()
                raise TimeoutError(f"still running after {10 * limit_s:g} s of the host's time")
            await asyncio.wait({task}, timeout=0.05)
        return task.result()

    with asyncio.Runner(loop_factory=SimulatedTimeLoop) as runner:
        return runner.run(asyncio.wait_for(bounded(), limit_s))
