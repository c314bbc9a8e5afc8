"""Serve an ASGI app with uvicorn inside the caller's asyncio loop, on a socket bound up front
(so the address is known, and printed, before the first request)."""
from __future__ import annotations

import contextlib
import logging
import socket
import webbrowser

from sensorkit.errors import SensorkitError
from sensorkit.web.access import AccessGuard, is_loopback, new_token, page_url


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (0: any free port); one-line error when taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SensorkitError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(64)
    sock.setblocking(False)
    return sock


class WebServer:
    """``app`` behind :class:`~sensorkit.web.access.AccessGuard` on ``host:port``.

    ``url`` is known once constructed (the socket is bound); :meth:`serve` runs until
    :meth:`stop`. A non-loopback ``host`` gets a random token (``token``, part of ``url``).
    """

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0) -> None:
        import uvicorn

        self.host = host
        self.token = None if is_loopback(host) else new_token()
        self.socket = bind(host, port)
        self.port = self.socket.getsockname()[1]
        self.url = page_url(host, self.port, self.token)
        config = uvicorn.Config(AccessGuard(app, self.token), log_level="warning", access_log=False,
                                lifespan="off", timeout_graceful_shutdown=2, ws="none")
        self._server = _QuietServer(config)

    @property
    def warning(self) -> str | None:
        """What to tell the user when the pages are reachable from other machines."""
        if self.token is None:
            return None
        return (f"warning: serving on {self.host}: other machines on this network can reach the page; "
                f"it needs the token in the address below (from another device, put this machine's "
                f"network address in place of 127.0.0.1); keep it private")

    async def serve(self) -> None:
        await self._server.serve(sockets=[self.socket])

    def stop(self) -> None:
        self._server.should_exit = True

    @property
    def started(self) -> bool:
        return self._server.started


class _QuietServer:
    """uvicorn's Server without its signal handlers (the command's own Ctrl-C handling stays)."""

    def __new__(cls, config):
        import uvicorn

        class Server(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self):
                yield

        logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
        return Server(config)


def open_browser(url: str) -> bool:
    """Open ``url`` in the user's browser; False when none could be started."""
    try:
        return webbrowser.open(url)
    except Exception:  # noqa: BLE001 - no browser is not an error: the address is printed
        return False


class ServerThread:
    """:class:`WebServer` running in a background thread with its own event loop (tests, screenshots).

        with ServerThread(dashboard_app(data)) as server:
            urlopen(server.url)
    """

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0) -> None:
        import threading

        self.server = WebServer(app, host, port)
        self.url = self.server.url
        self._thread = threading.Thread(target=lambda: __import__("asyncio").run(self.server.serve()),
                                        name="sensorkit-web", daemon=True)

    def __enter__(self) -> "ServerThread":
        import time

        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the page server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc) -> None:
        self.server.stop()
        self._thread.join(10)
