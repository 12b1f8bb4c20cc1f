"""Payments of AP invoices (`sage_mock/ap_payments.py`), numbered `PAY-000001`."""

import json
import sqlite3
import time
from typing import Any

from sage_mock.ap_payments import ApPayment
from sage_mock.records import iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS ap_payments (
    seq INTEGER PRIMARY KEY,
    payment_id TEXT NOT NULL UNIQUE,
    invoice_row INTEGER NOT NULL REFERENCES ap_invoices (row_id),
    check_number TEXT NOT NULL,
    date TEXT NOT NULL,  -- YYYY-MM-DD
    amount REAL NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS ap_payments_invoice ON ap_payments (invoice_row);
"""


def insert(db: sqlite3.Connection, invoice_row: int, payment: ApPayment) -> dict[str, Any]:
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM ap_payments").fetchone()[0]
    db.execute(
        "INSERT INTO ap_payments (seq, payment_id, invoice_row, check_number, date, amount,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            seq,
            f"PAY-{seq:06d}",
            invoice_row,
            payment.check_number,
            payment.date.isoformat(),
            payment.amount,
            time.time(),
        ),
    )
    return _rows(db, "WHERE p.seq = ?", (seq,))[0]


def paid(db: sqlite3.Connection, invoice_row: int) -> float:
    row = db.execute(
        "SELECT COALESCE(SUM(amount), 0) FROM ap_payments WHERE invoice_row = ?", (invoice_row,)
    ).fetchone()
    return float(row[0])


def of_job(db: sqlite3.Connection, job_id: str) -> list[dict[str, Any]]:
    """The payments of live invoices with a distribution on the job, oldest first."""
    return [
        payment
        for payment in _rows(db, "WHERE i.deleted_at IS NULL", ())
        if job_id in payment.pop("jobs")
    ]


def list_all(db: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = _rows(db, "", ())
    for row in rows:
        del row["jobs"]
    return rows


def _rows(db: sqlite3.Connection, where: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
    found = db.execute(
        "SELECT p.*, i.vendor_id, i.invoice_id, i.body FROM ap_payments p"
        f" JOIN ap_invoices i ON i.row_id = p.invoice_row {where} ORDER BY p.seq",
        args,
    ).fetchall()
    rows = []
    for row in found:
        body = json.loads(row["body"])
        rows.append(
            {
                "payment_id": row["payment_id"],
                "vendor_id": row["vendor_id"],
                "invoice_id": row["invoice_id"],
                "check_number": row["check_number"],
                "date": row["date"],
                "amount": row["amount"],
                "invoice_amount": body["original_amount"],
                "created_at": iso(row["created_at"]),
                "jobs": {d["job_id"] for d in body["distributions"]},
            }
        )
    return rows
