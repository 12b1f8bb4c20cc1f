"""`/v1/jobs/{job_id}/job_costs`: Sage's Job Costs summary of a job (import only), and the
direct job cost transactions a person posts in Sage (`/admin/job_cost_transactions`)."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from sage_mock.errors import not_found
from sage_mock.job_costs import (
    JobCostTransaction,
    check_new_transaction,
    job_cost_lines,
    month_of,
    transaction_details,
)
from sage_mock.records import extras, iso, job_cost_summary, job_cost_transactions, master_data
from sage_mock.services import SageServices, services

router = APIRouter()
Services = Annotated[SageServices, Depends(services)]


def clock() -> dt.datetime:
    """FastAPI dependency: now, whose calendar month (UTC) is the month to date.

    Tests override it (`app.dependency_overrides[clock]`) to fix the month."""
    return dt.datetime.now(dt.UTC)


Now = Annotated[dt.datetime, Depends(clock)]


@router.get("/v1/jobs/{job_id}/job_costs")
async def get_job_costs(job_id: str, sv: Services, now: Now) -> dict[str, Any]:
    """One line per cost code/category with any figure, as of now."""
    with sv.store.write() as db:  # reading a batch may post it when it came due
        if master_data.find_job(db, job_id) is None:
            raise not_found()
        records = job_cost_summary.read(db, job_id)
    return {
        "job_id": job_id,
        "as_of": iso(now.timestamp()),
        "lines": job_cost_lines(job_id, records, month_of(now)),
    }


@router.get("/v1/jobs/{job_id}/job_cost_transactions")
async def get_job_cost_transactions(job_id: str, sv: Services, now: Now) -> dict[str, Any]:
    """Every posted cost transaction of the job, in detail (Procore: Direct Costs)."""
    with sv.store.write() as db:  # reading a batch may post it when it came due
        if master_data.find_job(db, job_id) is None:
            raise not_found()
        records = job_cost_summary.read(db, job_id)
    return {
        "job_id": job_id,
        "as_of": iso(now.timestamp()),
        "transactions": transaction_details(job_id, records),
    }


@router.post("/admin/job_cost_transactions", status_code=201)
async def post_transaction(transaction: JobCostTransaction, sv: Services) -> dict[str, Any]:
    """A person posts a direct cost (payroll, equipment, ...) to a job in Sage."""
    with sv.store.write() as db:
        extra = None
        if transaction.extra_id is not None:
            extra = extras.find(db, transaction.job_id, transaction.extra_id)
        check_new_transaction(transaction, master_data.find_job(db, transaction.job_id), extra)
        return {"job_cost_transaction": job_cost_transactions.insert(db, transaction)}
