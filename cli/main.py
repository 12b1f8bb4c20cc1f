"""The operator and approver command line (DESIGN.md "The command line"): the parser, and the
one place a command's failure becomes a line on stderr and an exit code.

Exit codes: 0 done; 1 refused by the item (wrong state, missing permission, failed rule);
2 bad usage or an invalid file; 3 no such item; 4 Temporal or Sage cannot be reached.
A user's mistake prints one clear line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from cli import (
    admin,
    budgets,
    company,
    direct_costs,
    doctor,
    duplicates,
    items,
    jobs,
    links,
    paid_invoices,
    pay_apps,
    prime_contracts,
    report,
    schedules,
    sub_jobs,
)
from cli.common import Handler
from cli.output import out
from client.errors import USAGE, UserError
from runtime import logs
from runtime.codec import CodecError
from runtime.config import config

DESCRIPTION = 'The operator and approver command line (DESIGN.md "The command line").'

SUBJECTS = (
    items,
    prime_contracts,
    schedules,
    admin,
    jobs,
    company,
    doctor,
    duplicates,
    report,
    sub_jobs,
    budgets,
    links,
    direct_costs,
    paid_invoices,
    pay_apps,
)
"""Each registers its commands (`add_commands`): items, prime contracts, the sync schedule,
settings/keys/setup, the import direction of a project, the Sage company's."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # usage errors: one line and exit code 2
        self.print_usage(sys.stderr)
        out(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="starter.py", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    for subject in SUBJECTS:
        subject.add_commands(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        cfg = config()
    except ValidationError as err:
        out(f"error: configuration from the environment: {err}", file=sys.stderr)
        return USAGE
    logs.configure(cfg.log_level if cfg.log_level.upper() != "INFO" else "WARNING", cfg.log_format)
    try:
        return asyncio.run(args.handler(args, cfg))
    except UserError as err:
        out(f"error: {err}", file=sys.stderr)
        return err.code
    except CodecError as err:
        out(f"error: cannot decrypt the item's data: {err}", file=sys.stderr)
        return USAGE
    except KeyError as err:
        if "payload encoding" not in str(err):
            raise
        out(
            "error: the item's data is encrypted; set ERP_CODEC_KEYS_FILE (or ERP_CODEC_KEYS) "
            "to the keys the worker uses (after make run, starter.py reads them from "
            ".data/demo.env unless ERP_ENV_FILE names another file or is empty)",
            file=sys.stderr,
        )
        return USAGE
    except KeyboardInterrupt:
        return 130
