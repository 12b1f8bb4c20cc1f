"""SQL for each kind of record; one module per kind keeps a new kind a new module."""

import datetime as dt


def iso(epoch: float | None) -> str | None:
    """Times are stored as epoch seconds and shown as ISO 8601 in UTC."""
    if epoch is None:
        return None
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="seconds")
