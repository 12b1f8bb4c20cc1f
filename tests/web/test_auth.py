"""Passwords, session cookies and CSRF tokens of the approvers' page (web/auth.py)."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from web.auth import LoginThrottle, Session, Sessions, Users, UsersFileError, app_secret

ROOT = Path(__file__).resolve().parents[2]


def test_passwords_are_argon2_hashes_in_a_private_file(tmp_path: Path):
    users = Users(tmp_path / "users.json")
    users.set_password("acct.ana", "correct horse battery")
    stored = json.loads((tmp_path / "users.json").read_text())
    assert stored["acct.ana"].startswith("$argon2id$")
    assert "correct horse" not in (tmp_path / "users.json").read_text()
    assert stat.S_IMODE((tmp_path / "users.json").stat().st_mode) == 0o600
    assert users.verify("acct.ana", "correct horse battery") == stored["acct.ana"]
    assert users.verify("acct.ana", "wrong horse battery") is None
    assert users.verify("nobody", "correct horse battery") is None
    assert users.verify("acct.ana", "x" * 5000) is None  # bounded before hashing


def test_short_passwords_and_world_readable_files_are_refused(tmp_path: Path):
    users = Users(tmp_path / "users.json")
    with pytest.raises(ValueError, match="at least 12"):
        users.set_password("acct.ana", "short")
    users.set_password("acct.ana", "long enough password")
    (tmp_path / "users.json").chmod(0o644)
    with pytest.raises(UsersFileError, match="chmod 600"):
        users.verify("acct.ana", "long enough password")


def test_the_cli_reads_the_password_from_stdin_never_argv(tmp_path: Path):
    path = tmp_path / "users.json"
    done = subprocess.run(
        [sys.executable, "-m", "web", "passwords", "set", "acct.ana"],
        input="from stdin, not argv\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"ERP_WEB_USERS_FILE": str(path), "ERP_ENV_FILE": "", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert Users(path).verify("acct.ana", "from stdin, not argv")


def test_a_session_cookie_is_signed_and_expires(tmp_path: Path):
    sessions = Sessions("s" * 40, max_age_seconds=3600)
    session = Session.anonymous().logged_in("acct.ana", "fp")
    cookie = sessions.dump(session)
    assert sessions.load(cookie) == session
    assert sessions.load(cookie[:-2] + ("A" if cookie[-2] != "A" else "B") + cookie[-1]) is None
    forged = Sessions("another secret" * 3, 3600).dump(session.logged_in("acct.admin", "fp"))
    assert sessions.load(forged) is None  # signed with another key
    assert Sessions("s" * 40, max_age_seconds=-1).load(cookie) is None  # expired
    sessions.revoke(session)
    assert sessions.load(cookie) is None  # logged out


def test_csrf_tokens_are_per_session_and_compared_whole():
    one, two = Session.anonymous(), Session.anonymous()
    assert one.csrf != two.csrf and len(one.csrf) >= 32
    assert one.csrf_ok(one.csrf)
    assert not one.csrf_ok(two.csrf)
    assert not one.csrf_ok(one.csrf[:-1])
    assert not one.csrf_ok(None) and not one.csrf_ok("")
    after_login = one.logged_in("acct.ana", "fp")
    assert after_login.csrf != one.csrf and after_login.sid != one.sid


def test_failed_logins_are_throttled_per_user():
    throttle = LoginThrottle(limit=3, window=60)
    for _ in range(3):
        assert not throttle.blocked("acct.ana")
        throttle.failed("acct.ana")
    assert throttle.blocked("acct.ana") and not throttle.blocked("acct.admin")


def test_the_cookie_secret_is_kept_private(tmp_path: Path):
    made = app_secret(None, tmp_path / "secret.key")
    assert app_secret(None, tmp_path / "secret.key") == made and len(made) >= 48
    assert stat.S_IMODE((tmp_path / "secret.key").stat().st_mode) == 0o600
    assert app_secret("from-env", tmp_path / "secret.key") == "from-env"
