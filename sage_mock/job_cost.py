"""Sage 300 CRE Job Cost writes: new jobs, extras, original estimates and estimate transfers.

The wire models of what callers send, and Sage's rules for each, in the order Sage checks
them. Pure functions of the request and what Sage already holds, so every rule and its
exact message is testable without HTTP or SQLite. Messages are seeds/004's (troubleshooting
table); the seed names no message for a duplicate extra or a second budget export, so those
two are worded like its own ("A job with that code already exists.").
"""

import datetime as dt
from typing import Any

from pydantic import Field

from sage_mock.errors import CANT_BE_BLANK, SageError, invalid_request, not_found
from sage_mock.models import JobHeader, WireModel
from sage_mock.rules import CATEGORY_NOT_FOUND, JOB_CLOSED, check_address

JOB_EXISTS = "A job with that code already exists."
EXTRA_EXISTS = "An extra with that code already exists on this job."
BUDGET_LOCKED = (
    "The budget of job [{job}] has already been exported to Sage 300 CRE® and is locked. "
    "Use a budget modification to change it."
)


class CostCode(WireModel):
    code: str = Field(min_length=1)
    description: str = ""
    categories: list[str] = Field(default_factory=list)


class NewJob(WireModel):
    """A job with its cost codes and their categories (one Job Cost import file)."""

    job_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    address: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    cost_codes: list[CostCode] = Field(default_factory=list)
    project: str | None = Field(default=None, min_length=1)
    """The Procore project the new job is linked to (job_links.py)."""


class NewExtra(WireModel):
    """An extra (Procore: sub job) on a job, with the cost codes it uses."""

    job_id: str = Field(min_length=1)
    extra_id: str = Field(min_length=1)
    description: str = ""
    cost_codes: list[CostCode] = Field(default_factory=list)


class EstimateLine(WireModel):
    cost_code: str = Field(min_length=1)
    category: str = Field(min_length=1)
    original_estimate: float


class NewEstimate(WireModel):
    """A job's original estimate (Procore: the budget), one line per cost code/category."""

    job_id: str = Field(min_length=1)
    lines: list[EstimateLine] = Field(default_factory=list)


class TransferLine(WireModel):
    cost_code: str = Field(min_length=1)
    category: str = Field(min_length=1)
    category_description: str = ""
    transfer_amount: float


class NewEstimateTransfer(JobHeader):
    """Approved estimate changes moving money between lines (Procore: budget modification)."""

    date: dt.date
    lines: list[TransferLine] = Field(default_factory=list)


def check_new_job(job: NewJob, existing: dict[str, Any] | None) -> None:
    """Raise the first rule the job breaks; `existing` is the job with the same ID, if any."""
    check_address(job.name, job.city, job.zip)
    _each_code_once(job.cost_codes)
    if existing is not None:
        raise SageError(409, "job_exists", JOB_EXISTS, existing=existing)


def check_new_extra(
    extra: NewExtra, job: dict[str, Any] | None, existing: dict[str, Any] | None
) -> None:
    """An extra's cost codes and categories must already be on the job: they are maintained
    in Sage, not in Procore (seeds/004 "SUB JOBS")."""
    on_job = _open_job(job)
    _each_code_once(extra.cost_codes)
    for code in extra.cost_codes:
        for category in code.categories:
            _on_job(on_job, code.code, category)
    if existing is not None:
        raise SageError(409, "extra_exists", EXTRA_EXISTS, existing=existing)


def check_new_estimate(
    estimate: NewEstimate,
    job: dict[str, Any] | None,
    locked_by: dict[str, Any] | None,
    erp: str = "sage300",
) -> None:
    """`locked_by` is the estimate an earlier budget export left on the job, if any.

    Sage 300 CRE® locks an exported budget (seeds/004 "BUDGET" restrictions). Sage 100
    Contractor® does not: "Update and Export a Budget" (seeds/002) edits or adds lines in
    Procore and sends the budget again, and the new estimate replaces the job's earlier one.
    """
    on_job = _open_job(job)
    if locked_by is not None and erp == "sage300":
        raise SageError(
            409, "budget_locked", BUDGET_LOCKED.format(job=estimate.job_id), existing=locked_by
        )
    if not estimate.lines:
        raise SageError(422, "cant_be_blank", CANT_BE_BLANK)
    for line in estimate.lines:
        _on_job(on_job, line.cost_code, line.category)


def check_new_estimate_transfer(transfer: NewEstimateTransfer, job: dict[str, Any] | None) -> None:
    on_job = _open_job(job)
    if not transfer.lines:
        raise SageError(422, "cant_be_blank", CANT_BE_BLANK)
    for line in transfer.lines:
        _on_job(on_job, line.cost_code, line.category)


def _open_job(job: dict[str, Any] | None) -> dict[str, Any]:
    if job is None:
        raise not_found()
    if job["status"] == "closed":
        raise SageError(422, "job_closed", JOB_CLOSED)
    return job


def _on_job(job: dict[str, Any], cost_code: str, category: str) -> None:
    categories = {code["code"]: set(code["categories"]) for code in job["cost_codes"]}
    if category not in categories.get(cost_code, set()):
        raise SageError(422, "category_not_found", CATEGORY_NOT_FOUND)


def _each_code_once(codes: list[CostCode]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code.code in seen:
            raise invalid_request(f"[cost_codes] {code.code} is listed twice.", "cost_codes")
        seen.add(code.code)
