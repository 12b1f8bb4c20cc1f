"""`starter.py doctor`: every check with what it found and, for a failure, its fix in one
line; exit 0 only when all pass (client/doctor.py)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from cli.output import out
from client.doctor import run_checks
from client.errors import OK, REFUSED
from runtime.config import Config


async def cmd_doctor(args: argparse.Namespace, cfg: Config) -> int:
    checks = await run_checks(cfg)
    failed = [check for check in checks if not check.ok]
    if args.json:
        out(json.dumps([check.__dict__ for check in checks], indent=2))
    else:
        for check in checks:
            out(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.found}")
            if not check.ok and check.fix:
                out(f"     fix: {check.fix}")
        out(f"{len(checks) - len(failed)} of {len(checks)} checks pass")
    return REFUSED if failed else OK


def add_commands(command: Any) -> None:
    p = command(
        "doctor",
        cmd_doctor,
        "check Temporal, Sage, keys, quota and the settings' Sage IDs; each failure with its fix",
    )
    p.add_argument("--json", action="store_true")
