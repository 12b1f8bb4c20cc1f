"""`/v1/company`, `/v1/standard_cost_codes`, `/v1/standard_categories`: the request's company.

Also `scoped_to_company`, the app-wide dependency that keeps another company's job or vendor
invisible to every route naming it in its path (commitments, contracts, invoices... are
reached through their job or vendor, so they are scoped through it).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from sage_mock.companies import current_company
from sage_mock.errors import not_found
from sage_mock.records import companies
from sage_mock.services import SageServices, services

router = APIRouter(prefix="/v1")
Services = Annotated[SageServices, Depends(services)]

OWNERS = {"job_id": companies.owner_of_job, "vendor_id": companies.owner_of_vendor}
"""Path parameters that name a job or a vendor, and how to find whose it is."""


async def scoped_to_company(request: Request) -> None:
    """404 for a job or vendor of another company, as if it did not exist; a job or vendor
    that exists nowhere is left to the route, which answers as it always did."""
    named = {p: request.path_params[p] for p in OWNERS if p in request.path_params}
    if not named:
        return
    with request.app.state.services.store.read() as db:
        owners = [OWNERS[p](db, str(value)) for p, value in named.items()]
    if any(owner not in (None, current_company()) for owner in owners):
        raise not_found()


@router.get("/company")
async def get_company(sv: Services) -> dict[str, Any]:
    with sv.store.read() as db:
        company = companies.find(db, current_company())
    if company is None:  # the gateway refuses unknown companies before any route runs
        raise not_found()
    return {"company_id": company.company_id, "name": company.name, "erp": company.erp}


@router.get("/standard_cost_codes")
async def standard_cost_codes(sv: Services) -> list[dict[str, Any]]:
    """The company-level list project cost codes are added from (`active` false: retired)."""
    with sv.store.read() as db:
        return companies.standard_cost_codes(db)


@router.get("/standard_categories")
async def standard_categories(sv: Services) -> list[dict[str, Any]]:
    with sv.store.read() as db:
        return companies.standard_categories(db)
