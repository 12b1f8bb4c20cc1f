"""Sage 300 CRE's rules for an Accounts Receivable invoice on a prime contract, in the order
the mock applies them. The seeds quote no AR message: these texts are the mock's own, in the
shape of the AP ones (sage_mock/invoice_rules.py)."""

import datetime as dt
from typing import Any

from pydantic import Field

from sage_mock.errors import SageError, not_found
from sage_mock.invoice_rules import GL_PERIOD_CLOSED, sage_date
from sage_mock.models import WireModel
from sage_mock.rules import JOB_CLOSED

AR_INVOICE_EXISTS = (
    "There are errors in the document's codings. Errors: Document already exists for "
    "specified contract and code [{code}]."
)
CONTRACT_UNAPPROVED = (
    "Ar Invoice Api import failed with error message: Contract {contract} is not approved."
)
OVER_CONTRACT = (
    "Ar Invoice Api import failed with error message: Contract {contract} - amount billed "
    "exceeds the revised contract amount."
)
NO_LINES = "The document's codings are incomplete: The document has no contract items."


class ArLine(WireModel):
    contract_item: str = Field(min_length=1)
    description: str = ""
    amount: float
    retainage: float = 0.0


class ArInvoice(WireModel):
    """Header (job, contract, invoice code, dates, amount, retainage) and contract item lines."""

    job_id: str = Field(min_length=1)
    contract_id: str = Field(min_length=1)
    invoice_id: str = Field(min_length=1)
    description: str = ""
    invoice_date: dt.date
    accounting_date: dt.date
    period_end: dt.date | None = None
    amount: float
    retainage: float = 0.0
    lines: list[ArLine] = Field(default_factory=list)


def contract_amount(contract: dict[str, Any]) -> float:
    """The revised contract amount: its items' (or Quickbill worksheet's) revised amounts."""
    rows = contract["items"] or contract["worksheet"]
    return round(sum(row["revised_amount"] for row in rows), 2)


def item_codes(contract: dict[str, Any]) -> set[str]:
    return {i["item_code"] for i in contract["items"]} | {w["code"] for w in contract["worksheet"]}


def check_new_invoice(
    invoice: ArInvoice,
    job: dict[str, Any] | None,
    contract: dict[str, Any] | None,
    existing: dict[str, Any] | None,
    gl_period_status: str | None,
    billed_to_date: float,
) -> None:
    """Raise the first rule the invoice breaks; `contract` is the prime contract as the import
    API shows it. The duplicate check comes before the amounts, so a replayed invoice is never
    counted twice against its contract."""
    if job is None or contract is None:
        raise not_found()
    if job["status"] == "closed":
        raise SageError(422, "job_closed", JOB_CLOSED)
    if not invoice.lines:
        raise SageError(422, "no_contract_items", NO_LINES)
    codes = item_codes(contract)
    if any(line.contract_item not in codes for line in invoice.lines):
        raise not_found()
    if contract["status"] != "approved":
        raise SageError(
            422, "contract_unapproved", CONTRACT_UNAPPROVED.format(contract=invoice.contract_id)
        )
    if existing is not None:
        raise SageError(
            409,
            "ar_invoice_exists",
            AR_INVOICE_EXISTS.format(code=invoice.invoice_id),
            existing=existing,
        )
    if gl_period_status != "open":
        raise SageError(
            422,
            "gl_period_closed",
            GL_PERIOD_CLOSED.format(date=sage_date(invoice.accounting_date)).replace("Ap ", "Ar "),
        )
    if billed_to_date + invoice.amount > contract_amount(contract) + 0.005:
        raise SageError(422, "over_contract", OVER_CONTRACT.format(contract=invoice.contract_id))
