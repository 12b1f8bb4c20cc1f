"""`starter.py doctor`'s reading of Sage's quota headers (client/doctor.py); the checks against
a real stack are in tests/e2e/test_recovery_e2e.py."""

from __future__ import annotations

import httpx
import pytest

from client.doctor import _quota
from runtime.config import Config


def headers(limit: str, remaining: str, reset: str = "120") -> httpx.Headers:
    return httpx.Headers(
        {
            "X-Rate-Limit-Limit": limit,
            "X-Rate-Limit-Remaining": remaining,
            "X-Rate-Limit-Reset": reset,
        }
    )


def test_headroom_passes() -> None:
    check = _quota(Config(sage_rate_limit_per_hour=3600), headers("3600", "3000"))
    assert check.ok and "3000 of 3600" in check.found


def test_little_headroom_fails_with_the_wait() -> None:
    check = _quota(Config(sage_rate_limit_per_hour=3600), headers("3600", "100", "900"))
    assert not check.ok and "wait 900 s" in check.fix


def test_a_worker_rate_above_sages_fails_with_the_setting_to_use() -> None:
    check = _quota(Config(sage_rate_limit_per_hour=7200), headers("3600", "3600"))
    assert not check.ok and "SAGE_RATE_LIMIT_PER_HOUR to 3600 or less" in check.fix


@pytest.mark.parametrize(
    "bad",
    [
        httpx.Headers({}),
        headers("lots", "1"),
        headers("3600", "-"),
        headers("1" * 5000, "1"),
    ],
)
def test_missing_or_hostile_headers_fail_without_a_traceback(bad: httpx.Headers) -> None:
    check = _quota(Config(), bad)
    assert not check.ok and check.fix
