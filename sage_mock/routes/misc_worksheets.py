"""`/v1/misc_worksheet_transactions`: a budget's cost forecast as Misc Worksheet 1 and 2
transactions (seeds/004 "Cost Forecast Data"), posted by a person."""

import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from sage_mock.cost_forecast import NewMiscWorksheetImport, check_new_import
from sage_mock.errors import not_found
from sage_mock.idempotency import answer_write
from sage_mock.models import parse_wire
from sage_mock.records import batches, master_data, misc_worksheets
from sage_mock.services import SageServices, services

router = APIRouter(prefix="/v1/misc_worksheet_transactions")
Services = Annotated[SageServices, Depends(services)]


@router.post("", status_code=201)
async def create_misc_worksheet_import(request: Request, sv: Services) -> Response:
    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        batch = parse_wire(NewMiscWorksheetImport, body)
        check_new_import(batch, job=master_data.find_job(db, batch.job_id))
        made = batches.create(db, "misc_worksheet", sv.config.auto_post_seconds)
        record = misc_worksheets.insert(db, batch, made["batch_id"])
        return 201, {"misc_worksheet": record, "batch": made}

    return await answer_write(request, sv, apply)


@router.get("/{import_id}")
async def get_misc_worksheet_import(import_id: str, sv: Services) -> dict[str, Any]:
    with sv.store.read() as db:
        record = misc_worksheets.find(db, import_id)
    if record is None:
        raise not_found()
    return record
