"""Payments of AP invoices: a person pays a posted invoice in Sage's Accounts Payable (a check),
and the orchestrator reads a job's payments to tell Procore the invoice was paid (the seeds'
permissions matrix: "Sync Paid Invoice Notifications from ERP into Procore").

The seeds name no fields and no rules for a payment; ours: a check number, a date and an
amount; only a live invoice whose batch is posted is paid, and never beyond its amount.
Pure functions of the request and what Sage holds, testable without HTTP or SQLite.
"""

import datetime as dt
from typing import Any

from pydantic import Field

from sage_mock.errors import SageError, not_found
from sage_mock.models import WireModel

NOT_POSTED = "Invoice {invoice} waits in batch {batch} to be posted; only a posted invoice is paid."
OVERPAID = (
    "Payment of {amount:.2f} exceeds the {left:.2f} left to pay on invoice {invoice} "
    "(amount {total:.2f}, paid {paid:.2f})."
)


class ApPayment(WireModel):
    """A check a person writes for an AP invoice."""

    check_number: str = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$")
    date: dt.date
    amount: float = Field(gt=0, allow_inf_nan=False)


def check_new_payment(
    payment: ApPayment, invoice: dict[str, Any] | None, posted: bool, paid: float
) -> None:
    """Sage's rules, in order: the invoice is live, posted, and not paid beyond its amount."""
    if invoice is None:
        raise not_found()
    if not posted:
        message = NOT_POSTED.format(invoice=invoice["invoice_id"], batch=invoice["batch_id"])
        raise SageError(422, "invoice_not_posted", message)
    total = invoice["original_amount"]
    left = round(total - paid, 2)
    if payment.amount > left + 0.005:
        message = OVERPAID.format(
            amount=payment.amount, left=left, invoice=invoice["invoice_id"], total=total, paid=paid
        )
        raise SageError(422, "invoice_overpaid", message)
