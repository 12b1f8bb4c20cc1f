"""Vendors created through the API, with their address and phone numbers.

Reading a vendor is `master_data.find_vendor`, the same for seeded and created vendors.
"""

import sqlite3
import time
from typing import Any

from sage_mock.ap_vendors import NewVendor
from sage_mock.records import master_data


def insert(db: sqlite3.Connection, vendor: NewVendor) -> dict[str, Any]:
    db.execute(
        "INSERT INTO vendors (vendor_id, name, status) VALUES (?, ?, 'active')",
        (vendor.vendor_id, vendor.name),
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
