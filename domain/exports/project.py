"""Projects -> Sage 300 CRE jobs, with their cost codes and categories.

Rules: seeds/004 "projects" (Things to Know), "Job Setup" and the PROJECTS rows of the
troubleshooting table; mapping: its "Projects/Jobs" data mapping table. The import file
holds the job, its cost codes and their categories, so the export is one call.
"""

from __future__ import annotations

from datetime import date

from domain.export_plan import ExportPlan, ExportStep, Posting, SageCall
from domain.exports.jobs import address_too_long, check_code
from domain.items import Project
from domain.settings import ProjectSettings

SAGE_JOB_ID_HELP = (
    "The Sage Job ID is entered manually by an accounting approver when a project is exported "
    "from Procore to Sage 300 CRE®."
)
EXPORT_FIELDS = {
    "sage_job_id": "Sage Job ID of the new job (required; entered by the accounting approver; "
    "it may or may not match the Procore project number)",
}

PRE_EXISTING_RULE = (
    "Projects that are in-progress or created before connection of the integration cannot be "
    "synced."
)
ALREADY_SYNCED_RULE = (
    "Project. It is already synced with Sage 300 CRE® job {job}. Jobs must be created in one "
    "location and pushed to the other, jobs CANNOT be created in both locations and linked "
    "together."
)


def prerequisites(item: Project, settings: ProjectSettings) -> list[str]:
    broken = []
    if settings.sage_job_id:
        broken.append(ALREADY_SYNCED_RULE.format(job=settings.sage_job_id))
    if item.existing_before_integration:
        broken.append(PRE_EXISTING_RULE)
    broken += address_too_long(item.name, item.city, item.zip)
    return broken


def default_fields(item: Project) -> dict[str, str]:
    return {}


def check_fields(item: Project, fields: dict[str, str]) -> list[str]:
    return check_code("sage_job_id", fields.get("sage_job_id", ""), SAGE_JOB_ID_HELP)


def plan(
    item: Project, settings: ProjectSettings, fields: dict[str, str], today: date
) -> ExportPlan:
    """One call: the job with its cost codes and categories; jobs are not posted."""
    job = fields["sage_job_id"]
    body = {
        "job_id": job,
        "name": item.name,
        "address": item.address,
        "city": item.city,
        "state": item.state,
        "zip": item.zip,
        "cost_codes": [
            {"code": c.code, "description": c.description, "categories": list(c.cost_types)}
            for c in sorted(item.cost_codes, key=lambda c: c.code)
        ],
    }
    create = ExportStep(
        name="create_job",
        summary=f"Create Sage job {job} for project {item.number}",
        call=SageCall(method="POST", path="/v1/jobs", body=body),
        record="job",
        remember={"job_id": "job_id"},
    )
    return ExportPlan(steps=[create], posting=Posting.AUTOMATIC)
