"""A person edits a vendor in Sage (`PUT /admin/vendors/{id}`): status, name, address, phones.

What changed in Sage is what the orchestrator's vendor updates carry to Procore, so the
mock holds Sage's own limits on the result: the same Name / AddressCity / AddressZip
limits as a new vendor.
"""

from typing import Any, Literal

from pydantic import Field

from sage_mock.models import WireModel
from sage_mock.rules import check_address


class VendorChange(WireModel):
    """Only the fields sent change; the others keep what Sage has on file."""

    status: Literal["active", "inactive"] | None = None
    name: str | None = Field(default=None, min_length=1)
    address: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    telephone: str | None = None
    fax: str | None = None

    def changes(self) -> dict[str, str]:
        return self.model_dump(exclude_none=True)


def check_vendor_change(vendor: dict[str, Any], change: VendorChange) -> dict[str, str]:
    """The changes to apply, once the edited vendor is within Sage's limits."""
    changes = change.changes()
    edited = {**vendor, **changes}
    check_address(edited["name"], edited["city"], edited["zip"])
    return changes
