"""ErpProject's `sync_paid_invoices` on the time-skipping server, Sage faked behind the real
activity name: the permissions matrix's "Sync Paid Invoice Notifications from ERP into Procore"
(Admin on ERP Integrations, from the roster the workflow holds). Sage's payments of an exported
subcontractor invoice are noted on it once each, however often Sage is read, by the update and
by the `sync` signal (the schedule); payments of Sage invoices Procore never exported are not
Procore's. Hostile Sage answers are refusals, and the next sync works."""

from __future__ import annotations

from typing import Any

from contract import erp_project as ep
from domain.paid_invoices import paid_invoices
from tests.workflows.link_makers import linked_by
from tests.workflows.test_erp_project import (
    ADMIN,
    APPROVER,
    PM,
    FakeSage,
    erp_project,
    refusal,
    update,
    wait_for,
)
from tests.workflows.test_item_workflow import project

SYNC = ep.SYNC_PAID_INVOICES_UPDATE
PAYMENTS_PATH = "/v1/jobs/1001/ap_payments"
ITEM = "subcontractor_invoice:P-1001:INV-7"


def payment(payment_id: str, amount: float, **changes: Any) -> dict[str, Any]:
    return {
        "payment_id": payment_id,
        "vendor_id": "V-100",
        "invoice_id": "INV-007",
        "check_number": "10234",
        "date": "2026-12-05",
        "amount": amount,
        "invoice_amount": 5000.0,
        **changes,
    }


def payments(*rows: dict[str, Any], job_id: str = "1001") -> dict[str, Any]:
    return {"job_id": job_id, "payments": list(rows)}


async def note_exported_invoice(client: Any, handle: Any) -> None:
    """Invoice INV-7 was exported as Sage's AP invoice INV-007 (activities/links.py); the
    home asks the item (a stand-in holding that link) before it takes the note."""
    link = {
        "kind": "subcontractor_invoice",
        "procore": "INV-7",
        "sage_id": "INV-007",
        "parent": "SC-0042",
    }
    await linked_by(client, handle, ITEM, "P-1001", link)


async def test_each_sage_payment_is_noted_once_and_the_invoice_shows_paid(time_skipping_env):
    fake = FakeSage(erp="sage300", reads={PAYMENTS_PATH: payments(payment("PAY-000001", 3000))})
    async with erp_project(time_skipping_env, fake, project()) as handle:
        before = await update(handle, SYNC, actor=ADMIN)  # no invoice exported yet
        assert before.invoice_payments == []
        assert "1 of Sage invoices not exported from Procore" in before.audit[-1].outcome

        await note_exported_invoice(time_skipping_env.client, handle)
        first = await update(handle, SYNC, actor=ADMIN)
        [noted] = first.invoice_payments
        assert (noted.invoice, noted.item, noted.check_number) == ("INV-7", ITEM, "10234")
        assert "1 new payments (INV-7)" in first.audit[-1].outcome
        again = await update(handle, SYNC, actor=ADMIN)
        assert len(again.invoice_payments) == 1  # exactly once
        [row] = paid_invoices(again.invoice_payments)
        assert (row.status, row.amount_paid) == ("Partly paid", 3000)

        fake.reads[PAYMENTS_PATH] = payments(
            payment("PAY-000001", 3000), payment("PAY-000002", 2000, check_number="10240")
        )
        await handle.signal("sync", {"actor": ADMIN})  # the schedule's sync notes it too
        record = await wait_for(handle, lambda r: len(r.invoice_payments) == 2)
        [row] = paid_invoices(record.invoice_payments)
        assert (row.status, row.amount_paid, row.checks) == ("Paid", 5000, ["10234", "10240"])


async def test_refusals_come_from_the_held_roster_and_hostile_answers_are_refused(
    time_skipping_env,
):
    fake = FakeSage(erp="sage300", reads={PAYMENTS_PATH: payments(payment("PAY-000001", 3000))})
    async with erp_project(time_skipping_env, fake, project()) as handle:
        for actor, words in (
            (PM, "pm.alex cannot sync paid invoice notifications from ERP into Procore"),
            (APPROVER, "needs Admin on the ERP Integrations tool (has Standard)"),
            ("mallory", "'mallory' is not on the roster of project P-1001"),
        ):
            assert words in await refusal(handle, SYNC, actor=actor)
        assert not [p for _, p, _ in fake.calls if p == PAYMENTS_PATH]  # refused before Sage
        await note_exported_invoice(time_skipping_env.client, handle)
        for hostile in (
            payments(payment("PAY-1", 3000, check_number="1\n2")),
            payments(payment("PAY-1", -5)),
            payments(payment("../x", 3000)),
            payments(payment("PAY-1", float("nan"))),
            {"job_id": "1001", "payments": {"a": 1}},
            payments(payment("PAY-1", 3000), job_id="2002"),
        ):
            fake.reads[PAYMENTS_PATH] = hostile
            words = await refusal(handle, SYNC, actor=ADMIN)
            assert "Sage answered something unexpected" in words or "not job 1001" in words
        fake.reads[PAYMENTS_PATH] = payments(payment("PAY-000001", 3000))
        record = await update(handle, SYNC, actor=ADMIN)
        assert [p.sage_payment for p in record.invoice_payments] == ["PAY-000001"]
