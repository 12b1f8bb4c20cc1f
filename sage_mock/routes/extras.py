"""`/v1/extras`: extras of a job (Procore: sub jobs)."""

import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from sage_mock.errors import not_found
from sage_mock.idempotency import answer_write
from sage_mock.job_cost import NewExtra, check_new_extra
from sage_mock.models import parse_wire
from sage_mock.records import extras, master_data
from sage_mock.services import SageServices, services

router = APIRouter(prefix="/v1/extras")
Services = Annotated[SageServices, Depends(services)]


@router.post("", status_code=201)
async def create_extra(request: Request, sv: Services) -> Response:
    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        extra = parse_wire(NewExtra, body)
        check_new_extra(
            extra,
            job=master_data.find_job(db, extra.job_id),
            existing=extras.find(db, extra.job_id, extra.extra_id),
        )
        return 201, {"extra": extras.insert(db, extra)}

    return await answer_write(request, sv, apply)


@router.get("/{job_id}/{extra_id}")
async def get_extra(job_id: str, extra_id: str, sv: Services) -> dict[str, Any]:
    with sv.store.read() as db:
        record = extras.find(db, job_id, extra_id)
    if record is None:
        raise not_found()
    return record
