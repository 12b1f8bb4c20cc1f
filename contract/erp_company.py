"""The ErpCompany workflow's contract: its name, its ID, what it starts with, takes and shows."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from contract.sync import AuditLine
from domain import erp
from domain.commands import CommandRequest
from domain.company_account import CompanyAccount, VendorRow
from domain.cost_codes import StandardCategory, StandardCostCode
from domain.insurance import CompanyInsuranceRecord
from domain.links import LinkRegistry
from domain.vendors import RefreshReport, VendorDirectory

WORKFLOW_TYPE = "ErpCompany"
ITEM_TYPE = "erp_company"


IMPORT_INSURANCE_UPDATE = "import_insurance"
"""The update that imports a synced company's insurance from its Sage vendor's
(`starter.py vendors insurance import VENDOR --as USER`)."""


ASSIGN_DEFAULT_COST_TYPES = "assign_default_cost_types"
"""Update (and signal of the same name): default cost types of a standard cost code
(`DefaultCostTypesRequest`; `starter.py cost-codes default-types CODE [--category C ...]`)."""
DEFAULT_COST_TYPES_QUERY = "default_cost_types"
"""Query: standard cost code -> its default cost types (what a project's cost code acceptance
reads through the activity below)."""
READ_DEFAULT_COST_TYPES_ACTIVITY = "cost_codes.default_types"


def workflow_id(sage_company: str) -> str:
    return f"{ITEM_TYPE}:{sage_company}"


class CompanyStart(BaseModel):
    sage_company: str = Field(min_length=1)
    account: CompanyAccount
    directory: VendorDirectory = Field(default_factory=VendorDirectory)
    vendors_refreshed_at: datetime | None = None
    last_report: RefreshReport | None = Field(
        default=None, description="The last vendor refresh (its directory left out: see above)."
    )
    standard_cost_codes: list[StandardCostCode] = Field(default_factory=list)
    standard_categories: list[StandardCategory] = Field(default_factory=list)
    standard_refreshed_at: datetime | None = None
    audit: list[AuditLine] = Field(default_factory=list)
    nonces: dict[str, datetime] = Field(
        default_factory=dict, description="Signatures seen lately (a replay is refused)."
    )
    links: LinkRegistry = Field(
        default_factory=LinkRegistry,
        description="Companies exported as vendors (the directory holds the vendor links "
        "people made): the company side of the link registry.",
    )
    insurance: dict[str, CompanyInsuranceRecord] = Field(
        default_factory=dict,
        description="Procore company ID -> its insurance as the last import from its Sage "
        "vendor left it (domain/insurance.py); a re-import replaces it.",
    )
    default_cost_types: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Standard cost code -> its default cost types "
        "(domain/cost_code_acceptance.py).",
    )


class CompanyRequest(BaseModel):
    actor: str = Field(min_length=1, max_length=100)
    vendor_id: str | None = Field(default=None, description="the Sage vendor acted on")
    company_id: str | None = Field(
        default=None, description="link: the Procore company; import: the new company's ID"
    )
    account: CompanyAccount | None = Field(
        default=None,
        description="Ignored: kept so that older requests still decode. A new account reaches "
        "the workflow only through its `settings` update.",
    )


class CompanyRecord(CompanyStart):
    workflow_id: str
    erp: erp.Erp | None
    vendors: list[VendorRow] = Field(default_factory=list)


class DefaultCostTypesRequest(CommandRequest):
    """assign_default_cost_types: the standard cost code and its cost types (none: cleared)."""

    code: str = Field(max_length=100)
    categories: list[str] = Field(default_factory=list, max_length=50)


class DefaultCostTypesRead(BaseModel):
    """What the project's acceptance asks: the defaults its Sage company holds."""

    sage_company: str
