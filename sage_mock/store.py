"""The mock's single SQLite file: every record, batch, idempotency answer and counter.

One connection guarded by a lock keeps the asyncio app simple and correct: SQLite
serialises writers anyway, and every transaction here is short and never awaits.
WAL mode lets a person inspect the file with `sqlite3` while the server runs.
"""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sage_mock.records import (
    ap_payments,
    ar_invoices,
    billing,
    companies,
    estimates,
    job_cost_transactions,
    job_setup,
    master_data,
    misc_worksheets,
    vendor_insurance,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed'))
);
CREATE TABLE IF NOT EXISTS cost_codes (
    job_id TEXT NOT NULL REFERENCES jobs (job_id),
    code TEXT NOT NULL,
    description TEXT NOT NULL,
    categories TEXT NOT NULL,  -- JSON array of category letters
    PRIMARY KEY (job_id, code)
);
CREATE TABLE IF NOT EXISTS vendors (
    vendor_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'inactive'))
);
CREATE TABLE IF NOT EXISTS batches (
    seq INTEGER PRIMARY KEY,
    batch_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    auto_post INTEGER NOT NULL,
    created_at REAL NOT NULL,
    due_at REAL,     -- when an auto-posting batch posts itself
    posted_at REAL,  -- set when a person posts it, or when a read finds it due
    posted_by TEXT
);
CREATE TABLE IF NOT EXISTS commitments (
    row_id INTEGER PRIMARY KEY,
    job_id TEXT NOT NULL,
    commitment_id TEXT NOT NULL,
    commitment_type TEXT NOT NULL,
    description TEXT NOT NULL,
    vendor_id TEXT NOT NULL,
    date TEXT NOT NULL,
    retainage_percent REAL NOT NULL,
    batch_id TEXT NOT NULL REFERENCES batches (batch_id),
    created_at REAL NOT NULL,
    deleted_at REAL
);
CREATE UNIQUE INDEX IF NOT EXISTS commitments_live_code
    ON commitments (job_id, commitment_id) WHERE deleted_at IS NULL;
CREATE TABLE IF NOT EXISTS commitment_items (
    commitment_row INTEGER NOT NULL REFERENCES commitments (row_id),
    line INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    description TEXT NOT NULL,
    cost_code TEXT NOT NULL,
    category TEXT NOT NULL,
    units REAL,
    unit_cost REAL,
    unit_description TEXT,
    amount REAL NOT NULL,
    PRIMARY KEY (commitment_row, line)
);
CREATE TABLE IF NOT EXISTS contracts (
    job_id TEXT NOT NULL REFERENCES jobs (job_id),
    contract_id TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (job_id, contract_id)
);
CREATE TABLE IF NOT EXISTS contract_items (
    row_id INTEGER PRIMARY KEY,
    job_id TEXT NOT NULL,
    contract_id TEXT NOT NULL,
    item_code TEXT NOT NULL,
    description TEXT NOT NULL,
    cost_code TEXT,
    original_amount REAL NOT NULL,
    created_by TEXT NOT NULL,  -- 'sage' (seeded or added by a person) or 'api'
    created_at REAL NOT NULL,
    deleted_at REAL
);
CREATE UNIQUE INDEX IF NOT EXISTS contract_items_live_code
    ON contract_items (job_id, contract_id, item_code) WHERE deleted_at IS NULL;
CREATE TABLE IF NOT EXISTS gl_periods (
    period TEXT PRIMARY KEY,  -- YYYY-MM
    status TEXT NOT NULL CHECK (status IN ('open', 'closed'))
);
CREATE TABLE IF NOT EXISTS commitment_change_orders (
    row_id INTEGER PRIMARY KEY,
    job_id TEXT NOT NULL,
    commitment_id TEXT NOT NULL,
    change_order_id TEXT NOT NULL,
    description TEXT NOT NULL,
    date TEXT NOT NULL,
    status TEXT NOT NULL,
    items TEXT NOT NULL,  -- JSON array, as sent
    batch_id TEXT NOT NULL REFERENCES batches (batch_id),
    created_at REAL NOT NULL,
    deleted_at REAL
);
CREATE UNIQUE INDEX IF NOT EXISTS commitment_change_orders_live_id
    ON commitment_change_orders (change_order_id) WHERE deleted_at IS NULL;
CREATE TABLE IF NOT EXISTS job_cost_changes (
    row_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('estimate_change', 'schedule_value_change')),
    change_id TEXT NOT NULL UNIQUE,
    job_id TEXT NOT NULL,
    contract_id TEXT,
    header TEXT NOT NULL,  -- JSON object, as sent without its lines
    lines TEXT NOT NULL,  -- JSON array, as sent
    batch_id TEXT NOT NULL REFERENCES batches (batch_id),
    created_at REAL NOT NULL,
    reversed_at REAL
);
CREATE TABLE IF NOT EXISTS ap_invoices (
    row_id INTEGER PRIMARY KEY,
    vendor_id TEXT NOT NULL,
    invoice_id TEXT NOT NULL,
    body TEXT NOT NULL,  -- JSON object, as sent
    batch_id TEXT NOT NULL REFERENCES batches (batch_id),
    created_at REAL NOT NULL,
    deleted_at REAL
);
CREATE UNIQUE INDEX IF NOT EXISTS ap_invoices_live_code
    ON ap_invoices (vendor_id, invoice_id) WHERE deleted_at IS NULL;
CREATE TABLE IF NOT EXISTS job_addresses (  -- jobs created through the API
    job_id TEXT PRIMARY KEY REFERENCES jobs (job_id),
    address TEXT NOT NULL,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    zip TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS vendor_addresses (  -- vendors created through the API
    vendor_id TEXT PRIMARY KEY REFERENCES vendors (vendor_id),
    address TEXT NOT NULL,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    zip TEXT NOT NULL,
    telephone TEXT NOT NULL,
    fax TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS extras (
    job_id TEXT NOT NULL REFERENCES jobs (job_id),
    extra_id TEXT NOT NULL,
    description TEXT NOT NULL,
    cost_codes TEXT NOT NULL,  -- JSON [{"code", "description", "categories"}]
    created_at REAL NOT NULL,
    PRIMARY KEY (job_id, extra_id)
);
CREATE TABLE IF NOT EXISTS estimate_transfers (
    seq INTEGER PRIMARY KEY,
    transfer_id TEXT NOT NULL UNIQUE,
    job_id TEXT NOT NULL REFERENCES jobs (job_id),
    body TEXT NOT NULL,  -- JSON: the job header, date and lines as sent
    batch_id TEXT NOT NULL REFERENCES batches (batch_id),
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS job_cost_transactions (  -- direct costs a person posts in Sage
    seq INTEGER PRIMARY KEY,
    transaction_id TEXT NOT NULL UNIQUE,
    job_id TEXT NOT NULL REFERENCES jobs (job_id),
    cost_code TEXT NOT NULL,
    category TEXT NOT NULL,
    date TEXT NOT NULL,  -- YYYY-MM-DD, the accounting date
    description TEXT NOT NULL,
    amount REAL NOT NULL,
    units REAL NOT NULL,
    paid REAL NOT NULL,
    created_at REAL NOT NULL,
    cost_type TEXT NOT NULL DEFAULT 'JC',  -- Sage's Cost Type: AP, PR, EQ, IV, JC
    extra_id TEXT,
    vendor_id TEXT,  -- AP costs only
    invoice_id TEXT
);
CREATE INDEX IF NOT EXISTS job_cost_transactions_job ON job_cost_transactions (job_id);
CREATE TABLE IF NOT EXISTS idempotency_answers (
    idempotency_key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS request_counters (
    name TEXT PRIMARY KEY,
    count INTEGER NOT NULL
);
"""


class Store:
    """Opens (and on first use creates and seeds) the database file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL mode survives a killed process (only an OS crash could lose
        # the last commits), and keeps each write cheap.
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.executescript(SCHEMA)
        self._db.executescript(billing.SCHEMA)
        self._db.executescript(companies.SCHEMA)
        self._db.executescript(estimates.SCHEMA)
        self._db.executescript(vendor_insurance.SCHEMA)
        self._db.executescript(misc_worksheets.SCHEMA)
        self._db.executescript(job_setup.SCHEMA)
        self._db.executescript(ap_payments.SCHEMA)
        self._db.executescript(ar_invoices.SCHEMA)
        with self.write() as db:
            # The seeds refer to each other's rows (the S100 jobs' transactions, the CRE
            # vendors' addresses): keys are checked once the whole seeding commits.
            db.execute("PRAGMA defer_foreign_keys = ON")
            job_cost_transactions.upgrade(db)  # before any seeding writes its new columns
            companies.upgrade(db)  # first, so the master data can refer to every company's jobs
            estimates.upgrade(db)
            if db.execute("SELECT 1 FROM meta WHERE key = 'seeded'").fetchone() is None:
                master_data.seed(db)
                db.execute("INSERT INTO meta (key, value) VALUES ('seeded', '1')")
            vendor_insurance.upgrade(db)  # after the vendors it belongs to

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: everything inside commits together or not at all."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()
