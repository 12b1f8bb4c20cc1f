"""The Sage job a project's items go to, and the rules every job-bound export shares.

A project has no Sage job until it is exported (the accounting approver gives the Sage Job
ID at accept, seeds/004 "Projects/Jobs" note 1); until then nothing that lands on a job
(commitments, budgets, sub jobs, ...) can be sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.export_plan import ExportStep, SageCall
from domain.sage_codes import check_sage_code
from domain.sage_paths import sage_path
from domain.settings import ProjectSettings

JOB_RULE = (
    "Project. The project must be synced with a Sage 300 CRE® job first: export the project "
    "(the accounting approver enters its Sage Job ID) or import its Sage job."
)
"""The link registry (domain/links.py) knows the job once the project is exported or its job
imported; nothing needs copying into the settings file."""


class NoSageJob(ValueError):
    """A plan asked for the job of a project that is not synced (prerequisites prevent it)."""


def job_rule(settings: ProjectSettings) -> list[str]:
    """The prerequisite, broken or not, of an item that lands on the project's Sage job."""
    return [] if settings.sage_job_id else [JOB_RULE]


def synced_job(settings: ProjectSettings) -> str:
    if not settings.sage_job_id:
        raise NoSageJob(f"project {settings.project}: {JOB_RULE}")
    return settings.sage_job_id


def cost_code_refresh(
    job: str, lines: Iterable[tuple[str | None, str | None]], what: str, since: str
) -> ExportStep:
    """The cost code refresh before a financial export (seeds/004 release note of 02/03/2025:
    "any new cost codes are automatically refreshed and exported", no manual refresh before
    exporting financial objects): the item's cost codes and categories the Sage job lacks are
    added from the standard list; a code not on it is refused by Sage. `since` is the patch ID
    that lets exports recorded before the refresh replay without it."""
    wanted: dict[str, list[str]] = {}
    for code, category in lines:
        if not code:
            continue
        categories = wanted.setdefault(code, [])
        if category and category not in categories:
            categories.append(category)
    return ExportStep(
        name="refresh_cost_codes",
        summary=f"Refresh the cost codes of Sage job {job} (add the {what}'s missing ones)",
        call=SageCall(
            method="POST",
            path=sage_path("/v1/jobs", job, "cost_codes"),
            body={
                "cost_codes": [
                    {"code": code, "description": "", "categories": categories}
                    for code, categories in wanted.items()
                ]
            },
        ),
        record="job",
        since=since,
    )


def check_code(name: str, value: str, what: str) -> list[str]:
    """An export field holding a Sage code (domain/sage_codes.py): present, and a Sage code."""
    return check_sage_code(name, value, what)


NAME_MAX = 30
CITY_MAX = 15
ZIP_MAX = 10
"""Sage's limits on a job's or a vendor's name and address (seeds/004 troubleshooting)."""


def address_too_long(name: str, city: str, zip_code: str) -> list[str]:
    """The Name / AddressCity / AddressZip limits a job and a vendor share, in Sage's words."""
    return (
        too_long("Name", name, NAME_MAX)
        + too_long("AddressCity", city, CITY_MAX)
        + too_long("AddressZip", zip_code, ZIP_MAX)
    )


def too_long(label: str, value: str, maximum: int) -> list[str]:
    """Sage's own words for a field over its length (seeds/004 troubleshooting, PROJECTS)."""
    if len(value) > maximum:
        return [f"[{label}] is too long, maximum length is {maximum} characters."]
    return []
