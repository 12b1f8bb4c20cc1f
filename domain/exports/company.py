"""Companies -> Sage 300 CRE AP vendors.

Rules: seeds/004 "companies" (Things to Know) and the "Create and Sync Vendors" workflow of
seeds/002 (a vendor that already exists in the ERP is linked, not exported); the length
limits are Sage's own for [Name], [AddressCity] and [AddressZip] (troubleshooting table).
Mapping: the "Companies" data mapping table. The ERP Company ID is entered by the approver.
"""

from __future__ import annotations

from datetime import date

from domain.export_plan import ExportPlan, ExportStep, Posting, SageCall
from domain.exports.jobs import address_too_long, check_code
from domain.items import Company
from domain.settings import ProjectSettings

EXPORT_FIELDS = {
    "erp_company_id": "ERP Company ID: the Sage vendor ID of the new vendor (required)",
}
ERP_COMPANY_ID_HELP = (
    "The ERP Company ID is entered manually by an accounting approver when a company is "
    "exported from Procore to Sage 300 CRE®."
)
ALREADY_LINKED_RULE = (
    "Company. It is already linked to Sage 300 CRE® vendor {vendor}: link ERP vendors that "
    "already exist to the matching Procore company instead of exporting it."
)


def prerequisites(item: Company, settings: ProjectSettings) -> list[str]:
    broken = []
    if item.sage_vendor_id:
        broken.append(ALREADY_LINKED_RULE.format(vendor=item.sage_vendor_id))
    broken += address_too_long(item.name, item.city, item.zip)
    return broken


def default_fields(item: Company) -> dict[str, str]:
    return {}


def check_fields(item: Company, fields: dict[str, str]) -> list[str]:
    return check_code("erp_company_id", fields.get("erp_company_id", ""), ERP_COMPANY_ID_HELP)


def plan(
    item: Company, settings: ProjectSettings, fields: dict[str, str], today: date
) -> ExportPlan:
    """One call: the vendor record; vendors are master data and are not posted."""
    vendor = fields["erp_company_id"]
    body = {
        "vendor_id": vendor,
        "name": item.name,
        "address": item.address,
        "city": item.city,
        "state": item.state,
        "zip": item.zip,
        "telephone": item.business_phone,
        "fax": item.business_fax,
    }
    create = ExportStep(
        name="create_vendor",
        summary=f"Create Sage vendor {vendor} for company {item.name}",
        call=SageCall(method="POST", path="/v1/vendors", body=body),
        record="vendor",
        remember={"vendor_id": "vendor_id"},
    )
    return ExportPlan(steps=[create], posting=Posting.AUTOMATIC)
