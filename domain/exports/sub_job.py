"""Sub jobs -> Sage 300 CRE extras on the project's job.

Rules: seeds/004 "SUB JOBS" (Things to Know); mapping: its "Sub Jobs/Extras" table. The
SubJob ID is prefilled for the accounting approver and may be changed at accept.
"""

from __future__ import annotations

from datetime import date

from domain.export_plan import ExportPlan, ExportStep, Posting, SageCall
from domain.exports.jobs import check_code, job_rule, synced_job
from domain.items import SubJob
from domain.settings import ProjectSettings

EXPORT_FIELDS = {
    "sub_job_id": "SubJob ID: the Sage extra's code (prefilled with the sub job's code)",
}
SUB_JOB_ID_HELP = (
    "When syncing sub jobs, the system will pre-fill the value in the ERP Integrations tool's "
    "SubJob ID field for accounting approvers."
)


def prerequisites(item: SubJob, settings: ProjectSettings) -> list[str]:
    return job_rule(settings)


def default_fields(item: SubJob) -> dict[str, str]:
    return {"sub_job_id": item.number}


def check_fields(item: SubJob, fields: dict[str, str]) -> list[str]:
    return check_code("sub_job_id", fields.get("sub_job_id", ""), SUB_JOB_ID_HELP)


def plan(
    item: SubJob, settings: ProjectSettings, fields: dict[str, str], today: date
) -> ExportPlan:
    """One call: the extra with its cost codes and categories; extras are not posted."""
    job = synced_job(settings)
    extra = fields["sub_job_id"]
    body = {
        "job_id": job,
        "extra_id": extra,
        "description": item.name,
        "cost_codes": [
            {"code": c.code, "description": c.description, "categories": list(c.cost_types)}
            for c in sorted(item.cost_codes, key=lambda c: c.code)
        ],
    }
    create = ExportStep(
        name="create_extra",
        summary=f"Create extra {extra} on Sage job {job}",
        call=SageCall(method="POST", path="/v1/extras", body=body),
        record="extra",
        remember={"extra_id": "extra_id"},
    )
    return ExportPlan(steps=[create], posting=Posting.AUTOMATIC)
