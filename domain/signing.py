"""Signed commands: who really gave a command, checked before the item takes it.

A roster user may carry an Ed25519 public key. `starter.py` signs each command with the
user's private key over the item ID, the command, its arguments, a timestamp and a nonce. The
workflow verifies the signature, that the timestamp is within the project's tolerance of
`workflow.now()`, and that the nonce was not seen before. Pure: no clock, no I/O — the caller
passes the time and the nonces already seen.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from domain.refusal import Refusal


class Signature(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timestamp: AwareDatetime
    """With its time zone: a naive time cannot be compared with the workflow's clock."""
    nonce: str = Field(min_length=16, max_length=64)
    value: str = Field(min_length=1, max_length=200, description="base64 Ed25519 signature")


class SigningPolicy(BaseModel):
    """A project's rules for signatures."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    accept_unsigned: bool = True
    """Whether unsigned commands (the UI's "Send Signal", say) are taken from users who have
    no public key in the roster. A user who has one must sign, whatever this says."""
    tolerance: timedelta = timedelta(minutes=5)
    """How far a signature's timestamp may be from the workflow's clock."""


class BadSignature(Refusal):
    pass


def message(
    item: str, command: str, arguments: dict[str, Any], when: datetime, nonce: str
) -> bytes:
    """The exact bytes signed: canonical JSON, so signer and verifier agree byte for byte."""
    body = {
        "item": item,
        "command": command,
        "arguments": arguments,
        "timestamp": when.isoformat(),
        "nonce": nonce,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def sign(
    private_key: Ed25519PrivateKey,
    item: str,
    command: str,
    arguments: dict[str, Any],
    when: datetime,
) -> Signature:
    nonce = secrets.token_hex(16)
    value = private_key.sign(message(item, command, arguments, when, nonce))
    return Signature(timestamp=when, nonce=nonce, value=base64.b64encode(value).decode())


def verify(
    *,
    public_key: str | None,
    policy: SigningPolicy,
    signature: Signature | None,
    item: str,
    command: str,
    arguments: dict[str, Any],
    now: datetime,
    seen_nonces: set[str],
) -> None:
    """Refuse, saying why, unless the command is signed well enough for the project.

    A user with a registered key must sign: an unsigned command claiming that user is refused
    (anybody can type a name into the UI's "Send Signal"). A user without a key cannot be
    verified, so a signature from them proves nothing and counts as unsigned; the project's
    `accept_unsigned` decides whether such commands are taken.
    """
    if public_key is None:
        if policy.accept_unsigned:
            return
        raise BadSignature(
            f"{command}: this project takes signed commands only, and the actor has no "
            "public key in the project roster"
        )
    if signature is None:
        raise BadSignature(
            f"{command}: the actor has a registered key, so the command must be signed "
            "(starter.py signs with the user's key; the UI's Send Signal cannot)"
        )
    skew = abs(now - signature.timestamp)
    if skew > policy.tolerance:
        raise BadSignature(
            f"{command}: the signature is {skew.total_seconds():.0f} s away from the "
            f"workflow's clock (tolerance {policy.tolerance.total_seconds():.0f} s)"
        )
    if signature.nonce in seen_nonces:
        raise BadSignature(f"{command}: this signature was used before (replayed nonce)")
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        raw = base64.b64decode(signature.value, validate=True)
        key.verify(raw, message(item, command, arguments, signature.timestamp, signature.nonce))
    except (InvalidSignature, ValueError, TypeError, binascii.Error):
        raise BadSignature(f"{command}: the signature does not match the command") from None


def new_key_pair() -> tuple[str, str]:
    """(private, public), both base64 of the raw 32 bytes."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes_raw()
    raw_public = private.public_key().public_bytes_raw()
    return base64.b64encode(raw_private).decode(), base64.b64encode(raw_public).decode()


def load_private_key(text: str) -> Ed25519PrivateKey:
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text.strip(), validate=True))
    except (ValueError, binascii.Error):
        raise BadSignature("the signing key is not a base64 Ed25519 private key") from None
