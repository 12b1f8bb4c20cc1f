"""The company account: company-level ERP Integrations settings and Procore's Company Directory.

Read from `ERP_COMPANY_FILE` (examples/company.json): who holds which level on the
company-level ERP Integrations tool (seeds/002 and seeds/004 permissions: linking and refreshing
the vendor list need 'Admin', importing, archiving and unlinking 'Standard'), whether 'Vendors
will be automatically updated', which ERP each Sage company is, and the companies of the
directory that Sage vendors are matched against (domain/vendors.py).

`vendor_rows` is the Vendors tab: every Sage vendor last read, with what a person should do.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from domain.commands import CommandRequest
from domain.erp import Erp
from domain.items import describe_validation_error
from domain.sage_codes import SageCode, sage_code_problem
from domain.settings import InvalidSettings, RosterUser
from domain.vendors import Company, MatchKind, VendorDirectory, VendorRefused, match_all

DEFAULT_SAGE_COMPANY = "CRE"
"""The Sage company a request names when it names none (the mock's default company)."""


class CompanyAccount(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    vendors_auto_update: bool = Field(
        default=False,
        description="'Vendors will be automatically updated': linked companies follow their "
        "vendor's address and phone changes in Sage (seeds/004 companies).",
    )
    vendor_insurance_sync: bool = Field(
        default=False,
        description="'Vendor Insurance Sync', a custom setting ERP Support enables (seeds/004 "
        "Company Insurance, footnote 2): synced companies' insurance imported from Sage "
        "(domain/insurance.py).",
    )
    roster: dict[str, RosterUser] = Field(
        default_factory=dict, description="Each user's company-level ERP Integrations level."
    )
    sage_companies: dict[SageCode, Erp] = Field(
        default_factory=lambda: {DEFAULT_SAGE_COMPANY: Erp.SAGE300},
        description="Sage company ID (sent as X-Sage-Company) -> the ERP it is.",
    )
    companies: list[Company] = Field(
        default_factory=list, description="Procore's Company Directory."
    )

    @field_validator("companies")
    @classmethod
    def _vendor_ids_are_sage_codes(cls, companies: list[Company]) -> list[Company]:
        for index, company in enumerate(companies):
            problem = company.vendor_id and sage_code_problem(company.vendor_id)
            if problem:
                raise PydanticCustomError(
                    "sage_code",
                    "{where}: {problem}",
                    {"where": f"{index}.vendor_id", "problem": problem},
                )
        return companies

    @model_validator(mode="after")
    def _one_entry_each(self) -> CompanyAccount:
        seen: set[str] = set()
        linked: dict[str, str] = {}
        for index, company in enumerate(self.companies):
            if company.company_id in seen:
                raise ValueError(
                    f"companies[{index}]: company_id {company.company_id!r} is listed twice"
                )
            seen.add(company.company_id)
            vendor = company.vendor_id
            if vendor is not None and vendor in linked:
                raise ValueError(
                    f"companies[{index}]: vendor {vendor!r} is linked to company "
                    f"{linked[vendor]!r} already"
                )
            if vendor is not None:
                linked[vendor] = company.company_id
        if not self.sage_companies:
            raise ValueError("sage_companies is empty: name at least one Sage company")
        return self

    def erp_of(self, sage_company: str) -> Erp:
        """The ERP of a Sage company of this account; LookupError when it has none."""
        found = self.sage_companies.get(sage_company)
        if found is None:
            known = ", ".join(sorted(self.sage_companies))
            raise LookupError(
                f"Sage company {sage_company!r} is not in the account's sage_companies "
                f"(known: {known})"
            )
        return found


class AccountRequest(CommandRequest):
    """settings (of a Sage company's workflow): the company account as the file says it now,
    from an ERP Admin of the account's roster the workflow already holds (`starter.py
    company-account apply --as USER`); signed when that roster gives the admin a key."""

    account: CompanyAccount


def parse_company_account(text: str) -> CompanyAccount:
    try:
        return CompanyAccount.model_validate_json(text)
    except ValidationError as err:
        raise InvalidSettings(describe_validation_error(err)) from None


def with_account_companies(
    directory: VendorDirectory, account: CompanyAccount
) -> tuple[VendorDirectory, list[str]]:
    """The directory with the account's companies it does not hold yet, and what was left out.

    A company already in the directory stays as the directory has it: its link and the
    addresses it followed live there. A new company whose vendor is linked elsewhere already
    is left out, with the reason.
    """
    skipped: list[str] = []
    for company in account.companies:
        if company.company_id in directory.companies:
            continue
        try:
            directory = directory.add_company(company)
        except VendorRefused as err:
            skipped.append(f"company {company.company_id} not added: {err}")
    return directory, skipped


class VendorState(StrEnum):
    LINKED = "linked"
    EXACT = "exact"
    REVIEW = "review"
    NONE = "none"
    ARCHIVED = "archived"
    INACTIVE = "inactive"
    GONE = "gone"


NEXT_STEP = {
    VendorState.LINKED: "",
    VendorState.EXACT: "links on the next refresh",
    VendorState.REVIEW: "link, import or archive it",
    VendorState.NONE: "import it or archive it",
    VendorState.ARCHIVED: "not offered for matching (unarchive to use it)",
    VendorState.INACTIVE: "inactive in Sage: not matched",
    VendorState.GONE: "linked, but Sage no longer lists it",
}


class VendorRow(BaseModel):
    """One Sage vendor on the Vendors tab."""

    model_config = ConfigDict(frozen=True)

    vendor_id: str
    name: str
    state: VendorState
    company_id: str | None = Field(default=None, description="the linked company")
    candidates: list[str] = Field(default_factory=list)
    reason: str = ""

    @property
    def detail(self) -> str:
        if self.company_id is not None:
            gone = f"; {NEXT_STEP[self.state]}" if self.state is VendorState.GONE else ""
            return f"company {self.company_id}{gone}"
        parts = [self.reason] if self.reason else []
        if self.candidates and self.state is VendorState.REVIEW:
            parts.insert(0, f"candidates {', '.join(self.candidates)}")
        parts.append(NEXT_STEP[self.state])
        return "; ".join(part for part in parts if part)


def vendor_rows(
    directory: VendorDirectory, exported: Mapping[str, str] | None = None
) -> list[VendorRow]:
    """Every vendor last read from Sage (and linked ones Sage no longer lists), sorted. A
    vendor a company was exported as (`exported`, vendor -> company: the link registry) is
    linked to that company."""
    links = {**(exported or {}), **directory.links}
    rows: dict[str, VendorRow] = {}
    open_vendors = []
    for vendor_id, vendor in directory.vendors.items():
        if vendor_id in links:
            rows[vendor_id] = VendorRow(
                vendor_id=vendor_id,
                name=vendor.name,
                state=VendorState.LINKED,
                company_id=links[vendor_id],
            )
        elif vendor_id in directory.archived:
            rows[vendor_id] = VendorRow(
                vendor_id=vendor_id, name=vendor.name, state=VendorState.ARCHIVED
            )
        elif not vendor.active:
            rows[vendor_id] = VendorRow(
                vendor_id=vendor_id, name=vendor.name, state=VendorState.INACTIVE
            )
        else:
            open_vendors.append(vendor)
    states = {
        MatchKind.EXACT: VendorState.EXACT,
        MatchKind.AMBIGUOUS: VendorState.REVIEW,
        MatchKind.NONE: VendorState.NONE,
    }
    for vendor_id, found in match_all(open_vendors, directory.companies.values()).items():
        rows[vendor_id] = VendorRow(
            vendor_id=vendor_id,
            name=directory.vendors[vendor_id].name,
            state=states[found.kind],
            candidates=found.candidates,
            reason=found.reason if found.kind is not MatchKind.NONE else "",
        )
    for vendor_id, company_id in directory.links.items():
        if vendor_id not in directory.vendors:
            rows[vendor_id] = VendorRow(
                vendor_id=vendor_id,
                name=directory.companies[company_id].name,
                state=VendorState.GONE,
                company_id=company_id,
            )
    return [rows[vendor_id] for vendor_id in sorted(rows)]
