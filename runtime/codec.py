"""Payload encryption: what Temporal stores of an item is ciphertext, readable only with our keys.

Every payload the worker and the starter send (workflow input, signals, updates, results,
summaries, failure messages) is AES-256-GCM encrypted by `AesGcmCodec` before it leaves the
process. The key ID travels in the payload's metadata, so keys can rotate: new data is
encrypted with the *current* key, and any key still in the key set decrypts what it
encrypted. Keys come from a JSON file or the environment:

    {"current": "k2", "keys": {"k1": "<base64 of 32 bytes>", "k2": "<base64 of 32 bytes>"}}

`ERP_CODEC_KEYS` holds that JSON itself, `ERP_CODEC_KEYS_FILE` a path to it. Neither set:
no encryption (the plain pydantic converter), so tests and old histories keep working.

    python -m runtime.codec rotate FILE   # create FILE with a first key, or add one, made current
"""

from __future__ import annotations

import argparse
import base64
import binascii
import dataclasses
import json
import os
import re
import secrets
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
)

ENCODING = b"binary/encrypted"
"""The `encoding` metadata of an encrypted payload (the name Temporal's samples use)."""
KEY_ID = "encryption-key-id"
"""Metadata entry naming the key that encrypted the payload."""
KEYS_ENV = "ERP_CODEC_KEYS"
KEYS_FILE_ENV = "ERP_CODEC_KEYS_FILE"
KEY_BYTES = 32
NONCE_BYTES = 12
_KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class CodecError(ValueError):
    """A payload that cannot be decrypted; the message says which key or why."""


class UnknownKeyId(CodecError):
    pass


class InvalidKeys(ValueError):
    """A key file or variable that does not hold a usable key set; the message says where."""


@dataclass(frozen=True)
class CodecKeys:
    """A key set: every key that may still decrypt, and the one that encrypts."""

    current: str
    keys: Mapping[str, bytes]

    def __post_init__(self) -> None:
        for key_id, key in self.keys.items():
            if not _KEY_ID_PATTERN.match(key_id):
                raise InvalidKeys(f"key ID {key_id!r}: use 1-64 letters, digits, '.', '_' or '-'")
            if len(key) != KEY_BYTES:
                raise InvalidKeys(f"key {key_id!r}: must be {KEY_BYTES} bytes, not {len(key)}")
        if self.current not in self.keys:
            known = ", ".join(sorted(self.keys)) or "none"
            raise InvalidKeys(f"current key {self.current!r} is not in the key set ({known})")

    def __repr__(self) -> str:  # never print key material
        return f"CodecKeys(current={self.current!r}, ids={sorted(self.keys)!r})"

    @classmethod
    def parse(cls, text: str, source: str) -> CodecKeys:
        """Read the JSON form; `source` names where it came from in every error."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidKeys(f"{source}: not valid JSON ({err})") from None
        if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
            raise InvalidKeys(f'{source}: expected {{"current": ID, "keys": {{ID: base64}}}}')
        current = data.get("current")
        if not isinstance(current, str):
            raise InvalidKeys(f"{source}: 'current' must name one of the keys")
        keys: dict[str, bytes] = {}
        for key_id, encoded in data["keys"].items():
            try:
                keys[key_id] = base64.b64decode(str(encoded), validate=True)
            except (binascii.Error, ValueError):
                raise InvalidKeys(f"{source}: key {key_id!r} is not base64") from None
        try:
            return cls(current=current, keys=keys)
        except InvalidKeys as err:
            raise InvalidKeys(f"{source}: {err}") from None

    @classmethod
    def load(cls, path: Path) -> CodecKeys:
        try:
            text = path.read_text()
        except OSError as err:
            raise InvalidKeys(f"{path}: cannot read the key file ({err.strerror})") from None
        return cls.parse(text, str(path))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> CodecKeys | None:
        """`ERP_CODEC_KEYS` (the JSON) or `ERP_CODEC_KEYS_FILE` (a path); None if neither."""
        env = os.environ if environ is None else environ
        inline, path = env.get(KEYS_ENV), env.get(KEYS_FILE_ENV)
        if inline and path:
            raise InvalidKeys(f"set {KEYS_ENV} or {KEYS_FILE_ENV}, not both")
        if inline:
            return cls.parse(inline, KEYS_ENV)
        if path:
            return cls.load(Path(path))
        return None

    def to_json(self) -> str:
        encoded = {key_id: base64.b64encode(key).decode() for key_id, key in self.keys.items()}
        return json.dumps({"current": self.current, "keys": encoded}, indent=2) + "\n"

    def rotated(self) -> CodecKeys:
        """A new random key, made current; the old ones stay to decrypt what they encrypted."""
        number = len(self.keys) + 1
        while f"k{number}" in self.keys:
            number += 1
        new_id = f"k{number}"
        return CodecKeys(current=new_id, keys={**self.keys, new_id: secrets.token_bytes(KEY_BYTES)})

    @classmethod
    def generate(cls) -> CodecKeys:
        return cls(current="k1", keys={"k1": secrets.token_bytes(KEY_BYTES)})


class AesGcmCodec(PayloadCodec):
    """AES-256-GCM over the whole serialized payload (data and metadata alike).

    The key ID is bound to the ciphertext as associated data, so a payload relabelled with
    another key ID fails authentication instead of decrypting to garbage. A payload that is
    not encrypted passes through decode unchanged: histories written before encryption was
    turned on stay readable.
    """

    def __init__(self, keys: CodecKeys) -> None:
        self._keys = keys
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.keys.items()}

    @property
    def key_ids(self) -> list[str]:
        return sorted(self._ciphers)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(p) for p in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        key_id = self._keys.current
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._ciphers[key_id].encrypt(nonce, payload.SerializeToString(), key_id.encode())
        return Payload(
            metadata={"encoding": ENCODING, KEY_ID: key_id.encode()}, data=nonce + sealed
        )

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        key_id = payload.metadata.get(KEY_ID, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            known = ", ".join(self.key_ids)
            raise UnknownKeyId(
                f"payload encrypted with key ID {key_id!r}, which is not in the key set "
                f"(known: {known}); add that key to {KEYS_ENV} or the key file"
            )
        data = payload.data
        try:
            plain = cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], key_id.encode())
        except (InvalidTag, ValueError):  # ValueError: too short to hold a nonce
            raise CodecError(
                f"payload encrypted with key ID {key_id!r} failed authentication: "
                "it was altered, or the key under that ID is not the one that encrypted it"
            ) from None
        return Payload.FromString(plain)


def data_converter(keys: CodecKeys | None) -> DataConverter:
    """The pydantic converter, encrypting payloads and failure messages when keys are given."""
    if keys is None:
        return pydantic_data_converter
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=AesGcmCodec(keys),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


def write_keys(path: Path, keys: CodecKeys) -> None:
    """Write a key file readable by its owner only (created with mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(keys.to_json())
    os.replace(tmp, path)


def ensure_keys(path: Path) -> CodecKeys:
    """The key set in `path`, created with one fresh key if the file does not exist yet."""
    if not path.exists():
        write_keys(path, CodecKeys.generate())
    return CodecKeys.load(path)


def rotate_keys(path: Path) -> CodecKeys:
    """Add a fresh key to `path` and make it current (or create the file with a first key)."""
    keys = CodecKeys.load(path).rotated() if path.exists() else CodecKeys.generate()
    write_keys(path, keys)
    return keys


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m runtime.codec", description="payload encryption keys"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rotate = sub.add_parser(
        "rotate", help="create FILE, or add a new key to it and make it current"
    )
    rotate.add_argument("file", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    try:
        keys = rotate_keys(args.file)
    except InvalidKeys as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{args.file}: current key is now {keys.current} (keys: {', '.join(sorted(keys.keys))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
