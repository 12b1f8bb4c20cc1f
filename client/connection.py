"""A client for people's tools: Temporal unreachable or keys unusable is a user error."""

from __future__ import annotations

from temporalio.client import Client

from client.errors import UNREACHABLE, USAGE, UserError, first_line
from runtime.codec import InvalidKeys
from runtime.config import Config
from runtime.connection import connect


async def open_client(cfg: Config) -> Client:
    try:
        return await connect(cfg)
    except InvalidKeys as err:
        raise UserError(f"payload encryption keys: {err}", USAGE) from None
    except (RuntimeError, OSError) as err:
        raise UserError(
            f"cannot reach Temporal at {cfg.temporal_address} ({first_line(err)})", UNREACHABLE
        ) from None
