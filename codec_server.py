"""The codec server: lets the Temporal Web UI (and `temporal --codec-endpoint`) show decrypted
payloads, without the keys ever leaving this process.

It speaks Temporal's remote codec protocol: `POST .../encode` and `POST .../decode`, each taking
and answering `{"payloads": [...]}` in protobuf JSON (metadata and data in base64), with the
namespace in the `X-Namespace` header. Browsers may call it only from the UI's origin (CORS),
and every call must carry the token: `Authorization: Bearer TOKEN`, or, for the Web UI, which
sends no Authorization header to an http:// endpoint, the token as the first path segment
(`--ui-codec-endpoint http://localhost:8234/TOKEN`), since the protocol looks only at the last
segment of the path.

    python codec_server.py --port 8234 --keys FILE --token TOKEN --ui-origin http://localhost:8233

Each flag falls back to an environment variable: ERP_CODEC_KEYS / ERP_CODEC_KEYS_FILE,
ERP_CODEC_TOKEN (better than --token, which `ps` shows), ERP_CODEC_UI_ORIGINS (comma-separated),
ERP_CODEC_NAMESPACES, ERP_CODEC_HOST, ERP_CODEC_PORT.
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

from codec import AesGcmCodec, CodecError, CodecKeys, InvalidKeys

DEFAULT_UI_ORIGIN = "http://localhost:8233"
MAX_BODY_BYTES = 32 * 1024 * 1024
TOKEN_ENV = "ERP_CODEC_TOKEN"


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def create_codec_app(
    keys: CodecKeys,
    token: str,
    ui_origins: Sequence[str] = (DEFAULT_UI_ORIGIN,),
    namespaces: Sequence[str] = ("default",),
) -> FastAPI:
    """The ASGI app; `namespaces` are the ones whose payloads it will encode or decode."""
    if not token:
        raise ValueError("the codec server needs a token")
    codec = AesGcmCodec(keys)
    token_digest = hashlib.sha256(token.encode()).digest()
    served = frozenset(namespaces)

    def token_matches(presented: str) -> bool:
        digest = hashlib.sha256(presented.encode()).digest()
        return hmac.compare_digest(digest, token_digest)

    def authorize(request: Request, capability: str | None) -> None:
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        by_header = scheme.lower() == "bearer" and token_matches(presented.strip())
        by_path = capability is not None and token_matches(capability)
        if not (by_header or by_path):
            raise _Refused(401, "a valid bearer token is required")
        namespace = request.headers.get("x-namespace")
        if namespace is not None and namespace not in served:
            names = ", ".join(sorted(served))
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

    async def convert(request: Request, capability: str | None, how: Convert) -> JSONResponse:
        try:
            authorize(request, capability)
            return answer(await how(await payloads_of(request)))
        except _Refused as refused:
            return JSONResponse({"message": str(refused)}, refused.status)
        except CodecError as err:
            return JSONResponse({"message": str(err)}, 400)

    app = FastAPI(title="ERP Export Orchestrator codec server", docs_url=None, redoc_url=None)

    @app.post("/encode")
    async def encode(request: Request) -> JSONResponse:
        return await convert(request, None, codec.encode)

    @app.post("/decode")
    async def decode(request: Request) -> JSONResponse:
        return await convert(request, None, codec.decode)

    @app.post("/{capability}/encode")
    async def encode_at(capability: str, request: Request) -> JSONResponse:
        return await convert(request, capability, codec.encode)

    @app.post("/{capability}/decode")
    async def decode_at(capability: str, request: Request) -> JSONResponse:
        return await convert(request, capability, codec.decode)

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
    parser = argparse.ArgumentParser(prog="codec_server.py", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=env("ERP_CODEC_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env("ERP_CODEC_PORT", "8234")))
    parser.add_argument("--keys", type=Path, metavar="FILE", help="key file (else the env)")
    parser.add_argument("--token", default=env(TOKEN_ENV), help=f"bearer token (or {TOKEN_ENV})")
    parser.add_argument(
        "--ui-origin",
        action="append",
        metavar="ORIGIN",
        help=f"origin allowed to call from a browser (repeatable; default {DEFAULT_UI_ORIGIN})",
    )
    parser.add_argument("--namespace", action="append", metavar="NS", help="default: default")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error(f"a token is required: --token or {TOKEN_ENV}")
    try:
        keys = CodecKeys.load(args.keys) if args.keys else CodecKeys.from_env()
    except InvalidKeys as err:
        parser.error(str(err))
    if keys is None:
        parser.error("no keys: --keys FILE, ERP_CODEC_KEYS or ERP_CODEC_KEYS_FILE")
    origins = args.ui_origin or _listed(env("ERP_CODEC_UI_ORIGINS")) or [DEFAULT_UI_ORIGIN]
    namespaces = args.namespace or _listed(env("ERP_CODEC_NAMESPACES")) or ["default"]
    app = create_codec_app(keys, args.token, origins, namespaces)
    print(
        f"codec server on http://{args.host}:{args.port} for {', '.join(origins)} "
        f"(namespaces: {', '.join(namespaces)}; keys: {', '.join(sorted(keys.keys))}, "
        f"current {keys.current})",
        flush=True,
    )
    # No access log: with the token in the path (the Web UI's way), a log line would show it.
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
