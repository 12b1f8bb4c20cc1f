"""A Sage job added to Procore as a new project (seeds/002 "Set Up a Job/Project": "Add Sage
100 Contractor Job to Procore"; seeds/004 "Job Setup").

A job is added in one system and then to the other, never in both: a Sage job is imported as
a project that does not exist yet, and a project made here reaches Sage by its own export
(the `project` item type). Sage refuses to link a job that already has a Procore project.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.cost_codes import JobCostCode
from domain.erp import Erp
from domain.sage_codes import SageCode
from domain.settings import ProjectSettings, ProjectsFile

BOTH_SYSTEMS = (
    "You must always add the job/project in one system and then add it to the other. You "
    "cannot create a job in both systems and then sync them at a later time."
)
"""The seeds' words (seeds/002 "Set Up a Job/Project", seeds/004 "Job Setup")."""


class ImportRefused(ValueError):
    pass


class SageJob(BaseModel):
    """A job as Sage shows it (`GET /v1/jobs/{job_id}`). Its job ID becomes the project's
    `sage_job_id`, so it must be a Sage code like any other (domain/sage_codes.py)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    job_id: SageCode
    name: str
    status: Literal["open", "closed"]
    address: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    cost_codes: list[JobCostCode] = Field(default_factory=list)
    linked_project: str | None = None
    origin: Literal["sage", "procore"] = "sage"


def require_new_project(projects: ProjectsFile, project: str, job_id: str) -> None:
    """Importing into a project that exists here already would make the job in both systems."""
    existing = projects.projects.get(project)
    if existing is None:
        return
    synced = f", synced to Sage job {existing.sage_job_id}" if existing.sage_job_id else ""
    raise ImportRefused(
        f"cannot add Sage job {job_id} as project {project}: {project} exists in Procore "
        f"already{synced}. {BOTH_SYSTEMS}"
    )


def imported_settings(start: ProjectSettings, job: SageJob, erp: Erp) -> ProjectSettings:
    """The new project's settings: the job's name and address and the company's ERP, over the
    settings it started with (its ID, its Sage company, the team and rules of its template)."""
    return ProjectSettings.model_validate(
        {
            **start.model_dump(),
            "name": job.name,
            "erp": erp,
            "sage_job_id": job.job_id,
            "address": job.address,
            "city": job.city,
            "state": job.state,
            "zip": job.zip,
            "sov_controlled_by": "sage",
        }
    )
