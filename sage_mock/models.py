"""Wire models of what callers send; stored records are rendered from the store."""

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sage_mock.errors import CANT_BE_BLANK, SageError, invalid_request

M = TypeVar("M", bound=BaseModel)


class WireModel(BaseModel):
    """Unknown fields are refused so a drifting client learns it at once, not in Sage."""

    model_config = ConfigDict(extra="forbid")


class JobHeader(WireModel):
    """The job header that estimate transfers and approved estimate changes carry."""

    job_id: str = Field(min_length=1)
    job_name: str = ""
    job_address: str = ""
    job_city: str = ""
    job_state: str = ""
    job_zip: str = ""


class CommitmentItem(WireModel):
    item_id: str = Field(min_length=1)
    description: str = ""
    cost_code: str = Field(min_length=1)
    category: str = Field(min_length=1)
    units: float | None = None
    unit_cost: float | None = None
    unit_description: str | None = None
    amount: float


class Commitment(WireModel):
    """A subcontract or purchase order with its schedule of values."""

    job_id: str = Field(min_length=1)
    commitment_id: str = Field(min_length=1)
    commitment_type: Literal["subcontract", "purchase_order"]
    description: str = ""
    vendor_id: str = Field(min_length=1)
    date: dt.date
    retainage_percent: float = Field(default=0.0, ge=0, le=100)
    items: list[CommitmentItem] = Field(default_factory=list)


class JobStatusChange(WireModel):
    status: Literal["open", "closed"]


class QuotaSettings(WireModel):
    limit: int = Field(ge=1)
    window_seconds: float = Field(gt=0)


def wire_error(errors: Sequence[Any]) -> SageError:
    """The first validation problem as Sage would word it ("Can't be blank." if missing)."""
    if not errors:
        return invalid_request("Invalid request.")
    first = errors[0]
    field = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    if first.get("type") in {"missing", "string_too_short"}:
        return invalid_request(CANT_BE_BLANK, field or None)
    if not field:
        return invalid_request("The request body must be a JSON object.")
    return invalid_request(f"[{field}] {first.get('msg', 'is invalid')}.", field)


def parse_wire(model: type[M], body: Any) -> M:
    """Validate a decoded body, refusing it with an `invalid_request` SageError."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise wire_error(error.errors()) from None
