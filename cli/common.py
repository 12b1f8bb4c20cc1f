"""What every command of the command line shares: exit codes, one-line errors, files, Temporal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from codec import InvalidKeys
from config import Settings
from domain.settings import InvalidSettings, ProjectsFile, parse_projects
from temporal_client import connect

OK, REFUSED, USAGE, NO_SUCH_ITEM, UNREACHABLE = 0, 1, 2, 3, 4


class UserError(Exception):
    """A mistake or a refusal, shown as one line; `code` is the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def load_projects(path: Path) -> ProjectsFile:
    try:
        text = path.read_text()
    except OSError as err:
        raise UserError(f"{path}: cannot read project settings ({err.strerror})", USAGE) from None
    except UnicodeDecodeError as err:
        message = f"{path}: project settings are not UTF-8 text ({err.reason})"
        raise UserError(message, USAGE) from None
    try:
        return parse_projects(text)
    except InvalidSettings as err:
        raise UserError(f"{path}: {err}", USAGE) from None


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except OSError as err:
        raise UserError(f"{path}: cannot read ({err.strerror})", USAGE) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise UserError(f"{path}: not valid JSON ({err})", USAGE) from None
    except (ValueError, RecursionError) as err:  # a number of 5,000 digits; [[[[... nested
        raise UserError(f"{path}: not usable JSON ({first_line(err)})", USAGE) from None


async def open_client(cfg: Settings) -> Client:
    try:
        return await connect(cfg)
    except InvalidKeys as err:
        raise UserError(f"payload encryption keys: {err}", USAGE) from None
    except (RuntimeError, OSError) as err:
        raise UserError(
            f"cannot reach Temporal at {cfg.temporal_address} ({first_line(err)})", UNREACHABLE
        ) from None


def first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0]


def rpc_error(err: RPCError, item: str) -> UserError:
    if err.status == RPCStatusCode.NOT_FOUND:
        return UserError(f"no such item: {item} ({err.message})", NO_SUCH_ITEM)
    if err.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
        return UserError(f"cannot reach Temporal ({err.message})", UNREACHABLE)
    return UserError(f"{item}: Temporal refused the call ({err.message})", REFUSED)
