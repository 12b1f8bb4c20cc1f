"""`/v1/ap_invoices` and `/v1/gl_periods`: subcontractor invoices in Accounts Payable.

An invoice lands in an AP batch a person posts. `/admin/gl_periods/{YYYY-MM}` opens or closes
a period and `/admin/ap_settings` sets the tolerance over the approved commitment amount.
"""

import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from sage_mock.errors import not_found
from sage_mock.idempotency import answer_write
from sage_mock.invoice_rules import ApInvoice, ApSettings, GlPeriodChange, check_new_invoice
from sage_mock.models import parse_wire
from sage_mock.records import ap_invoices, batches, commitments, gl_periods, master_data
from sage_mock.records import commitment_change_orders as ccos
from sage_mock.services import SageServices, services

router = APIRouter()
Services = Annotated[SageServices, Depends(services)]


def _approved_and_invoiced(db: sqlite3.Connection, job_id: str, commitment_id: str):
    commitment = commitments.find_live(db, job_id, commitment_id) or {"items": []}
    original = sum(item["amount"] for item in commitment["items"])
    approved = original + ccos.approved_changes(db, job_id, commitment_id)
    return approved, ap_invoices.invoiced(db, job_id, commitment_id)


@router.post("/v1/ap_invoices", status_code=201)
async def create_invoice(request: Request, sv: Services) -> Response:
    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        invoice = parse_wire(ApInvoice, body)
        check_new_invoice(
            invoice,
            vendor=master_data.find_vendor(db, invoice.vendor_id),
            job_of=lambda job_id: master_data.find_job(db, job_id),
            commitment_of=lambda job_id, code: commitments.find_live(db, job_id, code),
            existing=ap_invoices.find_live(db, invoice.vendor_id, invoice.invoice_id),
            gl_period_status=gl_periods.status_of(db, invoice.accounting_date),
            approved_and_invoiced=lambda job_id, code: _approved_and_invoiced(db, job_id, code),
            tolerance_percent=ap_invoices.tolerance_percent(db),
        )
        batch = batches.create(db, "ap_invoice", sv.config.auto_post_seconds)
        record = ap_invoices.insert(db, invoice.model_dump(mode="json"), batch["batch_id"])
        return 201, {"invoice": record, "batch": batch}

    return await answer_write(request, sv, apply)


@router.get("/v1/ap_invoices/{vendor_id}/{invoice_id}")
async def get_invoice(vendor_id: str, invoice_id: str, sv: Services) -> dict[str, Any]:
    with sv.store.read() as db:
        record = ap_invoices.find_live(db, vendor_id, invoice_id)
    if record is None:
        raise not_found()
    return record


@router.delete("/v1/ap_invoices/{vendor_id}/{invoice_id}")
async def delete_invoice(
    vendor_id: str, invoice_id: str, request: Request, sv: Services
) -> Response:
    """Compensation or reset: the invoice stops counting and its code is free again."""

    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        if not ap_invoices.delete(db, vendor_id, invoice_id):
            raise not_found()
        return 200, {"deleted": True}

    return await answer_write(request, sv, apply)


@router.get("/v1/gl_periods")
async def list_gl_periods(sv: Services) -> list[dict[str, Any]]:
    with sv.store.read() as db:
        return gl_periods.list_all(db)


@router.put("/admin/gl_periods/{period}")
async def put_gl_period(period: str, change: GlPeriodChange, sv: Services) -> dict[str, Any]:
    """A person opens or closes a GL period (YYYY-MM) in Sage."""
    year, _, month = period.partition("-")
    if not (year.isdigit() and len(year) == 4 and month.isdigit() and 1 <= int(month) <= 12):
        raise not_found()
    with sv.store.write() as db:
        return gl_periods.set_status(db, f"{year}-{int(month):02d}", change.status)


@router.get("/admin/ap_settings")
async def get_ap_settings(sv: Services) -> ApSettings:
    with sv.store.read() as db:
        return ApSettings(tolerance_percent=ap_invoices.tolerance_percent(db))


@router.put("/admin/ap_settings")
async def put_ap_settings(settings: ApSettings, sv: Services) -> ApSettings:
    """A person changes the AP tolerance over the approved commitment amount."""
    with sv.store.write() as db:
        ap_invoices.set_tolerance_percent(db, settings.tolerance_percent)
    return settings
