"""Accounts Payable invoices with their distributions, and the AP tolerance setting.

An invoice is stored as sent. A delete is a soft delete: the row stays for
`GET /admin/records`, it no longer counts and its code can be used again for the vendor.
"""

import json
import sqlite3
import time
from typing import Any

from sage_mock import records

TOLERANCE_KEY = "ap_tolerance_percent"


def insert(db: sqlite3.Connection, invoice: dict[str, Any], batch_id: str) -> dict[str, Any]:
    cursor = db.execute(
        "INSERT INTO ap_invoices (vendor_id, invoice_id, body, batch_id, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (invoice["vendor_id"], invoice["invoice_id"], json.dumps(invoice), batch_id, time.time()),
    )
    row = db.execute("SELECT * FROM ap_invoices WHERE row_id = ?", (cursor.lastrowid,)).fetchone()
    return _record(row)


def find_live(db: sqlite3.Connection, vendor_id: str, invoice_id: str) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT * FROM ap_invoices WHERE vendor_id = ? AND invoice_id = ? AND deleted_at IS NULL",
        (vendor_id, invoice_id),
    ).fetchone()
    return None if row is None else _record(row)


def delete(db: sqlite3.Connection, vendor_id: str, invoice_id: str) -> bool:
    cursor = db.execute(
        "UPDATE ap_invoices SET deleted_at = ?"
        " WHERE vendor_id = ? AND invoice_id = ? AND deleted_at IS NULL",
        (time.time(), vendor_id, invoice_id),
    )
    return cursor.rowcount == 1


def invoiced(db: sqlite3.Connection, job_id: str, commitment_id: str) -> float:
    """What the live invoices have billed on one commitment so far."""
    total = 0.0
    for (body,) in db.execute("SELECT body FROM ap_invoices WHERE deleted_at IS NULL"):
        for d in json.loads(body)["distributions"]:
            if d["job_id"] == job_id and d["commitment_id"] == commitment_id:
                total += d["amount"]
    return total


def tolerance_percent(db: sqlite3.Connection) -> float:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (TOLERANCE_KEY,)).fetchone()
    return 0.0 if row is None else float(row["value"])


def set_tolerance_percent(db: sqlite3.Connection, percent: float) -> None:
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (TOLERANCE_KEY, str(percent)),
    )


def count_live(db: sqlite3.Connection) -> int:
    return records.count_live(db, "ap_invoices")


def list_all(db: sqlite3.Connection) -> list[dict[str, Any]]:
    return records.every_row(db, "ap_invoices", _record)


def _record(row: sqlite3.Row) -> dict[str, Any]:
    body = json.loads(row["body"])
    due = round(body["original_amount"] - body["retainage"], 2)
    return {**body, "current_payment_due": due, "batch_id": row["batch_id"]}
