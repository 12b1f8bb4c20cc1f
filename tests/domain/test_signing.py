"""Signed commands: the signature, its freshness and its nonce decide, with a stated reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from domain.signing import (
    BadSignature,
    Signature,
    SigningPolicy,
    load_private_key,
    new_key_pair,
    sign,
    verify,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ITEM = "commitment:P-1001:SC-0042"
ARGS = {"actor": "acct.ana", "comment": None, "fields": {"sage_id": "SC-0042"}}
PRIVATE, PUBLIC = new_key_pair()
SIGNED_ONLY = SigningPolicy(accept_unsigned=False)


def check(signature, *, public=PUBLIC, policy=SIGNED_ONLY, args=ARGS, now=NOW, seen=()):
    verify(
        public_key=public,
        policy=policy,
        signature=signature,
        item=ITEM,
        command="accept",
        arguments=args,
        now=now,
        seen_nonces=set(seen),
    )


def signature(when=NOW, item=ITEM, command="accept", args=ARGS):
    return sign(load_private_key(PRIVATE), item, command, args, when)


def test_a_good_signature_passes():
    check(signature())


def test_unsigned_commands_pass_only_for_users_without_a_key_where_the_project_takes_them():
    check(None, public=None, policy=SigningPolicy(accept_unsigned=True))
    with pytest.raises(BadSignature, match="signed commands only"):
        check(None, public=None)


@pytest.mark.parametrize("accept_unsigned", [True, False])
def test_a_user_with_a_registered_key_must_sign(accept_unsigned):
    with pytest.raises(BadSignature, match="must be signed"):
        check(None, policy=SigningPolicy(accept_unsigned=accept_unsigned))


@pytest.mark.parametrize(
    "forged",
    [
        {"item": "commitment:P-1001:SC-0043"},
        {"command": "reject"},
        {"args": {**ARGS, "fields": {"sage_id": "OTHER"}}},
        {"args": {**ARGS, "actor": "acct.admin"}},
    ],
)
def test_a_signature_covers_item_command_and_arguments(forged):
    with pytest.raises(BadSignature, match="does not match"):
        check(signature(**forged))


def test_someone_elses_key_does_not_verify():
    _, other_public = new_key_pair()
    with pytest.raises(BadSignature, match="does not match"):
        check(signature(), public=other_public)


def test_a_signature_from_a_user_without_a_key_counts_as_unsigned():
    check(signature(), public=None, policy=SigningPolicy(accept_unsigned=True))
    with pytest.raises(BadSignature, match="no public key"):
        check(signature(), public=None)


@pytest.mark.parametrize("timestamp", ["2026-11-21T12:00:00", "not a time", "12:00", None])
def test_a_signature_without_a_time_zone_is_malformed_not_a_crash(timestamp):
    good = signature().model_dump(mode="json")
    with pytest.raises(ValidationError, match="timestamp"):
        Signature.model_validate({**good, "timestamp": timestamp})


@pytest.mark.parametrize("offset", [timedelta(minutes=6), -timedelta(minutes=6)])
def test_stale_or_future_signatures_are_refused(offset):
    with pytest.raises(BadSignature, match="tolerance 300 s"):
        check(signature(when=NOW + offset))


def test_a_replayed_nonce_is_refused():
    first = signature()
    check(first)
    with pytest.raises(BadSignature, match="replayed nonce"):
        check(first, seen={first.nonce})


def test_a_mangled_signature_or_key_is_refused_not_crashing():
    bad = signature().model_copy(update={"value": "!!not base64!!"})
    with pytest.raises(BadSignature):
        check(bad)
    with pytest.raises(BadSignature):
        check(signature(), public="AAAA")
    with pytest.raises(BadSignature, match="not a base64 Ed25519 private key"):
        load_private_key("garbage")
