"""The send of an owner invoice: once the link registry resolved its prime contract, Sage's
contract billing is read (`GET /v1/contract_billing/{job}/{contract}`) and an invoice that
would bill more than the contract has left is refused at send, in plain words, before anyone
accepts it (domain/exports/owner_invoice.py `over_contract`). Sage's own check at export
(`over_contract`) stays: the figures may move between send and accept.

Workflow code: deterministic. A new item type: no history recorded before it to patch.
"""

from __future__ import annotations

from pydantic import ValidationError
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.exports import owner_invoice
    from domain.items import OwnerInvoice
    from domain.refusal import Refusal
    from domain.settings import ProjectSettings
    from workflows import sage_gateway


async def check_billing(item: OwnerInvoice, settings: ProjectSettings) -> None:
    """Refusal unless Sage says the prime contract has enough left to bill for `item`."""
    call = owner_invoice.standing_call(item, settings)
    contract = item.prime_contract.number
    try:
        answer = await sage_gateway.request("GET", call.path, call.company, step="contract_billing")
        standing = owner_invoice.BillingStanding.model_validate(answer)
    except (LookupError, sage_gateway.SageRefused, ValidationError) as err:
        raise Refusal(
            f"cannot send {item.workflow_id}: Sage could not say what prime contract {contract} "
            f"has left to bill ({err})"
        ) from None
    broken = owner_invoice.over_contract(item, standing)
    if broken:
        raise Refusal(f"cannot send {item.workflow_id}: " + " ".join(broken))
