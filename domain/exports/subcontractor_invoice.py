"""Subcontractor invoices -> Sage 300 CRE Accounts Payable invoices.

Rules: seeds/004 "subcontractor invoices" (Things to Know: minimum invoice requirements) and
the INVOICES rows of its troubleshooting table (a zero-dollar invoice has no distributions, so
it is refused before it is sent). Mapping: the "Subcontractor Invoices" data mapping table:
the original amount and the retainage travel separately (Sage computes the current payment
due), the ERP ID is prefilled with the invoice number and the accounting date with the
billing date, both editable at accept. Lines are consolidated to one distribution per
commitment line (release notes of 02/23/2023 and 08/05/2024), and lines that net to zero are
not sent. The invoice lands in an Accounts Payable batch a person posts in Sage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.export_plan import ExportPlan, ExportStep, Posting, SageCall
from domain.exports.commitment import COMPANY_RULE
from domain.exports.jobs import check_code, cost_code_refresh, job_rule, synced_job
from domain.items import InvoiceLine, InvoiceStatus, SubcontractorInvoice
from domain.sage_paths import sage_path
from domain.settings import ProjectSettings

EXPORT_FIELDS = {
    "erp_id": "The invoice's code in Sage (ERP ID; default: the invoice number)",
    "accounting_date": "Acct Date of the Sage invoice, YYYY-MM-DD (default: the billing date)",
    "description": "Description of the Sage invoice (default: blank)",
}

STATUS_RULE = (
    "Minimum Invoice Requirements. Before you can send an invoice from the Commitments tool to "
    "the ERP Integrations tool, the invoice must be in the Approved, Approved as Noted, or "
    "Pending Owner Approval status."
)
SYNCED_COMMITMENT_RULE = (
    "Commitment. The invoice's commitment must be synced with Sage 300 CRE®: export the "
    "commitment first."
)
ZERO_DOLLAR_RULE = (
    "Zero-dollar invoice. Once the lines reach a net zero, the integration doesn't send any "
    "lines over for $0, and Sage 300 CRE® refuses the invoice: \"The document's codings are "
    'incomplete: The document has no distributions." Please correct the zero-dollar invoice.'
)

SENDABLE = frozenset(
    {InvoiceStatus.APPROVED, InvoiceStatus.APPROVED_AS_NOTED, InvoiceStatus.PENDING_OWNER_APPROVAL}
)


@dataclass
class Distribution:
    """One commitment line's share of the invoice: its lines summed."""

    commitment_line: int
    sub_job: str | None
    cost_code: str
    category: str
    description: str
    amount: Decimal = Decimal(0)
    retainage: Decimal = Decimal(0)
    quantity: Decimal | None = None

    def add(self, line: InvoiceLine) -> None:
        self.amount += line.billed
        self.retainage += line.retainage
        if line.quantity_this_period is not None:
            self.quantity = (self.quantity or Decimal(0)) + line.quantity_this_period
        if not self.description:
            self.description = line.description


def distributions(item: SubcontractorInvoice, consolidate: bool = True) -> list[Distribution]:
    """One distribution per commitment line, in the order the lines first appear; a
    distribution whose lines net to zero (amount and retainage) is not sent.

    `consolidate` off (the project's `consolidate_invoice_lines`; seeds/004 08/05/2024: "If you
    would like to have this functionality turned off, please contact your Procore point of
    contact."): one distribution per invoice line, as Procore sent them before."""
    grouped: dict[tuple[Any, ...], Distribution] = {}
    for n, line in enumerate(item.lines):
        key: tuple[Any, ...] = (line.commitment_line, line.sub_job, line.cost_code, line.category)
        if not consolidate:
            key = (*key, n)
        if key not in grouped:
            grouped[key] = Distribution(*key[:4], description=line.description)
        grouped[key].add(line)
    return [d for d in grouped.values() if d.amount != 0 or d.retainage != 0]


def prerequisites(item: SubcontractorInvoice, settings: ProjectSettings) -> list[str]:
    broken = job_rule(settings)
    if item.status not in SENDABLE:
        broken.append(STATUS_RULE)
    if not (item.commitment.sage_id or "").strip():
        broken.append(SYNCED_COMMITMENT_RULE)
    if not (item.contract_company.sage_vendor_id or "").strip():
        broken.append(COMPANY_RULE)
    if item.amount == 0 or not distributions(item):
        broken.append(ZERO_DOLLAR_RULE)
    return broken


def default_fields(item: SubcontractorInvoice) -> dict[str, str]:
    return {
        "erp_id": item.number,
        "accounting_date": item.billing_date.isoformat(),
        "description": "",
    }


def check_fields(item: SubcontractorInvoice, fields: dict[str, str]) -> list[str]:
    problems = check_code("erp_id", fields.get("erp_id", ""), "the invoice's code in Sage")
    accounting_date = fields.get("accounting_date", "")
    try:
        date.fromisoformat(accounting_date)
    except ValueError:
        problems.append(
            f"export field 'accounting_date' {accounting_date!r}: give a date as YYYY-MM-DD"
        )
    return problems


def plan(
    item: SubcontractorInvoice, settings: ProjectSettings, fields: dict[str, str], today: date
) -> ExportPlan:
    """One call: the AP invoice header and its distributions; a person posts the batch."""
    job = synced_job(settings)
    vendor = item.contract_company.sage_vendor_id
    if not vendor:  # the send prerequisites refuse it first
        raise ValueError(COMPANY_RULE)
    invoice_id = fields["erp_id"]
    lines = distributions(item, settings.consolidate_invoice_lines)
    body: dict[str, Any] = {
        "vendor_id": vendor,
        "invoice_id": invoice_id,
        "description": fields.get("description", ""),
        "invoice_date": item.billing_date.isoformat(),
        "accounting_date": fields["accounting_date"],
        "original_amount": float(sum((d.amount for d in lines), Decimal(0))),
        "retainage": float(sum((d.retainage for d in lines), Decimal(0))),
        "distributions": [
            {
                "commitment_id": item.commitment.sage_id,
                "commitment_item": str(d.commitment_line),
                "job_id": job,
                "extra_id": d.sub_job,
                "cost_code": d.cost_code,
                "category": d.category,
                "description": d.description,
                "amount": float(d.amount),
                "retainage": float(d.retainage),
                # seeds/004: a Unit/Qty commitment's invoice sends the quantity invoiced
                **({"quantity": float(d.quantity)} if d.quantity is not None else {}),
            }
            for d in lines
        ],
    }
    create = ExportStep(
        name="create_invoice",
        summary=f"Create AP invoice {invoice_id} for vendor {vendor} on commitment "
        f"{item.commitment.sage_id}",
        call=SageCall(method="POST", path="/v1/ap_invoices", body=body),
        undo=SageCall(method="DELETE", path=sage_path("/v1/ap_invoices", vendor, invoice_id)),
        record="invoice",
        remember={"invoice_id": "invoice_id"},
        batch="batch_id",
    )
    codes = [(d.cost_code, d.category) for d in lines]
    refresh = cost_code_refresh(job, codes, "invoice", COST_CODE_REFRESH)
    return ExportPlan(steps=[refresh, create], posting=Posting.MANUAL)


COST_CODE_REFRESH = "subcontractor_invoice-cost-code-refresh"
"""Patch ID: invoices exported before the refresh (issue 16) replay without it."""
