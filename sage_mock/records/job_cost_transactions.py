"""Direct job cost transactions (payroll, equipment, ...) a person posts in Sage's Job Cost.

They count at once: Sage's Job Costs summary takes them into JTD (and MTD by their date).
Numbered `JCT-000001`; a handful are seeded for jobs 1001 and 3001.
"""

import datetime as dt
import json
import sqlite3
import time
from typing import Any

from sage_mock.job_costs import JobCostTransaction
from sage_mock.records import iso

FIELDS = (
    "job_id",
    "cost_code",
    "category",
    "date",
    "description",
    "amount",
    "units",
    "paid",
    "cost_type",
    "extra_id",
    "vendor_id",
    "invoice_id",
)
ADDED_COLUMNS = {
    "cost_type": "TEXT NOT NULL DEFAULT 'JC'",
    "extra_id": "TEXT",
    "vendor_id": "TEXT",
    "invoice_id": "TEXT",
}
"""Columns (store.SCHEMA has them) a database made before transaction details lacks."""
COST_TYPES = {"payroll": "PR", "rental": "EQ"}
"""The seeded transactions' Sage Cost Type, by a word of their description (else JC)."""

SEEDED: list[tuple[str, str, str, int, str, float, float, float]] = [
    # (job, cost code, category, months before the seeding month, description, amount, units, paid)
    ("1001", "01-100", "L", 0, "Superintendent payroll", 4200.0, 60.0, 4200.0),
    ("1001", "01-100", "O", 1, "Site trailer rental", 1800.0, 0.0, 1800.0),
    ("1001", "03-300", "L", 2, "Concrete crew payroll", 12650.0, 220.0, 12650.0),
    ("1001", "16-100", "E", 0, "Scissor lift rental", 950.0, 8.0, 0.0),
    ("3001", "02-000", "2", 0, "Site crew payroll", 3100.0, 48.0, 3100.0),
    ("3001", "02-000", "3", 1, "Excavator rental", 2400.0, 16.0, 2400.0),
    ("3001", "03-000", "2", 0, "Form crew payroll", 5250.0, 84.0, 0.0),
]
"""Some in the month the database is seeded, some earlier, some paid."""


def insert(db: sqlite3.Connection, transaction: JobCostTransaction) -> dict[str, Any]:
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM job_cost_transactions").fetchone()[0]
    transaction_id = f"JCT-{seq:06d}"
    row = transaction.model_dump(mode="json")
    db.execute(
        f"INSERT INTO job_cost_transactions (seq, transaction_id, {', '.join(FIELDS)}, created_at)"
        f" VALUES (?, ?, {', '.join('?' for _ in FIELDS)}, ?)",
        (seq, transaction_id, *(row[f] for f in FIELDS), time.time()),
    )
    return find(db, transaction_id) or {}


def seed(db: sqlite3.Connection, today: dt.date) -> None:
    """The seeded transactions of the jobs that exist with that cost code and category."""
    for job_id, code, category, months_back, description, amount, units, paid in SEEDED:
        row = db.execute(
            "SELECT categories FROM cost_codes WHERE job_id = ? AND code = ?", (job_id, code)
        ).fetchone()
        if row is None or category not in json.loads(row["categories"]):
            continue
        day = _months_before(today, months_back)
        insert(
            db,
            JobCostTransaction(
                job_id=job_id,
                cost_code=code,
                category=category,
                date=day,
                description=description,
                amount=amount,
                units=units,
                paid=paid,
                cost_type=next(
                    (kind for word, kind in COST_TYPES.items() if word in description.lower()),
                    "JC",
                ),
            ),
        )


def upgrade(db: sqlite3.Connection) -> None:
    """Add the columns an older database lacks; idempotent."""
    columns = {row["name"] for row in db.execute("PRAGMA table_info(job_cost_transactions)")}
    for name, kind in ADDED_COLUMNS.items():
        if name not in columns:
            db.execute(f"ALTER TABLE job_cost_transactions ADD COLUMN {name} {kind}")


def find(db: sqlite3.Connection, transaction_id: str) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT * FROM job_cost_transactions WHERE transaction_id = ?", (transaction_id,)
    ).fetchone()
    return None if row is None else _record(row)


def of_job(db: sqlite3.Connection, job_id: str) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT * FROM job_cost_transactions WHERE job_id = ? ORDER BY seq", (job_id,)
    ).fetchall()
    return [_record(row) for row in rows]


def list_all(db: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = db.execute("SELECT * FROM job_cost_transactions ORDER BY seq").fetchall()
    return [{**_record(row), "created_at": iso(row["created_at"])} for row in rows]


def _months_before(today: dt.date, months: int) -> dt.date:
    """The 1st of the seeding month, or the 15th of a month before it."""
    if months == 0:
        return today.replace(day=1)
    index = today.year * 12 + today.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 15)


def _record(row: sqlite3.Row) -> dict[str, Any]:
    return {"transaction_id": row["transaction_id"], **{f: row[f] for f in FIELDS}}
