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

_SECRET_KEY = re.compile(r"(authorization|api[_-]?key|password|secret|token)", re.I)
_BEARER = re.compile(r"(Bearer\s+)[^\s\"']+", re.I)
REDACTED = "[redacted]"


def _redact_value(key: str, value: Any) -> Any:
    if _SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, str):
        return _BEARER.sub(rf"\1{REDACTED}", value)
    if isinstance(value, Mapping):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    return value


def redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A structlog processor: credentials in keys or Bearer tokens in text become [redacted]."""
    for key, value in list(event.items()):
        event[key] = _redact_value(key, value)
    return event


def _temporal_context(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Bind workflow ID, run ID and activity type when the line is written inside an activity."""
    from temporalio import activity

    if activity.in_activity():
        info = activity.info()
        event.setdefault("workflow_id", info.workflow_id)
        event.setdefault("run_id", info.workflow_run_id)
        event.setdefault("activity", info.activity_type)
        event.setdefault("attempt", info.attempt)
    record = event.get("_record")
    temporal = getattr(record, "temporal_workflow", None) if record else None
    if isinstance(temporal, Mapping):
        event.setdefault("workflow_id", temporal.get("workflow_id"))
        event.setdefault("run_id", temporal.get("run_id"))
        event.setdefault("workflow_type", temporal.get("workflow_type"))
    return event


def configure(level: str = "INFO", fmt: str = "auto", stream: Any = None) -> None:
    stream = stream or sys.stderr
    as_json = fmt == "json" or (fmt == "auto" and not stream.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
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
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
