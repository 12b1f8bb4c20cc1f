"""Setting a job up on both sides: linking a Sage job to a Procore project, and adding cost
codes to a job from the company's standard list. Sage's rules, in the order it checks them.

Seeds/002 and seeds/004: a job is added in one system and then to the other, never created in
both and synced later; and "New cost codes must be created in your ERP system": a project's
cost codes come from the company-level standard cost code list. Pure functions of the request
and what Sage holds, so each rule and its exact message is testable without HTTP or SQLite.
"""

from typing import Any

from pydantic import Field

from sage_mock.errors import SageError, not_found
from sage_mock.job_cost import CostCode
from sage_mock.models import WireModel
from sage_mock.rules import CATEGORY_NOT_FOUND, JOB_CLOSED

ONE_SYSTEM_RULE = (
    "You must always add the job/project in one system and then add it to the other. "
    "You cannot create a job in both systems and then sync them at a later time."
)
JOB_IN_BOTH_SYSTEMS = "Job [{job}] is already synced with Procore project [{project}]. " + (
    ONE_SYSTEM_RULE
)
JOB_FROM_PROCORE = "Job [{job}] is already synced with a Procore project. " + ONE_SYSTEM_RULE
"""A job created from a Procore project that did not say which one."""
COST_CODE_NOT_STANDARD = (
    "Cost code [{code}] is not on the standard cost code list. "
    "New cost codes must be created in your ERP system."
)


class CostCodeRefresh(WireModel):
    """Cost codes and categories a job should have; those it lacks are added."""

    cost_codes: list[CostCode] = Field(default_factory=list)


def check_link(job: dict[str, Any] | None, project: str) -> None:
    """Raise unless the Sage job may be (or already is) synced with `project`."""
    job = _open_job(job)
    if job["linked_project"] == project:
        return  # already synced with this project: linking again changes nothing
    if job["linked_project"] is not None:
        message = JOB_IN_BOTH_SYSTEMS.format(job=job["job_id"], project=job["linked_project"])
        raise SageError(409, "job_in_both_systems", message, existing=job)
    if job["origin"] == "procore":
        message = JOB_FROM_PROCORE.format(job=job["job_id"])
        raise SageError(409, "job_in_both_systems", message, existing=job)


def cost_codes_to_add(
    refresh: CostCodeRefresh,
    job: dict[str, Any] | None,
    standard_codes: dict[str, dict[str, Any]],
    standard_categories: set[str],
) -> list[tuple[str, str | None]]:
    """The (cost code, category) pairs the job lacks, in the order asked; `None` as category
    for a new cost code asked with no category. Raise the first rule they break:
    `standard_codes` is the company's list by code, `standard_categories` its categories."""
    job = _open_job(job)
    on_job = {code["code"]: set(code["categories"]) for code in job["cost_codes"]}
    missing: list[tuple[str, str | None]] = []
    for code in refresh.cost_codes:
        if code.code not in on_job and not code.categories:
            missing.append((code.code, None))
        for category in code.categories:
            pair = (code.code, category)
            if category not in on_job.get(code.code, set()) and pair not in missing:
                missing.append(pair)
    for code, _ in missing:
        standard = standard_codes.get(code)
        if standard is None or not standard["active"]:
            raise SageError(422, "cost_code_not_standard", COST_CODE_NOT_STANDARD.format(code=code))
    for _, category in missing:
        if category is not None and category not in standard_categories:
            raise SageError(422, "category_not_found", CATEGORY_NOT_FOUND)
    return missing


def _open_job(job: dict[str, Any] | None) -> dict[str, Any]:
    if job is None:
        raise not_found()
    if job["status"] == "closed":
        raise SageError(422, "job_closed", JOB_CLOSED)
    return job
