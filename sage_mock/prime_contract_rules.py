"""Sage 300 CRE's rules for what a PCCO export writes: new contract items, approved estimate
changes and approved schedule value changes (seeds/004 "Prime Contract Change Orders").

A job billed "Use Quickbill" has no Contracts-application contract: its prime contract is the
job's Miscellaneous Worksheet (contract number = the job), and a PCCO's schedule value changes
go to its worksheet codes (the job, a division or a section): footnote 7 of the data mapping
("Includes miscellaneous worksheet transactions"); only for "Use Contracts" jobs do posted
entries also "send transactions to the Contracts application".
"""

import datetime as dt
from typing import Any

from pydantic import Field

from sage_mock.errors import CANT_BE_BLANK, SageError, not_found
from sage_mock.models import JobHeader, WireModel
from sage_mock.rules import CATEGORY_NOT_FOUND, JOB_CLOSED

CONTRACT_ITEM_EXISTS = "A contract item already exists on this contract with the specified code."


class NewContractItem(WireModel):
    item_code: str = Field(min_length=1)
    description: str = ""
    cost_code: str | None = None
    original_amount: float = 0.0


class EstimateChangeLine(WireModel):
    cost_code: str = Field(min_length=1)
    category: str = Field(min_length=1)
    description: str = ""
    amount: float


class EstimateChange(JobHeader):
    """Approved estimate changes: a job header and one transaction per line."""

    date: dt.date
    chg_mgt_ref_1: str = ""
    chg_mgt_ref_2: str = ""
    lines: list[EstimateChangeLine] = Field(default_factory=list)


class ScheduleValueChangeLine(WireModel):
    contract_item: str = Field(min_length=1)
    description: str = ""
    amount: float


class ScheduleValueChange(WireModel):
    """Approved schedule value changes on the items of one contract."""

    job_id: str = Field(min_length=1)
    contract_id: str = Field(min_length=1)
    date: dt.date
    chg_mgt_ref_1: str = ""
    chg_mgt_ref_2: str = ""
    lines: list[ScheduleValueChangeLine] = Field(default_factory=list)


def _open_job(job: dict[str, Any] | None) -> None:
    if job is None:
        raise not_found()
    if job["status"] == "closed":
        raise SageError(422, "job_closed", JOB_CLOSED)


def check_new_contract_item(
    job: dict[str, Any] | None, contract: dict[str, Any] | None, existing: dict[str, Any] | None
) -> None:
    if job is None or contract is None:
        raise not_found()
    _open_job(job)
    if existing is not None:
        raise SageError(409, "contract_item_exists", CONTRACT_ITEM_EXISTS, existing=existing)


def check_estimate_change(change: EstimateChange, job: dict[str, Any] | None) -> None:
    _open_job(job)
    assert job is not None
    if not change.lines:
        raise SageError(422, "cant_be_blank", CANT_BE_BLANK)
    categories = {code["code"]: set(code["categories"]) for code in job["cost_codes"]}
    for line in change.lines:
        if line.category not in categories.get(line.cost_code, set()):
            raise SageError(422, "category_not_found", CATEGORY_NOT_FOUND)


def check_schedule_value_change(
    change: ScheduleValueChange,
    job: dict[str, Any] | None,
    contract: dict[str, Any] | None,
    worksheet: list[str] | None = None,
) -> None:
    """`contract` is the Contracts-application contract; `worksheet` the Miscellaneous
    Worksheet codes of a Quickbill job (None: the job bills through contracts)."""
    _open_job(job)
    if worksheet is not None:
        live = set(worksheet) if change.contract_id == change.job_id else None
    else:
        live = None if contract is None else {item["item_code"] for item in contract["items"]}
    if live is None:
        raise not_found()
    if not change.lines:
        raise SageError(422, "cant_be_blank", CANT_BE_BLANK)
    if any(line.contract_item not in live for line in change.lines):
        raise not_found()
