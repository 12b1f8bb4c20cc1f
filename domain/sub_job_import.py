"""A Sage extra added to Procore as a sub job of a synced project (seeds/004 permissions matrix,
"Import an ERP Sub Job to a Procore Project": Standard or Admin on the ERP Integrations tool).

The seed's words this module follows:

- "If you want to add a Sage 'Extra' as a Procore 'Sub Job', a backend feature must be enabled
  on your company's Procore account" (SUB JOBS, Prerequisites): the extra comes from Sage,
  onto the project's synced job. That backend feature is taken as enabled: no setting here
  turns it off;
- the "Sub Jobs/Extras" mapping table: Procore `Code` <-> Sage `Extra`, Procore `Sub Job` <->
  Sage `Description`, and the extra's cost codes with their categories;
- "Cost codes and categories that are assigned to a sub job must be maintained in your ERP
  system (not Procore)": they are taken as Sage holds them, never edited here.

The rules are ours where the seed is silent (it names no message for them): one extra is one
sub job, and one sub job one extra, so an extra synced with another sub job (an exported sub
job whose SubJob ID was changed at accept) is refused, and so is an extra imported twice.
Pure: the workflow reads the extra and holds the registry; this decides.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.cost_codes import JobCostCode
from domain.links import Link, LinkKind, LinkOrigin, LinkRegistry
from domain.refusal import Refusal
from domain.sage_codes import SageCode, sage_code_problem

MAINTAINED_IN_SAGE = (
    "Cost codes and categories that are assigned to a sub job must be maintained in your ERP "
    "system (not Procore)."
)
"""seeds/004 SUB JOBS, Additional Information."""


class SubJobImportRefused(Refusal):
    """An extra that cannot become a sub job of this project (the reason in its words)."""


class SageExtra(BaseModel):
    """An extra as Sage shows it (`GET /v1/extras/{job_id}/{extra_id}`)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    job_id: SageCode
    extra_id: SageCode
    description: str = Field(default="", max_length=200)
    cost_codes: list[JobCostCode] = Field(default_factory=list)


class ImportedSubJob(BaseModel):
    """A Procore sub job made from a Sage extra, as the project's ErpProject holds it."""

    model_config = ConfigDict(frozen=True)

    code: SageCode = Field(description="Procore Code <- Sage Extra")
    name: str = Field(description="Procore Sub Job <- Sage Description")
    job_id: SageCode = Field(description="the Sage job the extra is on")
    cost_codes: list[JobCostCode] = Field(default_factory=list, description=MAINTAINED_IN_SAGE)
    imported_by: str
    at: datetime


def check_extra_code(extra_id: str | None) -> str:
    """The extra's code as given, or the refusal naming what a Sage code may be."""
    problem = sage_code_problem(extra_id if extra_id is not None else "")
    if problem:
        raise SubJobImportRefused(f"import sub job: the extra code {problem}")
    return extra_id or ""


def check_import(registry: LinkRegistry, job_id: str, extra_id: str) -> None:
    """Refuse, before Sage is read, an extra that is synced already (with this sub job or
    another) and a sub job code synced with another extra."""
    for link in registry.links:
        if link.kind is not LinkKind.SUB_JOB:
            continue
        if link.sage_id == extra_id and link.procore == extra_id:
            raise SubJobImportRefused(
                f"extra {extra_id} of Sage job {job_id} is synced with sub job {link.procore} "
                f"already ({link.origin.value}): nothing to import"
            )
        if link.sage_id == extra_id:
            raise SubJobImportRefused(
                f"extra {extra_id} of Sage job {job_id} is synced with sub job {link.procore} "
                f"already ({link.origin.value}); one extra is one sub job"
            )
        if link.procore == extra_id:
            raise SubJobImportRefused(
                f"sub job {extra_id} is synced with Sage extra {link.sage_id} already; "
                f"extra {extra_id} cannot become a second sub job {extra_id}"
            )


def sub_job_from_extra(
    extra: SageExtra, job_id: str, asked: str, actor: str, at: datetime
) -> ImportedSubJob:
    """The mapping table, read from Sage to Procore: Code <- Extra, Sub Job <- Description,
    the cost codes and categories as Sage holds them. An answer for another job or another
    extra than asked is refused, never taken."""
    if extra.job_id != job_id or extra.extra_id != asked:
        raise SubJobImportRefused(
            f"import sub job: Sage answered extra {extra.extra_id} of job {extra.job_id}, "
            f"not extra {asked} of job {job_id}"
        )
    return ImportedSubJob(
        code=extra.extra_id,
        name=extra.description or extra.extra_id,
        job_id=extra.job_id,
        cost_codes=sorted(extra.cost_codes, key=lambda code: code.code),
        imported_by=actor,
        at=at,
    )


def import_link(sub_job: ImportedSubJob) -> Link:
    """The registry's pair the import makes: sub job code <-> Sage extra."""
    return Link(
        kind=LinkKind.SUB_JOB,
        procore=sub_job.code,
        sage_id=sub_job.code,
        origin=LinkOrigin.IMPORTED,
        at=sub_job.at,
    )
