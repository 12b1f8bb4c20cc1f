"""How a job bills its owner, and the prime contract Sage's import API presents for it.

A job bills through the Contracts application ("Use Contracts": a contract with contract items,
approved or not) or through Job Cost's miscellaneous worksheets ("Use Quickbill", at the job,
division or section level; its contract number is the job and it is always approved),
seeds/004 "Prime Contract". Jobs without a billing row use contracts; contracts without a
status row are approved. Which Procore project a contract is synced to is kept here too, as
the cloud connector keeps it.
"""

import sqlite3
import time
from typing import Any

from sage_mock.records import contracts

SCHEMA = """
CREATE TABLE IF NOT EXISTS job_billing (
    job_id TEXT PRIMARY KEY REFERENCES jobs (job_id),
    billing_method TEXT NOT NULL CHECK (billing_method IN ('contracts', 'quickbill')),
    billing_level TEXT CHECK (billing_level IN ('job', 'division', 'section'))
);
CREATE TABLE IF NOT EXISTS contract_status (
    job_id TEXT NOT NULL,
    contract_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('approved', 'unapproved')),
    work_started TEXT,
    work_completed TEXT,
    PRIMARY KEY (job_id, contract_id)
);
CREATE TABLE IF NOT EXISTS misc_worksheets (
    job_id TEXT NOT NULL REFERENCES jobs (job_id),
    code TEXT NOT NULL,  -- 'JOB', a division ('03') or a section (cost code '03-300')
    description TEXT NOT NULL,
    amount REAL NOT NULL,
    PRIMARY KEY (job_id, code)
);
CREATE TABLE IF NOT EXISTS contract_links (
    job_id TEXT NOT NULL,
    contract_id TEXT NOT NULL,
    project TEXT NOT NULL,
    linked_by TEXT NOT NULL,  -- 'api' (an import) or 'sage' (by hand)
    linked_at REAL NOT NULL,
    PRIMARY KEY (job_id, contract_id, project)
);
"""

BILLING: list[tuple[str, str, str | None]] = [
    ("2001", "contracts", None),
    ("2002", "quickbill", "job"),
    ("2003", "quickbill", "division"),
    ("2004", "quickbill", "section"),
]
STATUSES: list[tuple[str, str, str, str | None, str | None]] = [
    ("1001", "1001-PC", "approved", "2026-03-02", None),
    ("2001", "2001-PC", "approved", "2026-04-01", None),
    ("2001", "2001-ALT", "unapproved", None, None),
]
WORKSHEETS: list[tuple[str, str, str, float]] = [
    ("2002", "JOB", "Cedar Park Library", 2_150_000.0),
    ("2003", "01", "General Requirements", 310_000.0),
    ("2003", "03", "Concrete", 940_000.0),
    ("2003", "09", "Finishes", 455_000.0),
    ("2004", "01-100", "General Conditions", 185_000.0),
    ("2004", "03-300", "Concrete", 620_000.0),
    ("2004", "16-100", "Electrical", 410_000.0),
]


def seed(db: sqlite3.Connection) -> None:
    db.executemany("INSERT INTO job_billing VALUES (?, ?, ?)", BILLING)
    db.executemany("INSERT INTO contract_status VALUES (?, ?, ?, ?, ?)", STATUSES)
    db.executemany("INSERT INTO misc_worksheets VALUES (?, ?, ?, ?)", WORKSHEETS)


def billing_of(db: sqlite3.Connection, job_id: str) -> tuple[str, str | None]:
    row = db.execute(
        "SELECT billing_method, billing_level FROM job_billing WHERE job_id = ?", (job_id,)
    ).fetchone()
    return ("contracts", None) if row is None else (row[0], row[1])


def worksheet_codes(db: sqlite3.Connection, job_id: str) -> list[str] | None:
    """A Quickbill job's Miscellaneous Worksheet codes; None for a job that uses contracts."""
    if billing_of(db, job_id)[0] != "quickbill":
        return None
    rows = db.execute("SELECT code FROM misc_worksheets WHERE job_id = ?", (job_id,))
    return [row[0] for row in rows]


def linked_projects(db: sqlite3.Connection, job_id: str, contract_id: str) -> list[str]:
    rows = db.execute(
        "SELECT project FROM contract_links WHERE job_id = ? AND contract_id = ?"
        " ORDER BY linked_at, project",
        (job_id, contract_id),
    ).fetchall()
    return [row[0] for row in rows]


def link(db: sqlite3.Connection, job_id: str, contract_id: str, project: str, by: str) -> None:
    db.execute(
        "INSERT OR IGNORE INTO contract_links VALUES (?, ?, ?, ?, ?)",
        (job_id, contract_id, project, by, time.time()),
    )


def unlink(db: sqlite3.Connection, job_id: str, contract_id: str, project: str) -> bool:
    cursor = db.execute(
        "DELETE FROM contract_links WHERE job_id = ? AND contract_id = ? AND project = ?",
        (job_id, contract_id, project),
    )
    return cursor.rowcount == 1


def set_status(db: sqlite3.Connection, job_id: str, contract_id: str, status: str) -> None:
    db.execute(
        "INSERT INTO contract_status (job_id, contract_id, status) VALUES (?, ?, ?)"
        " ON CONFLICT (job_id, contract_id) DO UPDATE SET status = excluded.status",
        (job_id, contract_id, status),
    )


def put_worksheet(
    db: sqlite3.Connection, job_id: str, code: str, description: str, amount: float
) -> None:
    db.execute(
        "INSERT INTO misc_worksheets VALUES (?, ?, ?, ?) ON CONFLICT (job_id, code)"
        " DO UPDATE SET description = excluded.description, amount = excluded.amount",
        (job_id, code, description, amount),
    )


def update_item(
    db: sqlite3.Connection, job_id: str, contract_id: str, item_code: str, changes: dict[str, Any]
) -> bool:
    """A person changes a contract item's description or original amount in Sage."""
    sets = {k: v for k, v in changes.items() if k in ("description", "original_amount")}
    if not sets:
        return contracts.find_item(db, job_id, contract_id, item_code) is not None
    assignments = ", ".join(f"{k} = ?" for k in sets)
    cursor = db.execute(
        f"UPDATE contract_items SET {assignments} WHERE job_id = ? AND contract_id = ?"
        " AND item_code = ? AND deleted_at IS NULL",
        (*sets.values(), job_id, contract_id, item_code),
    )
    return cursor.rowcount == 1


def prime_contract(db: sqlite3.Connection, job_id: str, contract_id: str) -> dict[str, Any] | None:
    """The contract as the import API shows it, whatever the job's billing method."""
    job = db.execute("SELECT name FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
    if job is None:
        return None
    method, level = billing_of(db, job_id)
    view: dict[str, Any] = {
        "job_id": job_id,
        "contract_id": contract_id,
        "billing_method": method,
        "billing_level": level,
        "linked_projects": linked_projects(db, job_id, contract_id),
    }
    if method == "quickbill":
        if contract_id != job_id:  # Contract # <- Job
            return None
        rows = db.execute(
            "SELECT code, description, amount FROM misc_worksheets WHERE job_id = ? ORDER BY code",
            (job_id,),
        ).fetchall()
        worksheet = []
        for row in rows:
            changes = contracts.approved_changes(db, job_id, job_id, row["code"])
            revised = round(row["amount"] + changes, 2)
            worksheet.append({**dict(row), "approved_changes": changes, "revised_amount": revised})
        return {
            **view,
            "description": job["name"],
            "status": "approved",  # "Automatically set to Approved"
            "work_started": None,
            "work_completed": None,
            "items": [],
            "worksheet": worksheet,  # a PCCO's schedule value changes land here (footnote 7)
        }
    contract = contracts.find_contract(db, job_id, contract_id)
    if contract is None:
        return None
    status = db.execute(
        "SELECT status, work_started, work_completed FROM contract_status"
        " WHERE job_id = ? AND contract_id = ?",
        (job_id, contract_id),
    ).fetchone()
    return {
        **view,
        "description": contract["description"],
        "status": status["status"] if status else "approved",
        "work_started": status["work_started"] if status else None,
        "work_completed": status["work_completed"] if status else None,
        "items": [
            {
                k: item[k]
                for k in (
                    "item_code",
                    "description",
                    "cost_code",
                    "original_amount",
                    "approved_changes",
                    "revised_amount",
                )
            }
            for item in contract["items"]
        ],
        "worksheet": [],
    }


def search(db: sqlite3.Connection, contract_id: str) -> list[dict[str, Any]]:
    """Every job's prime contract with this number: a contract, or a Quickbill job's own."""
    jobs = [
        row[0]
        for row in db.execute(
            "SELECT job_id FROM contracts WHERE contract_id = ? UNION SELECT job_id FROM jobs"
            " WHERE job_id = ? ORDER BY 1",
            (contract_id, contract_id),
        )
    ]
    found = (prime_contract(db, job, contract_id) for job in jobs)
    return [view for view in found if view is not None]
