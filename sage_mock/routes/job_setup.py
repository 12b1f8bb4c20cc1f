"""`PUT /v1/jobs/{job_id}/links/{project}` (a Sage job added to Procore as a project) and
`POST /v1/jobs/{job_id}/cost_codes` (cost codes added to a job from the standard list).

Both are master data: they apply at once, no batch; both replay for a repeated
Idempotency-Key, and both are idempotent anyway (a repeat links or adds nothing new).
"""

import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from sage_mock.idempotency import answer_write
from sage_mock.job_setup import CostCodeRefresh, check_link, cost_codes_to_add
from sage_mock.models import parse_wire
from sage_mock.records import companies, job_setup, master_data
from sage_mock.services import SageServices, services

router = APIRouter(prefix="/v1/jobs")
Services = Annotated[SageServices, Depends(services)]


@router.put("/{job_id}/links/{project}")
async def link_job(job_id: str, project: str, request: Request, sv: Services) -> Response:
    """Import: the Sage job becomes (is synced with) the Procore project."""

    def apply(db: sqlite3.Connection, _: Any) -> tuple[int, Any]:
        check_link(master_data.find_job(db, job_id), project)
        job_setup.link(db, job_id, project)
        return 200, {"job": master_data.find_job(db, job_id)}

    return await answer_write(request, sv, apply)


@router.post("/{job_id}/cost_codes")
async def add_cost_codes(job_id: str, request: Request, sv: Services) -> Response:
    """The refresh before a budget export: the job gets the standard cost codes it lacks."""

    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        refresh = parse_wire(CostCodeRefresh, body)
        standard = {code["code"]: code for code in companies.standard_cost_codes(db)}
        missing = cost_codes_to_add(
            refresh,
            job=master_data.find_job(db, job_id),
            standard_codes=standard,
            standard_categories={c["category"] for c in companies.standard_categories(db)},
        )
        descriptions = {code: entry["description"] for code, entry in standard.items()}
        added = job_setup.add_cost_codes(db, job_id, missing, descriptions)
        return 200, {"added": added, "job": master_data.find_job(db, job_id)}

    return await answer_write(request, sv, apply)
