"""Accounts Receivable invoices on a prime contract (Contracts billing): what an owner invoice
exported from Procore becomes.

An invoice is stored as sent. A delete is a soft delete: the row stays for `GET /admin/records`,
it no longer counts against the contract and its code can be used again on the contract.
"""

import json
import sqlite3
import time
from typing import Any

from sage_mock import records

SCHEMA = """
CREATE TABLE IF NOT EXISTS ar_invoices (
    row_id INTEGER PRIMARY KEY,
    job_id TEXT NOT NULL,
    contract_id TEXT NOT NULL,
    invoice_id TEXT NOT NULL,
    body TEXT NOT NULL,  -- JSON object, as sent
    batch_id TEXT NOT NULL REFERENCES batches (batch_id),
    created_at REAL NOT NULL,
    deleted_at REAL
);
CREATE UNIQUE INDEX IF NOT EXISTS ar_invoices_live_code
    ON ar_invoices (job_id, contract_id, invoice_id) WHERE deleted_at IS NULL;
"""


def insert(db: sqlite3.Connection, invoice: dict[str, Any], batch_id: str) -> dict[str, Any]:
    cursor = db.execute(
        "INSERT INTO ar_invoices (job_id, contract_id, invoice_id, body, batch_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            invoice["job_id"],
            invoice["contract_id"],
            invoice["invoice_id"],
            json.dumps(invoice),
            batch_id,
            time.time(),
        ),
    )
    row = db.execute("SELECT * FROM ar_invoices WHERE row_id = ?", (cursor.lastrowid,)).fetchone()
    return _record(row)


def find_live(
    db: sqlite3.Connection, job_id: str, contract_id: str, invoice_id: str
) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT * FROM ar_invoices WHERE job_id = ? AND contract_id = ? AND invoice_id = ?"
        " AND deleted_at IS NULL",
        (job_id, contract_id, invoice_id),
    ).fetchone()
    return None if row is None else _record(row)


def delete(db: sqlite3.Connection, job_id: str, contract_id: str, invoice_id: str) -> bool:
    cursor = db.execute(
        "UPDATE ar_invoices SET deleted_at = ? WHERE job_id = ? AND contract_id = ?"
        " AND invoice_id = ? AND deleted_at IS NULL",
        (time.time(), job_id, contract_id, invoice_id),
    )
    return cursor.rowcount == 1


def billed(db: sqlite3.Connection, job_id: str, contract_id: str) -> tuple[float, float]:
    """What the live invoices have billed and retained on one contract so far."""
    amount = retainage = 0.0
    for (body,) in db.execute(
        "SELECT body FROM ar_invoices WHERE job_id = ? AND contract_id = ? AND deleted_at IS NULL",
        (job_id, contract_id),
    ):
        invoice = json.loads(body)
        amount += invoice["amount"]
        retainage += invoice["retainage"]
    return round(amount, 2), round(retainage, 2)


def count_live(db: sqlite3.Connection) -> int:
    return records.count_live(db, "ar_invoices")


def list_all(db: sqlite3.Connection) -> list[dict[str, Any]]:
    return records.every_row(db, "ar_invoices", _record)


def _record(row: sqlite3.Row) -> dict[str, Any]:
    body = json.loads(row["body"])
    due = round(body["amount"] - body["retainage"], 2)
    return {**body, "current_payment_due": due, "batch_id": row["batch_id"]}
