"""`python -m sage_mock`: serve the mock on loopback until interrupted.

Each flag falls back to an environment variable, so a compose file or a test can
configure it either way.
"""

import argparse
import os
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
        "--api-key", default=env("SAGE_API_KEY"), help="bearer key callers must present"
    )
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
    if not args.api_key:
        parser.error("an API key is required: --api-key or SAGE_API_KEY")
    return MockConfig(
        host=args.host,
        port=args.port,
        db_path=args.db,
        api_key=args.api_key,
        rate_limit=args.rate_limit,
        rate_window_seconds=args.rate_window,
        auto_post_seconds=args.auto_post_seconds,
    )


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
    )
    try:
        app, host, port = create_app(config), config.host, config.port
    except DatabaseTooOld as error:
        raise SystemExit(f"sage_mock: {error}") from None
    del config  # the raw API key goes with it: the app keeps only its salted hash
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
