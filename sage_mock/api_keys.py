"""The API key callers must present, held only as a salted hash.

The raw key is read once at startup (flag or environment), hashed here, and dropped from
the config the app keeps: a memory dump, a printed config or the SQLite file never shows it.
HMAC-SHA-256 under a random per-process salt rather than a slow KDF: the key is a long random
secret, not a password, and every request checks it.
"""

import hashlib
import hmac
import secrets


class ApiKeyHash:
    def __init__(self, api_key: str) -> None:
        if not api_key:
            raise ValueError("an API key is required")
        self._salt = secrets.token_bytes(32)
        self._digest = self._hash(api_key)

    def matches(self, presented: str) -> bool:
        """Whether `presented` is the key; the comparison takes the same time either way."""
        return hmac.compare_digest(self._hash(presented), self._digest)

    def _hash(self, key: str) -> bytes:
        return hmac.new(self._salt, key.encode(), hashlib.sha256).digest()

    def __repr__(self) -> str:
        return "ApiKeyHash(<salted HMAC-SHA-256>)"
