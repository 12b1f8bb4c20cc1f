"""`/v1/estimates`: a job's original estimate (Procore: its budget), posted by a person;
`GET /v1/jobs/{job_id}/estimate`: the job's estimate as Sage holds it now, for a budget import.

Sage 300 CRE® takes one per job (the exported budget is locked); Sage 100 Contractor® takes a
budget sent again after an update, which replaces the job's earlier estimate (seeds/002).
"""

import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from sage_mock.companies import current_company
from sage_mock.errors import not_found
from sage_mock.idempotency import answer_write
from sage_mock.job_cost import NewEstimate, check_new_estimate
from sage_mock.models import parse_wire
from sage_mock.records import batches, companies, estimates, master_data
from sage_mock.services import SageServices, services

router = APIRouter(prefix="/v1/estimates")
job_router = APIRouter()
Services = Annotated[SageServices, Depends(services)]


@router.post("", status_code=201)
async def create_estimate(request: Request, sv: Services) -> Response:
    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        estimate = parse_wire(NewEstimate, body)
        company = companies.find(db, current_company())
        earlier = estimates.of_job(db, estimate.job_id)
        check_new_estimate(
            estimate,
            job=master_data.find_job(db, estimate.job_id),
            locked_by=earlier,
            erp=company.erp if company else "sage300",
        )
        batch = batches.create(db, "estimate", sv.config.auto_post_seconds)
        created = estimates.insert(db, estimate, batch["batch_id"], replaces=earlier)
        return 201, {"estimate": created, "batch": batch}

    return await answer_write(request, sv, apply)


@router.get("/{estimate_id}")
async def get_estimate(estimate_id: str, sv: Services) -> dict[str, Any]:
    with sv.store.read() as db:
        record = estimates.find(db, estimate_id)
    if record is None:
        raise not_found()
    return record


@job_router.get("/v1/jobs/{job_id}/estimate")
async def get_job_estimate(job_id: str, sv: Services) -> dict[str, Any]:
    """The job's newest estimate and whether its batch is posted (`null`: no budget in Sage).
    Reading a batch may post it when it came due: a write transaction."""
    with sv.store.write() as db:
        if master_data.find_job(db, job_id) is None:
            raise not_found()
        record = estimates.of_job(db, job_id)
        if record is None:
            return {"job_id": job_id, "estimate": None}
        batch = batches.find(db, record["batch_id"])
    posted = batch is not None and bool(batch["posted"])
    return {"job_id": job_id, "estimate": {**record, "posted": posted}}
