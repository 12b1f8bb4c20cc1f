"""Prime contracts and their contract items (Contracts application).

Contracts are master data (seeded); their items are too, except those a PCCO export creates
for a new line. Deleting an item is a soft delete: the row stays for `GET /admin/records`,
but it no longer counts and its code can be used again, as after a compensation.
"""

import json
import sqlite3
import time
from typing import Any

from sage_mock.records import iso


def find_contract(db: sqlite3.Connection, job_id: str, contract_id: str) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT * FROM contracts WHERE job_id = ? AND contract_id = ?", (job_id, contract_id)
    ).fetchone()
    return None if row is None else _contract(db, row)


def list_contracts(db: sqlite3.Connection, job_id: str | None = None) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT * FROM contracts WHERE ? IS NULL OR job_id = ? ORDER BY job_id, contract_id",
        (job_id, job_id),
    ).fetchall()
    return [_contract(db, row) for row in rows]


def find_item(
    db: sqlite3.Connection, job_id: str, contract_id: str, item_code: str
) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT * FROM contract_items WHERE job_id = ? AND contract_id = ? AND item_code = ?"
        " AND deleted_at IS NULL",
        (job_id, contract_id, item_code),
    ).fetchone()
    return None if row is None else _item(db, row)


def insert_item(
    db: sqlite3.Connection,
    job_id: str,
    contract_id: str,
    item: dict[str, Any],
    created_by: str,
) -> dict[str, Any]:
    db.execute(
        "INSERT INTO contract_items (job_id, contract_id, item_code, description, cost_code,"
        " original_amount, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            job_id,
            contract_id,
            item["item_code"],
            item["description"],
            item.get("cost_code"),
            item["original_amount"],
            created_by,
            time.time(),
        ),
    )
    return find_item(db, job_id, contract_id, item["item_code"]) or {}


def delete_item(db: sqlite3.Connection, job_id: str, contract_id: str, item_code: str) -> bool:
    cursor = db.execute(
        "UPDATE contract_items SET deleted_at = ? WHERE job_id = ? AND contract_id = ?"
        " AND item_code = ? AND deleted_at IS NULL",
        (time.time(), job_id, contract_id, item_code),
    )
    return cursor.rowcount == 1


def list_items(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every contract item ever stored, deleted ones flagged, for admins and tests."""
    rows = db.execute("SELECT * FROM contract_items ORDER BY row_id").fetchall()
    return [
        {
            **_item(db, row),
            "created_by": row["created_by"],
            "deleted": row["deleted_at"] is not None,
            "deleted_at": iso(row["deleted_at"]),
        }
        for row in rows
    ]


def approved_changes(db: sqlite3.Connection, job_id: str, contract_id: str, code: str) -> float:
    """The live approved schedule value changes on one contract item (or, on a Quickbill job,
    one Miscellaneous Worksheet code: its contract number is the job)."""
    total = 0.0
    for (lines,) in db.execute(
        "SELECT lines FROM job_cost_changes WHERE kind = 'schedule_value_change'"
        " AND job_id = ? AND contract_id = ? AND reversed_at IS NULL",
        (job_id, contract_id),
    ):
        total += sum(line["amount"] for line in json.loads(lines) if line["contract_item"] == code)
    return round(total, 2)


def _item(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    changes = approved_changes(db, row["job_id"], row["contract_id"], row["item_code"])
    return {
        "job_id": row["job_id"],
        "contract_id": row["contract_id"],
        "item_code": row["item_code"],
        "description": row["description"],
        "cost_code": row["cost_code"],
        "original_amount": row["original_amount"],
        "approved_changes": changes,
        "revised_amount": round(row["original_amount"] + changes, 2),
    }


def _contract(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    items = db.execute(
        "SELECT * FROM contract_items WHERE job_id = ? AND contract_id = ? AND deleted_at IS NULL"
        " ORDER BY item_code",
        (row["job_id"], row["contract_id"]),
    ).fetchall()
    return {
        "job_id": row["job_id"],
        "contract_id": row["contract_id"],
        "description": row["description"],
        "items": [_item(db, item) for item in items],
    }
