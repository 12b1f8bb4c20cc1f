"""`/v1/jobs` and `/v1/vendors`: what the orchestrator checks before it exports."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from sage_mock.errors import not_found
from sage_mock.records import master_data, vendor_insurance
from sage_mock.services import SageServices, services

router = APIRouter(prefix="/v1")
Services = Annotated[SageServices, Depends(services)]


@router.get("/jobs")
async def list_jobs(sv: Services) -> list[dict[str, Any]]:
    with sv.store.read() as db:
        return master_data.list_jobs(db)


@router.get("/jobs/{job_id}")
async def get_job(job_id: str, sv: Services) -> dict[str, Any]:
    with sv.store.read() as db:
        job = master_data.find_job(db, job_id)
    if job is None:
        raise not_found()
    return job


@router.get("/vendors")
async def list_vendors(sv: Services) -> list[dict[str, Any]]:
    with sv.store.read() as db:
        return master_data.list_vendors(db)


@router.get("/vendors/{vendor_id}")
async def get_vendor(vendor_id: str, sv: Services) -> dict[str, Any]:
    with sv.store.read() as db:
        vendor = master_data.find_vendor(db, vendor_id)
    if vendor is None:
        raise not_found()
    return vendor


@router.get("/vendors/{vendor_id}/insurance")
async def get_vendor_insurance(vendor_id: str, sv: Services) -> list[dict[str, Any]]:
    """AP Vendor Insurance: every policy of the vendor, Global Level and job level."""
    with sv.store.read() as db:
        if master_data.find_vendor(db, vendor_id) is None:
            raise not_found()
        return vendor_insurance.of_vendor(db, vendor_id)
