"""The accountant report for ERP (seeds/002 and seeds/004 permissions matrix, "View an
Accountant Report for ERP": ERP Admin): per project, what is ready to export, what failed, what
is synced with Sage and what Sage has posted, with amounts.

Pure: it is given one line per item (from the items' `status`) and groups and totals them; the
client reads the items, the command line prints this.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, computed_field

from domain.items import InvalidItem, ItemType, SubJob, parse_item
from domain.lifecycle import State
from domain.status import ItemStatus
from domain.sub_job_import import ImportedSubJob


class Section(StrEnum):
    """Where an item stands for the accountant, in the order the report shows them."""

    READY = "ready"
    """Sent to ERP Integrations, waiting for an accounting approver (Procore: Ready to Export)."""
    FAILED = "failed"
    """Sage refused the export; an approver fixes the cause, then retries or rejects it."""
    SYNCED = "synced"
    """In Sage, in a batch not posted yet."""
    POSTED = "posted"
    """Posted in Sage."""


SECTION_OF: dict[State, Section] = {
    State.SENT: Section.READY,
    State.EXPORT_FAILED: Section.FAILED,
    State.EXPORTED: Section.SYNCED,
    State.POSTED: Section.POSTED,
}
"""Items in any other state (draft, rejected, accepted and exporting, cancelled) are counted
under `elsewhere`, not listed."""


class ReportLine(BaseModel):
    """One item as the report shows it."""

    item: str
    type: ItemType
    number: str
    name: str = ""
    """a sub job's name (the extra's Description in Sage)"""
    summary: str = ""
    state: State
    amount: Decimal
    sage_ids: dict[str, str] = Field(default_factory=dict)
    batches: list[str] = Field(default_factory=list)
    error_code: str | None = None
    error_message: str | None = None

    @property
    def section(self) -> Section | None:
        return SECTION_OF.get(self.state)


class SectionTotal(BaseModel):
    section: Section
    count: int
    amount: Decimal
    lines: list[ReportLine]


class AccountantReport(BaseModel):
    project: str
    sections: list[SectionTotal]
    elsewhere: dict[State, int] = Field(default_factory=dict)
    """Items of the project in no section, per state."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_count(self) -> int:
        return sum(section.count for section in self.sections)

    def section(self, section: Section) -> SectionTotal:
        return next(s for s in self.sections if s.section is section)


def report_line(status: ItemStatus) -> ReportLine:
    """An item's line, from its `status`: the amount is the item's own (exact), not the
    search attribute's float."""
    try:
        item = parse_item(status.item)
        number, summary, amount = item.number, item.summary(), item.amount
        name = item.name if isinstance(item, SubJob) else ""
    except InvalidItem:  # an item this version cannot read: listed by its ID, amount 0
        number, summary, amount = status.workflow_id.rsplit(":", 1)[-1], "", Decimal(0)
        name = ""
    error = status.last_error
    return ReportLine(
        item=status.workflow_id,
        type=ItemType(status.workflow_id.split(":", 1)[0]),
        number=number,
        name=name,
        summary=summary,
        state=status.state,
        amount=amount,
        sage_ids=status.sage_ids,
        batches=status.batches,
        error_code=error.code if error else None,
        error_message=error.message if error else None,
    )


def accountant_report(project: str, lines: list[ReportLine]) -> AccountantReport:
    """The project's items grouped by section (every section present, empty or not), each in
    item order with its count and amount; items in no section counted by state."""
    ordered = sorted((line for line in lines if line.section), key=lambda line: line.item)
    sections = []
    for section in Section:
        mine = [line for line in ordered if line.section is section]
        amount = sum((line.amount for line in mine), Decimal(0))
        sections.append(SectionTotal(section=section, count=len(mine), amount=amount, lines=mine))
    elsewhere = Counter(line.state for line in lines if line.section is None)
    return AccountantReport(
        project=project,
        sections=sections,
        elsewhere={state: elsewhere[state] for state in State if elsewhere[state]},
    )


def synced_sub_jobs(lines: list[ReportLine]) -> list[ReportLine]:
    """The project's sub jobs that Sage holds as extras (exported or posted), in item order:
    the matrix's "View a List of Synced Sub Jobs"."""
    synced = {Section.SYNCED, Section.POSTED}
    return sorted(
        (line for line in lines if line.type is ItemType.SUB_JOB and line.section in synced),
        key=lambda line: line.item,
    )


class SyncedSubJob(BaseModel):
    """One row of the matrix's "View a List of Synced Sub Jobs": a sub job Sage holds as an
    extra, exported from Procore (its item) or imported from Sage (its ErpProject)."""

    number: str
    name: str = ""
    extra_id: str
    origin: Literal["exported", "imported"]
    state: str
    """the item's state, or "imported" """
    item: str | None = None


def synced_sub_job_list(
    lines: list[ReportLine], imported: list[ImportedSubJob]
) -> list[SyncedSubJob]:
    """Every synced sub job of the project, by number: the exported ones Sage holds
    (`synced_sub_jobs`) and the ones imported from Sage extras."""
    rows = [
        SyncedSubJob(
            number=line.number,
            name=line.name,
            extra_id=line.sage_ids.get("extra_id", ""),
            origin="exported",
            state=line.state.value,
            item=line.item,
        )
        for line in synced_sub_jobs(lines)
    ]
    rows += [
        SyncedSubJob(
            number=sub_job.code,
            name=sub_job.name,
            extra_id=sub_job.code,
            origin="imported",
            state="imported",
        )
        for sub_job in imported
    ]
    return sorted(rows, key=lambda row: row.number)
