"""Running the app under uvicorn: bind first, time out idle and slow clients, stop cleanly.

* :func:`bind` takes the port before anything is announced or written, and says in plain
  words why it cannot (:class:`BindError`: in use, not allowed, no such address).
* The connection protocol closes a connection whose request headers have not all arrived
  within ``header_timeout`` seconds (uvicorn's own keep-alive timeout only covers the wait
  between requests); a body that stops arriving is the app's business
  (:class:`bpmtool.web.limits.BodyLimit`).
* :func:`run` serves until SIGTERM or Ctrl-C, then shuts the app down (its check workers
  are stopped and joined) and returns normally, so the interpreter's exit handlers run and
  no multiprocessing semaphore is left behind.
"""

from __future__ import annotations

import asyncio
import errno
import signal
import socket
from types import FrameType
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["BindError", "bind", "config", "run"]

#: seconds a client may take to send a request's headers
HEADER_TIMEOUT = 30.0
#: seconds an idle keep-alive connection stays open between requests
KEEP_ALIVE_TIMEOUT = 5


class BindError(Exception):
    """The address cannot be listened on; the message says why in a user's words."""


def bind(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port`` (port 0: any free port), or :class:`BindError`."""
    if not 0 <= port <= 65535:
        raise BindError(f"port {port} is not a port number (use 1 to 65535)")
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (socket.gaierror, UnicodeError) as exc:
        raise BindError(f"cannot listen on {host!r}: no such address ({exc})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise BindError(
                f"port {port} is in use on {host} (another program listens on "
                "it; choose another with --port)"
            ) from None
        if exc.errno == errno.EACCES:
            raise BindError(
                f"not allowed to listen on port {port} (ports below 1024 need "
                "administrator rights; choose another with --port)"
            ) from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise BindError(f"cannot listen on {host}: this machine has no such address") from None
        raise BindError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)  # from now on clients wait in the queue until the app is up
    sock.set_inheritable(True)
    return sock


class _TimedH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing connections that send headers too slowly."""

    header_timeout = HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._watch_headers()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def _watch_headers(self) -> None:
        """Armed while the next request's headers are incomplete (trickling does not
        re-arm it); stopped once they are in."""
        waiting = self.conn.their_state is h11.IDLE and self.timeout_keep_alive_task is None
        if not waiting:
            self._stop_header_timer()
        elif self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def config(app: Any, *, header_timeout: float = HEADER_TIMEOUT, **options: Any) -> uvicorn.Config:
    """The uvicorn configuration every server of the app uses (``bpmtool serve``, tests)."""
    protocol = type("BpmtoolH11", (_TimedH11,), {"header_timeout": header_timeout})
    options.setdefault("log_level", "warning")
    options.setdefault("timeout_keep_alive", KEEP_ALIVE_TIMEOUT)
    return uvicorn.Config(app, http=protocol, lifespan="on", **options)


class _Stop:
    """SIGTERM and SIGINT as a request to stop, not a death by signal."""

    def __init__(self) -> None:
        self.received: int | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.received = signum


def run(server_config: uvicorn.Config, sock: socket.socket) -> int | None:
    """Serve on ``sock`` until a stop signal; returns the signal that stopped it, if any.

    uvicorn handles SIGTERM/SIGINT itself (a graceful shutdown) and afterwards raises the
    signal again to its previous handler; that handler is :class:`_Stop` here, so the
    process ends by returning from this function instead of being killed mid-exit.
    """
    stop = _Stop()
    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        uvicorn.Server(server_config).run(sockets=[sock])
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sock.close()
    return stop.received
