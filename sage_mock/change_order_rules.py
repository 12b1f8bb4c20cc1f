"""Sage 300 CRE's rules for commitment change orders and the commitment items they add.

Wire models and pure checks, in the order Sage applies them, each answered with the text of
seeds/004 (troubleshooting table and the CCO limitations).
"""

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from sage_mock.errors import CANT_BE_BLANK, SageError, not_found
from sage_mock.models import WireModel
from sage_mock.rules import (
    CATEGORY_NOT_FOUND,
    JOB_CLOSED,
    VENDOR_INACTIVE,
)

COMMITMENT_ARCHIVED = "Commitment has been archived."
LINE_MODIFIED_TWICE = "A contract line item cannot be modified more than once on any CCO."
CHANGE_ORDER_EXISTS = "A commitment change order already exists with the specified id."


class NewCommitmentItem(WireModel):
    """A commitment item added for a new CCO line (it takes its amount from the CCO)."""

    description: str = ""
    cost_code: str = Field(min_length=1)
    category: str = Field(min_length=1)
    units: float | None = None
    unit_cost: float | None = None
    unit_description: str | None = None
    amount: float = 0.0


class ChangeOrderItem(WireModel):
    item_id: str = Field(min_length=1)
    units: float | None = None
    amount: float
    description: str | None = None
    cost_code: str | None = None
    category: str | None = None
    unit_cost: float | None = None
    unit_description: str | None = None


class CommitmentChangeOrder(WireModel):
    job_id: str = Field(min_length=1)
    commitment_id: str = Field(min_length=1)
    change_order_id: str = Field(min_length=1)
    description: str = ""
    date: dt.date
    status: Literal["approved"]
    items: list[ChangeOrderItem] = Field(default_factory=list)


def _open_job(job: dict[str, Any] | None) -> dict[str, Any]:
    if job is None:
        raise not_found()
    if job["status"] == "closed":
        raise SageError(422, "job_closed", JOB_CLOSED)
    return job


def check_new_commitment_item(
    item: NewCommitmentItem, job: dict[str, Any] | None, commitment_found: bool
) -> None:
    if job is None or not commitment_found:
        raise not_found()
    _open_job(job)
    categories = {code["code"]: set(code["categories"]) for code in job["cost_codes"]}
    if item.category not in categories.get(item.cost_code, set()):
        raise SageError(422, "category_not_found", CATEGORY_NOT_FOUND)


def check_new_change_order(
    change_order: CommitmentChangeOrder,
    job: dict[str, Any] | None,
    commitment: dict[str, Any] | None,
    vendor: dict[str, Any] | None,
    existing: dict[str, Any] | None,
) -> None:
    """Raise the first rule the CCO breaks; `existing` is the live CCO with the same ID.

    No length limit on the description (the CCO's title): seeds/004 sets "Title. The title
    must be 30 characters or less." for commitments only; its CCO section names no limit, so
    the mock invents none (an invented one failed CCOs after acceptance)."""
    if job is None or commitment is None:
        raise not_found()
    _open_job(job)
    if vendor is not None and vendor["status"] == "inactive":
        raise SageError(422, "vendor_inactive", VENDOR_INACTIVE)
    if not change_order.items:
        raise SageError(422, "cant_be_blank", CANT_BE_BLANK)
    ids = [item.item_id for item in change_order.items]
    if len(set(ids)) != len(ids):
        raise SageError(422, "line_modified_twice", LINE_MODIFIED_TWICE)
    on_commitment = {item["item_id"] for item in commitment["items"]}
    if not set(ids) <= on_commitment:
        raise SageError(422, "commitment_archived", COMMITMENT_ARCHIVED)
    if existing is not None:
        raise SageError(
            409, "commitment_change_order_exists", CHANGE_ORDER_EXISTS, existing=existing
        )
