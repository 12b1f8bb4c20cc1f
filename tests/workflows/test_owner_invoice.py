"""Owner invoices on the time-skipping server (issue 18): the send resolves the prime contract
through the registry and reads what Sage's contract billing has left, refusing in plain words
(the item stays a draft, the next valid send is taken); an accounting approver's accept writes
one AR invoice, a retry after Sage's refusal writes it once, an identical one already in Sage
is linked, and a posted invoice is unlinked by a Standard user."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from contract.sage import SageFailure
from domain import links
from domain.commands import AcceptRequest, CommandRequest, EditRequest
from domain.lifecycle import State
from domain.links import Link, LinkKind, LinkOrigin
from domain.status import ItemStatus
from tests.workflows.fake_sage import FakeSage
from tests.workflows.test_item_workflow import (
    ADMIN,
    APPROVER,
    AT_IMPORT,
    EXAMPLES,
    command,
    item_workflow,
    refusal,
    status,
    until,
)

AMPLE = {"contract_amount": 7_860_000.0, "billed_to_date": 0.0, "retainage_to_date": 0.0}


def owner_invoice(**changes: Any) -> dict[str, Any]:
    data = json.loads((EXAMPLES / "items" / "owner_invoice-PA-001.json").read_text())
    return {**data, **changes}


def imported(sage: FakeSage) -> None:
    """P-1001's prime contract 1001-PC as its import linked it (items 001 and 002)."""
    made = [
        Link(kind=kind, procore=procore, sage_id=sage_id, at=AT_IMPORT, item="p",
             origin=LinkOrigin.IMPORTED)
        for kind, procore, sage_id in [
            (LinkKind.PRIME_CONTRACT, "1001-PC", "1001-PC"),
            (LinkKind.CONTRACT_ITEM, "1001-PC/001", "001"),
            (LinkKind.CONTRACT_ITEM, "1001-PC/002", "002"),
        ]
    ]  # fmt: skip
    sage.links, _ = links.recorded(sage.links, made)


async def posted_by_a_person(env, handle) -> ItemStatus:
    """Exported, then Sage posts the batch (the fake: at once) and the company's watch sees it
    at its next slow look: ten minutes skipped, no long poll of `result()`."""
    await until(handle, State.EXPORTED)
    await env.sleep(timedelta(minutes=10))
    return await until(handle, State.POSTED)


def ar_calls(sage: FakeSage) -> list[str]:
    return [k for k in sage.keys if k.endswith("/create_ar_invoice")]


async def test_send_refuses_what_is_not_synced_or_over_the_contract_then_takes_a_valid_one(
    time_skipping_env,
):
    sage = FakeSage()
    careless = owner_invoice(prime_contract={"number": "../1001-PC\u202e"})
    async with item_workflow(time_skipping_env, sage, item=careless) as handle:
        message = await refusal(handle, "send", CommandRequest(actor=ADMIN))
        assert "Not synced: prime contract ../1001-PC" in message
        hostile = owner_invoice(lines=[{"contract_item": "../x", "retainage_this_period": "1"}])
        message = await refusal(handle, "edit", EditRequest(actor=ADMIN, item=hostile))
        assert "field 'lines.0.contract_item'" in message
        await command(handle, "edit", EditRequest(actor=ADMIN, item=owner_invoice()))
        message = await refusal(handle, "send", CommandRequest(actor=ADMIN))
        assert "Not synced: prime contract 1001-PC." in message
        assert "starter.py prime-contract import P-1001 CONTRACT --as USER" in message

        imported(sage)  # imported, but Sage's contract billing has no such contract
        message = await refusal(handle, "send", CommandRequest(actor=ADMIN))
        assert "Sage could not say what prime contract 1001-PC has left to bill" in message

        sage.contract_billing = {**AMPLE, "billed_to_date": 7_700_000.0}
        message = await refusal(handle, "send", CommandRequest(actor=ADMIN))
        assert "has only $160,000.00 left to bill in Sage 300 CRE®" in message
        assert "Traceback" not in message
        current = await status(handle)
        assert current.state is State.DRAFT
        refused = [e for e in current.audit if e.action == "send"]
        assert len(refused) == 4 and all(e.outcome.value == "refused" for e in refused)

        sage.contract_billing = AMPLE
        sent = await command(handle, "send", CommandRequest(actor=ADMIN))
        assert sent.state is State.SENT and sent.links == {"contract": "1001-PC"}
        assert ar_calls(sage) == []  # the send only reads


async def test_an_approvers_accept_writes_one_ar_invoice_and_a_retry_writes_it_once(
    own_time_skipping_env,
):
    sage = FakeSage(
        contract_billing=AMPLE,
        fail_with=SageFailure(status=422, code="gl_period_closed", message="GL period closed."),
    )
    imported(sage)
    async with item_workflow(own_time_skipping_env, sage, item=owner_invoice()) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        message = await refusal(handle, "accept", AcceptRequest(actor=ADMIN))
        assert "Standard or Admin on the ERP Integrations tool" in message
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        failed = await until(handle, State.EXPORT_FAILED)
        assert failed.last_error is not None and failed.last_error.code == "gl_period_closed"
        assert sage.ar_invoices == {}

        message = await refusal(handle, "accept", AcceptRequest(actor=APPROVER))
        assert "cannot accept an item that is export_failed" in message
        sage.fail_with = None
        fields = {"accounting_date": "2026-12-01"}
        await command(handle, "retry", AcceptRequest(actor=APPROVER, fields=fields))
        posted = await posted_by_a_person(own_time_skipping_env, handle)
        assert list(sage.ar_invoices) == ["PA-001"]
        [written] = sage.ar_invoices.values()
        assert (written["contract_id"], written["amount"], written["retainage"]) == (
            "1001-PC",
            212_500.0,
            21_250.0,
        )
        assert written["accounting_date"] == "2026-12-01"
        assert len(set(ar_calls(sage))) == 2  # one key per attempt; the first was refused
        assert posted.sage_ids.get("invoice_id") == "PA-001"
        [note] = sage.link_notes
        assert [(ln.kind, ln.procore, ln.sage_id) for ln in note.note.links] == [
            (LinkKind.OWNER_INVOICE, "PA-001", "PA-001")
        ]


async def test_an_identical_ar_invoice_already_in_sage_is_linked_not_written_again(
    own_time_skipping_env,
):
    """The export's answer was lost after Sage wrote the invoice (a new attempt, a new key):
    Sage answers ar_invoice_exists with its record, identical, and the export links it."""
    sage = FakeSage(contract_billing=AMPLE)
    imported(sage)
    async with item_workflow(own_time_skipping_env, sage, item=owner_invoice()) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        await posted_by_a_person(own_time_skipping_env, handle)
    first = dict(sage.ar_invoices["PA-001"])

    # Sage holds the invoice and its batch (the fake numbers batches by its counter)
    again = FakeSage(contract_billing=AMPLE, ar_invoices={"PA-001": first}, batches=sage.batches)
    imported(again)
    async with item_workflow(own_time_skipping_env, again, item=owner_invoice()) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        final = await posted_by_a_person(own_time_skipping_env, handle)
        assert "link create_ar_invoice" in [e.action for e in final.audit]
        assert again.ar_invoices == {"PA-001": first}
        assert again.batches == sage.batches  # nothing written


async def test_a_posted_owner_invoice_is_unlinked_by_a_standard_user_and_sage_is_untouched(
    own_time_skipping_env,
):
    sage = FakeSage(contract_billing=AMPLE)
    imported(sage)
    window = timedelta(days=30)
    item = owner_invoice()
    async with item_workflow(
        own_time_skipping_env, sage, item=item, unlink_window=window
    ) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        await posted_by_a_person(own_time_skipping_env, handle)
        message = await refusal(handle, "unlink", CommandRequest(actor=ADMIN))
        assert "Unlink Owner Invoices Synced with ERP" in message
        unlinked = await command(handle, "unlink", CommandRequest(actor=APPROVER))
        assert unlinked.state is State.DRAFT
        assert sage.links.find(LinkKind.OWNER_INVOICE, "PA-001") is None
        assert list(sage.ar_invoices) == ["PA-001"]  # Sage untouched
