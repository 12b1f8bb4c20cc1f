"""`/v1/commitment_change_orders`, and `/v1/commitments/.../items` for the new lines of a CCO.

A CCO lands in its own batch, which posts automatically; a commitment item added for a new
line carries no transactions of its own (its amount comes with the CCO).
"""

import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from sage_mock.change_order_rules import (
    CommitmentChangeOrder,
    NewCommitmentItem,
    check_new_change_order,
    check_new_commitment_item,
)
from sage_mock.errors import not_found
from sage_mock.idempotency import answer_write
from sage_mock.models import parse_wire
from sage_mock.records import batches, commitments, master_data
from sage_mock.records import commitment_change_orders as ccos
from sage_mock.services import SageServices, services

router = APIRouter(prefix="/v1")
Services = Annotated[SageServices, Depends(services)]


@router.post("/commitments/{job_id}/{commitment_id}/items", status_code=201)
async def add_commitment_item(
    job_id: str, commitment_id: str, request: Request, sv: Services
) -> Response:
    """A new line of a CCO becomes a commitment item first; Sage assigns its item ID."""

    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        item = parse_wire(NewCommitmentItem, body)
        row_id = ccos.commitment_row(db, job_id, commitment_id)
        check_new_commitment_item(item, master_data.find_job(db, job_id), row_id is not None)
        assert row_id is not None
        created = ccos.add_item(db, job_id, commitment_id, row_id, item.model_dump())
        return 201, {"commitment_item": created}

    return await answer_write(request, sv, apply)


@router.delete("/commitments/{job_id}/{commitment_id}/items/{item_id}")
async def delete_commitment_item(
    job_id: str, commitment_id: str, item_id: str, request: Request, sv: Services
) -> Response:
    """Compensation: the item a failed CCO export added is taken off the commitment."""

    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        row_id = ccos.commitment_row(db, job_id, commitment_id)
        if row_id is None or not ccos.delete_item(db, row_id, item_id):
            raise not_found()
        return 200, {"deleted": True}

    return await answer_write(request, sv, apply)


@router.post("/commitment_change_orders", status_code=201)
async def create_change_order(request: Request, sv: Services) -> Response:
    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        change_order = parse_wire(CommitmentChangeOrder, body)
        commitment = commitments.find_live(db, change_order.job_id, change_order.commitment_id)
        vendor = master_data.find_vendor(db, commitment["vendor_id"]) if commitment else None
        check_new_change_order(
            change_order,
            job=master_data.find_job(db, change_order.job_id),
            commitment=commitment,
            vendor=vendor,
            existing=ccos.find_live(db, change_order.change_order_id),
        )
        batch = batches.create(db, "commitment_change_order", sv.config.auto_post_seconds)
        stored = change_order.model_dump(mode="json")
        stored["items"] = [
            i.model_dump(mode="json", exclude_unset=True) for i in change_order.items
        ]
        record = ccos.insert(db, stored, batch["batch_id"])
        return 201, {"change_order": record, "batch": batch}

    return await answer_write(request, sv, apply)


@router.get("/commitment_change_orders/{change_order_id}")
async def get_change_order(change_order_id: str, sv: Services) -> dict[str, Any]:
    with sv.store.read() as db:
        record = ccos.find_live(db, change_order_id)
    if record is None:
        raise not_found()
    return record


@router.delete("/commitment_change_orders/{change_order_id}")
async def delete_change_order(change_order_id: str, request: Request, sv: Services) -> Response:
    """Compensation: the CCO stops counting and its ID is free again."""

    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        if not ccos.delete(db, change_order_id):
            raise not_found()
        return 200, {"deleted": True}

    return await answer_write(request, sv, apply)
