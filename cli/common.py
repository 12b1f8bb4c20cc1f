"""What every command of the command line shares: exit codes, one-line errors, files, Temporal."""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.settings import InvalidSettings, ProjectsFile, parse_projects
from domain.signing import BadSignature, load_private_key, sign
from domain.text import printable
from runtime.codec import InvalidKeys
from runtime.config import Config
from runtime.connection import connect

OK, REFUSED, USAGE, NO_SUCH_ITEM, UNREACHABLE = 0, 1, 2, 3, 4


def out(*parts: object, **kwargs: Any) -> None:
    """The one way the command line prints: text from callers (actors, comments, details,
    titles) never reaches the terminal raw; control characters are shown escaped (`\\x1b`)."""
    print(*(printable(part, keep_newlines=True) for part in parts), **kwargs)


class UserError(Exception):
    """A mistake or a refusal, shown as one line; `code` is the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def load_projects(path: Path) -> ProjectsFile:
    text = read_settings_text(path, "project settings")
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


async def open_client(cfg: Config) -> Client:
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


def read_settings_text(path: Path, what: str) -> str:
    """A settings file's text, or one line saying why it cannot be read."""
    try:
        return path.read_text()
    except OSError as err:
        raise UserError(f"{path}: cannot read {what} ({err.strerror})", USAGE) from None
    except UnicodeDecodeError as err:
        raise UserError(f"{path}: {what} are not UTF-8 text ({err.reason})", USAGE) from None


async def start_entity(
    client: Client,
    cfg: Config,
    run: Any,
    start: Any,
    wf_id: str,
    pairs: list[SearchAttributePair[Any]],
    summary: str,
) -> None:
    """Start a long-lived workflow (a project's or a Sage company's) unless it runs already."""
    try:
        await client.start_workflow(
            run,
            start,
            id=wf_id,
            task_queue=cfg.temporal_task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            search_attributes=TypedSearchAttributes(pairs),
            static_summary=summary,
        )
    except RPCError as err:
        raise rpc_error(err, wf_id) from None


async def execute_update(
    client: Client, wf_id: str, name: str, request: Any, result_type: type, label: str
) -> Any:
    """An update's answer; its refusal, a time-out or an RPC failure as one line (`label: ...`)."""
    handle = client.get_workflow_handle(wf_id)
    try:
        return await handle.execute_update(name, request, result_type=result_type)
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        message = cause.message if isinstance(cause, ApplicationError) else first_line(cause)
        raise UserError(f"{label}: {message}", REFUSED) from None
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        message = f"{label}: Temporal did not confirm the {name} in time (check again later)"
        raise UserError(message, UNREACHABLE) from None
    except RPCError as err:
        raise rpc_error(err, wf_id) from None


async def query_status(client: Client, wf_id: str, result_type: type, missing: str) -> Any:
    """A workflow's `status` query; `missing` says what to do when there is no such workflow."""
    try:
        return await client.get_workflow_handle(wf_id).query("status", result_type=result_type)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise UserError(missing, NO_SUCH_ITEM) from None
        raise rpc_error(err, wf_id) from None


# --- signing ---


def signing_key_file(args: argparse.Namespace) -> Path | None:
    if getattr(args, "key", None):
        return Path(args.key)
    if os.environ.get("ERP_SIGNING_KEY"):
        return Path(os.environ["ERP_SIGNING_KEY"])
    folder = os.environ.get("ERP_SIGNING_KEYS_DIR")
    if folder and (Path(folder) / f"{args.actor}.key").exists():
        return Path(folder) / f"{args.actor}.key"
    return None


def signed(args: argparse.Namespace, item: str, command: str, request: Any) -> Any:
    """The request with its signature, when the user has a key; unchanged otherwise."""
    path = signing_key_file(args)
    if path is None:
        return request
    try:
        key = load_private_key(path.read_text())
    except OSError as err:
        raise UserError(f"{path}: cannot read the signing key ({err.strerror})", USAGE) from None
    except BadSignature as err:
        raise UserError(f"{path}: {err}", USAGE) from None
    when = datetime.now(UTC)
    signature = sign(key, item, command, request.signed_arguments(), when)
    return request.model_copy(update={"signature": signature})
