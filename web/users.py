"""Who is asking: named users from a users file, the single shared token, or nobody.

Three modes, chosen by how the server is started:

- ``--users FILE``: each person has a name, a token (or its SHA-256) and a role,
  ``viewer`` (reads everything, changes nothing) or ``editor``;
- ``--token T``: everyone who knows the token is one editor, named ``token``;
- neither: the server trusts whoever can reach it (it binds to 127.0.0.1 by default)
  and saves in the name of the account that runs it.

The users file is YAML::

    users:
      - {name: ana, role: editor, token: "a long random text"}
      - {name: ben, role: viewer, token_sha256: "9f86d0…"}   # printf %s TOKEN | sha256sum

>>> users = parse_users("users:\\n  - {name: ana, role: editor, token: t0ps3cret-ana}\\n", "u.yaml")
>>> users.find("t0ps3cret-ana").name, users.find("wrong") is None
('ana', True)
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bpmtool.errors import InputError

__all__ = [
    "EDITOR",
    "ROLES",
    "VIEWER",
    "User",
    "Users",
    "local_user",
    "parse_users",
    "read_users",
    "token_hash",
]

VIEWER = "viewer"
EDITOR = "editor"
ROLES = (VIEWER, EDITOR)
#: a token shorter than this is refused: it could be guessed
MIN_TOKEN = 12
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$")
_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class User:
    """A person (or the shared token) the server recognises."""

    name: str
    role: str
    #: the SHA-256 of the token, hex; empty for the local user of a server without tokens
    secret: str = ""

    @property
    def can_edit(self) -> bool:
        return self.role == EDITOR


def token_hash(token: str) -> str:
    """The SHA-256 of a token, as the users file's ``token_sha256`` holds it.

    >>> token_hash("test")[:12]
    '9f86d081884c'
    """
    return hashlib.sha256(token.encode()).hexdigest()


def local_user() -> User:
    """The one user of a server without tokens: the account that runs it, as an editor."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "local"
    return User(name=name or "local", role=EDITOR)


@dataclass(frozen=True)
class Users:
    """The users a server recognises, found by the hash of the token they present."""

    users: tuple[User, ...]

    def find(self, token: str) -> User | None:
        """The user whose token this is, or None (compared in constant time)."""
        digest = token_hash(token.strip())
        found = None
        for user in self.users:
            if hmac.compare_digest(digest, user.secret):
                found = user
        return found

    def by_name(self, name: str) -> User | None:
        return next((u for u in self.users if u.name == name), None)


def read_users(path: Path) -> Users:
    """Read a users file; :class:`InputError` naming the file and line when it is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError.single(
            f"cannot read the users file: {exc.strerror}", file=str(path)
        ) from None
    except UnicodeDecodeError:
        raise InputError.single("the users file is not UTF-8 text", file=str(path)) from None
    return parse_users(text, str(path))


def parse_users(text: str, file: str) -> Users:
    """The users of a users file's text (see the module's docstring for the format)."""
    try:
        doc = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError.single(
            f"the users file is not valid YAML: {getattr(exc, 'problem', exc)}",
            file=file,
            line=mark.line + 1 if mark else None,
        ) from None
    expected = "users: a list of {name, role: viewer|editor, token or token_sha256}"
    if not isinstance(doc, yaml.MappingNode):
        raise InputError.single("the users file has no 'users:' list", file=file, expected=expected)
    entries = next((v for k, v in doc.value if k.value == "users"), None)
    if not isinstance(entries, yaml.SequenceNode) or not entries.value:
        raise InputError.single("the users file has no 'users:' list", file=file, expected=expected)
    users: list[User] = []
    for node in entries.value:
        users.append(_user(node, file, expected))
    names = [u.name for u in users]
    for user in users:
        if names.count(user.name) > 1:
            raise InputError.single(f"the user {user.name!r} is listed twice", file=file)
    secrets = [u.secret for u in users]
    if len(set(secrets)) != len(secrets):
        raise InputError.single("two users have the same token", file=file)
    return Users(tuple(users))


def _user(node: yaml.Node, file: str, expected: str) -> User:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode) or not all(
        isinstance(v, yaml.ScalarNode) for _, v in node.value
    ):
        raise InputError.single(
            "each user must be a mapping", file=file, line=line, expected=expected
        )
    fields = {str(k.value): str(v.value) for k, v in node.value}
    unknown = sorted(set(fields) - {"name", "role", "token", "token_sha256"})
    if unknown:
        raise InputError.single(
            f"unknown key(s) {', '.join(unknown)}", file=file, line=line, expected=expected
        )
    name = fields.get("name", "").strip()
    if not _NAME.match(name):
        raise InputError.single(
            f"{name!r} is not a usable user name",
            file=file,
            line=line,
            key="name",
            expected="1 to 64 letters, digits, spaces, . _ @ or -",
        )
    role = fields.get("role", "")
    if role not in ROLES:
        raise InputError.single(
            f"user {name!r} has the role {role!r}",
            file=file,
            line=line,
            key="role",
            expected="viewer or editor",
        )
    token, digest = fields.get("token"), fields.get("token_sha256", "").strip().lower()
    if (token is None) == (not digest):
        raise InputError.single(
            f"user {name!r} needs exactly one of token and token_sha256",
            file=file,
            line=line,
            expected=expected,
        )
    if token is not None:
        if len(token.strip()) < MIN_TOKEN:
            raise InputError.single(
                f"user {name!r} has a token shorter than {MIN_TOKEN} characters",
                file=file,
                line=line,
                key="token",
                expected=f"a random text of at least {MIN_TOKEN} characters",
            )
        digest = token_hash(token.strip())
    elif not _HEX.match(digest):
        raise InputError.single(
            f"user {name!r} has a token_sha256 that is not a SHA-256",
            file=file,
            line=line,
            key="token_sha256",
            expected="64 hexadecimal digits (printf %s TOKEN | sha256sum)",
        )
    return User(name=name, role=role, secret=digest)
