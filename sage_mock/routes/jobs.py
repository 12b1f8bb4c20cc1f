"""`POST /v1/jobs`: a new job with its cost codes and categories (Procore: a project)."""

import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from sage_mock.errors import SageError
from sage_mock.idempotency import answer_write
from sage_mock.job_cost import JOB_EXISTS, NewJob, check_new_job
from sage_mock.models import parse_wire
from sage_mock.records import companies, jobs, master_data
from sage_mock.services import SageServices, services

router = APIRouter(prefix="/v1/jobs")
Services = Annotated[SageServices, Depends(services)]


@router.post("", status_code=201)
async def create_job(request: Request, sv: Services) -> Response:
    """Master data: the job is usable at once; nothing waits to be posted."""

    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        job = parse_wire(NewJob, body)
        check_new_job(job, existing=master_data.find_job(db, job.job_id))
        if companies.owner_of_job(db, job.job_id) is not None:  # another company's job
            raise SageError(409, "job_exists", JOB_EXISTS)  # codes are unique across companies
        return 201, {"job": jobs.insert(db, job)}

    return await answer_write(request, sv, apply)
