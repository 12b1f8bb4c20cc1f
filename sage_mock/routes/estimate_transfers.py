"""`/v1/estimate_transfers`: approved estimate changes between lines (Procore: budget
modifications), posted by a person."""

import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from sage_mock.errors import not_found
from sage_mock.idempotency import answer_write
from sage_mock.job_cost import NewEstimateTransfer, check_new_estimate_transfer
from sage_mock.models import parse_wire
from sage_mock.records import batches, estimate_transfers, master_data
from sage_mock.services import SageServices, services

router = APIRouter(prefix="/v1/estimate_transfers")
Services = Annotated[SageServices, Depends(services)]


@router.post("", status_code=201)
async def create_estimate_transfer(request: Request, sv: Services) -> Response:
    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        transfer = parse_wire(NewEstimateTransfer, body)
        check_new_estimate_transfer(transfer, job=master_data.find_job(db, transfer.job_id))
        batch = batches.create(db, "estimate_transfer", sv.config.auto_post_seconds)
        record = estimate_transfers.insert(db, transfer, batch["batch_id"])
        return 201, {"estimate_transfer": record, "batch": batch}

    return await answer_write(request, sv, apply)


@router.get("/{transfer_id}")
async def get_estimate_transfer(transfer_id: str, sv: Services) -> dict[str, Any]:
    with sv.store.read() as db:
        record = estimate_transfers.find(db, transfer_id)
    if record is None:
        raise not_found()
    return record
