"""Owner invoices (payment applications) -> Sage 300 CRE Accounts Receivable invoices on the
prime contract (Contracts billing).

What the seeds say: the permissions matrix (seeds/004 l.459 and seeds/002 l.488, "Accept or
Reject Owner Invoices for Export to ERP", the accounting approver's column; seeds/004 l.665,
"Unlink Owner Invoices Synced with ERP", Standard or Admin) and seeds/000 l.30: "two general
types of ERP customers: (1) those who produce owner invoices out of Procore, and (2) those who
produce Owner invoices out of Sage ... Sage only needs to know how much was invoiced and how
much was retained, not the linebyline detail." This item type is for the first kind.

What the seeds do not say, and is therefore ours (README "Owner invoices"):
- the Sage target: one AR invoice on the prime contract's Sage contract (`POST
  /v1/ar_invoices`), in a batch a person posts, as AP invoices are;
- the mapping: invoice amount = work completed + materials stored this period, retainage =
  this period's retainage, one line per contract item billed (lines of one item summed, a line
  that nets to zero not sent); with the SOV controlled by Procore (seeds/000's lump-sum mode)
  one line on the single lump-sum contract item carrying the totals;
- the export fields, as a subcontractor invoice's: ERP ID (default the invoice number),
  accounting date (default the billing date), description;
- the send rules: the sendable statuses of a subcontractor invoice (the seed's only invoice
  status rule); more than $0.00 billed; retainage between $0.00 and the amount billed; and
  never more than the prime contract has left to bill in Sage (revised contract amount minus
  what Sage's AR has billed on it), read from Sage at send.

The prime contract is named by its Procore number and resolved, as a PCCO's, through the link
registry its import wrote (domain/links.py): never imported -> refused at send naming
`starter.py prime-contract import`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from domain.export_plan import ExportPlan, ExportStep, Posting, SageCall
from domain.exports import subcontractor_invoice as subcontractor
from domain.exports.jobs import job_rule, synced_job
from domain.exports.prime_contract_change_order import lump_sum
from domain.items import OwnerInvoice
from domain.prime_contract import money
from domain.sage_paths import sage_path
from domain.settings import ProjectSettings

EXPORT_FIELDS = subcontractor.EXPORT_FIELDS
"""The same three fields as a subcontractor invoice (ours: the seeds name none)."""
default_fields = subcontractor.default_fields
check_fields = subcontractor.check_fields

STATUS_RULE = (
    "Status. Before you can send an owner invoice to the ERP Integrations tool, it must be in "
    "the Approved, Approved as Noted, or Pending Owner Approval status."
)
AMOUNT_RULE = (
    "Amount. An owner invoice must bill more than $0.00 this period (work completed plus "
    "materials stored)."
)
RETAINAGE_RULE = (
    "Retainage. The retainage of an owner invoice must be between $0.00 and the amount it bills."
)
CONTRACT_ITEM_RULE = (
    "SOV lines. The project's SOV is controlled by Sage 300 CRE®: each line of an owner invoice "
    "names the contract item it bills (contract_item)."
)
OVER_CONTRACT_RULE = (
    "Amount. The owner invoice bills {amount} this period, but prime contract {contract} has "
    "only {remaining} left to bill in Sage 300 CRE® (revised contract {revised}, billed to date "
    "{billed}): bill at most {remaining}, or export the PCCO that raises the contract first."
)

SENDABLE = subcontractor.SENDABLE


@dataclass
class BilledItem:
    """One contract item's share of the invoice: its lines summed."""

    contract_item: str
    description: str
    amount: Decimal = Decimal(0)
    retainage: Decimal = Decimal(0)


def billed_items(item: OwnerInvoice, settings: ProjectSettings) -> list[BilledItem]:
    """One line per contract item, in the order the items first appear; an item whose lines
    net to zero is not sent. In lump-sum mode Sage hears the totals on its one item."""
    if lump_sum(settings):
        whole = BilledItem(
            settings.lump_sum_contract_item,
            f"Owner invoice {item.number}"[:200],
            item.amount,
            item.retainage,
        )
        return [whole] if whole.amount or whole.retainage else []
    grouped: dict[str, BilledItem] = {}
    for line in item.lines:
        code = line.contract_item or ""
        billed = grouped.setdefault(code, BilledItem(code, line.description))
        billed.amount += line.billed
        billed.retainage += line.retainage_this_period
    return [b for b in grouped.values() if b.amount or b.retainage]


def contract_items_named(item: OwnerInvoice, settings: ProjectSettings) -> list[str]:
    """The Sage contract items the invoice bills (checked against the imported ones)."""
    if lump_sum(settings):
        return [settings.lump_sum_contract_item]
    codes = [line.contract_item for line in item.lines if line.contract_item]
    return list(dict.fromkeys(codes))


def prerequisites(item: OwnerInvoice, settings: ProjectSettings) -> list[str]:
    broken = job_rule(settings)
    if item.status not in SENDABLE:
        broken.append(STATUS_RULE)
    if item.amount <= 0:
        broken.append(AMOUNT_RULE)
    elif not Decimal(0) <= item.retainage <= item.amount:
        broken.append(RETAINAGE_RULE)
    if not lump_sum(settings) and any(not line.contract_item for line in item.lines):
        broken.append(CONTRACT_ITEM_RULE)
    return broken


class BillingStanding(BaseModel):
    """What Sage's contract billing says of a prime contract now (`GET /v1/contract_billing/
    {job}/{contract}`): its revised amount and what AR has billed on it."""

    model_config = ConfigDict(frozen=True)

    contract_amount: Decimal
    billed_to_date: Decimal
    retainage_to_date: Decimal = Decimal(0)

    @property
    def remaining(self) -> Decimal:
        return self.contract_amount - self.billed_to_date


def standing_call(item: OwnerInvoice, settings: ProjectSettings) -> SageCall:
    """The read a send makes (after the links resolved the Sage contract)."""
    contract = _contract(item)
    path = sage_path("/v1/contract_billing", synced_job(settings), contract)
    return SageCall(method="GET", path=path, company=settings.sage_company)


def over_contract(item: OwnerInvoice, standing: BillingStanding) -> list[str]:
    """The send's last rule: never more than the prime contract has left to bill."""
    if item.amount <= standing.remaining:
        return []
    return [
        OVER_CONTRACT_RULE.format(
            amount=f"${money(item.amount)}",
            contract=item.prime_contract.number,
            remaining=f"${money(max(standing.remaining, Decimal(0)))}",
            revised=f"${money(standing.contract_amount)}",
            billed=f"${money(standing.billed_to_date)}",
        )
    ]


def _contract(item: OwnerInvoice) -> str:
    contract = item.prime_contract.sage_contract_id
    if not contract:  # resolved at send from the link registry (domain/links.py)
        raise ValueError(
            f"prime contract {item.prime_contract.number}: no Sage contract resolved at send"
        )
    return contract


def plan(
    item: OwnerInvoice, settings: ProjectSettings, fields: dict[str, str], today: date
) -> ExportPlan:
    """One call: the AR invoice on the Sage contract; a person posts its batch."""
    job = synced_job(settings)
    contract = _contract(item)
    invoice_id = fields["erp_id"]
    lines = billed_items(item, settings)
    body: dict[str, Any] = {
        "job_id": job,
        "contract_id": contract,
        "invoice_id": invoice_id,
        "description": fields.get("description", ""),
        "invoice_date": item.billing_date.isoformat(),
        "accounting_date": fields["accounting_date"],
        "period_end": (item.period_end or item.billing_date).isoformat(),
        "amount": float(sum((b.amount for b in lines), Decimal(0))),
        "retainage": float(sum((b.retainage for b in lines), Decimal(0))),
        "lines": [
            {
                "contract_item": b.contract_item,
                "description": b.description,
                "amount": float(b.amount),
                "retainage": float(b.retainage),
            }
            for b in lines
        ],
    }
    create = ExportStep(
        name="create_ar_invoice",
        summary=f"Create AR invoice {invoice_id} on contract {contract} (Sage job {job})",
        call=SageCall(method="POST", path="/v1/ar_invoices", body=body),
        undo=SageCall(
            method="DELETE", path=sage_path("/v1/ar_invoices", job, contract, invoice_id)
        ),
        record="invoice",
        remember={"invoice_id": "invoice_id"},
        batch="batch_id",
    )
    return ExportPlan(steps=[create], posting=Posting.MANUAL)
