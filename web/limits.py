"""Every request body limited while it streams, and a body that stops arriving timed out.

A declared ``Content-Length`` over the limit is refused before anything is read (413); a
chunked body (no length) is counted as it arrives and refused the moment it passes the
limit; a client that stops sending in the middle of its body gets 408 after
``body_timeout`` seconds instead of holding the connection.  A client that trickles (a
byte every few seconds, never pausing long enough for that) is held to a whole-body
deadline: after the first 2 × ``body_timeout`` seconds its body must have arrived at
``body_min_rate`` bytes a second on average, and all of it within ``body_deadline``
seconds; else 408 as well.  The limit depends on the route: a small one for the login form,
the log limit for the two log uploads, the model limit (with room for a form) for
everything else.
"""

from __future__ import annotations

import asyncio
import json

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit", "BodyTimeout", "BodyTooLarge", "BodyTooSlow"]

#: the login form holds a token and a next URL
LOGIN_LIMIT = 64 * 1024
#: routes that stream a log to disk: POST only
LOG_UPLOADS = ("/upload/log", "/api/logs")


class BodyTooLarge(HTTPException):
    """413: the body passed the route's limit while it streamed."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {_size(limit)}")


class BodyTimeout(HTTPException):
    """408: the client stopped sending its body."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            408,
            f"the request body stopped arriving (nothing for {seconds:g} s)",
            headers={"Connection": "close"},
        )


class BodyTooSlow(HTTPException):
    """408: the body arrives, but too slowly to be done by its deadline."""

    def __init__(self, received: int, seconds: float, why: str) -> None:
        super().__init__(
            408,
            f"the request body arrives too slowly ({received:,} bytes in {seconds:.0f} s; {why})",
            headers={"Connection": "close"},
        )


class BodyLimit:
    """ASGI middleware: the limits above, for every HTTP request."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        model_limit: int,
        log_limit: int,
        timeout: float,
        min_rate: float = 16 * 1024,
        deadline: float = 3600.0,
    ) -> None:
        self.app = app
        self.model_limit, self.log_limit, self.timeout = model_limit, log_limit, timeout
        self.min_rate, self.deadline = min_rate, deadline

    def limit_for(self, method: str, path: str) -> int:
        if path == "/login":
            return LOGIN_LIMIT
        if method == "POST" and path.rstrip("/") in LOG_UPLOADS:
            return self.log_limit
        return self.model_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await _refuse(send, BodyTooLarge(limit))
            return
        received = 0
        finished = False
        timeout, min_rate, deadline = self.timeout, self.min_rate, self.deadline
        loop = asyncio.get_running_loop()
        start = last = loop.time()

        def due() -> float:
            """When the body must be complete, given what has arrived so far."""
            return start + min(deadline, 2 * timeout + received / min_rate)

        def too_slow() -> BodyTooSlow:
            seconds = loop.time() - start
            if seconds >= deadline:
                why = f"the whole body must arrive within {deadline:g} s"
            else:
                rate = f"{min_rate / 1024:g} KB/s"
                why = f"at least {rate} on average after the first {2 * timeout:g} s"
            return BodyTooSlow(received, seconds, why)

        async def limited_receive() -> Message:
            nonlocal received, finished, last
            if finished:  # after the body: only the disconnect is left to wait for
                return await receive()
            left = due() - loop.time()
            if left <= 0:
                raise too_slow()
            try:
                message = await asyncio.wait_for(receive(), min(timeout, left))
            except TimeoutError:
                if loop.time() - last < 0.95 * timeout:  # cut short by the deadline
                    raise too_slow() from None
                raise BodyTimeout(timeout) from None
            last = loop.time()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
                finished = not message.get("more_body", False)
                if not finished and loop.time() > due():
                    raise too_slow()
            return message

        await self.app(scope, limited_receive, send)


async def _refuse(send: Send, error: HTTPException) -> None:
    body = json.dumps({"detail": error.detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status_code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"
