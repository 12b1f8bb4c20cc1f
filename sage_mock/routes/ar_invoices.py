"""`/v1/ar_invoices` and `/v1/contract_billing`: owner invoices in Accounts Receivable, billed
on a prime contract (Contracts billing, or a Quickbill job's worksheet).

An invoice lands in an AR batch a person posts. Writes take an `Idempotency-Key` (a replay
answers the first answer, nothing written twice); the same invoice code on the same contract
is `409 ar_invoice_exists` carrying the invoice Sage holds.
"""

import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from sage_mock.ar_invoice_rules import ArInvoice, check_new_invoice, contract_amount
from sage_mock.errors import not_found
from sage_mock.idempotency import answer_write
from sage_mock.models import parse_wire
from sage_mock.records import ar_invoices, batches, billing, gl_periods, master_data
from sage_mock.services import SageServices, services

router = APIRouter()
Services = Annotated[SageServices, Depends(services)]


def _contract(db: sqlite3.Connection, job_id: str, contract_id: str) -> dict[str, Any] | None:
    """The prime contract of a job of the request's company, as the import API shows it."""
    if master_data.find_job(db, job_id) is None:
        return None
    return billing.prime_contract(db, job_id, contract_id)


@router.post("/v1/ar_invoices", status_code=201)
async def create_invoice(request: Request, sv: Services) -> Response:
    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        invoice = parse_wire(ArInvoice, body)
        check_new_invoice(
            invoice,
            job=master_data.find_job(db, invoice.job_id),
            contract=_contract(db, invoice.job_id, invoice.contract_id),
            existing=ar_invoices.find_live(
                db, invoice.job_id, invoice.contract_id, invoice.invoice_id
            ),
            gl_period_status=gl_periods.status_of(db, invoice.accounting_date),
            billed_to_date=ar_invoices.billed(db, invoice.job_id, invoice.contract_id)[0],
        )
        batch = batches.create(db, "ar_invoice", sv.config.auto_post_seconds)
        record = ar_invoices.insert(db, invoice.model_dump(mode="json"), batch["batch_id"])
        return 201, {"invoice": record, "batch": batch}

    return await answer_write(request, sv, apply)


@router.get("/v1/ar_invoices/{job_id}/{contract_id}/{invoice_id}")
async def get_invoice(
    job_id: str, contract_id: str, invoice_id: str, sv: Services
) -> dict[str, Any]:
    with sv.store.read() as db:
        if master_data.find_job(db, job_id) is None:
            raise not_found()
        record = ar_invoices.find_live(db, job_id, contract_id, invoice_id)
    if record is None:
        raise not_found()
    return record


@router.delete("/v1/ar_invoices/{job_id}/{contract_id}/{invoice_id}")
async def delete_invoice(
    job_id: str, contract_id: str, invoice_id: str, request: Request, sv: Services
) -> Response:
    """Compensation or reset: the invoice stops counting and its code is free again."""

    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        if master_data.find_job(db, job_id) is None:
            raise not_found()
        if not ar_invoices.delete(db, job_id, contract_id, invoice_id):
            raise not_found()
        return 200, {"deleted": True}

    return await answer_write(request, sv, apply)


@router.get("/v1/contract_billing/{job_id}/{contract_id}")
async def contract_billing(job_id: str, contract_id: str, sv: Services) -> dict[str, Any]:
    """What the contract may still bill: its revised amount and what AR has billed on it."""
    with sv.store.read() as db:
        contract = _contract(db, job_id, contract_id)
        if contract is None:
            raise not_found()
        billed, retained = ar_invoices.billed(db, job_id, contract_id)
    amount = contract_amount(contract)
    return {
        "job_id": job_id,
        "contract_id": contract_id,
        "status": contract["status"],
        "contract_amount": amount,
        "billed_to_date": billed,
        "retainage_to_date": retained,
        "remaining": round(amount - billed, 2),
    }
