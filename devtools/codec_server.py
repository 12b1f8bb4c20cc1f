"""The codec server: lets the Temporal Web UI (and `temporal --codec-endpoint`) show decrypted
payloads, without the keys ever leaving this process.

It speaks Temporal's remote codec protocol: `POST /encode` and `POST /decode`, each taking and
answering `{"payloads": [...]}` in protobuf JSON (metadata and data in base64), with the
namespace in the `X-Namespace` header.

What protects it (docs/security.md says the same):
- it listens on 127.0.0.1 (`--host`): only processes on this machine reach it;
- every call must name a namespace it serves in `X-Namespace` (400 without it, 403 for
  another): a bare form post or a cross-site "simple" request cannot carry that header, and
  a page that adds it needs a CORS preflight, which only the UI's origin passes;
- a call carrying an `Origin` (every browser's POST does) must come from the UI's origin
  (`--ui-origin`), whatever CORS says; so another web page, or a DNS-rebound name, is refused.
There is no token on the UI's path: the Temporal UI sends no Authorization header to a codec
endpoint of its own accord, and a token in the endpoint's URL is shown to every UI visitor (the
UI's codec settings dialog), so it would protect nothing. Whoever can use the UI, or run a
program on this machine, can decode: the UI is as trusted as the keys. With `ERP_CODEC_TOKEN`
set, every call must also carry `Authorization: Bearer TOKEN`: for callers that can send it
(`temporal --codec-auth`, a proxy that authenticates people first), never for the bare UI.

    python -m devtools.codec_server --port 8234 --keys FILE --ui-origin http://localhost:8233

Each flag falls back to an environment variable: ERP_CODEC_KEYS / ERP_CODEC_KEYS_FILE,
ERP_CODEC_UI_ORIGINS (comma-separated), ERP_CODEC_NAMESPACES, ERP_CODEC_HOST, ERP_CODEC_PORT;
the token is read from ERP_CODEC_TOKEN only (a command line shows in `ps`).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from google.protobuf.json_format import MessageToDict, ParseDict, ParseError
from starlette.middleware.cors import CORSMiddleware
from temporalio.api.common.v1 import Payload, Payloads

from runtime.codec import AesGcmCodec, CodecError, CodecKeys, InvalidKeys

DEFAULT_UI_ORIGIN = "http://localhost:8233"
MAX_BODY_BYTES = 32 * 1024 * 1024
TOKEN_ENV = "ERP_CODEC_TOKEN"


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def create_codec_app(
    keys: CodecKeys,
    token: str | None = None,
    ui_origins: Sequence[str] = (DEFAULT_UI_ORIGIN,),
    namespaces: Sequence[str] = ("default",),
) -> FastAPI:
    """The ASGI app; `namespaces` are the ones whose payloads it will encode or decode, and
    `token`, when given, a bearer token every call must also present."""
    codec = AesGcmCodec(keys)
    token_digest = hashlib.sha256(token.encode()).digest() if token else None
    served = frozenset(namespaces)
    origins = frozenset(ui_origins)

    def token_matches(presented: str) -> bool:
        digest = hashlib.sha256(presented.encode()).digest()
        return token_digest is not None and hmac.compare_digest(digest, token_digest)

    def authorize(request: Request) -> None:
        origin = request.headers.get("origin")
        if origin is not None and origin not in origins:
            raise _Refused(403, f"origin {origin!r} may not call the codec server")
        if token_digest is not None:
            scheme, _, presented = request.headers.get("authorization", "").partition(" ")
            if not (scheme.lower() == "bearer" and token_matches(presented.strip())):
                raise _Refused(401, "a valid bearer token is required")
        namespace = request.headers.get("x-namespace")
        names = ", ".join(sorted(served))
        if not namespace:
            raise _Refused(400, f"the X-Namespace header is required (serves: {names})")
        if namespace not in served:
            raise _Refused(403, f"namespace {namespace!r} is not served here (serves: {names})")

    async def payloads_of(request: Request) -> list[Payload]:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            raise _Refused(413, f"body larger than {MAX_BODY_BYTES} bytes")
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ParseError("expected a JSON object")
            return list(ParseDict(data, Payloads(), ignore_unknown_fields=True).payloads)
        except (ValueError, ParseError) as err:  # JSONDecodeError is a ValueError
            first = (str(err).splitlines() or ["malformed"])[0]
            raise _Refused(
                400, f'expected {{"payloads": [...]}} in protobuf JSON ({first})'
            ) from None

    def answer(payloads: Sequence[Payload]) -> JSONResponse:
        return JSONResponse({"payloads": [MessageToDict(p) for p in payloads]})

    Convert = Callable[[Sequence[Payload]], Awaitable[list[Payload]]]

    async def convert(request: Request, how: Convert) -> JSONResponse:
        try:
            authorize(request)
            return answer(await how(await payloads_of(request)))
        except _Refused as refused:
            return JSONResponse({"message": str(refused)}, refused.status)
        except CodecError as err:
            return JSONResponse({"message": str(err)}, 400)

    app = FastAPI(title="ERP Export Orchestrator codec server", docs_url=None, redoc_url=None)

    @app.post("/encode")
    async def encode(request: Request) -> JSONResponse:
        return await convert(request, codec.encode)

    @app.post("/decode")
    async def decode(request: Request) -> JSONResponse:
        return await convert(request, codec.decode)

    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(ui_origins),
        allow_methods=["POST"],
        allow_headers=["Authorization", "Content-Type", "X-Namespace"],
        allow_credentials=True,
        max_age=600,
    )
    return app


def _listed(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog="python -m devtools.codec_server", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--host", default=env("ERP_CODEC_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env("ERP_CODEC_PORT", "8234")))
    parser.add_argument("--keys", type=Path, metavar="FILE", help="key file (else the env)")
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument(
        "--ui-origin",
        action="append",
        metavar="ORIGIN",
        help=f"origin allowed to call from a browser (repeatable; default {DEFAULT_UI_ORIGIN})",
    )
    parser.add_argument("--namespace", action="append", metavar="NS", help="default: default")
    args = parser.parse_args(argv)
    if args.token is not None:
        parser.error(f"--token is refused: a command line shows in `ps`; set {TOKEN_ENV}")
    try:
        keys = CodecKeys.load(args.keys) if args.keys else CodecKeys.from_env()
    except InvalidKeys as err:
        parser.error(str(err))
    if keys is None:
        parser.error("no keys: --keys FILE, ERP_CODEC_KEYS or ERP_CODEC_KEYS_FILE")
    origins = args.ui_origin or _listed(env("ERP_CODEC_UI_ORIGINS")) or [DEFAULT_UI_ORIGIN]
    namespaces = args.namespace or _listed(env("ERP_CODEC_NAMESPACES")) or ["default"]
    token = env(TOKEN_ENV) or None
    app = create_codec_app(keys, token, origins, namespaces)
    print(
        f"codec server on http://{args.host}:{args.port} for {', '.join(origins)} "
        f"(namespaces: {', '.join(namespaces)}; keys: {', '.join(sorted(keys.keys))}, "
        f"current {keys.current}; bearer token {'required' if token else 'not required'})",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
