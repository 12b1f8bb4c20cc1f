"""domain/paid_invoices.py: the permissions matrix's "Sync Paid Invoice Notifications from ERP
into Procore" (the seeds name the action only; the fields and rules are ours)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from domain.items import ItemTool
from domain.links import Link, LinkKind, LinkRegistry
from domain.paid_invoices import (
    PaidInvoicesRefused,
    SagePayment,
    SagePayments,
    authorize_paid_invoice_view,
    paid_invoice_rows,
    paid_invoices,
    take_payments,
)
from domain.permissions import ERP_ACTION_LEVELS, ErpAction, NotPermitted
from domain.settings import ErpPermission, RosterUser

AT = datetime(2026, 12, 6, tzinfo=UTC)


def link(procore: str, sage_id: str) -> Link:
    return Link(
        kind=LinkKind.INVOICE,
        procore=procore,
        sage_id=sage_id,
        parent="SC-0042",
        item=f"subcontractor_invoice:P-1001:{procore}",
        at=AT,
    )


REGISTRY = LinkRegistry(links=[link("INV-7", "INV-007")])


def payment(payment_id: str = "PAY-000001", **changes: Any) -> SagePayment:
    body = {
        "payment_id": payment_id,
        "vendor_id": "V-100",
        "invoice_id": "INV-007",
        "check_number": "10234",
        "date": "2026-12-05",
        "amount": 3000,
        "invoice_amount": 5000,
        **changes,
    }
    return SagePayment.model_validate(body)


def take(held: Any, *rows: SagePayment, registry: LinkRegistry = REGISTRY) -> Any:
    answer = SagePayments(job_id="1001", payments=list(rows))
    return take_payments(held, answer, registry, job_id="1001", at=AT)


def test_the_matrix_row_is_admin():
    # seeds/004 l.647 "Sync Paid Invoice Notifications from ERP into Procore": Admin's column
    levels = ERP_ACTION_LEVELS[ErpAction.SYNC_PAID_INVOICES]
    assert levels == frozenset({ErpPermission.ADMIN})


def test_each_payment_is_noted_once_on_the_exported_invoice():
    first = take([], payment())
    [noted] = first.new
    assert (noted.invoice, noted.commitment, noted.check_number) == ("INV-7", "SC-0042", "10234")
    again = take(first.payments, payment(), payment("PAY-000002", amount=2000, check_number="77"))
    assert [p.sage_payment for p in again.new] == ["PAY-000002"]
    assert [p.sage_payment for p in again.payments] == ["PAY-000001", "PAY-000002"]
    [row] = paid_invoices(again.payments)
    assert (row.status, row.amount_paid, row.checks) == ("Paid", 5000, ["10234", "77"])
    assert paid_invoice_rows(again.payments) == [
        ["INV-7", "SC-0042", "Paid", "5,000.00", "5,000.00", "2026-12-05", "10234, 77"]
    ]
    assert paid_invoices(first.payments)[0].status == "Partly paid"


def test_a_payment_of_an_invoice_procore_never_exported_is_not_noted():
    outcome = take([], payment(invoice_id="INV-999"))
    assert (outcome.payments, outcome.not_procore) == ([], 1)
    twice = LinkRegistry(links=[link("INV-7", "INV-007"), link("INV-8", "INV-007")])
    assert take([], payment(), registry=twice).not_procore == 1  # which one: not ours to guess
    with pytest.raises(PaidInvoicesRefused, match="answered for job 2002"):
        take_payments([], SagePayments(job_id="2002"), REGISTRY, job_id="1001", at=AT)


@pytest.mark.parametrize(
    "changes",
    [
        {"payment_id": "../x"},
        {"check_number": "1\n2"},
        {"check_number": ""},
        {"check_number": "9" * 21},
        {"amount": 0},
        {"amount": "-5"},
        {"amount": "Infinity"},
        {"date": "2026-02-30"},
    ],
)
def test_a_hostile_sage_payment_is_refused(changes):
    with pytest.raises(ValidationError):
        payment(**changes)
    assert payment().payment_id == "PAY-000001"


def test_who_sees_the_paid_invoices():
    roster = {
        "acct.admin": RosterUser(erp=ErpPermission.ADMIN),
        "pm.alex": RosterUser(tool_admin=frozenset({ItemTool.COMMITMENTS})),
        "acct.ana": RosterUser(erp=ErpPermission.STANDARD),
    }
    for actor in ("acct.admin", "pm.alex"):
        authorize_paid_invoice_view(roster, actor, "project P-1001")
    with pytest.raises(NotPermitted, match="needs Admin on the ERP Integrations tool or on"):
        authorize_paid_invoice_view(roster, "acct.ana", "project P-1001")
    with pytest.raises(NotPermitted, match="not on the roster"):
        authorize_paid_invoice_view(roster, "mallory", "project P-1001")
