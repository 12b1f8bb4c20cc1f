"""`/v1/commitments`: subcontracts and purchase orders, each landing in its own batch."""

import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from sage_mock.errors import not_found
from sage_mock.idempotency import answer_write
from sage_mock.models import Commitment, parse_wire
from sage_mock.records import batches, commitments, master_data
from sage_mock.rules import check_new_commitment
from sage_mock.services import SageServices, services

router = APIRouter(prefix="/v1/commitments")
Services = Annotated[SageServices, Depends(services)]


@router.post("", status_code=201)
async def create_commitment(request: Request, sv: Services) -> Response:
    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        commitment = parse_wire(Commitment, body)
        check_new_commitment(
            commitment,
            job=master_data.find_job(db, commitment.job_id),
            vendor=master_data.find_vendor(db, commitment.vendor_id),
            existing=commitments.find_live(db, commitment.job_id, commitment.commitment_id),
        )
        batch = batches.create(db, "commitment", sv.config.auto_post_seconds)
        record = commitments.insert(db, commitment, batch["batch_id"])
        return 201, {"commitment": record, "batch": batch}

    return await answer_write(request, sv, apply)


@router.get("/{job_id}/{commitment_id}")
async def get_commitment(job_id: str, commitment_id: str, sv: Services) -> dict[str, Any]:
    with sv.store.read() as db:
        record = commitments.find_live(db, job_id, commitment_id)
    if record is None:
        raise not_found()
    return record


@router.delete("/{job_id}/{commitment_id}")
async def delete_commitment(
    job_id: str, commitment_id: str, request: Request, sv: Services
) -> Response:
    """Compensation: the commitment stops counting and its code is free again."""

    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        if not commitments.delete(db, job_id, commitment_id):
            raise not_found()
        return 200, {"deleted": True}

    return await answer_write(request, sv, apply)
