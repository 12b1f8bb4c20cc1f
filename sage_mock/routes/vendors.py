"""`POST /v1/vendors`: a new AP vendor (Procore: a company)."""

import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from sage_mock.ap_vendors import VENDOR_EXISTS, NewVendor, check_new_vendor
from sage_mock.errors import SageError
from sage_mock.idempotency import answer_write
from sage_mock.models import parse_wire
from sage_mock.records import companies, master_data, vendors
from sage_mock.services import SageServices, services

router = APIRouter(prefix="/v1/vendors")
Services = Annotated[SageServices, Depends(services)]


@router.post("", status_code=201)
async def create_vendor(request: Request, sv: Services) -> Response:
    """Master data: the vendor is active at once; nothing waits to be posted."""

    def apply(db: sqlite3.Connection, body: Any) -> tuple[int, Any]:
        vendor = parse_wire(NewVendor, body)
        check_new_vendor(vendor, existing=master_data.find_vendor(db, vendor.vendor_id))
        if companies.owner_of_vendor(db, vendor.vendor_id) is not None:  # another company's
            raise SageError(409, "vendor_exists", VENDOR_EXISTS)  # IDs unique across companies
        return 201, {"vendor": vendors.insert(db, vendor)}

    return await answer_write(request, sv, apply)
