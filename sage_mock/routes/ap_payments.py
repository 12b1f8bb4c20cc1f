"""Payments of AP invoices: `POST /admin/ap_invoices/{vendor}/{invoice}/payments` (a person pays
a posted invoice in Sage) and `GET /v1/jobs/{job_id}/ap_payments` (what the orchestrator polls
to tell Procore an exported subcontractor invoice was paid)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from sage_mock.ap_payments import ApPayment, check_new_payment
from sage_mock.errors import not_found
from sage_mock.records import ap_invoices, ap_payments, batches, master_data
from sage_mock.services import SageServices, services

router = APIRouter()
Services = Annotated[SageServices, Depends(services)]


@router.post("/admin/ap_invoices/{vendor_id}/{invoice_id}/payments", status_code=201)
async def pay_invoice(
    vendor_id: str, invoice_id: str, payment: ApPayment, sv: Services
) -> dict[str, Any]:
    with sv.store.write() as db:  # reading the batch may post it when it came due
        invoice = ap_invoices.find_live(db, vendor_id, invoice_id)
        row = db.execute(
            "SELECT row_id FROM ap_invoices WHERE vendor_id = ? AND invoice_id = ?"
            " AND deleted_at IS NULL",
            (vendor_id, invoice_id),
        ).fetchone()
        batch = batches.find(db, invoice["batch_id"]) if invoice else None
        paid = ap_payments.paid(db, row["row_id"]) if row else 0.0
        check_new_payment(payment, invoice, bool(batch and batch["posted"]), paid)
        return {"payment": ap_payments.insert(db, row["row_id"], payment)}


@router.get("/v1/jobs/{job_id}/ap_payments")
async def job_payments(job_id: str, sv: Services) -> dict[str, Any]:
    with sv.store.read() as db:
        if master_data.find_job(db, job_id) is None:
            raise not_found()
        return {"job_id": job_id, "payments": ap_payments.of_job(db, job_id)}
