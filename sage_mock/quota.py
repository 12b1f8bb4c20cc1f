"""Sage's hourly request quota: a fixed window per API key.

Kept in memory: a restart of the mock starts a fresh window, which is what a test
or a demo that restarts the mock wants anyway.
"""

import hashlib
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class QuotaDecision:
    """Whether a request may go on, and the headers that tell the caller where it stands."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: float

    def headers(self) -> dict[str, str]:
        reset = max(1, math.ceil(self.reset_seconds))
        headers = {
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(self.remaining),
            "X-Rate-Limit-Reset": str(reset),
        }
        if not self.allowed:
            headers["Retry-After"] = str(reset)
        return headers


@dataclass
class _Window:
    started: float
    used: int = 0
    refused: int = 0


WINDOWS_KEPT = 1000
"""Past windows remembered for `GET /admin/quota/windows`."""


class RequestQuota:
    """Counts requests per key; keys are held only as hashes."""

    def __init__(
        self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}
        self._history: deque[_Window] = deque(maxlen=WINDOWS_KEPT)
        self.limit = limit
        self.window_seconds = window_seconds

    def consume(self, api_key: str) -> QuotaDecision:
        """Count one request, or refuse it once the window is used up (a refusal is free)."""
        with self._lock:
            window = self._current(_key_id(api_key), create=True)
            allowed = window.used < self.limit
            if allowed:
                window.used += 1
            else:
                window.refused += 1
            return self._decision(window, allowed)

    def peek(self, api_key: str) -> QuotaDecision:
        """Where a key stands, without counting (for answers that refuse the key itself)."""
        with self._lock:
            window = self._current(_key_id(api_key), create=False)
            return self._decision(window, allowed=True)

    def reconfigure(self, limit: int, window_seconds: float) -> None:
        """New size and length; every window starts afresh."""
        with self._lock:
            self.limit = limit
            self.window_seconds = window_seconds
            self._windows.clear()
            self._history.clear()

    def windows(self) -> list[dict[str, Any]]:
        """Every window since the last reconfiguration, oldest first: requests let through and
        refused with a 429 in each (so a test can tell when 429s happened)."""
        with self._lock:
            now, wall = self._clock(), time.time()
            return [
                {
                    "started_at": wall - (now - window.started),
                    "used": window.used,
                    "refused": window.refused,
                }
                for window in sorted(
                    [*self._history, *self._windows.values()], key=lambda w: w.started
                )
            ]

    def _current(self, key_id: str, *, create: bool) -> _Window:
        now = self._clock()
        window = self._windows.get(key_id)
        if window is None or now >= window.started + self.window_seconds:
            if create and window is not None:
                self._history.append(window)
            window = _Window(started=now)
            if create:
                self._windows[key_id] = window
        return window

    def _decision(self, window: _Window, allowed: bool) -> QuotaDecision:
        return QuotaDecision(
            allowed=allowed,
            limit=self.limit,
            remaining=max(0, self.limit - window.used),
            reset_seconds=window.started + self.window_seconds - self._clock(),
        )


def _key_id(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()
