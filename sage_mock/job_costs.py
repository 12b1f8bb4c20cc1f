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
from typing import Any, Literal

from pydantic import Field

from sage_mock.errors import SageError, invalid_request, not_found
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
    """A direct cost a person posts in Sage's Job Cost (payroll, equipment, ...).

    `cost_type` is Sage's Cost Type (seeds/004 "Job Cost Transaction Details": AP, PR, EQ, IV
    or JC Cost); vendor and invoice only for one from Accounts Payable; `extra_id` codes it to
    an extra (Procore: sub job) of the job."""

    job_id: str = Field(min_length=1)
    cost_code: str = Field(min_length=1)
    category: str = Field(min_length=1)
    date: dt.date
    description: str = ""
    amount: float = Field(allow_inf_nan=False)
    units: float = Field(default=0.0, allow_inf_nan=False)
    paid: float = Field(default=0.0, allow_inf_nan=False)
    cost_type: Literal["AP", "PR", "EQ", "IV", "JC"] = "JC"
    extra_id: str | None = Field(default=None, min_length=1)
    vendor_id: str | None = Field(default=None, min_length=1)
    invoice_id: str | None = Field(default=None, min_length=1)


def check_new_transaction(
    transaction: JobCostTransaction, job: Row | None, extra: Row | None = None
) -> None:
    """Sage's rules for a posted transaction, in its order: the job (and extra), then the cost
    code; a vendor or invoice only on an AP cost."""
    if job is None or (transaction.extra_id is not None and extra is None):
        raise not_found()
    if job["status"] == "closed":
        raise SageError(422, "job_closed", JOB_CLOSED)
    if transaction.cost_type != "AP" and (transaction.vendor_id or transaction.invoice_id):
        raise invalid_request("A vendor and invoice belong to an AP cost only.", "vendor_id")
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


def transaction_details(job_id: str, records: JobCostRecords) -> list[dict[str, Any]]:
    """Every posted cost transaction of the job (Sage 300's Current.JCT), oldest first: the
    direct ones a person posts, and one per distribution of a posted AP invoice on the job
    (an AP cost with its commitment). Unit cost is Sage's amount per unit."""
    details: list[dict[str, Any]] = []
    for row in records.transactions:
        units = row["units"]
        details.append(
            {
                "transaction_id": row["transaction_id"],
                "cost_type": row["cost_type"],
                "commitment_id": None,
                "extra_id": row["extra_id"],
                "cost_code": row["cost_code"],
                "category": row["category"],
                "accounting_date": row["date"],
                "description": row["description"],
                "vendor_id": row["vendor_id"],
                "invoice_id": row["invoice_id"],
                "units": units,
                "unit_cost": round(row["amount"] / units, 4) if units else 0.0,
                "amount": row["amount"],
            }
        )
    for invoice in _posted(_live(records.ap_invoices)):
        for number, row in enumerate(invoice["distributions"], start=1):
            if row["job_id"] != job_id:
                continue
            details.append(
                {
                    "transaction_id": f"APT-{invoice['row_id']:06d}-{number}",
                    "cost_type": "AP",
                    "commitment_id": row["commitment_id"],
                    "extra_id": row.get("extra_id"),
                    "cost_code": row["cost_code"],
                    "category": row["category"],
                    "accounting_date": invoice["accounting_date"],
                    "description": row.get("description") or invoice.get("description", ""),
                    "vendor_id": invoice["vendor_id"],
                    "invoice_id": invoice["invoice_id"],
                    "units": 0.0,
                    "unit_cost": 0.0,
                    "amount": row["amount"],
                }
            )
    return sorted(details, key=lambda d: (d["accounting_date"], d["transaction_id"]))
