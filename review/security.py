"""Signed session cookies carrying a per-session CSRF token; the signing key lives in the store's folder."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

COOKIE = "clusterlex_review"
MAX_AGE = 12 * 3600


def load_secret(folder: Path) -> bytes:
    """The store's signing key, created once (mode 600) so sessions survive a restart."""
    path = folder / "secret.key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
    return path.read_bytes()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Session:
    """Who is logged in (None before login), the CSRF token of this session, when it was issued."""

    reviewer_id: int | None
    csrf: str
    issued: float

    @classmethod
    def new(cls, reviewer_id: int | None = None) -> "Session":
        return cls(reviewer_id, secrets.token_urlsafe(24), time.time())


class Signer:
    """HMAC-SHA256 over the cookie payload; a cookie that fails the check or is too old is ignored."""

    def __init__(self, secret: bytes, max_age: int = MAX_AGE):
        self.secret, self.max_age = secret, max_age

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self.secret, payload.encode(), hashlib.sha256).digest())

    def dumps(self, s: Session) -> str:
        payload = _b64(json.dumps({"r": s.reviewer_id, "c": s.csrf, "t": int(s.issued)}).encode())
        return f"{payload}.{self._mac(payload)}"

    def loads(self, cookie: str | None) -> Session | None:
        if not cookie or cookie.count(".") != 1 or len(cookie) > 1000:
            return None
        payload, mac = cookie.split(".")
        if not hmac.compare_digest(mac, self._mac(payload)):
            return None
        try:
            data = json.loads(_unb64(payload))
            s = Session(data["r"], str(data["c"]), float(data["t"]))
        except (ValueError, KeyError, TypeError):
            return None
        if time.time() - s.issued > self.max_age or (s.reviewer_id is not None and not isinstance(s.reviewer_id, int)):
            return None
        return s


def csrf_ok(session: Session | None, submitted: str | None) -> bool:
    """True when the form's CSRF token is this session's token."""
    return bool(session and submitted) and hmac.compare_digest(session.csrf, str(submitted))
