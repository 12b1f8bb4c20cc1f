"""Company insurance: a synced company's insurance, imported from its Sage vendor's (seeds/004
"Company Insurance" and the Data Mapping overview, "COMPANY INSURANCE <- VENDOR INSURANCE (AP)").

The seed's words this module follows:

- "Company Insurance information is only imported into Procore from Sage 300 CRE® on synced
  companies": a vendor linked to a Procore company (by a person, a refresh's exact match, an
  import or an export of the company), never any other (`synced_company`);
- "Insurance information is retrieved from the AP Vendor Insurance (Global Level)": a vendor's
  job-level insurance is left out;
- "This is an optional setting that can be enabled by ERP Support" (and footnote 2: "your
  Procore point of contact must enable a backend configuration setting"; "Custom Settings
  Available on Request: Vendor Insurance Sync"): `CompanyAccount.vendor_insurance_sync`, off
  unless the account file turns it on (`SETTING_OFF`);
- the mapping table, six rows (`MAPPING`): Type "Pulls only the Sage 300 CRE® default insurance
  types (if entered)", so another type is left out, and so is a default type with nothing
  entered; the other five rows read each type's Policy Number, Insurance Company, Limit,
  Effective Date and Expiration Date.

Ours where the seed is silent: a re-import replaces the company's insurance with what Sage
holds now (one policy per type, never twice), and an answer for another vendor, or with a
type twice, is refused rather than guessed at. Pure: the workflow reads Sage and holds the
result; this decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.links import LinkKind, LinkRegistry
from domain.refusal import Refusal
from domain.sage_codes import sage_code_problem

DEFAULT_TYPES: tuple[str, ...] = ("General Liability", "Automobile", "Umbrella", "Worker's")
"""The Sage 300 CRE® default insurance types, in the seed's order: "General Liability,
Automobile, Umbrella & Worker's Insurance" (the seed writes a typographic apostrophe:
"Worker’s" is read as the same type)."""

MAPPING: tuple[tuple[str, str, str], ...] = (
    (
        "Type",
        "insurance_type",
        "Pulls only the Sage 300 CRE® default insurance types (if entered) – General Liability, "
        "Automobile, Umbrella & Worker’s Insurance",
    ),
    ("Policy Number", "policy_number", "General Liability Insurance Policy Number"),
    ("Insurance Provider", "insurance_company", "General Liability Insurance Company"),
    ("Limit Amount", "limit", "General Liability Insurance Limit"),
    ("Effective Date", "effective_date", "General Liability Insurance Effective Date"),
    ("Expiration Date", "expiration_date", "General Liability Insurance Expiration Date"),
)
"""The seed's table, row by row: (Procore field, the mock's Sage field, the seed's Sage 300
CRE® column). The seed names the General Liability columns; each default type has its own."""

SETTING = "Vendor Insurance Sync"
SETTING_OFF = (
    "company insurance import is off: 'Vendor Insurance Sync' is an optional setting ERP "
    "Support enables (seeds/004); turn on vendor_insurance_sync in the company account file "
    "and apply it (starter.py company-account apply --as ADMIN)"
)


class InsuranceRefused(Refusal):
    """An insurance import that cannot be done; the message says why."""


class SageVendorInsurance(BaseModel):
    """One policy of a vendor's AP Vendor Insurance, as `GET /v1/vendors/{id}/insurance`
    lists it: at the Global Level, or for one job."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    vendor_id: str = Field(min_length=1)
    level: Literal["global", "job"] = "global"
    job_id: str | None = None
    insurance_type: str = Field(min_length=1, max_length=60)
    policy_number: str = Field(default="", max_length=60)
    insurance_company: str = Field(default="", max_length=120)
    limit: float | None = Field(default=None, ge=0)
    effective_date: date | None = None
    expiration_date: date | None = None

    @property
    def entered(self) -> bool:
        """Anything entered besides the type (the seed: "if entered")."""
        return bool(
            self.policy_number.strip()
            or self.insurance_company.strip()
            or self.limit is not None
            or self.effective_date
            or self.expiration_date
        )


class CompanyInsurance(BaseModel):
    """One policy on a Procore company's insurance, made from its vendor's (`MAPPING`)."""

    model_config = ConfigDict(frozen=True)

    type: str
    policy_number: str = ""
    insurance_provider: str = ""
    limit_amount: float | None = None
    effective_date: date | None = None
    expiration_date: date | None = None


class CompanyInsuranceRecord(BaseModel):
    """A company's insurance as the last import left it, and what that import left out."""

    model_config = ConfigDict(frozen=True)

    company_id: str
    vendor_id: str
    policies: list[CompanyInsurance] = Field(default_factory=list)
    left_out: list[str] = Field(default_factory=list, description="Sage records not imported")
    imported_by: str
    at: datetime

    def lines(self) -> list[str]:
        if not self.policies:
            return [f"company {self.company_id}: no default insurance type entered in Sage"]
        return [
            f"{p.type}: policy {p.policy_number or '-'}, {p.insurance_provider or '-'}, "
            f"limit {'-' if p.limit_amount is None else f'{p.limit_amount:,.2f}'}, "
            f"{p.effective_date or '-'} to {p.expiration_date or '-'}"
            for p in self.policies
        ]


def check_vendor_code(vendor_id: str | None) -> str:
    """The vendor ID as given, or the refusal naming what a Sage code may be."""
    problem = sage_code_problem(vendor_id if vendor_id is not None else "")
    if problem:
        raise InsuranceRefused(f"the Sage vendor ID {problem}")
    return vendor_id or ""


def check_enabled(vendor_insurance_sync: bool) -> None:
    if not vendor_insurance_sync:
        raise InsuranceRefused(SETTING_OFF)


def synced_company(links: Mapping[str, str], registry: LinkRegistry, vendor_id: str) -> str:
    """The Procore company the vendor is synced with: the directory's link (`links`, vendor ->
    company) or a company exported as that vendor (the registry). Refused when it has none:
    the seed imports insurance "only ... on synced companies"."""
    company = links.get(vendor_id) or registry.procore_of(LinkKind.VENDOR).get(vendor_id)
    if company is not None:
        return company
    raise InsuranceRefused(
        f"vendor {vendor_id} is not linked to a Procore company; company insurance is only "
        f"imported on synced companies: link it first (starter.py vendors link {vendor_id} "
        f"COMPANY --as USER) or import it (starter.py vendors import {vendor_id} --as USER)"
    )


def _default_type(insurance_type: str) -> str | None:
    wanted = insurance_type.replace("’", "'").casefold().strip()
    for known in DEFAULT_TYPES:
        if wanted in (known.casefold(), f"{known} insurance".casefold()):
            return known
    return None


def company_insurance(
    records: Iterable[SageVendorInsurance],
    vendor_id: str,
    company_id: str,
    actor: str,
    at: datetime,
) -> CompanyInsuranceRecord:
    """The mapping table, read from Sage to Procore: the Global Level policies of the default
    types that have something entered, in the seed's order; what is left out is named."""
    by_type: dict[str, CompanyInsurance] = {}
    left_out: list[str] = []
    for record in records:
        if record.vendor_id != vendor_id:
            raise InsuranceRefused(
                f"import insurance: Sage answered insurance of vendor {record.vendor_id}, "
                f"not of vendor {vendor_id}"
            )
        known = _default_type(record.insurance_type)
        if record.level != "global":
            left_out.append(f"{record.insurance_type} of job {record.job_id}: not Global Level")
        elif known is None:
            left_out.append(f"{record.insurance_type}: not a Sage 300 CRE® default type")
        elif not record.entered:
            left_out.append(f"{known}: nothing entered")
        elif known in by_type:
            raise InsuranceRefused(
                f"import insurance: Sage answered two {known} policies for vendor {vendor_id}"
            )
        else:
            by_type[known] = CompanyInsurance(
                type=known,
                policy_number=record.policy_number,
                insurance_provider=record.insurance_company,
                limit_amount=record.limit,
                effective_date=record.effective_date,
                expiration_date=record.expiration_date,
            )
    return CompanyInsuranceRecord(
        company_id=company_id,
        vendor_id=vendor_id,
        policies=[by_type[kind] for kind in DEFAULT_TYPES if kind in by_type],
        left_out=left_out,
        imported_by=actor,
        at=at,
    )


def changes(before: CompanyInsuranceRecord | None, after: CompanyInsuranceRecord) -> str:
    """What an import did to the company's insurance, for the audit trail."""
    now = {policy.type: policy for policy in after.policies}
    if before is None:
        what = f"{len(now)} policies ({', '.join(now) or 'none'})"
    else:
        was = {policy.type: policy for policy in before.policies}
        parts = [f"added {kind}" for kind in now if kind not in was]
        parts += [f"removed {kind}" for kind in was if kind not in now]
        parts += [f"updated {kind}" for kind in now if kind in was and was[kind] != now[kind]]
        what = f"{len(now)} policies, " + ("; ".join(parts) if parts else "no change")
    left = f"; left out: {'; '.join(after.left_out)}" if after.left_out else ""
    return f"insurance of vendor {after.vendor_id} on company {after.company_id}: {what}{left}"
