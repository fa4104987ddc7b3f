"""Access token, session cookie, cross-site request guard and security headers.

With a token configured every page and API call needs it: API clients send
``Authorization: Bearer <token>``; people log in once with a form and get a session
cookie (an HMAC of the token, never the token itself).  Without a token the app
trusts whoever can reach it, which is why it binds to 127.0.0.1 by default.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["COOKIE", "LoginRequired", "SecurityMiddleware", "require_token", "safe_next",
           "session_value"]

COOKIE = "bpmtool_session"

#: pages are our own templates; scripts and styles only from /static, nothing external
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'")
_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin")]


class LoginRequired(Exception):
    """The request carries no valid token; pages go to the login form, the API gets 401."""


def session_value(token: str) -> str:
    """The cookie that proves a login with ``token``."""
    return hmac.new(token.encode(), b"bpmtool web session", hashlib.sha256).hexdigest()


def token_ok(request: Request) -> bool:
    token: str | None = request.app.state.settings.token
    if not token:
        return True
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer " and hmac.compare_digest(auth[7:].strip().encode(),
                                                             token.encode()):
        return True
    cookie = request.cookies.get(COOKIE, "")
    return hmac.compare_digest(cookie.encode(), session_value(token).encode())


def require_token(request: Request) -> None:
    """A dependency: pass, or raise :class:`LoginRequired`."""
    if not token_ok(request):
        raise LoginRequired()


def safe_next(url: str | None) -> str:
    """A redirect target after login that stays on this site."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class SecurityMiddleware:
    """Adds the security headers and refuses cross-site POST/PUT/DELETE (403)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if scope["method"] not in ("GET", "HEAD", "OPTIONS") and _cross_site(headers):
            await _forbidden(send)
            return
        own_csp = scope["path"].startswith(("/runs/", "/models/")) and \
            scope["path"].endswith("/report.html")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = list(_HEADERS)
                names = {k.lower() for k, _ in message.get("headers", [])}
                if b"content-security-policy" not in names and not own_csp:
                    extra.append((b"content-security-policy", _CSP.encode()))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _cross_site(headers: dict[bytes, bytes]) -> bool:
    """A browser's request sent by another site (the Origin names a different host)."""
    origin = headers.get(b"origin")
    if origin is None or origin == b"null":
        return origin == b"null"
    host = headers.get(b"host", b"")
    return urlsplit(origin.decode("latin-1")).netloc.encode("latin-1") != host


async def _forbidden(send: Send) -> None:
    body = b'{"detail": "cross-site requests are refused"}'
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
