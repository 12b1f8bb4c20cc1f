"""Sage companies, which company each job and vendor belongs to, and each company's standard
cost code and category lists (the company-level lists project cost codes are added from).

A database made before companies existed still opens: `upgrade` adds the company and link
columns to `jobs` and `vendors` (every existing row belongs to the default company, as it
always did) and seeds what this module adds, once.
"""

import json
import sqlite3
from typing import Any

from sage_mock.companies import DEFAULT_COMPANY, Company, current_company
from sage_mock.records import master_data

SCHEMA = """
CREATE TABLE IF NOT EXISTS companies (
    company_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    erp TEXT NOT NULL CHECK (erp IN ('sage300', 'sage100'))
);
CREATE TABLE IF NOT EXISTS standard_cost_codes (
    company_id TEXT NOT NULL REFERENCES companies (company_id),
    code TEXT NOT NULL,
    description TEXT NOT NULL,
    active INTEGER NOT NULL,
    PRIMARY KEY (company_id, code)
);
CREATE TABLE IF NOT EXISTS standard_categories (
    seq INTEGER PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies (company_id),
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    UNIQUE (company_id, category)
);
"""

COLUMNS: dict[str, list[tuple[str, str]]] = {
    "jobs": [
        ("company_id", f"TEXT NOT NULL DEFAULT '{DEFAULT_COMPANY}'"),
        ("linked_project", "TEXT"),  # the Procore project the job is synced with
        ("origin", "TEXT NOT NULL DEFAULT 'sage'"),  # 'procore': created by POST /v1/jobs
    ],
    "vendors": [("company_id", f"TEXT NOT NULL DEFAULT '{DEFAULT_COMPANY}'")],
    "batches": [("company_id", f"TEXT NOT NULL DEFAULT '{DEFAULT_COMPANY}'")],
}
"""Columns added to the tables of store.py, to new and older databases alike."""

COMPANIES: list[Company] = [
    Company(DEFAULT_COMPANY, "Demo Builders", "sage300"),
    Company("S100", "Demo Builders 100", "sage100"),
]

CRE_STANDARD_CATEGORIES = [
    ("L", "Labor"),
    ("M", "Material"),
    ("S", "Subcontract"),
    ("O", "Other"),
    ("E", "Equipment"),
]
S100_STANDARD_CATEGORIES = [
    ("1", "Material"),
    ("2", "Labor"),
    ("3", "Equipment"),
    ("4", "Subcontract"),
    ("5", "Other"),
]
"""Sage 100 Contractor® cost types, numbered."""

CRE_MORE_COST_CODES = [
    ("02-200", "Demolition", True),
    ("07-100", "Roofing", True),
    ("08-100", "Doors", True),
    ("10-100", "Specialties", False),
]
"""The CRE list beyond the cost codes its seeded jobs use."""

S100_STANDARD_COST_CODES = [
    ("01-000", "General Conditions", True),
    ("02-000", "Site Work", True),
    ("03-000", "Concrete", True),
    ("04-000", "Masonry", True),
    ("06-000", "Carpentry", True),
    ("07-000", "Roofing", True),
    ("09-000", "Finishes", True),
    ("13-000", "Special Construction", False),
    ("15-000", "Plumbing", True),
    ("16-000", "Electrical", True),
]

S100_JOBS: list[dict[str, Any]] = [
    {
        "job_id": "3001",
        "name": "Oak Street Apartments",
        "cost_codes": [
            ("02-000", "Site Work", ["2", "3", "4"]),
            ("03-000", "Concrete", ["1", "2", "4"]),
            ("06-000", "Carpentry", ["1", "2", "4"]),
            ("15-000", "Plumbing", ["1", "2", "4"]),
            ("16-000", "Electrical", ["1", "2", "4"]),
        ],
    },
    {
        "job_id": "3002",
        "name": "Elm Park Townhomes",
        "cost_codes": [
            ("02-000", "Site Work", ["2", "3", "4"]),
            ("03-000", "Concrete", ["1", "2", "4"]),
            ("06-000", "Carpentry", ["1", "2", "4"]),
            ("16-000", "Electrical", ["1", "2", "4"]),
        ],
    },
]

VENDOR_PLACES: list[tuple[str, str, str, str, str, str, str]] = [
    # (company, vendor_id, name, address, city, state, zip); telephone in VENDOR_PHONES
    ("S100", "S-10", "Granite Masonry Co", "88 Quarry Rd", "Fresno", "CA", "93706"),
    ("S100", "S-20", "Pacific Plumbing", "410 Harbor Blvd", "Oakland", "CA", "94607"),
    ("S100", "S-30", "Summit Roofing", "12 Ridge Way", "Fresno", "CA", "93711"),
    ("S100", "S-31", "Summit Roofing", "900 Valley Ave", "Visalia", "CA", "93277"),
    (DEFAULT_COMPANY, "V-100", "ACME Concrete", "1 Cement Way", "Riverside", "CA", "92501"),
    (DEFAULT_COMPANY, "V-200", "Bright Electric", "77 Volt St", "Riverside", "CA", "92503"),
    (DEFAULT_COMPANY, "V-300", "Steel Works Inc", "5 Forge Rd", "Corona", "CA", "92880"),
]
"""Vendors with an address on file; S-30 and S-31 share a name (ambiguous matching)."""

VENDOR_PHONES = {"S-10": "559-555-0110", "S-20": "510-555-0120", "V-100": "951-555-0100"}


class DatabaseTooOld(Exception):
    """A database an older version made that cannot be brought up to companies."""


def upgrade(db: sqlite3.Connection) -> None:
    """Bring any database, new or made by an older version, up to companies; idempotent."""
    for table, columns in COLUMNS.items():
        present = {row["name"] for row in db.execute(f"PRAGMA table_info({table})")}
        for name, definition in columns:
            if name not in present:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {definition}")
                if (table, name) == ("jobs", "origin"):  # older API-created jobs: from Procore
                    db.execute(
                        "UPDATE jobs SET origin = 'procore'"
                        " WHERE job_id IN (SELECT job_id FROM job_addresses)"
                    )
    if db.execute("SELECT 1 FROM meta WHERE key = 'companies_seeded'").fetchone() is None:
        try:
            _seed(db)
        except sqlite3.IntegrityError as clash:
            raise DatabaseTooOld(
                f"The mock Sage database cannot take the seeded companies ({clash}): "
                "a record made by an older version holds one of their codes. "
                "Run `make clean` to start from a fresh database."
            ) from None
        db.execute("INSERT INTO meta (key, value) VALUES ('companies_seeded', '1')")


def _seed(db: sqlite3.Connection) -> None:
    db.executemany(
        "INSERT INTO companies (company_id, name, erp) VALUES (?, ?, ?)",
        [(c.company_id, c.name, c.erp) for c in COMPANIES],
    )
    cre_codes = {
        code: description for job in master_data.JOBS for code, description, _ in job["cost_codes"]
    }
    standard = [
        *((DEFAULT_COMPANY, code, description, True) for code, description in cre_codes.items()),
        *((DEFAULT_COMPANY, *entry) for entry in CRE_MORE_COST_CODES if entry[0] not in cre_codes),
        *(("S100", *entry) for entry in S100_STANDARD_COST_CODES),
    ]
    db.executemany(
        "INSERT INTO standard_cost_codes (company_id, code, description, active)"
        " VALUES (?, ?, ?, ?)",
        standard,
    )
    db.executemany(
        "INSERT INTO standard_categories (company_id, category, description) VALUES (?, ?, ?)",
        [
            *((DEFAULT_COMPANY, *entry) for entry in CRE_STANDARD_CATEGORIES),
            *(("S100", *entry) for entry in S100_STANDARD_CATEGORIES),
        ],
    )
    for job in S100_JOBS:
        db.execute(
            "INSERT INTO jobs (job_id, name, status, company_id) VALUES (?, ?, 'open', 'S100')",
            (job["job_id"], job["name"]),
        )
        db.executemany(
            "INSERT INTO cost_codes (job_id, code, description, categories) VALUES (?, ?, ?, ?)",
            [(job["job_id"], c, d, json.dumps(cats)) for c, d, cats in job["cost_codes"]],
        )
    for company, vendor_id, name, *place in VENDOR_PLACES:
        if company != DEFAULT_COMPANY:
            db.execute(
                "INSERT INTO vendors (vendor_id, name, status, company_id)"
                " VALUES (?, ?, 'active', ?)",
                (vendor_id, name, company),
            )
        db.execute(
            "INSERT OR IGNORE INTO vendor_addresses"
            " (vendor_id, address, city, state, zip, telephone, fax, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, '', 0)",
            (vendor_id, *place, VENDOR_PHONES.get(vendor_id, "")),
        )


def find(db: sqlite3.Connection, company_id: str) -> Company | None:
    row = db.execute(
        "SELECT company_id, name, erp FROM companies WHERE company_id = ?", (company_id,)
    ).fetchone()
    return None if row is None else Company(row["company_id"], row["name"], row["erp"])


def owner_of_job(db: sqlite3.Connection, job_id: str) -> str | None:
    """The company a job belongs to, whichever company is asking (None: no such job)."""
    row = db.execute("SELECT company_id FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
    return None if row is None else row["company_id"]


def owner_of_vendor(db: sqlite3.Connection, vendor_id: str) -> str | None:
    row = db.execute("SELECT company_id FROM vendors WHERE vendor_id = ?", (vendor_id,)).fetchone()
    return None if row is None else row["company_id"]


def standard_cost_codes(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """The current company's standard cost code list, by code."""
    rows = db.execute(
        "SELECT code, description, active FROM standard_cost_codes WHERE company_id = ?"
        " ORDER BY code",
        (current_company(),),
    ).fetchall()
    return [{**dict(row), "active": bool(row["active"])} for row in rows]


def standard_categories(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """The current company's standard categories (Sage 100 Contractor®: cost types)."""
    rows = db.execute(
        "SELECT category, description FROM standard_categories WHERE company_id = ? ORDER BY seq",
        (current_company(),),
    ).fetchall()
    return [dict(row) for row in rows]
