"""Reads what Sage's Job Costs summary of one job is made of: every record that touches the
job, posted or not, deleted or not, for `sage_mock.job_costs` to decide what counts.

Posting is read through `batches.find`, which posts a due auto-posting batch: call it in a
write transaction.
"""

import json
import sqlite3
from typing import Any

from sage_mock.job_costs import JobCostRecords
from sage_mock.records import batches, job_cost_transactions


def read(db: sqlite3.Connection, job_id: str) -> JobCostRecords:
    return JobCostRecords(
        estimates=[
            {"lines": json.loads(row["lines"]), "posted": _posted(db, row["batch_id"])}
            for row in db.execute(
                "SELECT lines, batch_id FROM estimates WHERE job_id = ? ORDER BY seq", (job_id,)
            ).fetchall()
        ],
        estimate_transfers=[
            {"lines": json.loads(row["body"])["lines"], "posted": _posted(db, row["batch_id"])}
            for row in db.execute(
                "SELECT body, batch_id FROM estimate_transfers WHERE job_id = ?", (job_id,)
            ).fetchall()
        ],
        estimate_changes=[
            {
                "lines": json.loads(row["lines"]),
                "posted": _posted(db, row["batch_id"]),
                "reversed": row["reversed_at"] is not None,
            }
            for row in db.execute(
                "SELECT lines, batch_id, reversed_at FROM job_cost_changes"
                " WHERE kind = 'estimate_change' AND job_id = ?",
                (job_id,),
            ).fetchall()
        ],
        commitments=_commitments(db, job_id),
        change_orders=[
            {
                "commitment_id": row["commitment_id"],
                "items": json.loads(row["items"]),
                "deleted": row["deleted_at"] is not None,
            }
            for row in db.execute(
                "SELECT commitment_id, items, deleted_at FROM commitment_change_orders"
                " WHERE job_id = ?",
                (job_id,),
            )
        ],
        ap_invoices=_ap_invoices(db, job_id),
        transactions=job_cost_transactions.of_job(db, job_id),
    )


def _commitments(db: sqlite3.Connection, job_id: str) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT row_id, commitment_id, deleted_at FROM commitments WHERE job_id = ?", (job_id,)
    ).fetchall()
    return [
        {
            "commitment_id": row["commitment_id"],
            "items": [
                dict(item)
                for item in db.execute(
                    "SELECT item_id, cost_code, category, amount FROM commitment_items"
                    " WHERE commitment_row = ?",
                    (row["row_id"],),
                )
            ],
            "deleted": row["deleted_at"] is not None,
        }
        for row in rows
    ]


def _ap_invoices(db: sqlite3.Connection, job_id: str) -> list[dict[str, Any]]:
    """The invoices with a distribution on the job (an invoice may code several jobs)."""
    invoices = []
    rows = db.execute("SELECT row_id, body, batch_id, deleted_at FROM ap_invoices").fetchall()
    for row in rows:
        body = json.loads(row["body"])
        if any(d["job_id"] == job_id for d in body["distributions"]):
            invoices.append(
                {
                    "row_id": row["row_id"],
                    "vendor_id": body["vendor_id"],
                    "invoice_id": body["invoice_id"],
                    "description": body.get("description", ""),
                    "accounting_date": body["accounting_date"],
                    "distributions": body["distributions"],
                    "posted": _posted(db, row["batch_id"]),
                    "deleted": row["deleted_at"] is not None,
                }
            )
    return invoices


def _posted(db: sqlite3.Connection, batch_id: str) -> bool:
    batch = batches.find(db, batch_id)
    return batch is not None and batch["posted"]
