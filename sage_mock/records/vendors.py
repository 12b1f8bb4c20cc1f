"""Vendors created through the API, with their address and phone numbers.

Reading a vendor is `master_data.find_vendor`, the same for seeded and created vendors.
"""

import sqlite3
import time
from typing import Any

from sage_mock.ap_vendors import NewVendor
from sage_mock.companies import current_company
from sage_mock.records import master_data


def insert(db: sqlite3.Connection, vendor: NewVendor) -> dict[str, Any]:
    db.execute(
        "INSERT INTO vendors (vendor_id, name, status, company_id) VALUES (?, ?, 'active', ?)",
        (vendor.vendor_id, vendor.name, current_company()),
    )
    db.execute(
        "INSERT INTO vendor_addresses"
        " (vendor_id, address, city, state, zip, telephone, fax, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            vendor.vendor_id,
            vendor.address,
            vendor.city,
            vendor.state,
            vendor.zip,
            vendor.telephone,
            vendor.fax,
            time.time(),
        ),
    )
    return master_data.find_vendor(db, vendor.vendor_id) or {}


def update(
    db: sqlite3.Connection, vendor: dict[str, Any], changes: dict[str, str]
) -> dict[str, Any]:
    """A person edits the vendor in Sage: `changes` holds only the fields that change."""
    edited = {**vendor, **changes}
    db.execute(
        "UPDATE vendors SET status = ?, name = ? WHERE vendor_id = ?",
        (edited["status"], edited["name"], vendor["vendor_id"]),
    )
    if changes.keys() & set(master_data.VENDOR_ADDRESS):
        place = {f: edited[f] for f in ("vendor_id", *master_data.VENDOR_ADDRESS)}
        db.execute(
            "INSERT INTO vendor_addresses"
            " (vendor_id, address, city, state, zip, telephone, fax, created_at)"
            " VALUES (:vendor_id, :address, :city, :state, :zip, :telephone, :fax, :now)"
            " ON CONFLICT (vendor_id) DO UPDATE SET address = :address, city = :city,"
            " state = :state, zip = :zip, telephone = :telephone, fax = :fax",
            {**place, "now": time.time()},
        )
    return master_data.find_vendor(db, vendor["vendor_id"]) or {}
