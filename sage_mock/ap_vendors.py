"""Sage 300 CRE Accounts Payable: a new vendor (Procore: a company), and Sage's rules for it.

The length limits are Sage's own for [Name], [AddressCity] and [AddressZip] (seeds/004
troubleshooting table); the seed names no message for a duplicate vendor ID, so it is
worded like its duplicate-job message.
"""

from typing import Any

from pydantic import Field

from sage_mock.errors import SageError
from sage_mock.models import WireModel
from sage_mock.rules import check_address

VENDOR_EXISTS = "A vendor with that ID already exists."


class NewVendor(WireModel):
    vendor_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    address: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    telephone: str = ""
    fax: str = ""


def check_new_vendor(vendor: NewVendor, existing: dict[str, Any] | None) -> None:
    """Raise the first rule the vendor breaks; `existing` is the vendor with that ID, if any."""
    check_address(vendor.name, vendor.city, vendor.zip)
    if existing is not None:
        raise SageError(409, "vendor_exists", VENDOR_EXISTS, existing=existing)
