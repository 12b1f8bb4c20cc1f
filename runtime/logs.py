"""structlog for everything outside workflow code: JSON off a terminal, readable on one.

Standard-library records (Temporal's own, and `workflow.logger`, which the SDK keeps quiet
during replay so no line is written twice) go through the same processors. Secrets never
reach a log line: keys that look like credentials are redacted wherever they appear.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

_SECRET_WORD = (
    r"(?:authorization|api[_-]?key|(?:private|signing|codec)[_-]?keys?"
    r"|password|passwd|secret|token)"
)
_SECRET_KEY = re.compile(_SECRET_WORD, re.I)
_SECRET_NAME = rf"[\w-]*{_SECRET_WORD}[\w-]*"
_SCHEME = r"(?:bearer|basic|token)\s+"
_NOT_DONE = r"(?!\[redacted\])"
_SECRET_VALUE = r"(?:\{[^}]*\}|[^\s\"',;&}\]]+)"  # a JSON object, or up to a delimiter
# `api_key=...`, `"password": "..."`, `Authorization: Bearer ...` inside free text.
_SECRET_ASSIGNMENT = re.compile(
    rf"(?P<prefix>{_SECRET_NAME}[\"']?\s*[:=]\s*[\"']?(?:{_SCHEME})?){_NOT_DONE}{_SECRET_VALUE}",
    re.I,
)
_BEARER = re.compile(rf"(?P<prefix>\bbearer\s+){_NOT_DONE}{_SECRET_VALUE}", re.I)
REDACTED = "[redacted]"


def redact_text(text: str) -> str:
    """Credentials written into a message, a URL or an exception's text become [redacted]."""
    text = _SECRET_ASSIGNMENT.sub(rf"\g<prefix>{REDACTED}", text)
    return _BEARER.sub(rf"\g<prefix>{REDACTED}", text)


def _redact_value(key: str, value: Any) -> Any:
    if _SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        if len(value) == 2 and isinstance(value, tuple) and isinstance(value[0], str):
            return (value[0], _redact_value(value[0], value[1]))  # a (header, value) pair
        return [_redact_value("", item) for item in value]
    return value


def redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A structlog processor: credentials in keys, values, nested structures and text (Bearer
    tokens, `api_key=...`) become [redacted]."""
    for key, value in list(event.items()):
        if not key.startswith("_"):  # structlog's own `_record` and `_from_structlog`
            event[key] = _redact_value(key, value)
    return event


def _temporal_context(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Bind workflow ID, run ID and activity type when the line is written inside an activity
    or by `workflow.logger` (whose record carries the workflow in its `temporal_workflow` extra).
    """
    from temporalio import activity

    if activity.in_activity():
        info = activity.info()
        event.setdefault("workflow_id", info.workflow_id)
        event.setdefault("run_id", info.workflow_run_id)
        event.setdefault("activity", info.activity_type)
        event.setdefault("attempt", info.attempt)
    for sdk_key in [k for k in event if k == "temporal_activity" or k.startswith("__temporal")]:
        event.pop(sdk_key)  # the SDK's own copy of what is bound here, and its markers
    temporal = event.pop("temporal_workflow", None)
    if isinstance(temporal, Mapping):
        event.setdefault("workflow_id", temporal.get("workflow_id"))
        event.setdefault("run_id", temporal.get("run_id"))
        event.setdefault("workflow_type", temporal.get("workflow_type"))
    return event


def _sdk_loggers_without_info_on_message() -> None:
    """The SDK appends the workflow's or activity's info to each message as text; here it is
    bound as fields instead, so the message stays what the code said."""
    from temporalio import activity, workflow

    workflow.logger.workflow_info_on_message = False
    activity.logger.activity_info_on_message = False


def configure(level: str = "INFO", fmt: str = "auto", stream: Any = None) -> None:
    stream = stream or sys.stderr
    as_json = fmt == "json" or (fmt == "auto" and not stream.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),  # `extra=` of stdlib records: `workflow.logger`'s state
        _temporal_context,
        redact,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                redact,  # again, now that the traceback is text
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    _sdk_loggers_without_info_on_message()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
