"""Job costs imported from Sage per cost code and category (seeds/004 data mapping, "Job Costs").

"Import from Sage 300 CRE® only. Cost information is retrieved from Sage 300 CRE® for each
Cost Code/Category on Synced projects for use in 2 locations in Procore, the Budget and the Job
Costs report." The Sage fields arrive as `GET /v1/jobs/{job}/job_costs` lines; the Procore
column names below are the seed's, and `job_cost_table` lays them out for `starter.py job-costs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.prime_contract import money

_ZERO = Decimal(0)


class JobCostLine(BaseModel):
    """One cost code + category of a job, with the Sage fields of the Job Costs mapping."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    cost_code: str
    category: str
    original_estimate: Decimal = _ZERO
    original_estimate_units: Decimal = _ZERO
    approved_estimate_changes: Decimal = _ZERO
    approved_estimate_unit_changes: Decimal = _ZERO
    total_estimate: Decimal = _ZERO
    total_estimate_units: Decimal = _ZERO
    original_commitment: Decimal = _ZERO
    approved_commitment_changes: Decimal = _ZERO
    revised_commitment: Decimal = _ZERO
    commitment_invoiced: Decimal = _ZERO
    jtd_cost: Decimal = _ZERO
    jtd_units: Decimal = _ZERO
    jtd_dollars_paid: Decimal = _ZERO
    mtd_cost: Decimal = _ZERO
    mtd_dollars_paid: Decimal = _ZERO
    mtd_units: Decimal = _ZERO

    @property
    def direct_costs(self) -> Decimal:
        """seeds/004: Direct Costs = "JTD Cost - Commitment Invoiced", a calculated column."""
        return self.jtd_cost - self.commitment_invoiced


NUMBER_FIELDS: tuple[str, ...] = tuple(
    name for name in JobCostLine.model_fields if name not in ("cost_code", "category")
)


@dataclass(frozen=True)
class Column:
    """A Procore column, the Sage field it shows (the seed's words), and how it prints."""

    procore: str
    sage: str
    field: str
    kind: Literal["text", "money", "units"]
    where: Literal["job costs report", "budget"] = "job costs report"


MAPPING: tuple[Column, ...] = (
    Column("Cost Code", "Cost Code", "cost_code", "text"),
    Column("Cat.", "Category", "category", "text"),
    Column("Original Budget", "Original Estimate", "original_estimate", "money"),
    Column("Original Budget Units", "Original Estimate Units", "original_estimate_units", "units"),
    Column(
        "Approved Budget Changes", "Approved Estimate Changes", "approved_estimate_changes", "money"
    ),
    Column(
        "Approved Budget Unit Changes",
        "Approved Estimate Unit Changes",
        "approved_estimate_unit_changes",
        "units",
    ),
    Column("Revised Budget", "Total Estimate", "total_estimate", "money"),
    Column("Revised Budget Units", "Total Estimate Units", "total_estimate_units", "units"),
    Column("Original Commitment", "Original Commitment", "original_commitment", "money"),
    Column(
        "Approved Commitment Changes",
        "Approved Commitment Changes",
        "approved_commitment_changes",
        "money",
    ),
    Column("Revised Commitment", "Revised Commitment", "revised_commitment", "money"),
    Column("Commitment Invoiced", "Commitment Invoiced", "commitment_invoiced", "money"),
    Column("Job to Date Cost", "JTD Cost", "jtd_cost", "money"),
    Column("Job to Date Actual Units", "JTD Units", "jtd_units", "units"),
    Column("Job to Date Dollars Paid", "JTD Dollars Paid", "jtd_dollars_paid", "money"),
    Column("Month to Date Cost", "MTD Cost", "mtd_cost", "money"),
    Column("Month to Date Dollars Paid", "MTD Dollars Paid", "mtd_dollars_paid", "money"),
    Column("Month to Date Actual Units", "MTD Units", "mtd_units", "units"),
    Column("JTD Cost", "JTD Cost", "jtd_cost", "money", where="budget"),
    Column(
        "Direct Costs", "JTD Cost - Commitment Invoiced", "direct_costs", "money", where="budget"
    ),
)
"""seeds/004 "Job Costs": Procore column <- Sage field, the Job Costs report then the Budget."""

COLUMNS: dict[str, Column] = {column.procore: column for column in MAPPING}

DEFAULT_COLUMNS: tuple[str, ...] = (
    "Cost Code",
    "Cat.",
    "Original Budget",
    "Approved Budget Changes",
    "Revised Budget",
    "Revised Commitment",
    "Commitment Invoiced",
    "Job to Date Cost",
    "Direct Costs",
    "Month to Date Cost",
)
"""What fits a terminal; every other column of MAPPING can be asked for by name."""


class JobCostSummary(BaseModel):
    """A job's costs as Sage reported them at `as_of`, for one project."""

    model_config = ConfigDict(frozen=True)

    project: str
    job_id: str
    as_of: datetime
    lines: list[JobCostLine] = Field(default_factory=list)

    @classmethod
    def from_sage(cls, project: str, answer: dict[str, Any]) -> JobCostSummary:
        """From the `GET /v1/jobs/{job}/job_costs` answer."""
        return cls(project=project, **answer)

    @property
    def totals(self) -> dict[str, Decimal]:
        """Every number field summed, and the calculated direct costs."""
        sums = {
            name: sum((getattr(line, name) for line in self.lines), _ZERO) for name in NUMBER_FIELDS
        }
        sums["direct_costs"] = sums["jtd_cost"] - sums["commitment_invoiced"]
        return sums


class UnknownColumn(ValueError):
    pass


def _units(value: Decimal) -> str:
    text = f"{value.normalize():,f}"
    return "0" if text in ("-0", "") else text


def _cell(column: Column, value: Any) -> str:
    if column.kind == "money":
        return money(value)
    if column.kind == "units":
        return _units(value)
    return str(value)


class JobCostTable(BaseModel):
    """What `starter.py job-costs` draws: the seed's Procore column names, one row per cost
    code/category, a totals row; amounts and units right-aligned."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    totals: list[str]
    right: list[str]


def job_cost_table(
    summary: JobCostSummary, columns: Sequence[str] = DEFAULT_COLUMNS
) -> JobCostTable:
    unknown = [name for name in columns if name not in COLUMNS]
    if unknown:
        raise UnknownColumn(
            f"unknown job cost column {', '.join(repr(n) for n in unknown)}; "
            f"the columns are: {', '.join(COLUMNS)}"
        )
    chosen = [COLUMNS[name] for name in columns]
    totals = summary.totals
    total_row = [_cell(c, totals[c.field]) if c.kind != "text" else "" for c in chosen]
    if chosen and chosen[0].kind == "text":
        total_row[0] = "Total"
    return JobCostTable(
        title=(
            f"Job costs · project {summary.project} · job {summary.job_id} · "
            f"as of {summary.as_of.isoformat(timespec='seconds')}"
        ),
        headers=[c.procore for c in chosen],
        rows=[[_cell(c, getattr(line, c.field)) for c in chosen] for line in summary.lines],
        totals=total_row,
        right=[c.procore for c in chosen if c.kind != "text"],
    )
