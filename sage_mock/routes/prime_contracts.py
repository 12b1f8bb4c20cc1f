"""`/v1/contracts`, `/v1/estimate_changes`, `/v1/schedule_value_changes`: what a PCCO writes.

Estimate changes land in a Job Cost batch a person posts; schedule value changes post
automatically. A DELETE of either reverses it; a DELETE of a contract item removes it.
`/admin/contracts/...` is a person adding or deleting a contract item in Sage by hand.
"""

import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from sage_mock.errors import not_found
from sage_mock.idempotency import answer_write
from sage_mock.models import parse_wire
from sage_mock.prime_contract_rules import (
    EstimateChange,
    NewContractItem,
    ScheduleValueChange,
    check_estimate_change,
    check_new_contract_item,
    check_schedule_value_change,
)
from sage_mock.records import batches, billing, contracts, master_data
from sage_mock.records import job_cost_changes as changes
from sage_mock.services import SageServices, services

router = APIRouter()
Services = Annotated[SageServices, Depends(services)]


@router.get("/v1/contracts/{job_id}")
async def list_contracts(job_id: str, sv: Services) -> list[dict[str, Any]]:
    with sv.store.read() as db:
        if master_data.find_job(db, job_id) is None:
            raise not_found()
        return contracts.list_contracts(db, job_id)


@router.get("/v1/contracts/{job_id}/{contract_id}")
async def get_contract(job_id: str, contract_id: str, sv: Services) -> dict[str, Any]:
    with sv.store.read() as db:
        contract = contracts.find_contract(db, job_id, contract_id)
    if contract is None:
        raise not_found()
    return contract


def _add_item(
    db: sqlite3.Connection, job_id: str, contract_id: str, body: Any, created_by: str
) -> dict[str, Any]:
    item = parse_wire(NewContractItem, body)
    check_new_contract_item(
        job=master_data.find_job(db, job_id),
        contract=contracts.find_contract(db, job_id, contract_id),
        existing=contracts.find_item(db, job_id, contract_id, item.item_code),
    )
    return contracts.insert_item(db, job_id, contract_id, item.model_dump(), created_by)


@router.post("/v1/contracts/{job_id}/{contract_id}/items", status_code=201)
async def create_contract_item(
    job_id: str, contract_id: str, request: Request, sv: Services
) -> Response:
    """A new line of a PCCO: the contract item, with no original contract amount."""

    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        return 201, {"contract_item": _add_item(db, job_id, contract_id, body, "api")}

    return await answer_write(request, sv, apply)


@router.delete("/v1/contracts/{job_id}/{contract_id}/items/{item_code}")
async def delete_contract_item(
    job_id: str, contract_id: str, item_code: str, request: Request, sv: Services
) -> Response:
    """Compensation: the contract item is gone and its code is free again."""

    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        if not contracts.delete_item(db, job_id, contract_id, item_code):
            raise not_found()
        return 200, {"deleted": True}

    return await answer_write(request, sv, apply)


@router.post("/v1/estimate_changes", status_code=201)
async def create_estimate_change(request: Request, sv: Services) -> Response:
    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        change = parse_wire(EstimateChange, body)
        check_estimate_change(change, master_data.find_job(db, change.job_id))
        batch = batches.create(db, "estimate_change", sv.config.auto_post_seconds)
        kind = "estimate_change"
        record = changes.insert(db, kind, change.model_dump(mode="json"), batch["batch_id"])
        return 201, {"estimate_change": record, "batch": batch}

    return await answer_write(request, sv, apply)


@router.post("/v1/schedule_value_changes", status_code=201)
async def create_schedule_value_change(request: Request, sv: Services) -> Response:
    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        change = parse_wire(ScheduleValueChange, body)
        check_schedule_value_change(
            change,
            job=master_data.find_job(db, change.job_id),
            contract=contracts.find_contract(db, change.job_id, change.contract_id),
            worksheet=billing.worksheet_codes(db, change.job_id),
        )
        batch = batches.create(db, "schedule_value_change", sv.config.auto_post_seconds)
        kind = "schedule_value_change"
        record = changes.insert(db, kind, change.model_dump(mode="json"), batch["batch_id"])
        return 201, {"schedule_value_change": record, "batch": batch}

    return await answer_write(request, sv, apply)


def _change_routes(kind: str, path: str) -> None:
    @router.get(f"/v1/{path}/{{change_id}}", name=f"get_{kind}")
    async def get_change(change_id: str, sv: Services) -> dict[str, Any]:
        with sv.store.read() as db:
            record = changes.find(db, kind, change_id)
        if record is None:
            raise not_found()
        return record

    @router.delete(f"/v1/{path}/{{change_id}}", name=f"reverse_{kind}")
    async def reverse_change(change_id: str, request: Request, sv: Services) -> Response:
        """Compensation: the transactions are reversed and stop counting."""

        def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
            if not changes.reverse(db, kind, change_id):
                raise not_found()
            return 200, {"reversed": True}

        return await answer_write(request, sv, apply)


_change_routes("estimate_change", "estimate_changes")
_change_routes("schedule_value_change", "schedule_value_changes")


@router.post("/admin/contracts/{job_id}/{contract_id}/items", status_code=201)
async def add_contract_item_by_hand(
    job_id: str, contract_id: str, item: NewContractItem, sv: Services
) -> dict[str, Any]:
    """A person adds a contract item in Sage's Contracts application."""
    with sv.store.write() as db:
        return _add_item(db, job_id, contract_id, item.model_dump(), "sage")


@router.delete("/admin/contracts/{job_id}/{contract_id}/items/{item_code}")
async def delete_contract_item_by_hand(
    job_id: str, contract_id: str, item_code: str, sv: Services
) -> dict[str, Any]:
    """A person deletes a contract item in Sage (the way PCCO exports start failing)."""
    with sv.store.write() as db:
        if not contracts.delete_item(db, job_id, contract_id, item_code):
            raise not_found()
    return {"deleted": True}
