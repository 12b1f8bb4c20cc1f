"""Sage 300 CRE® AP Vendor Insurance: a vendor's policies, at the Global Level or for one job.

What the orchestrator's company insurance import reads (seeds/004 "Company Insurance":
"Insurance information is retrieved from the AP Vendor Insurance (Global Level)"). A person
enters them in Sage (`PUT /admin/vendors/{id}/insurance`); the mock holds one policy per vendor,
level, job and type, as Sage's insurance grid does, and any type name (the four defaults
"General Liability", "Automobile", "Umbrella", "Worker's", or one a company adds): which of
them reach Procore is the orchestrator's rule, not Sage's.
"""

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from sage_mock.errors import SageError, not_found
from sage_mock.models import WireModel


class InsuranceEntry(WireModel):
    """One policy as a person enters it; every field but the type may stay empty."""

    level: Literal["global", "job"] = "global"
    job_id: str | None = None
    insurance_type: str = Field(min_length=1, max_length=60)
    policy_number: str = Field(default="", max_length=60)
    insurance_company: str = Field(default="", max_length=120)
    limit: float | None = Field(default=None, ge=0)
    effective_date: dt.date | None = None
    expiration_date: dt.date | None = None


def check_entry(entry: InsuranceEntry, job: dict[str, Any] | None) -> None:
    """A job-level policy names a job of the company; a Global Level one names none."""
    if entry.level == "global" and entry.job_id is not None:
        raise SageError(422, "invalid_request", "A Global Level policy names no job.")
    if entry.level == "job":
        if entry.job_id is None:
            raise SageError(422, "invalid_request", "A job-level policy needs its job_id.")
        if job is None:
            raise not_found()
