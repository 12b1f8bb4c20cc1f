"""Who is logged in: password hashes (argon2), signed session cookies, CSRF tokens.

- Passwords: argon2id hashes (argon2-cffi) in a JSON users file (user -> hash), mode 0600,
  written atomically; `python -m web passwords set USER` reads the password from stdin.
- Sessions: a cookie signed with the app's secret (itsdangerous), HttpOnly, SameSite=Lax,
  expiring after `session_hours`. It carries the user, a random session ID, the session's
  CSRF token and a fingerprint of the user's password hash, so a new password ends the
  sessions made with the old one. Logging out revokes the session ID in this process.
- CSRF: every form carries the session's token; a post without it, or with another
  session's, is refused (403), compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SESSION_COOKIE = "erp_session"
CSRF_FIELD = "csrf"
USER_NAME_LIMIT = 100
PASSWORD_LIMIT = 1024
MIN_PASSWORD = 12

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
"""Checked against when the user is unknown, so an unknown name takes as long as a known one."""


class UsersFileError(RuntimeError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def write_private(path: Path, text: str) -> None:
    """Atomically, readable by its owner only (0600) from the first byte."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        os.fchmod(out.fileno(), 0o600)
        out.write(text)
    os.replace(tmp, path)


class Users:
    """The users file: who may log in, with their password hashes (read on every login, so a
    password set with the CLI works at once)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        mode = self.path.stat().st_mode & 0o777
        if mode & 0o077:
            raise UsersFileError(
                f"{self.path}: readable by others (mode {mode:o}); chmod 600 it first"
            )
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError) as err:
            raise UsersFileError(f"{self.path}: not a JSON users file ({err})") from None
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise UsersFileError(f"{self.path}: expected an object of user -> argon2 hash")
        return data

    def set_password(self, user: str, password: str) -> None:
        check_new_password(user, password)
        users = self.load()
        users[user] = hash_password(password)
        write_private(self.path, json.dumps(users, indent=2, sort_keys=True) + "\n")

    def verify(self, user: str, password: str) -> str | None:
        """The user's hash when `password` is theirs; None otherwise (in about the same time
        for unknown users)."""
        if len(user) > USER_NAME_LIMIT or len(password) > PASSWORD_LIMIT:
            return None
        stored = self.load().get(user)
        try:
            _hasher.verify(stored or _DUMMY_HASH, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        return stored

    def fingerprint(self, user: str) -> str | None:
        stored = self.load().get(user)
        return fingerprint(stored) if stored else None


def check_new_password(user: str, password: str) -> None:
    if not user or len(user) > USER_NAME_LIMIT:
        raise ValueError("a user name of 1 to 100 characters")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > PASSWORD_LIMIT:
        raise ValueError(f"the password must have at most {PASSWORD_LIMIT} characters")


def fingerprint(stored_hash: str) -> str:
    """Names a password hash without revealing it: sessions carry it, a new hash ends them."""
    return hashlib.sha256(stored_hash.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Session:
    sid: str
    csrf: str
    user: str | None = None
    fingerprint: str | None = None

    @classmethod
    def anonymous(cls) -> Session:
        return cls(sid=secrets.token_urlsafe(16), csrf=secrets.token_urlsafe(32))

    def logged_in(self, user: str, fingerprint: str) -> Session:
        """A new session ID and CSRF token at login (never keep the anonymous ones)."""
        return Session(
            sid=secrets.token_urlsafe(16),
            csrf=secrets.token_urlsafe(32),
            user=user,
            fingerprint=fingerprint,
        )

    def csrf_ok(self, token: object) -> bool:
        return isinstance(token, str) and hmac.compare_digest(token.encode(), self.csrf.encode())


class Sessions:
    """Signs and reads session cookies; remembers revoked session IDs until they expire."""

    def __init__(self, secret: str, max_age_seconds: float) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="erp-web-session")
        self.max_age = int(max_age_seconds)
        self._revoked: dict[str, float] = {}

    def dump(self, session: Session) -> str:
        data = {"s": session.sid, "c": session.csrf, "u": session.user, "p": session.fingerprint}
        return self._serializer.dumps(data)

    def load(self, cookie: str | None) -> Session | None:
        """The session a cookie carries, or None if it is missing, forged, expired or revoked."""
        if not cookie or len(cookie) > 4096:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
        except (BadSignature, SignatureExpired):
            return None
        if not isinstance(data, dict):
            return None
        sid, csrf, user, fp = data.get("s"), data.get("c"), data.get("u"), data.get("p")
        if not isinstance(sid, str) or not isinstance(csrf, str) or sid in self._revoked:
            return None
        if user is not None and (not isinstance(user, str) or not isinstance(fp, str)):
            return None
        return Session(sid=sid, csrf=csrf, user=user, fingerprint=fp)

    def revoke(self, session: Session) -> None:
        now = time.time()
        self._revoked = {s: t for s, t in self._revoked.items() if t > now}
        self._revoked[session.sid] = now + self.max_age


class LoginThrottle:
    """At most `limit` failed logins per user name per `window` seconds (in this process)."""

    def __init__(self, limit: int = 5, window: float = 60) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, list[float]] = {}

    def blocked(self, user: str) -> bool:
        now = time.monotonic()
        recent = [t for t in self._failures.get(user, []) if now - t < self.window]
        self._failures[user] = recent
        return len(recent) >= self.limit

    def failed(self, user: str) -> None:
        self._failures.setdefault(user, []).append(time.monotonic())

    def succeeded(self, user: str) -> None:
        self._failures.pop(user, None)


def app_secret(value: str | None, path: Path) -> str:
    """The cookie-signing secret: the environment's, else kept in `path` (0600), made once."""
    if value:
        return value
    if path.exists():
        return path.read_text().strip()
    made = secrets.token_urlsafe(48)
    write_private(path, made + "\n")
    return made
