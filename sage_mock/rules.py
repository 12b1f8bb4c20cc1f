"""Sage 300 CRE's rules for a new commitment, in the order Sage checks them.

Pure functions of the request and what Sage already holds, so every rule and its
exact message is testable without HTTP or SQLite.
"""

from typing import Any

from sage_mock.errors import CANT_BE_BLANK, SageError, not_found
from sage_mock.models import Commitment

COMMITMENT_ID_MAX = 12
DESCRIPTION_MAX = 30

CATEGORY_NOT_FOUND = "No entities could be found of type [Category] with given where clause."
JOB_CLOSED = "Job has been closed."
VENDOR_INACTIVE = "Vendor is inactive/has been archived."
COMMITMENT_EXISTS = (
    "A commitment with code [{code}] already exists. This error may occur due to the "
    "following: the commitment was deleted and re-created, a failed previous attempt at "
    "exporting, or a different commitment with the same code exists.  Contact ERP Support "
    "to confirm steps to resolution."
)


NAME_MAX = 30
CITY_MAX = 15
ZIP_MAX = 10
"""Sage's limits on a job's or a vendor's name and address."""


def check_address(name: str, city: str, zip_code: str) -> None:
    """Raise the first of the Name / AddressCity / AddressZip limits that a job or vendor breaks."""
    for label, value, maximum in (
        ("Name", name, NAME_MAX),
        ("AddressCity", city, CITY_MAX),
        ("AddressZip", zip_code, ZIP_MAX),
    ):
        if len(value) > maximum:
            raise too_long(label, maximum)


def too_long(field_label: str, maximum: int) -> SageError:
    return SageError(
        422,
        "field_too_long",
        f"[{field_label}] is too long, maximum length is {maximum} characters.",
    )


def check_new_commitment(
    commitment: Commitment,
    job: dict[str, Any] | None,
    vendor: dict[str, Any] | None,
    existing: dict[str, Any] | None,
) -> None:
    """Raise the first rule the commitment breaks; return if Sage would accept it.

    `existing` is the live commitment with the same job and code, if any.
    """
    if len(commitment.commitment_id) > COMMITMENT_ID_MAX:
        raise too_long("Commitment ID", COMMITMENT_ID_MAX)
    if len(commitment.description) > DESCRIPTION_MAX:
        raise too_long("Description", DESCRIPTION_MAX)
    if job is None or vendor is None:
        raise not_found()
    if job["status"] == "closed":
        raise SageError(422, "job_closed", JOB_CLOSED)
    if vendor["status"] == "inactive":
        raise SageError(422, "vendor_inactive", VENDOR_INACTIVE)
    categories = {code["code"]: set(code["categories"]) for code in job["cost_codes"]}
    for item in commitment.items:
        if item.category not in categories.get(item.cost_code, set()):
            raise SageError(422, "category_not_found", CATEGORY_NOT_FOUND)
    if not commitment.items:
        raise SageError(422, "no_items", CANT_BE_BLANK)
    if existing is not None:
        raise SageError(
            409,
            "commitment_exists",
            COMMITMENT_EXISTS.format(code=commitment.commitment_id),
            existing=existing,
        )
