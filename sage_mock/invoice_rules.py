"""Sage 300 CRE's rules for an Accounts Payable invoice, in the order Sage applies them, each
answered with the text of seeds/004's INVOICES troubleshooting rows."""

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from sage_mock.errors import NO_DISTRIBUTIONS, SageError, invalid_request, not_found
from sage_mock.models import WireModel
from sage_mock.rules import CATEGORY_NOT_FOUND, JOB_CLOSED, VENDOR_INACTIVE

INVOICE_EXISTS = (
    "There are errors in the document's codings. Errors: Document already exists for "
    "specified vendor and code [{code}]."
)
GL_PERIOD_CLOSED = (
    "Ap Invoice Api import failed with error message: GL period closed.  Entry not allowed. "
    "({date})."
)
OVER_TOLERANCE = (
    "Ap Invoice Api import failed with error message: Commitment {commitment} - amount invoiced "
    "exceeds approved amount plus tolerance."
)


class Distribution(WireModel):
    commitment_id: str = Field(min_length=1)
    commitment_item: str = Field(min_length=1)
    job_id: str = Field(min_length=1)
    extra_id: str | None = None
    cost_code: str = Field(min_length=1)
    category: str = Field(min_length=1)
    description: str = ""
    amount: float
    retainage: float = 0.0
    quantity: float | None = Field(
        default=None, description="Quantity invoiced, on a unit-priced commitment item only"
    )

    @model_serializer(mode="wrap")
    def _quantity_only_when_given(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """An amount-based distribution's record has no quantity at all."""
        data = handler(self)
        if data.get("quantity") is None:
            data.pop("quantity", None)
        return data


class ApInvoice(WireModel):
    """Header (vendor, invoice code, dates, original amount, retainage) and distributions."""

    vendor_id: str = Field(min_length=1)
    invoice_id: str = Field(min_length=1)
    description: str = ""
    invoice_date: dt.date
    accounting_date: dt.date
    original_amount: float
    retainage: float = 0.0
    distributions: list[Distribution] = Field(default_factory=list)


class GlPeriodChange(WireModel):
    status: Literal["open", "closed"]


class ApSettings(WireModel):
    tolerance_percent: float = Field(ge=0)


def sage_date(day: dt.date) -> str:
    """Dates in Sage's messages: MM\\DD\\YYYY."""
    return f"{day.month:02d}\\{day.day:02d}\\{day.year:04d}"


def check_quantity(d: Distribution, item: dict[str, Any]) -> None:
    """A quantity invoiced is for a unit-priced commitment item (one with a unit cost), and
    the distribution's amount is that quantity at the unit cost. Without a quantity the
    amount alone is taken, as for an amount-based item."""
    if d.quantity is None:
        return
    where = f"Commitment {d.commitment_id} item {d.commitment_item}"
    unit_cost = item.get("unit_cost")
    if unit_cost is None:
        raise invalid_request(
            f"[quantity] {where} has no unit cost: invoice it by amount, no quantity.",
            "quantity",
        )
    if abs(d.quantity * unit_cost - d.amount) > 0.005:
        raise invalid_request(
            f"[amount] {where}: {d.quantity:g} at {unit_cost:.2f} a unit is "
            f"{d.quantity * unit_cost:.2f}, not {d.amount:.2f}.",
            "amount",
        )


def check_new_invoice(
    invoice: ApInvoice,
    vendor: dict[str, Any] | None,
    job_of: Callable[[str], dict[str, Any] | None],
    commitment_of: Callable[[str, str], dict[str, Any] | None],
    existing: dict[str, Any] | None,
    gl_period_status: str | None,
    approved_and_invoiced: Callable[[str, str], tuple[float, float]],
    tolerance_percent: float,
) -> None:
    """Raise the first rule the invoice breaks; `existing` is the vendor's live invoice with the
    same code. The duplicate check comes before the amounts, so a replayed invoice is never
    counted twice against its commitment."""
    if vendor is None:
        raise not_found()
    if not invoice.distributions:
        raise SageError(422, "no_distributions", NO_DISTRIBUTIONS)
    jobs = {d.job_id: job_of(d.job_id) for d in invoice.distributions}
    if any(job is None for job in jobs.values()):
        raise not_found()
    if any(job["status"] == "closed" for job in jobs.values() if job):
        raise SageError(422, "job_closed", JOB_CLOSED)
    if vendor["status"] == "inactive":
        raise SageError(422, "vendor_inactive", VENDOR_INACTIVE)
    for d in invoice.distributions:
        commitment = commitment_of(d.job_id, d.commitment_id)
        items = {item["item_id"]: item for item in (commitment or {}).get("items", [])}
        if d.commitment_item not in items:
            raise not_found()
        check_quantity(d, items[d.commitment_item])
        job = jobs[d.job_id] or {}
        categories = {code["code"]: set(code["categories"]) for code in job["cost_codes"]}
        if d.category not in categories.get(d.cost_code, set()):
            raise SageError(422, "category_not_found", CATEGORY_NOT_FOUND)
    if existing is not None:
        raise SageError(
            409, "invoice_exists", INVOICE_EXISTS.format(code=invoice.invoice_id), existing=existing
        )
    if gl_period_status != "open":
        raise SageError(
            422,
            "gl_period_closed",
            GL_PERIOD_CLOSED.format(date=sage_date(invoice.accounting_date)),
        )
    billed: dict[tuple[str, str], float] = {}
    for d in invoice.distributions:
        billed[(d.job_id, d.commitment_id)] = (
            billed.get((d.job_id, d.commitment_id), 0.0) + d.amount
        )
    for (job_id, commitment_id), amount in billed.items():
        approved, invoiced = approved_and_invoiced(job_id, commitment_id)
        if invoiced + amount > approved * (1 + tolerance_percent / 100) + 0.005:
            raise SageError(422, "over_tolerance", OVER_TOLERANCE.format(commitment=commitment_id))
