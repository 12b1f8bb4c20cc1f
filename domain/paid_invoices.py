"""Paid invoice notifications from Sage: an exported subcontractor invoice that Sage's Accounts
Payable paid shows paid in Procore (the seeds' permissions matrix, "Sync Paid Invoice
Notifications from ERP into Procore": ERP Admin).

The seeds name the action and its permission only: no fields, no rules. Ours: each Sage
payment (a check: its number, date and amount) of an AP invoice that a subcontractor invoice of
the project was exported as (the link registry's invoice links) is noted once, keyed on Sage's
payment ID, however often Sage is read; the invoice shows Paid when its payments reach the
invoice's amount in Sage, Partly paid before. A payment of a Sage invoice no Procore invoice
was exported as is not Procore's: it is counted, never noted. Pure: the workflow passes Sage's
answer and the registry it holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.items import TOOL_OF, ItemType
from domain.links import LinkKind, LinkRegistry
from domain.permissions import NotPermitted, tool_title
from domain.prime_contract import money
from domain.sage_codes import SageCode
from domain.settings import ErpPermission, RosterUser

_ZERO = Decimal(0)


class SagePayment(BaseModel):
    """One payment of `GET /v1/jobs/{job}/ap_payments`."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    payment_id: SageCode
    vendor_id: SageCode
    invoice_id: SageCode
    check_number: str = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$")
    date: date
    amount: Decimal = Field(gt=0, allow_inf_nan=False)
    invoice_amount: Decimal = Field(ge=0, allow_inf_nan=False)


class SagePayments(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    job_id: SageCode
    payments: list[SagePayment] = Field(default_factory=list)


class InvoicePayment(BaseModel):
    """A Sage payment noted on the Procore subcontractor invoice it pays."""

    model_config = ConfigDict(frozen=True)

    invoice: str = Field(description="the Procore subcontractor invoice's number")
    item: str | None = Field(default=None, description="the invoice item's workflow ID")
    commitment: str | None = None
    sage_payment: str = Field(description="the key: Sage's payment ID")
    vendor_id: str
    sage_invoice: str
    check_number: str
    paid_on: date
    amount: Decimal
    invoice_amount: Decimal
    noted_at: datetime


class PaymentsOutcome(BaseModel):
    payments: list[InvoicePayment]
    new: list[InvoicePayment]
    not_procore: int = Field(description="payments of Sage invoices not exported from Procore")

    def describe(self) -> str:
        invoices = sorted({p.invoice for p in self.new})
        named = f" ({', '.join(invoices)})" if invoices else ""
        return (
            f"{len(self.new)} new payments{named}, {len(self.payments)} noted in all; "
            f"{self.not_procore} of Sage invoices not exported from Procore"
        )


class PaidInvoicesRefused(ValueError):
    pass


def take_payments(
    held: Sequence[InvoicePayment],
    answer: SagePayments,
    registry: LinkRegistry,
    *,
    job_id: str,
    at: datetime,
) -> PaymentsOutcome:
    """Sage's payments noted on the project's exported invoices, each payment once."""
    if answer.job_id != job_id:
        raise PaidInvoicesRefused(
            f"sync paid invoices: Sage answered for job {answer.job_id}, not job {job_id}"
        )
    exported: dict[str, list] = {}
    for link in registry.links:
        if link.kind is LinkKind.INVOICE:
            exported.setdefault(link.sage_id, []).append(link)
    noted = {p.sage_payment for p in held}
    new: list[InvoicePayment] = []
    not_procore = 0
    for payment in answer.payments:
        links = exported.get(payment.invoice_id, [])
        if len(links) != 1:  # none: not Procore's; several: which one is not ours to guess
            not_procore += 1
            continue
        if payment.payment_id in noted:
            continue
        noted.add(payment.payment_id)
        link = links[0]
        new.append(
            InvoicePayment(
                invoice=link.procore,
                item=link.item,
                commitment=link.parent,
                sage_payment=payment.payment_id,
                vendor_id=payment.vendor_id,
                sage_invoice=payment.invoice_id,
                check_number=payment.check_number,
                paid_on=payment.date,
                amount=payment.amount,
                invoice_amount=payment.invoice_amount,
                noted_at=at,
            )
        )
    return PaymentsOutcome(payments=[*held, *new], new=new, not_procore=not_procore)


class PaidInvoice(BaseModel):
    """A Procore subcontractor invoice with the payments Sage made on it."""

    invoice: str
    item: str | None
    commitment: str | None
    status: Literal["Paid", "Partly paid"]
    amount_paid: Decimal
    invoice_amount: Decimal
    last_paid_on: date
    checks: list[str]


def paid_invoices(payments: Sequence[InvoicePayment]) -> list[PaidInvoice]:
    """One row per Procore invoice with any payment, by invoice number."""
    by_invoice: dict[str, list[InvoicePayment]] = {}
    for payment in payments:
        by_invoice.setdefault(payment.invoice, []).append(payment)
    rows = []
    for invoice, paid in sorted(by_invoice.items()):
        total = sum((p.amount for p in paid), _ZERO)
        amount = paid[-1].invoice_amount
        rows.append(
            PaidInvoice(
                invoice=invoice,
                item=paid[-1].item,
                commitment=paid[-1].commitment,
                status="Paid" if total >= amount else "Partly paid",
                amount_paid=total,
                invoice_amount=amount,
                last_paid_on=max(p.paid_on for p in paid),
                checks=[p.check_number for p in paid],
            )
        )
    return rows


def paid_invoice_rows(payments: Sequence[InvoicePayment]) -> list[list[str]]:
    """What `starter.py paid-invoices list` draws under PAID_INVOICE_HEADERS."""
    return [
        [
            row.invoice,
            row.commitment or "",
            row.status,
            money(row.amount_paid),
            money(row.invoice_amount),
            row.last_paid_on.isoformat(),
            ", ".join(row.checks),
        ]
        for row in paid_invoices(payments)
    ]


PAID_INVOICE_HEADERS = ["Invoice", "Commitment", "Status", "Paid", "Amount", "Paid On", "Check #"]


def authorize_paid_invoice_view(roster: Mapping[str, RosterUser], actor: str, where: str) -> None:
    """Who sees which invoices Sage paid: the seeds name no permission for it; ours: the ERP
    Admin who may sync them, or an Admin of the tool the invoices live in."""
    user = roster.get(actor)
    if user is None:
        raise NotPermitted(f"'{actor}' is not on the roster of {where}")
    tool = TOOL_OF[ItemType.SUBCONTRACTOR_INVOICE]
    if user.erp is not ErpPermission.ADMIN and tool not in user.tool_admin:
        raise NotPermitted(
            f"{actor} cannot view the paid invoices of {where}: needs Admin on the ERP "
            f"Integrations tool or on the {tool_title(ItemType.SUBCONTRACTOR_INVOICE)} tool"
        )
