"""SQL for each kind of record; one module per kind keeps a new kind a new module."""

import datetime as dt
import sqlite3
from collections.abc import Callable
from typing import Any


def iso(epoch: float | None) -> str | None:
    """Times are stored as epoch seconds and shown as ISO 8601 in UTC."""
    if epoch is None:
        return None
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="seconds")


def count_live(db: sqlite3.Connection, table: str) -> int:
    """The rows of `table` (a module's own constant name) not deleted."""
    return db.execute(f"SELECT COUNT(*) FROM {table} WHERE deleted_at IS NULL").fetchone()[0]


def every_row(
    db: sqlite3.Connection, table: str, record: Callable[[sqlite3.Row], dict[str, Any]]
) -> list[dict[str, Any]]:
    """Every row of `table` ever stored, as `record` shows it, with when it was made and
    whether (and when) it was deleted: what admins and tests count."""
    rows = db.execute(f"SELECT * FROM {table} ORDER BY row_id").fetchall()
    return [
        {
            **record(row),
            "created_at": iso(row["created_at"]),
            "deleted": row["deleted_at"] is not None,
            "deleted_at": iso(row["deleted_at"]),
        }
        for row in rows
    ]
