"""What every command of the command line shares: item files, `--as` and signing. The one
output path is cli/output.py; talking to Temporal and the failures' mapping are the client
layer's (client/)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from temporalio.client import Client

from client.entities import project_command
from client.errors import USAGE, UserError, first_line
from client.signing import key_file
from client.signing import signed as signed_request
from contract import erp_project as ep
from domain.items import InvalidItem, ItemBase, describe_validation_error, parse_item
from runtime.config import Config

Request = TypeVar("Request", bound=BaseModel)

Handler = Callable[[argparse.Namespace, Config], Awaitable[int]]
"""A command: its parsed arguments and the process configuration in, the exit code out."""


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except OSError as err:
        raise UserError(f"{path}: cannot read ({err.strerror})", USAGE) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise UserError(f"{path}: not valid JSON ({err})", USAGE) from None
    except (ValueError, RecursionError) as err:  # a number of 5,000 digits; [[[[... nested
        raise UserError(f"{path}: not usable JSON ({first_line(err)})", USAGE) from None


def read_item(path: Path) -> ItemBase:
    try:
        return parse_item(read_json(path))
    except InvalidItem as err:
        raise UserError(f"{path}: {err}", USAGE) from None


def item_files(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix == ".json"))
        elif path.exists():
            files.append(path)
        else:
            raise UserError(f"{path}: no such file or folder", USAGE)
    if not files:
        raise UserError("no item files (*.json) found in " + ", ".join(paths), USAGE)
    return files


def add_actor(p: argparse.ArgumentParser, required: bool = True) -> None:
    """`--as USER` and `--key FILE`: who acts, and the key they sign with."""
    p.add_argument("--as", dest="actor", required=required, metavar="USER")
    add_key(p)


def add_key(p: argparse.ArgumentParser) -> None:
    """`--key FILE`, for a command whose `--as` is declared with its own help."""
    p.add_argument(
        "--key",
        metavar="FILE",
        help="sign the command with this private key (default: $ERP_SIGNING_KEY, "
        "or $ERP_SIGNING_KEYS_DIR/USER.key)",
    )


def request_as(model: type[Request], actor: str, **fields: Any) -> Request:
    """`model(actor=actor, **fields)`; a careless `--as` (empty, too long, control characters)
    is one usage line, before any connection."""
    try:
        return model(actor=actor, **fields)
    except ValidationError as err:
        raise UserError(f"--as: {describe_validation_error(err)}", USAGE) from None


def signing_key_file(args: argparse.Namespace) -> Path | None:
    return key_file(args.actor, getattr(args, "key", None))


def signed(args: argparse.Namespace, item: str, command: str, request: Any) -> Any:
    """The request with its signature, when the user (`--as`) has a key; unchanged otherwise."""
    return signed_request(request, item, command, signing_key_file(args))


async def project_update(
    client: Client, args: argparse.Namespace, name: str, request: BaseModel
) -> ep.ProjectRecord:
    """A command of the project's ErpProject (`args.project`), signed when `--as` has a key:
    the workflow checks both against the roster it holds."""
    wf_id = ep.workflow_id(args.project)
    return await project_command(client, args.project, name, signed(args, wf_id, name, request))
