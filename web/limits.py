"""Every request body limited while it streams, and a body that stops arriving timed out.

A declared ``Content-Length`` over the limit is refused before anything is read (413); a
chunked body (no length) is counted as it arrives and refused the moment it passes the
limit; a client that stops sending in the middle of its body gets 408 after
``body_timeout`` seconds instead of holding the connection.  The limit depends on the
route: a small one for the login form, the log limit for the two log uploads, the model
limit (with room for a form) for everything else.
"""

from __future__ import annotations

import asyncio
import json

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit", "BodyTimeout", "BodyTooLarge"]

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


class BodyLimit:
    """ASGI middleware: the limits above, for every HTTP request."""

    def __init__(self, app: ASGIApp, *, model_limit: int, log_limit: int, timeout: float) -> None:
        self.app = app
        self.model_limit, self.log_limit, self.timeout = model_limit, log_limit, timeout

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
        timeout = self.timeout

        async def limited_receive() -> Message:
            nonlocal received, finished
            if finished:  # after the body: only the disconnect is left to wait for
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), timeout)
            except TimeoutError:
                raise BodyTimeout(timeout) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
                finished = not message.get("more_body", False)
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
