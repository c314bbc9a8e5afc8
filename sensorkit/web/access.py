"""Who may open the pages: loopback by default, a random URL token for any other host.

Bound to a loopback address (the default, 127.0.0.1) the pages answer only requests whose
``Host`` names a loopback address (so a web page elsewhere cannot reach them through a name
that resolves to 127.0.0.1). Bound to any other address (``--host 0.0.0.0`` to follow on a
tablet) every request must carry the session's token: ``?token=...`` in the URL that sensorkit
prints (the page then keeps it in a same-site cookie), else it is refused with 403.
"""
from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

COOKIE = "sensorkit_token"
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine only."""
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    """A random URL-safe token (128 bits)."""
    return secrets.token_urlsafe(16)


def page_url(host: str, port: int, token: str | None, path: str = "/") -> str:
    """The address to open: ``http://HOST:PORT/`` (+ ``?token=`` when one is required)."""
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else ("[::1]" if host == "::" else host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}{path}" + (f"?token={token}" if token else "")


def _host_name(host_header: str) -> str:
    if host_header.startswith("["):
        return host_header[: host_header.find("]") + 1]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


class AccessGuard:
    """ASGI middleware enforcing the rules in the module doc around ``app``.

    ``token``: None when bound to loopback (then the Host check applies), else the secret every
    request must carry.
    """

    def __init__(self, app: Callable[..., Awaitable[None]], token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "websocket":  # the pages use none
            return await send({"type": "websocket.close", "code": 1008})
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if self.token is None:
            if not is_loopback(_host_name(headers.get("host", ""))):
                return await _refuse(send, "this page only answers on 127.0.0.1 (loopback)")
            return await self.app(scope, receive, send)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = (query.get("token") or [""])[0]
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # noqa: BLE001 - a malformed cookie header is simply no token
            pass
        kept = cookie[COOKIE].value if COOKIE in cookie else ""
        if secrets.compare_digest(given, self.token):
            return await self.app(scope, receive, _with_cookie(send, self.token))
        if kept and secrets.compare_digest(kept, self.token):
            return await self.app(scope, receive, send)
        return await _refuse(send, "token required: open the address sensorkit printed, with its ?token=")


def _with_cookie(send, token: str):
    async def wrapped(message) -> None:
        if message["type"] == "http.response.start":
            cookie = f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict".encode("latin-1")
            message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
        await send(message)
    return wrapped


async def _refuse(send, why: str) -> None:
    body = f"403 forbidden: {why}\n".encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
