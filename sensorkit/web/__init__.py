"""Local web pages served by sensorkit itself (the ``web`` extra: starlette + uvicorn).

- :mod:`sensorkit.web.live_hub`: what the live page shows, kept from the live path's
  :class:`~sensorkit.ble.recorder.LiveStatus` and rep callbacks (no web imports).
- :mod:`sensorkit.web.live_app`: the live session page (``sensorkit live --web``).
- :mod:`sensorkit.web.dashboard_data` / :mod:`sensorkit.web.dashboard_app`: the clinician dashboard
  (``sensorkit dashboard``), read through :mod:`sensorkit.report`.
- :mod:`sensorkit.web.access`: binding, the URL token for non-loopback hosts, the Host check.
- :mod:`sensorkit.web.serve`: uvicorn in the caller's event loop.

Pages are static HTML, CSS and JavaScript in ``static/`` (no build step, no CDN); the charts use
uPlot (MIT, shipped as ``static/uPlot.iife.min.js``).
"""
from __future__ import annotations

from sensorkit.errors import SensorkitError

_INSTALL_HINT = "the web pages need starlette and uvicorn: pip install 'sensorkit[web]'"


def require_web() -> None:
    """Raise a one-line :class:`SensorkitError` when the ``web`` extra is not installed."""
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise SensorkitError(_INSTALL_HINT) from None
