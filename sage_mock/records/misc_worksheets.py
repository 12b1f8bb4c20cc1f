"""Misc worksheet transactions (Procore: a budget's cost forecast), one row per transaction,
grouped by the import that made them (`MW-000001`), in a batch a person posts."""

import json
import sqlite3
import time
from typing import Any

from sage_mock.cost_forecast import NewMiscWorksheetImport
from sage_mock.records import iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS misc_worksheet_transactions (
    seq INTEGER PRIMARY KEY,
    import_id TEXT NOT NULL,
    transaction_type TEXT NOT NULL
        CHECK (transaction_type IN ('misc_worksheet_1', 'misc_worksheet_2')),
    job_id TEXT NOT NULL REFERENCES jobs (job_id),
    body TEXT NOT NULL,  -- JSON: the transaction as sent
    batch_id TEXT NOT NULL REFERENCES batches (batch_id),
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS misc_worksheet_transactions_import
    ON misc_worksheet_transactions (import_id);
"""


def insert(db: sqlite3.Connection, batch: NewMiscWorksheetImport, batch_id: str) -> dict[str, Any]:
    imports = db.execute(
        "SELECT COUNT(DISTINCT import_id) + 1 FROM misc_worksheet_transactions"
    ).fetchone()[0]
    import_id = f"MW-{imports:06d}"
    now = time.time()
    for transaction in batch.transactions:
        db.execute(
            "INSERT INTO misc_worksheet_transactions"
            " (import_id, transaction_type, job_id, body, batch_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                import_id,
                transaction.transaction_type,
                batch.job_id,
                transaction.model_dump_json(),
                batch_id,
                now,
            ),
        )
    return find(db, import_id) or {}


def find(db: sqlite3.Connection, import_id: str) -> dict[str, Any] | None:
    """The import as it was sent, with its ID and the batch it landed in."""
    rows = db.execute(
        "SELECT * FROM misc_worksheet_transactions WHERE import_id = ? ORDER BY seq", (import_id,)
    ).fetchall()
    if not rows:
        return None
    return {
        "import_id": import_id,
        "job_id": rows[0]["job_id"],
        "transactions": [json.loads(row["body"]) for row in rows],
        "batch_id": rows[0]["batch_id"],
    }


def count(db: sqlite3.Connection) -> int:
    return db.execute("SELECT COUNT(*) FROM misc_worksheet_transactions").fetchone()[0]


def list_all(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every transaction, one row each (what a test counts per type, job and cost code)."""
    rows = db.execute("SELECT * FROM misc_worksheet_transactions ORDER BY seq").fetchall()
    return [
        {
            "import_id": row["import_id"],
            **json.loads(row["body"]),
            "batch_id": row["batch_id"],
            "created_at": iso(row["created_at"]),
        }
        for row in rows
    ]
