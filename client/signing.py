"""Commands signed on a user's behalf: with their private key, over the workflow's ID."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from client.errors import USAGE, UserError
from domain.signing import BadSignature, load_private_key, sign


def key_file(actor: str, explicit: str | None = None) -> Path | None:
    """The user's key: `explicit`, else $ERP_SIGNING_KEY, else $ERP_SIGNING_KEYS_DIR/USER.key."""
    if explicit:
        return Path(explicit)
    if os.environ.get("ERP_SIGNING_KEY"):
        return Path(os.environ["ERP_SIGNING_KEY"])
    folder = os.environ.get("ERP_SIGNING_KEYS_DIR")
    if folder and (Path(folder) / f"{actor}.key").exists():
        return Path(folder) / f"{actor}.key"
    return None


def signed(request: Any, item: str, command: str, path: Path | None) -> Any:
    """The request with its signature when there is a key at `path`; unchanged otherwise."""
    if path is None:
        return request
    try:
        key = load_private_key(path.read_text())
    except OSError as err:
        raise UserError(f"{path}: cannot read the signing key ({err.strerror})", USAGE) from None
    except BadSignature as err:
        raise UserError(f"{path}: {err}", USAGE) from None
    signature = sign(key, item, command, request.signed_arguments(), datetime.now(UTC))
    return request.model_copy(update={"signature": signature})
