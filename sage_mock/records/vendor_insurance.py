"""AP Vendor Insurance records (sage_mock/vendor_insurance.py), seeded for two demo vendors.

A database made before insurance existed still opens: `upgrade` makes the table and seeds it,
once.
"""

import sqlite3
from typing import Any

from sage_mock.companies import current_company
from sage_mock.vendor_insurance import InsuranceEntry

SCHEMA = """
CREATE TABLE IF NOT EXISTS vendor_insurance (
    vendor_id TEXT NOT NULL REFERENCES vendors (vendor_id),
    level TEXT NOT NULL CHECK (level IN ('global', 'job')),
    job_id TEXT NOT NULL DEFAULT '',  -- '' at the Global Level
    insurance_type TEXT NOT NULL,
    policy_number TEXT NOT NULL,
    insurance_company TEXT NOT NULL,
    limit_amount REAL,
    effective_date TEXT,  -- YYYY-MM-DD
    expiration_date TEXT,
    PRIMARY KEY (vendor_id, level, job_id, insurance_type)
);
"""

SEEDED: list[tuple[str, str, str, str, str, str, float | None, str | None, str | None]] = [
    # (vendor, level, job, type, policy number, insurance company, limit, effective, expiration)
    ("V-100", "global", "", "General Liability", "GL-2026-0042", "Golden State Mutual",
     2_000_000.0, "2026-01-01", "2026-12-31"),
    ("V-100", "global", "", "Automobile", "AU-7781", "Golden State Mutual",
     1_000_000.0, "2026-01-01", "2026-12-31"),
    ("V-100", "global", "", "Worker's", "WC-5520", "Pacific Workers Fund",
     1_000_000.0, "2026-03-01", "2027-02-28"),
    ("V-100", "global", "", "Umbrella", "", "", None, None, None),  # the type, nothing entered
    ("V-100", "global", "", "Builders Risk", "BR-1", "Harbor Surety",
     500_000.0, "2026-01-01", "2026-12-31"),  # not a default type
    ("V-100", "job", "1001", "General Liability", "GL-1001-X", "Harbor Surety",
     5_000_000.0, "2026-06-01", "2027-05-31"),  # job level
    ("V-200", "global", "", "Umbrella", "UMB-300", "Riverside Casualty",
     5_000_000.0, "2026-07-01", "2027-06-30"),
]  # fmt: skip
"""V-100 ACME Concrete: three default types entered, one left empty, a type of its own and a
job-level policy; V-200 Bright Electric: an umbrella policy. The other vendors have none."""


def upgrade(db: sqlite3.Connection) -> None:
    """Seed the table once, new database or old (it is made by SCHEMA in either)."""
    if db.execute("SELECT 1 FROM meta WHERE key = 'vendor_insurance_seeded'").fetchone():
        return
    db.executemany("INSERT INTO vendor_insurance VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", SEEDED)
    db.execute("INSERT INTO meta (key, value) VALUES ('vendor_insurance_seeded', '1')")


def of_vendor(db: sqlite3.Connection, vendor_id: str) -> list[dict[str, Any]]:
    """The vendor's policies: Global Level first, then by job, each by type."""
    rows = db.execute(
        "SELECT * FROM vendor_insurance WHERE vendor_id = ? ORDER BY level, job_id, insurance_type",
        (vendor_id,),
    ).fetchall()
    return [_record(row) for row in rows]


def put(db: sqlite3.Connection, vendor_id: str, entry: InsuranceEntry) -> list[dict[str, Any]]:
    """A person enters (or changes) one policy; the vendor's policies after it."""
    db.execute(
        "INSERT INTO vendor_insurance VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (vendor_id, level, job_id, insurance_type) DO UPDATE SET"
        " policy_number = excluded.policy_number,"
        " insurance_company = excluded.insurance_company, limit_amount = excluded.limit_amount,"
        " effective_date = excluded.effective_date, expiration_date = excluded.expiration_date",
        (
            vendor_id,
            entry.level,
            entry.job_id or "",
            entry.insurance_type,
            entry.policy_number,
            entry.insurance_company,
            entry.limit,
            entry.effective_date.isoformat() if entry.effective_date else None,
            entry.expiration_date.isoformat() if entry.expiration_date else None,
        ),
    )
    return of_vendor(db, vendor_id)


def list_all(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every policy of the request's company's vendors."""
    rows = db.execute(
        "SELECT vendor_insurance.* FROM vendor_insurance JOIN vendors USING (vendor_id)"
        " WHERE vendors.company_id = ? ORDER BY vendor_id, level, job_id, insurance_type",
        (current_company(),),
    ).fetchall()
    return [_record(row) for row in rows]


def _record(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "vendor_id": row["vendor_id"],
        "level": row["level"],
        "job_id": row["job_id"] or None,
        "insurance_type": row["insurance_type"],
        "policy_number": row["policy_number"],
        "insurance_company": row["insurance_company"],
        "limit": row["limit_amount"],
        "effective_date": row["effective_date"],
        "expiration_date": row["expiration_date"],
    }
