"""`/admin/`: what a person does in Sage by hand, and the knobs of tests and demos.

Every call takes the admin key (`SAGE_ADMIN_KEY`), never the API key (the gateway), and none
is in the client's `/openapi.json` (app.py)."""

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from sage_mock.errors import not_found
from sage_mock.faults import FaultSettings
from sage_mock.models import JobStatusChange, QuotaSettings
from sage_mock.records import (
    ap_invoices,
    ap_payments,
    ar_invoices,
    batches,
    commitment_change_orders,
    commitments,
    contracts,
    counters,
    estimate_transfers,
    estimates,
    extras,
    gl_periods,
    job_cost_changes,
    job_cost_transactions,
    job_setup,
    master_data,
    misc_worksheets,
    vendor_insurance,
    vendors,
)
from sage_mock.services import SageServices, services
from sage_mock.vendor_edits import VendorChange, check_vendor_change
from sage_mock.vendor_insurance import InsuranceEntry, check_entry

router = APIRouter(prefix="/admin", include_in_schema=False)
Services = Annotated[SageServices, Depends(services)]

RECORD_KINDS: dict[str, Callable[..., list[dict[str, Any]]]] = {
    "commitments": commitments.list_all,
    "batches": batches.list_all,
    "jobs": master_data.list_jobs,
    "vendors": master_data.list_vendors,
    "extras": extras.list_all,
    "estimates": estimates.list_all,
    "estimate_transfers": estimate_transfers.list_all,
    "commitment_change_orders": commitment_change_orders.list_all,
    "contracts": contracts.list_contracts,
    "contract_items": contracts.list_items,
    "estimate_changes": partial(job_cost_changes.list_all, kind="estimate_change"),
    "schedule_value_changes": partial(job_cost_changes.list_all, kind="schedule_value_change"),
    "ap_invoices": ap_invoices.list_all,
    "gl_periods": gl_periods.list_all,
    "job_cost_transactions": job_cost_transactions.list_all,
    "vendor_insurance": vendor_insurance.list_all,
    "misc_worksheet_transactions": misc_worksheets.list_all,
    "cost_code_additions": job_setup.list_additions,
    "ap_payments": ap_payments.list_all,
    "ar_invoices": ar_invoices.list_all,
}
"""Every kind `GET /admin/records/{kind}` can list; a new kind adds one line."""

LIVE_COUNTS: dict[str, Callable[..., int]] = {
    "commitments": commitments.count_live,
    "estimates": estimates.count,
    "estimate_transfers": estimate_transfers.count,
    "commitment_change_orders": commitment_change_orders.count_live,
    "estimate_changes": partial(job_cost_changes.count_live, kind="estimate_change"),
    "schedule_value_changes": partial(job_cost_changes.count_live, kind="schedule_value_change"),
    "ap_invoices": ap_invoices.count_live,
    "misc_worksheet_transactions": misc_worksheets.count,
    "ar_invoices": ar_invoices.count_live,
}
"""Transaction kinds counted in `GET /admin/stats`."""


@router.post("/batches/{batch_id}/post")
async def post_batch(batch_id: str, sv: Services) -> dict[str, Any]:
    """A person posts the batch in Sage."""
    with sv.store.write() as db:
        batch = batches.post(db, batch_id)
    if batch is None:
        raise not_found()
    return batch


@router.get("/stats")
async def stats(sv: Services) -> dict[str, Any]:
    with sv.store.read() as db:
        tally = counters.read_all(db)
        records = {kind: count(db) for kind, count in LIVE_COUNTS.items()}
    return {
        "records": records,
        "requests": tally.get("requests", 0),
        "rate_limited": tally.get("rate_limited", 0),
        "dropped": tally.get("dropped", 0),
        "replayed": tally.get("replayed", 0),
        "batch_reads": tally.get("batch_reads", 0),
        "unsafe_paths": tally.get("unsafe_paths", 0),
        "batch_reads_by_batch": {
            name.removeprefix("batch_read:"): n
            for name, n in sorted(tally.items())
            if name.startswith("batch_read:")
        },
        "by_status": {
            name.removeprefix("status:"): n
            for name, n in sorted(tally.items())
            if name.startswith("status:")
        },
    }


@router.get("/records/{kind}")
async def records(kind: str, sv: Services) -> list[dict[str, Any]]:
    list_kind = RECORD_KINDS.get(kind)
    if list_kind is None:
        raise not_found()
    with sv.store.write() as db:  # listing batches may post those that came due
        return list_kind(db)


@router.get("/faults")
async def get_faults(sv: Services) -> FaultSettings:
    return sv.faults.settings


@router.put("/faults")
async def put_faults(settings: FaultSettings, sv: Services) -> FaultSettings:
    sv.faults.configure(settings)
    return sv.faults.settings


@router.get("/quota")
async def get_quota(sv: Services) -> QuotaSettings:
    return QuotaSettings(limit=sv.quota.limit, window_seconds=sv.quota.window_seconds)


@router.get("/quota/windows")
async def quota_windows(sv: Services) -> list[dict[str, Any]]:
    """Each quota window since the last `PUT /admin/quota`: requests used and refused (429)."""
    return sv.quota.windows()


@router.put("/quota")
async def put_quota(settings: QuotaSettings, sv: Services) -> QuotaSettings:
    """New size and window; every window starts afresh."""
    sv.quota.reconfigure(settings.limit, settings.window_seconds)
    return settings


@router.put("/jobs/{job_id}")
async def put_job(job_id: str, change: JobStatusChange, sv: Services) -> dict[str, Any]:
    """A person opens or closes the job in Sage."""
    with sv.store.write() as db:
        if not master_data.set_job_status(db, job_id, change.status):
            raise not_found()
        return master_data.find_job(db, job_id) or {}


@router.put("/vendors/{vendor_id}")
async def put_vendor(vendor_id: str, change: VendorChange, sv: Services) -> dict[str, Any]:
    """A person archives, re-activates or edits the vendor (name, address, phones) in Sage."""
    with sv.store.write() as db:
        vendor = master_data.find_vendor(db, vendor_id)
        if vendor is None:
            raise not_found()
        return vendors.update(db, vendor, check_vendor_change(vendor, change))


@router.put("/vendors/{vendor_id}/insurance")
async def put_vendor_insurance(
    vendor_id: str, entry: InsuranceEntry, sv: Services
) -> list[dict[str, Any]]:
    """A person enters or changes one policy of the vendor's AP Vendor Insurance in Sage."""
    with sv.store.write() as db:
        if master_data.find_vendor(db, vendor_id) is None:
            raise not_found()
        job = master_data.find_job(db, entry.job_id) if entry.job_id else None
        check_entry(entry, job)
        return vendor_insurance.put(db, vendor_id, entry)
