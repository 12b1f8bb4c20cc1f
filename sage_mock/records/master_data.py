"""Jobs (with cost codes and categories) and vendors: what Sage already knows."""

import datetime as dt
import json
import sqlite3
from typing import Any

from sage_mock.companies import current_company
from sage_mock.records import billing, job_cost_transactions

JOBS: list[dict[str, Any]] = [
    {
        "job_id": "1001",
        "name": "Riverside Medical Center",
        "status": "open",
        "cost_codes": [
            ("01-100", "General Conditions", ["L", "M", "O"]),
            ("03-300", "Concrete", ["L", "M", "S"]),
            ("05-120", "Structural Steel", ["M", "S"]),
            ("09-250", "Drywall", ["L", "M", "S"]),
            ("16-100", "Electrical", ["L", "M", "S", "E"]),
        ],
    },
    {
        "job_id": "1002",
        "name": "Harbor View Offices",
        "status": "open",
        "cost_codes": [
            ("01-100", "General Conditions", ["L", "M", "O"]),
            ("03-300", "Concrete", ["L", "M", "S"]),
            ("09-250", "Drywall", ["L", "M", "S"]),
            ("15-400", "Plumbing", ["L", "M", "S"]),
            ("16-100", "Electrical", ["L", "M", "S"]),
        ],
    },
    {
        "job_id": "1003",
        "name": "Northgate School",
        "status": "open",
        "cost_codes": [
            ("01-100", "General Conditions", ["L", "M", "O"]),
            ("03-300", "Concrete", ["L", "M", "S"]),
            ("09-250", "Drywall", ["L", "M", "S"]),
            ("16-100", "Electrical", ["L", "M", "S"]),
        ],
    },
    {
        "job_id": "0999",
        "name": "Old Warehouse Reno",
        "status": "closed",
        "cost_codes": [
            ("01-100", "General Conditions", ["L", "M", "O"]),
            ("02-200", "Demolition", ["L", "S", "E"]),
        ],
    },
    *(
        {  # prime contract imports (records/billing.py): how each job bills its owner
            "job_id": job_id,
            "name": name,
            "status": "open",
            "cost_codes": [
                ("01-100", "General Conditions", ["L", "M", "O"]),
                ("03-300", "Concrete", ["L", "M", "S"]),
                ("09-250", "Drywall", ["L", "M", "S"]),
                ("16-100", "Electrical", ["L", "M", "S"]),
            ],
        }
        for job_id, name in (
            ("2001", "Lakeside Lofts"),
            ("2002", "Cedar Park Library"),
            ("2003", "Mill Street Clinic"),
            ("2004", "Pine Ridge Fire Station"),
        )
    ),
]

VENDORS: list[tuple[str, str, str]] = [
    ("V-100", "ACME Concrete", "active"),
    ("V-200", "Bright Electric", "active"),
    ("V-300", "Steel Works Inc", "active"),
    ("V-900", "Defunct Drywall LLC", "inactive"),
]

CONTRACTS: list[dict[str, Any]] = [
    {
        "job_id": "1001",
        "contract_id": "1001-PC",
        "description": "Riverside Medical prime",
        "items": [  # (contract item code, description, cost code, original contract amount)
            ("001", "General conditions", "01-100", 1_250_000.0),
            ("002", "Concrete", "03-300", 2_400_000.0),
            ("003", "Structural steel", "05-120", 1_850_000.0),
            ("004", "Drywall", "09-250", 960_000.0),
            ("005", "Electrical", "16-100", 1_400_000.0),
        ],
    },
    {
        "job_id": "1002",
        "contract_id": "1002-PC",
        "description": "Harbor View prime",
        "items": [
            ("001", "General conditions", "01-100", 640_000.0),
            ("002", "Plumbing", "15-400", 820_000.0),
        ],
    },
    {  # a lump sum: one contract item carries the contract value (SOV controlled by Procore)
        "job_id": "2001",
        "contract_id": "2001-PC",
        "description": "Lakeside Lofts prime",
        "items": [("001", "Contract value", None, 4_800_000.0)],
    },
    {  # not approved yet (records/billing.py)
        "job_id": "2001",
        "contract_id": "2001-ALT",
        "description": "Lakeside Lofts alternates",
        "items": [("001", "Roof deck alternate", None, 250_000.0)],
    },
]
"""Prime contracts (Contracts application), imported into Procore; PCCOs change them."""

GL_PERIODS: list[tuple[str, str]] = [
    *((f"2025-{m:02d}", "closed") for m in range(1, 13)),
    *((f"{y}-{m:02d}", "open") for y in (2026, 2027) for m in range(1, 13)),
]
"""General ledger periods (YYYY-MM): 2025 is closed, 2026 and 2027 are open."""


def seed(db: sqlite3.Connection) -> None:
    """Fill an empty database with the master data that API.md promises."""
    for job in JOBS:
        db.execute(
            "INSERT INTO jobs (job_id, name, status) VALUES (?, ?, ?)",
            (job["job_id"], job["name"], job["status"]),
        )
        db.executemany(
            "INSERT INTO cost_codes (job_id, code, description, categories) VALUES (?, ?, ?, ?)",
            [(job["job_id"], c, d, json.dumps(cats)) for c, d, cats in job["cost_codes"]],
        )
    db.executemany("INSERT INTO vendors (vendor_id, name, status) VALUES (?, ?, ?)", VENDORS)
    for contract in CONTRACTS:
        db.execute(
            "INSERT INTO contracts (job_id, contract_id, description) VALUES (?, ?, ?)",
            (contract["job_id"], contract["contract_id"], contract["description"]),
        )
        db.executemany(
            "INSERT INTO contract_items (job_id, contract_id, item_code, description, cost_code,"
            " original_amount, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 'sage', 0)",
            [(contract["job_id"], contract["contract_id"], *item) for item in contract["items"]],
        )
    db.executemany("INSERT INTO gl_periods (period, status) VALUES (?, ?)", GL_PERIODS)
    billing.seed(db)
    job_cost_transactions.seed(db, dt.datetime.now(dt.UTC).date())  # after every job


def _job(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    codes = db.execute(
        "SELECT code, description, categories FROM cost_codes WHERE job_id = ? ORDER BY code",
        (row["job_id"],),
    ).fetchall()
    place = db.execute(
        "SELECT address, city, state, zip FROM job_addresses WHERE job_id = ?", (row["job_id"],)
    ).fetchone()
    return {
        "job_id": row["job_id"],
        "name": row["name"],
        "status": row["status"],
        **{field: place[field] if place else "" for field in ("address", "city", "state", "zip")},
        "linked_project": row["linked_project"],
        "origin": row["origin"],
        "cost_codes": [
            {
                "code": c["code"],
                "description": c["description"],
                "categories": json.loads(c["categories"]),
            }
            for c in codes
        ],
    }


def find_job(db: sqlite3.Connection, job_id: str) -> dict[str, Any] | None:
    """The job, if it belongs to the request's company: another company's job is invisible."""
    row = db.execute(
        "SELECT * FROM jobs WHERE job_id = ? AND company_id = ?", (job_id, current_company())
    ).fetchone()
    return None if row is None else _job(db, row)


def list_jobs(db: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT * FROM jobs WHERE company_id = ? ORDER BY job_id", (current_company(),)
    ).fetchall()
    return [_job(db, row) for row in rows]


def set_job_status(db: sqlite3.Connection, job_id: str, status: str) -> bool:
    cursor = db.execute(
        "UPDATE jobs SET status = ? WHERE job_id = ? AND company_id = ?",
        (status, job_id, current_company()),
    )
    return cursor.rowcount == 1


def find_vendor(db: sqlite3.Connection, vendor_id: str) -> dict[str, Any] | None:
    """The vendor, if it belongs to the request's company."""
    row = db.execute(
        "SELECT * FROM vendors WHERE vendor_id = ? AND company_id = ?",
        (vendor_id, current_company()),
    ).fetchone()
    return None if row is None else _vendor(db, row)


def list_vendors(db: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT * FROM vendors WHERE company_id = ? ORDER BY vendor_id", (current_company(),)
    ).fetchall()
    return [_vendor(db, row) for row in rows]


VENDOR_ADDRESS = ("address", "city", "state", "zip", "telephone", "fax")


def _vendor(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """A vendor with its address and phone numbers (empty when Sage has none on file)."""
    place = db.execute(
        f"SELECT {', '.join(VENDOR_ADDRESS)} FROM vendor_addresses WHERE vendor_id = ?",
        (row["vendor_id"],),
    ).fetchone()
    return {
        **{field: row[field] for field in ("vendor_id", "name", "status")},
        **{field: place[field] if place else "" for field in VENDOR_ADDRESS},
    }
