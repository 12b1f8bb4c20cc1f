"""Sage URL paths: built with every data segment percent-encoded, and checked before a call.

`sage_path("/v1/commitments", job, commitment_id, "items")` is the one way a path is built
from data: each segment after the literal base is encoded with nothing left safe, so a '/',
'?', '#', '%' or '..' in a value stays inside its segment. `Answer("name")` is a segment
filled later from an earlier step's answer (domain/export_plan.py `fill`, which encodes it too).

`sage_path_problem` is the activity's last check (defence in depth): a path must stay under
the API prefix `/v1/` after normalisation (of the path as sent and of its percent-decoded
form), hold only unreserved characters and percent escapes, no fragment, no encoded '/' or
'\\', no dot segments, plain or encoded; a query string only on a GET, as name=value pairs
whose values are percent-encoded.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

INVALID_PATH = "invalid_path"
"""The catalogue's code (domain/errors.py) for an ID this tool will not put in a Sage path."""
API_PREFIX = "/v1/"
PATH_MAX = 2048

_SEGMENT = re.compile(r"(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})+")
"""A path segment as `segment` writes it: unreserved characters and percent escapes."""
_QUERY_PAIR = re.compile(r"[a-z][a-z0-9_]*=(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})*")
_DOTS = {".": "%2E", "..": "%2E%2E"}


@dataclass(frozen=True)
class Answer:
    """A path segment taken from an earlier step's answer (a `{name}` placeholder)."""

    name: str


def segment(value: str) -> str:
    """One path segment holding `value`: percent-encoded with nothing left safe, and a
    segment of only dots ('.', '..') encoded too, so it can never walk up the path."""
    return _DOTS.get(value) or quote(value, safe="")


def sage_path(base: str, *segments: str | Answer) -> str:
    """`base` (a literal API path such as "/v1/commitments", never data) and the segments,
    each encoded (an `Answer` left as its `{name}` placeholder)."""
    if not base.startswith(API_PREFIX.rstrip("/")) or "?" in base or "#" in base:
        raise ValueError(f"a Sage path starts with {API_PREFIX}, not {base!r}")
    parts = [base.rstrip("/")]
    for part in segments:
        parts.append(f"{{{part.name}}}" if isinstance(part, Answer) else segment(part))
    return "/".join(parts)


def sage_search_path(base: str, **params: str) -> str:
    """A search: `base` with a query string whose values are percent-encoded."""
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in params.items())
    return f"{sage_path(base)}?{query}" if query else sage_path(base)


def sage_path_problem(path: object, method: str = "GET") -> str | None:
    """Why a path must not go to Sage, in plain words; None when it may."""
    if not isinstance(path, str) or not path:
        return "the Sage path is empty"
    if len(path) > PATH_MAX:
        return f"the Sage path is {len(path)} characters long (at most {PATH_MAX})"
    if "#" in path:
        return "the Sage path holds a '#'"
    shown = ascii(path[:120])
    route, mark, query = path.partition("?")
    if mark:
        if method != "GET":
            return f"the Sage path {shown} holds a '?': only a GET search takes a query"
        if not all(_QUERY_PAIR.fullmatch(pair) for pair in query.split("&")):
            return (
                f"the Sage path {shown} holds a query that is not name=value pairs with "
                "percent-encoded values"
            )
    if not route.startswith(API_PREFIX):
        return f"the Sage path {shown} is not under {API_PREFIX}"
    if "{" in route or "}" in route:
        return f"the Sage path {shown} holds a placeholder no earlier answer filled"
    for raw in route[1:].split("/"):
        if raw in ("", ".", ".."):
            return f"the Sage path {shown} has an empty or dot segment"
        if not _SEGMENT.fullmatch(raw):
            return f"the Sage path {shown} holds characters that must be percent-encoded"
        decoded = unquote(raw)
        if "/" in decoded or "\\" in decoded:
            return f"the Sage path {shown} holds an encoded '/' or '\\'"
        if not decoded.strip("."):
            return f"the Sage path {shown} has an encoded dot segment"
        if any(not ch.isprintable() for ch in decoded):
            return f"the Sage path {shown} holds an encoded control character"
    for form in (route, unquote(route)):
        if not posixpath.normpath(form).startswith(API_PREFIX):
            return f"the Sage path {shown} leaves {API_PREFIX} once normalised"
    return None
