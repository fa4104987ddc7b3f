"""Access token, session cookie, host allow-list, cross-site request guard, security headers.

With a token configured (or a users file, :mod:`bpmtool.web.users`) every page and API
call needs one: API clients send ``Authorization: Bearer <token>``; people log in once
with a form and get a session cookie (an HMAC keyed by the token's hash, never the token
itself).  Without a token the app trusts whoever can reach it, which is why it binds to
127.0.0.1 by default.  A viewer's POST, PUT, PATCH or DELETE is refused with 403, except
the few that only compute an answer (lint, validate, … of an uploaded file).

Every request must name an allowed host in its ``Host`` header (and in its ``Origin``,
when it has one): a page of another site that re-points its own name at 127.0.0.1 (DNS
rebinding) still sends its own name, and is refused with 400.  The allowed hosts are the
address the server is bound to (with ``localhost``, ``127.0.0.1`` and ``::1`` for a
loopback address) and those given with ``--allowed-host``; ``*`` allows any.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bpmtool.web.users import User, Users, local_user, token_hash

__all__ = [
    "COOKIE",
    "LOOPBACK",
    "LoginRequired",
    "SecurityMiddleware",
    "current_user",
    "default_allowed_hosts",
    "host_name",
    "require_token",
    "safe_next",
    "session_value",
]

COOKIE = "bpmtool_session"
#: the names of this machine's loopback interface
LOOPBACK = ("localhost", "127.0.0.1", "::1")

#: pages are our own templates; scripts and styles only from /static, nothing external
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


class LoginRequired(Exception):
    """The request carries no valid token; pages go to the login form, the API gets 401."""


def session_value(token: str) -> str:
    """The cookie that proves a login with ``token`` (the shared token)."""
    return hmac.new(token.encode(), b"bpmtool web session", hashlib.sha256).hexdigest()


def user_session_value(user: User) -> str:
    """The cookie that proves ``user`` logged in: keyed by the hash of their token."""
    return hmac.new(user.secret.encode(), b"bpmtool web session", hashlib.sha256).hexdigest()


#: POSTs that store nothing (they compute an answer from the body): viewers may send them
READ_ONLY_POSTS = frozenset(
    {"/api/lint", "/api/sipoc", "/api/render", "/api/convert", "/api/validate", "/logout"}
)
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def shared_token_user(token: str) -> User:
    """The one editor of a server started with ``--token``."""
    return User(name="token", role="editor", secret=token_hash(token))


def current_user(request: Request) -> User | None:
    """Who sent the request, or None when it carries no valid token."""
    users: Users | None = getattr(request.app.state, "users", None)
    token: str | None = request.app.state.settings.token
    auth = request.headers.get("authorization", "")
    bearer = auth[7:].strip() if auth[:7].lower() == "bearer " else None
    cookie = request.cookies.get(COOKIE, "")
    if users is not None:
        if bearer is not None:
            return users.find(bearer)
        found = None
        for user in users.users:
            if hmac.compare_digest(cookie.encode(), user_session_value(user).encode()):
                found = user
        return found
    if not token:
        return local_user()
    if bearer is not None and hmac.compare_digest(bearer.encode(), token.encode()):
        return shared_token_user(token)
    if hmac.compare_digest(cookie.encode(), session_value(token).encode()):
        return shared_token_user(token)
    return None


def token_ok(request: Request) -> bool:
    return current_user(request) is not None


def require_token(request: Request) -> None:
    """A dependency: remember who asks (``request.state.user``), or raise
    :class:`LoginRequired`; a viewer's change is refused with 403."""
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    request.state.user = user
    if (
        request.method not in _SAFE_METHODS
        and not user.can_edit
        and request.url.path not in READ_ONLY_POSTS
    ):
        raise HTTPException(
            403, f"{user.name} is a viewer: viewers can read the workspace but not change it"
        )


def safe_next(url: str | None) -> str:
    """A redirect target after login that stays on this site."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def default_allowed_hosts(bound: str) -> list[str]:
    """The hosts a server bound to ``bound`` answers to without ``--allowed-host``.

    >>> default_allowed_hosts("127.0.0.1")
    ['localhost', '127.0.0.1', '::1']
    >>> default_allowed_hosts("192.168.1.20")
    ['192.168.1.20']
    """
    name = host_name(bound)
    if name in LOOPBACK or name.startswith("127."):
        return list(LOOPBACK) + ([name] if name not in LOOPBACK else [])
    if name in ("0.0.0.0", "::", ""):  # every interface: its loopback, its names, addresses
        import socket

        own = {socket.gethostname().lower(), socket.getfqdn().lower()}
        with contextlib.suppress(OSError):
            own |= {
                str(info[4][0]).lower() for info in socket.getaddrinfo(socket.gethostname(), None)
            }
        return list(LOOPBACK) + sorted(own - set(LOOPBACK))
    return [name]


def host_name(value: str) -> str:
    """The host of a ``Host`` header or netloc, without port or IPv6 brackets, lower case.

    >>> host_name("[::1]:8000"), host_name("LocalHost:80"), host_name("::1")
    ('::1', 'localhost', '::1')
    """
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


class SecurityMiddleware:
    """Refuses other hosts (400) and cross-site POST/PUT/DELETE (403); adds the headers."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str] | None = None) -> None:
        self.app = app
        hosts = [host_name(h) for h in (allowed_hosts or LOOPBACK)]
        self.any_host = "*" in hosts
        self.allowed = frozenset(hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        refusal = self._foreign(headers)
        if refusal is not None:
            await _refuse(send, *refusal)
            return
        if scope["method"] not in ("GET", "HEAD", "OPTIONS") and _cross_site(headers):
            await _refuse(send, 403, "cross-site requests are refused")
            return
        own_csp = scope["path"].startswith(("/runs/", "/models/")) and scope["path"].endswith(
            "/report.html"
        )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = list(_HEADERS)
                names = {k.lower() for k, _ in message.get("headers", [])}
                if b"content-security-policy" not in names and not own_csp:
                    extra.append((b"content-security-policy", _CSP.encode()))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _foreign(self, headers: dict[bytes, bytes]) -> tuple[int, str] | None:
        """Status and reason when the request names a host this server does not answer
        to (400) or comes from a page of another host (403); ``None`` when it is ours."""
        if self.any_host:
            return None
        host = headers.get(b"host", b"").decode("latin-1")
        if host_name(host) not in self.allowed:
            shown = host_name(host)[:100] or "(none)"
            return 400, (
                f"this server does not answer to the host {shown!r}; start it "
                f"with --allowed-host {shown} to allow it"
            )
        origin = headers.get(b"origin")
        if origin is not None and origin != b"null":
            netloc = urlsplit(origin.decode("latin-1")).netloc
            if host_name(netloc) not in self.allowed:
                shown = origin.decode("latin-1")[:100]
                return 403, f"requests from pages of {shown!r} are refused"
        return None


def _cross_site(headers: dict[bytes, bytes]) -> bool:
    """A browser's request sent by another site (the Origin names a different host)."""
    origin = headers.get(b"origin")
    if origin is None or origin == b"null":
        return origin == b"null"
    host = headers.get(b"host", b"")
    return urlsplit(origin.decode("latin-1")).netloc.encode("latin-1") != host


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
