"""`python -m web`: serve the approvers' page (host, port and the rest from ERP_WEB_*).

`python -m web passwords set USER` sets a user's password, read from stdin (asked twice on a
terminal; never on the command line, where `ps` would show it).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from web.auth import Users, UsersFileError
from web.config import WebConfig


def set_password(cfg: WebConfig, user: str) -> int:
    if sys.stdin.isatty():
        password = getpass.getpass(f"new password for {user}: ")
        if getpass.getpass("again: ") != password:
            print("the passwords differ; nothing changed", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        Users(cfg.users_file).set_password(user, password)
    except (ValueError, UsersFileError) as err:
        print(f"{user}: {err}", file=sys.stderr)
        return 2
    print(f"{user}: password set in {cfg.users_file}")
    return 0


def serve(cfg: WebConfig) -> int:
    import uvicorn

    from runtime import logs
    from runtime.config import config
    from web.app import create_app

    runtime = config()
    logs.configure(runtime.log_level, runtime.log_format)
    uvicorn.run(create_app(cfg), host=cfg.host, port=cfg.port, log_level="warning")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="serve the page (the default)")
    passwords = sub.add_parser("passwords", help="manage the users file")
    pw_sub = passwords.add_subparsers(dest="action", required=True)
    setter = pw_sub.add_parser("set", help="set USER's password, read from stdin")
    setter.add_argument("user")
    args = parser.parse_args(argv)
    from runtime.config import apply_local_env

    apply_local_env()  # after `make run`: .data/demo.env names the users file
    cfg = WebConfig()
    if args.command == "passwords":
        return set_password(cfg, args.user)
    return serve(cfg)


if __name__ == "__main__":
    sys.exit(main())
