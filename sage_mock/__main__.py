"""`python -m sage_mock`: serve the mock on loopback until interrupted.

Each flag falls back to an environment variable, so a compose file or a test can
configure it either way. The keys are never flags (a command line shows in `ps`): each comes
from the environment (`SAGE_API_KEY`, `SAGE_ADMIN_KEY`) or from a file only its owner can read
(`--api-key-file`, `--admin-key-file`, or `SAGE_API_KEY_FILE`, `SAGE_ADMIN_KEY_FILE`).
Without an admin key the admin API is off.
"""

import argparse
import os
from argparse import SUPPRESS
from collections.abc import Sequence
from pathlib import Path

import structlog
import uvicorn

from sage_mock.app import create_app
from sage_mock.config import MockConfig
from sage_mock.log import configure_logging
from sage_mock.records.companies import DatabaseTooOld


def parse_config(argv: Sequence[str] | None = None) -> MockConfig:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m sage_mock", description=__doc__)
    parser.add_argument("--host", default=env("SAGE_MOCK_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env("SAGE_MOCK_PORT", "8765")))
    parser.add_argument("--db", type=Path, default=Path(env("SAGE_MOCK_DB", ".data/sage.sqlite")))
    parser.add_argument(
        "--api-key-file",
        type=Path,
        default=env("SAGE_API_KEY_FILE"),
        help="file holding the API key (else $SAGE_API_KEY)",
    )
    parser.add_argument(
        "--admin-key-file",
        type=Path,
        default=env("SAGE_ADMIN_KEY_FILE"),
        help="file holding the admin key (else $SAGE_ADMIN_KEY; neither: the admin API is off)",
    )
    for gone in ("--api-key", "--admin-key"):
        parser.add_argument(gone, dest=f"refused_{gone[2:].replace('-', '_')}", help=SUPPRESS)
    parser.add_argument(
        "--rate-limit", type=int, default=int(env("SAGE_RATE_LIMIT_PER_HOUR", "3600"))
    )
    parser.add_argument(
        "--rate-window", type=float, default=float(env("SAGE_RATE_WINDOW_SECONDS", "3600"))
    )
    parser.add_argument(
        "--auto-post-seconds", type=float, default=float(env("SAGE_AUTO_POST_SECONDS", "5"))
    )
    args = parser.parse_args(argv)
    for flag in ("api_key", "admin_key"):
        if getattr(args, f"refused_{flag}") is not None:
            name = flag.replace("_", "-")
            parser.error(
                f"--{name} is refused: a key on a command line shows in `ps`; set "
                f"SAGE_{flag.upper()} or use --{name}-file"
            )
    api_key = _key(parser, args.api_key_file, env("SAGE_API_KEY"), "--api-key-file")
    if not api_key:
        parser.error("an API key is required: SAGE_API_KEY or --api-key-file")
    admin_key = _key(parser, args.admin_key_file, env("SAGE_ADMIN_KEY"), "--admin-key-file")
    if admin_key and admin_key == api_key:
        parser.error("the admin key must differ from the API key")
    return MockConfig(
        host=args.host,
        port=args.port,
        db_path=args.db,
        api_key=api_key,
        admin_key=admin_key or None,
        rate_limit=args.rate_limit,
        rate_window_seconds=args.rate_window,
        auto_post_seconds=args.auto_post_seconds,
    )


def _key(
    parser: argparse.ArgumentParser, path: Path | None, from_env: str | None, flag: str
) -> str | None:
    """The key from its file (first line, stripped) if one is named, else from the environment."""
    if path is None:
        return from_env
    try:
        lines = path.read_text().splitlines()
    except OSError as err:
        parser.error(f"{flag} {path}: {err.strerror}")
    return lines[0].strip() if lines else None


def main(argv: Sequence[str] | None = None) -> None:
    config = parse_config(argv)
    configure_logging()
    structlog.get_logger("sage_mock").info(
        "sage_mock_starting",
        host=config.host,
        port=config.port,
        db=str(config.db_path),
        rate_limit=config.rate_limit,
        rate_window_seconds=config.rate_window_seconds,
        auto_post_seconds=config.auto_post_seconds,
        admin_api="on" if config.admin_key else "off (no SAGE_ADMIN_KEY)",
    )
    try:
        app, host, port = create_app(config), config.host, config.port
    except DatabaseTooOld as error:
        raise SystemExit(f"sage_mock: {error}") from None
    del config  # the raw keys go with it: the app keeps only their salted hashes
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,  # keep our structlog handlers
            access_log=False,  # the gateway logs each call, without headers
        )
    )
    server.run()


if __name__ == "__main__":
    main()
