"""Sage 300 CRE's Job Costs summary (import only): one line per cost code/category of a job.

The columns are those of seeds/004's "Job Costs" mapping. Each is summed from the
transactions that count in Sage: estimates, estimate transfers and approved estimate changes
once their batch is posted (a reversed change no longer counts), live commitments and their
change orders, AP invoices on commitments once posted, and the direct job cost transactions
(payroll, equipment, ...) a person posts in Sage. Pure functions of plain rows, so every column
is testable without HTTP or SQLite; `records/job_cost_summary.py` reads the rows.

The mock's estimates, transfers and estimate changes carry no units (the budget sync does not
send any), so their unit columns stay 0; the invoices are never paid, so dollars paid come from
the job cost transactions alone.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from sage_mock.errors import SageError, not_found
from sage_mock.models import WireModel
from sage_mock.rules import CATEGORY_NOT_FOUND, JOB_CLOSED

Row = Mapping[str, Any]

MONEY = (
    "original_estimate",
    "approved_estimate_changes",
    "total_estimate",
    "original_commitment",
    "approved_commitment_changes",
    "revised_commitment",
    "commitment_invoiced",
    "jtd_cost",
    "jtd_dollars_paid",
    "mtd_cost",
    "mtd_dollars_paid",
)
COLUMNS = (
    "original_estimate",
    "original_estimate_units",
    "approved_estimate_changes",
    "approved_estimate_unit_changes",
    "total_estimate",
    "total_estimate_units",
    "original_commitment",
    "approved_commitment_changes",
    "revised_commitment",
    "commitment_invoiced",
    "jtd_cost",
    "jtd_units",
    "jtd_dollars_paid",
    "mtd_cost",
    "mtd_dollars_paid",
    "mtd_units",
)
"""The figures of a line, in seeds/004's order."""


class JobCostTransaction(WireModel):
    """A direct cost a person posts in Sage's Job Cost (payroll, equipment, ...)."""

    job_id: str = Field(min_length=1)
    cost_code: str = Field(min_length=1)
    category: str = Field(min_length=1)
    date: dt.date
    description: str = ""
    amount: float = Field(allow_inf_nan=False)
    units: float = Field(default=0.0, allow_inf_nan=False)
    paid: float = Field(default=0.0, allow_inf_nan=False)


def check_new_transaction(transaction: JobCostTransaction, job: Row | None) -> None:
    """Sage's rules for a posted transaction, in its order: the job, then the cost code."""
    if job is None:
        raise not_found()
    if job["status"] == "closed":
        raise SageError(422, "job_closed", JOB_CLOSED)
    categories = {code["code"]: set(code["categories"]) for code in job["cost_codes"]}
    if transaction.category not in categories.get(transaction.cost_code, set()):
        raise SageError(422, "category_not_found", CATEGORY_NOT_FOUND)


@dataclass(frozen=True)
class JobCostRecords:
    """A job's records as the store renders them, posted or not, deleted or not.

    Estimates (oldest first: the newest posted one counts) and transfers carry `posted`;
    estimate changes `posted` and `reversed`; commitments and change orders `deleted`; AP
    invoices `posted` and `deleted` (their distributions may name other jobs); transactions
    are posted when a person enters them.
    """

    estimates: Sequence[Row] = ()
    estimate_transfers: Sequence[Row] = ()
    estimate_changes: Sequence[Row] = ()
    commitments: Sequence[Row] = ()
    change_orders: Sequence[Row] = ()
    ap_invoices: Sequence[Row] = ()
    transactions: Sequence[Row] = ()


def month_of(now: dt.datetime) -> tuple[int, int]:
    """The calendar month (UTC) that month-to-date columns cover."""
    utc = now.astimezone(dt.UTC) if now.tzinfo else now
    return utc.year, utc.month


def job_cost_lines(
    job_id: str, records: JobCostRecords, month: tuple[int, int]
) -> list[dict[str, Any]]:
    """Every cost code/category of the job with any figure, sorted, each with every column."""
    lines: dict[tuple[str, str], dict[str, float]] = {}

    def add(row: Row, column: str, amount: float) -> None:
        figures = lines.setdefault((row["cost_code"], row["category"]), dict.fromkeys(COLUMNS, 0.0))
        figures[column] += amount

    def this_month(day: str) -> bool:
        date = dt.date.fromisoformat(day)
        return (date.year, date.month) == month

    for estimate in _posted(records.estimates)[-1:]:  # a budget sent again replaces it
        for row in estimate["lines"]:
            add(row, "original_estimate", row["original_estimate"])
    for transfer in _posted(records.estimate_transfers):
        for row in transfer["lines"]:
            add(row, "approved_estimate_changes", row["transfer_amount"])
    for change in _posted(records.estimate_changes):
        if not change["reversed"]:
            for row in change["lines"]:
                add(row, "approved_estimate_changes", row["amount"])

    items: dict[tuple[str, str], Row] = {}
    for commitment in _live(records.commitments):
        for item in commitment["items"]:
            items[commitment["commitment_id"], item["item_id"]] = item
            add(item, "original_commitment", item["amount"])
    for change_order in _live(records.change_orders):
        for row in change_order["items"]:
            # A new line's cost code/category are those of the commitment item it added.
            item = items.get((change_order["commitment_id"], row["item_id"]))
            if item is not None:
                add(item, "approved_commitment_changes", row["amount"])

    for invoice in _posted(_live(records.ap_invoices)):
        for row in invoice["distributions"]:
            if row["job_id"] == job_id:
                add(row, "commitment_invoiced", row["amount"])
                add(row, "jtd_cost", row["amount"])
                if this_month(invoice["accounting_date"]):
                    add(row, "mtd_cost", row["amount"])
    for row in records.transactions:
        add(row, "jtd_cost", row["amount"])
        add(row, "jtd_units", row["units"])
        add(row, "jtd_dollars_paid", row["paid"])
        if this_month(row["date"]):
            add(row, "mtd_cost", row["amount"])
            add(row, "mtd_units", row["units"])
            add(row, "mtd_dollars_paid", row["paid"])

    return [
        {"cost_code": code, "category": category, **_totalled(figures)}
        for (code, category), figures in sorted(lines.items())
        if any(figures.values())
    ]


def _totalled(figures: dict[str, float]) -> dict[str, float]:
    """Totals are original + approved changes; money to the cent, units to 4 places."""
    figures = {
        **figures,
        "total_estimate": figures["original_estimate"] + figures["approved_estimate_changes"],
        "total_estimate_units": figures["original_estimate_units"]
        + figures["approved_estimate_unit_changes"],
        "revised_commitment": figures["original_commitment"]
        + figures["approved_commitment_changes"],
    }
    return {column: round(figures[column], 2 if column in MONEY else 4) + 0.0 for column in COLUMNS}


def _posted(rows: Iterable[Row]) -> list[Row]:
    return [row for row in rows if row["posted"]]


def _live(rows: Iterable[Row]) -> list[Row]:
    return [row for row in rows if not row["deleted"]]
