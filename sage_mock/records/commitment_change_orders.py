"""Commitment change orders, and the commitment items a CCO's new lines add.

A CCO is stored as sent (its items as JSON). Deleting one is a soft delete: the row stays for
`GET /admin/records`, it no longer counts and its ID can be used again. A commitment item a
new CCO line added is deleted for real, as Sage deletes an unused commitment item.
"""

import json
import sqlite3
import time
from typing import Any

from sage_mock import records

ITEM_FIELDS = ("description", "cost_code", "category", "units", "unit_cost", "unit_description")


def commitment_row(db: sqlite3.Connection, job_id: str, commitment_id: str) -> int | None:
    row = db.execute(
        "SELECT row_id FROM commitments WHERE job_id = ? AND commitment_id = ?"
        " AND deleted_at IS NULL",
        (job_id, commitment_id),
    ).fetchone()
    return None if row is None else row["row_id"]


def item_ids(db: sqlite3.Connection, row_id: int) -> set[str]:
    rows = db.execute("SELECT item_id FROM commitment_items WHERE commitment_row = ?", (row_id,))
    return {row["item_id"] for row in rows}


def add_item(
    db: sqlite3.Connection, job_id: str, commitment_id: str, row_id: int, item: dict[str, Any]
) -> dict[str, Any]:
    """A new commitment item; Sage numbers it after the commitment's highest item."""
    line = db.execute(
        "SELECT COALESCE(MAX(line), 0) + 1 FROM commitment_items WHERE commitment_row = ?",
        (row_id,),
    ).fetchone()[0]
    numeric = [int(i) for i in item_ids(db, row_id) if i.isdigit()]
    item_id = str(max(numeric, default=0) + 1)
    db.execute(
        f"INSERT INTO commitment_items (commitment_row, line, item_id, {', '.join(ITEM_FIELDS)},"
        " amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row_id, line, item_id, *(item[f] for f in ITEM_FIELDS), item["amount"]),
    )
    return {
        "job_id": job_id,
        "commitment_id": commitment_id,
        "item_id": item_id,
        **{f: item[f] for f in ITEM_FIELDS},
        "amount": item["amount"],
    }


def delete_item(db: sqlite3.Connection, row_id: int, item_id: str) -> bool:
    cursor = db.execute(
        "DELETE FROM commitment_items WHERE commitment_row = ? AND item_id = ?", (row_id, item_id)
    )
    return cursor.rowcount == 1


def insert(db: sqlite3.Connection, change_order: dict[str, Any], batch_id: str) -> dict[str, Any]:
    cursor = db.execute(
        "INSERT INTO commitment_change_orders (job_id, commitment_id, change_order_id,"
        " description, date, status, items, batch_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            change_order["job_id"],
            change_order["commitment_id"],
            change_order["change_order_id"],
            change_order["description"],
            change_order["date"],
            change_order["status"],
            json.dumps(change_order["items"]),
            batch_id,
            time.time(),
        ),
    )
    row = db.execute(
        "SELECT * FROM commitment_change_orders WHERE row_id = ?", (cursor.lastrowid,)
    ).fetchone()
    return _record(row)


def find_live(db: sqlite3.Connection, change_order_id: str) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT * FROM commitment_change_orders WHERE change_order_id = ? AND deleted_at IS NULL",
        (change_order_id,),
    ).fetchone()
    return None if row is None else _record(row)


def delete(db: sqlite3.Connection, change_order_id: str) -> bool:
    cursor = db.execute(
        "UPDATE commitment_change_orders SET deleted_at = ?"
        " WHERE change_order_id = ? AND deleted_at IS NULL",
        (time.time(), change_order_id),
    )
    return cursor.rowcount == 1


def approved_changes(db: sqlite3.Connection, job_id: str, commitment_id: str) -> float:
    """The sum of the live CCOs on one commitment."""
    rows = db.execute(
        "SELECT items FROM commitment_change_orders WHERE job_id = ? AND commitment_id = ?"
        " AND deleted_at IS NULL",
        (job_id, commitment_id),
    )
    return sum(item["amount"] for row in rows for item in json.loads(row["items"]))


def count_live(db: sqlite3.Connection) -> int:
    return db.execute(
        "SELECT COUNT(*) FROM commitment_change_orders WHERE deleted_at IS NULL"
    ).fetchone()[0]


def list_all(db: sqlite3.Connection) -> list[dict[str, Any]]:
    return records.every_row(db, "commitment_change_orders", _record)


def _record(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "job_id": row["job_id"],
        "commitment_id": row["commitment_id"],
        "change_order_id": row["change_order_id"],
        "description": row["description"],
        "date": row["date"],
        "status": row["status"],
        "items": json.loads(row["items"]),
        "batch_id": row["batch_id"],
    }
