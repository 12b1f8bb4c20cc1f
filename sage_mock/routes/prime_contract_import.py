"""`/v1/prime_contracts`: what a prime contract import reads, and the link to a project.

`/admin/...` is a person working in Sage: approving a contract, changing its items or a
Quickbill job's worksheet amounts, or linking a contract to a second project by hand (the
"inadvertently added to two projects" case the seeds name).
"""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from sage_mock.errors import LINKED_ELSEWHERE, SageError, not_found
from sage_mock.records import billing, contracts
from sage_mock.services import SageServices, services

router = APIRouter()
Services = Annotated[SageServices, Depends(services)]


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["approved", "unapproved"]


class ItemChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str | None = None
    original_amount: float | None = None


class WorksheetAmount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = ""
    amount: float


class Link(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project: str = Field(min_length=1)


@router.get("/v1/prime_contracts")
async def search_prime_contracts(contract_id: str, sv: Services) -> dict[str, Any]:
    """Every job's prime contract with this number (an import checks which job it is on)."""
    with sv.store.read() as db:
        return {"contracts": billing.search(db, contract_id)}


@router.get("/v1/prime_contracts/{job_id}/{contract_id}")
async def get_prime_contract(job_id: str, contract_id: str, sv: Services) -> dict[str, Any]:
    with sv.store.read() as db:
        view = billing.prime_contract(db, job_id, contract_id)
    if view is None:
        raise not_found()
    return view


@router.put("/v1/prime_contracts/{job_id}/{contract_id}/links/{project}")
async def link_project(job_id: str, contract_id: str, project: str, sv: Services) -> dict[str, Any]:
    """Mark the contract synced to a project; refused when another project holds it."""
    with sv.store.write() as db:
        if billing.prime_contract(db, job_id, contract_id) is None:
            raise not_found()
        others = [p for p in billing.linked_projects(db, job_id, contract_id) if p != project]
        if others:
            raise SageError(409, "linked_to_another_project", LINKED_ELSEWHERE)
        billing.link(db, job_id, contract_id, project, "api")
        return {"linked_projects": billing.linked_projects(db, job_id, contract_id)}


@router.put("/admin/prime_contracts/{job_id}/{contract_id}/status")
async def set_status(
    job_id: str, contract_id: str, change: StatusChange, sv: Services
) -> dict[str, Any]:
    """A person approves (or un-approves) the contract in the Contracts application."""
    with sv.store.write() as db:
        if contracts.find_contract(db, job_id, contract_id) is None:
            raise not_found()
        billing.set_status(db, job_id, contract_id, change.status)
        return billing.prime_contract(db, job_id, contract_id) or {}


@router.put("/admin/contracts/{job_id}/{contract_id}/items/{item_code}")
async def change_item(
    job_id: str, contract_id: str, item_code: str, change: ItemChange, sv: Services
) -> dict[str, Any]:
    """A person changes a contract item's description or original contract amount."""
    with sv.store.write() as db:
        if not billing.update_item(
            db, job_id, contract_id, item_code, change.model_dump(exclude_none=True)
        ):
            raise not_found()
        return contracts.find_item(db, job_id, contract_id, item_code) or {}


@router.put("/admin/misc_worksheets/{job_id}/{code}")
async def put_worksheet(
    job_id: str, code: str, entry: WorksheetAmount, sv: Services
) -> dict[str, Any]:
    """A person enters or changes a schedule of value amount of a Quickbill job."""
    with sv.store.write() as db:
        if billing.billing_of(db, job_id)[0] != "quickbill":
            raise not_found()
        billing.put_worksheet(db, job_id, code, entry.description, entry.amount)
        return billing.prime_contract(db, job_id, job_id) or {}


@router.post("/admin/prime_contracts/{job_id}/{contract_id}/links")
async def link_by_hand(job_id: str, contract_id: str, link: Link, sv: Services) -> dict[str, Any]:
    """Links the contract to one more project, even a second one (the inadvertent case)."""
    with sv.store.write() as db:
        if billing.prime_contract(db, job_id, contract_id) is None:
            raise not_found()
        billing.link(db, job_id, contract_id, link.project, "sage")
        return {"linked_projects": billing.linked_projects(db, job_id, contract_id)}


@router.delete("/admin/prime_contracts/{job_id}/{contract_id}/links/{project}")
async def unlink(job_id: str, contract_id: str, project: str, sv: Services) -> dict[str, Any]:
    with sv.store.write() as db:
        if not billing.unlink(db, job_id, contract_id, project):
            raise not_found()
        return {"linked_projects": billing.linked_projects(db, job_id, contract_id)}
