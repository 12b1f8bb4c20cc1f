"""Batches: every write that creates transactions lands in a new, unposted one.

Auto-posting is decided lazily: a batch stores when it becomes due, and the first
read at or after that moment records it as posted. So it survives restarts and costs
nothing while nobody looks.
"""

import datetime as dt
import sqlite3
import time
from typing import Any

from sage_mock.companies import current_company
from sage_mock.records import iso

AUTO_POSTING_KINDS = frozenset({"commitment", "commitment_change_order", "schedule_value_change"})


def create(db: sqlite3.Connection, kind: str, auto_post_seconds: float) -> dict[str, Any]:
    now = time.time()
    auto_post = kind in AUTO_POSTING_KINDS
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM batches").fetchone()[0]
    batch_id = f"B-{seq:06d}"
    db.execute(
        "INSERT INTO batches (seq, batch_id, kind, auto_post, created_at, due_at, company_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            seq,
            batch_id,
            kind,
            int(auto_post),
            now,
            now + auto_post_seconds if auto_post else None,
            current_company(),
        ),
    )
    return find(db, batch_id) or {}


def find(db: sqlite3.Connection, batch_id: str) -> dict[str, Any] | None:
    """The batch as it is now; a due auto-posting batch is posted by this very read."""
    row = db.execute("SELECT * FROM batches WHERE batch_id = ?", (batch_id,)).fetchone()
    if row is None:
        return None
    if row["posted_at"] is None and row["due_at"] is not None and time.time() >= row["due_at"]:
        db.execute(
            "UPDATE batches SET posted_at = due_at, posted_by = 'auto' WHERE batch_id = ?",
            (batch_id,),
        )
        row = db.execute("SELECT * FROM batches WHERE batch_id = ?", (batch_id,)).fetchone()
    return _view(row)


def post(db: sqlite3.Connection, batch_id: str) -> dict[str, Any] | None:
    """A person posts the batch in Sage; posting a posted batch changes nothing."""
    batch = find(db, batch_id)
    if batch is None or batch["posted"]:
        return batch
    db.execute(
        "UPDATE batches SET posted_at = ?, posted_by = 'admin' WHERE batch_id = ?",
        (time.time(), batch_id),
    )
    return find(db, batch_id)


LIST_LIMIT = 1000
"""The most batches one page of `GET /v1/batches` holds."""


def posted_since(
    db: sqlite3.Connection, since: float | None, after_seq: int, limit: int
) -> tuple[list[dict[str, Any]], int | None]:
    """The current company's batches posted at or after `since` (epoch seconds; None: all
    posted), in batch order after `after_seq`, at most `limit`; and the cursor of the next
    page (None when this is the last). Batches that came due are posted first, so a list
    answers what a read of each batch would."""
    now = time.time()
    db.execute(
        "UPDATE batches SET posted_at = due_at, posted_by = 'auto'"
        " WHERE posted_at IS NULL AND due_at IS NOT NULL AND due_at <= ? AND company_id = ?",
        (now, current_company()),
    )
    rows = db.execute(
        "SELECT * FROM batches WHERE company_id = ? AND posted_at IS NOT NULL"
        " AND posted_at >= ? AND seq > ? ORDER BY seq LIMIT ?",
        (current_company(), since if since is not None else 0.0, after_seq, limit + 1),
    ).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    return [_view(r) for r in rows], (rows[-1]["seq"] if more and rows else None)


def precise(epoch: float) -> str:
    """An instant to the microsecond: the `as_of` a caller passes back as `posted_since`."""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="microseconds")


def list_all(db: sqlite3.Connection) -> list[dict[str, Any]]:
    ids = [r[0] for r in db.execute("SELECT batch_id FROM batches ORDER BY seq")]
    return [b for b in (find(db, batch_id) for batch_id in ids) if b is not None]


def _view(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "batch_id": row["batch_id"],
        "kind": row["kind"],
        "posted": row["posted_at"] is not None,
        "posted_at": iso(row["posted_at"]),
        "auto_post": bool(row["auto_post"]),
    }
