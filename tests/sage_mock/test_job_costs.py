"""Sage's Job Costs summary, computed from plain rows: each column from its source, what counts
(posted, not reversed, not deleted) and what does not, month-to-date boundaries and totals."""

import datetime as dt
from typing import Any

import pytest

from sage_mock.errors import SageError
from sage_mock.job_costs import (
    COLUMNS,
    JobCostRecords,
    JobCostTransaction,
    check_new_transaction,
    job_cost_lines,
    month_of,
)

NOVEMBER = (2026, 11)


def summary(records: JobCostRecords, month: tuple[int, int] = NOVEMBER) -> dict[str, Any]:
    """The lines of job 1001 by (cost code, category)."""
    return {
        (line["cost_code"], line["category"]): line
        for line in job_cost_lines("1001", records, month)
    }


def figures(line: dict[str, Any]) -> dict[str, float]:
    """The non-zero figures of a line."""
    return {column: line[column] for column in COLUMNS if line[column]}


def estimate(*lines: tuple[str, str, float], posted: bool = True) -> dict[str, Any]:
    return {
        "lines": [{"cost_code": c, "category": k, "original_estimate": a} for c, k, a in lines],
        "posted": posted,
    }


def transfer(*lines: tuple[str, str, float], posted: bool = True) -> dict[str, Any]:
    return {
        "lines": [{"cost_code": c, "category": k, "transfer_amount": a} for c, k, a in lines],
        "posted": posted,
    }


def estimate_change(
    *lines: tuple[str, str, float], posted: bool = True, reversed_: bool = False
) -> dict[str, Any]:
    return {
        "lines": [{"cost_code": c, "category": k, "amount": a} for c, k, a in lines],
        "posted": posted,
        "reversed": reversed_,
    }


def commitment(
    commitment_id: str, *items: tuple[str, str, str, float], deleted: bool = False
) -> dict[str, Any]:
    return {
        "commitment_id": commitment_id,
        "items": [
            {"item_id": i, "cost_code": c, "category": k, "amount": a} for i, c, k, a in items
        ],
        "deleted": deleted,
    }


def change_order(
    commitment_id: str, *items: tuple[str, float], deleted: bool = False
) -> dict[str, Any]:
    return {
        "commitment_id": commitment_id,
        "items": [{"item_id": i, "units": None, "amount": a} for i, a in items],
        "deleted": deleted,
    }


def invoice(
    accounting_date: str,
    *distributions: tuple[str, str, str, float],
    posted: bool = True,
    deleted: bool = False,
) -> dict[str, Any]:
    return {
        "accounting_date": accounting_date,
        "distributions": [
            {"job_id": j, "commitment_id": "SC-0042", "cost_code": c, "category": k, "amount": a}
            for j, c, k, a in distributions
        ],
        "posted": posted,
        "deleted": deleted,
    }


def transaction(
    day: str, amount: float, units: float = 0.0, paid: float = 0.0, code: str = "01-100"
) -> dict[str, Any]:
    return {
        "job_id": "1001",
        "cost_code": code,
        "category": "L",
        "date": day,
        "description": "Payroll",
        "amount": amount,
        "units": units,
        "paid": paid,
    }


def test_posted_estimates_are_the_original_estimate_and_the_total():
    lines = summary(
        JobCostRecords(
            estimates=[
                estimate(("01-100", "L", 185000.0), ("03-300", "S", 125000.0)),
                estimate(("09-250", "M", 40000.0), posted=False),
            ]
        )
    )

    assert figures(lines["01-100", "L"]) == {
        "original_estimate": 185000.0,
        "total_estimate": 185000.0,
    }
    assert lines["03-300", "S"]["total_estimate"] == 125000.0
    assert ("09-250", "M") not in lines  # its batch is not posted yet


def test_approved_estimate_changes_are_posted_transfers_and_unreversed_estimate_changes():
    lines = summary(
        JobCostRecords(
            estimates=[estimate(("01-100", "L", 185000.0), ("09-250", "M", 40000.0))],
            estimate_transfers=[
                transfer(("01-100", "L", -7500.0), ("09-250", "M", 7500.0)),
                transfer(("01-100", "L", -1000.0), posted=False),
            ],
            estimate_changes=[
                estimate_change(("09-250", "M", 18000.0)),
                estimate_change(("09-250", "M", 900.0), reversed_=True),
                estimate_change(("09-250", "M", 50.0), posted=False),
            ],
        )
    )

    assert figures(lines["01-100", "L"]) == {
        "original_estimate": 185000.0,
        "approved_estimate_changes": -7500.0,
        "total_estimate": 177500.0,
    }
    assert figures(lines["09-250", "M"]) == {
        "original_estimate": 40000.0,
        "approved_estimate_changes": 25500.0,
        "total_estimate": 65500.0,
    }


def test_commitments_and_their_change_orders_count_while_they_live():
    lines = summary(
        JobCostRecords(
            commitments=[
                commitment(
                    "SC-0042",
                    ("1", "03-300", "S", 12500.0),
                    ("2", "03-300", "L", 4000.0),
                    ("3", "16-100", "E", 0.0),  # added for a CCO's new line
                ),
                commitment("SC-0041", ("1", "03-300", "S", 99000.0), deleted=True),
            ],
            change_orders=[
                change_order("SC-0042", ("1", 3700.0), ("3", 3000.0)),
                change_order("SC-0042", ("2", -500.0)),
                change_order("SC-0042", ("1", 10000.0), deleted=True),
                change_order("SC-0041", ("1", 2500.0)),  # its commitment was deleted
            ],
        )
    )

    assert figures(lines["03-300", "S"]) == {
        "original_commitment": 12500.0,
        "approved_commitment_changes": 3700.0,
        "revised_commitment": 16200.0,
    }
    assert figures(lines["03-300", "L"]) == {
        "original_commitment": 4000.0,
        "approved_commitment_changes": -500.0,
        "revised_commitment": 3500.0,
    }
    assert figures(lines["16-100", "E"]) == {
        "approved_commitment_changes": 3000.0,
        "revised_commitment": 3000.0,
    }


def test_posted_invoices_on_the_job_are_commitment_invoiced_and_job_to_date_cost():
    lines = summary(
        JobCostRecords(
            ap_invoices=[
                invoice(
                    "2026-11-30", ("1001", "03-300", "S", 5000.0), ("1002", "03-300", "S", 1.0)
                ),
                invoice("2026-10-31", ("1001", "03-300", "S", 2500.0)),
                invoice("2026-11-15", ("1001", "03-300", "S", 700.0), posted=False),
                invoice("2026-11-15", ("1001", "03-300", "S", 800.0), deleted=True),
            ]
        )
    )

    assert figures(lines["03-300", "S"]) == {
        "commitment_invoiced": 7500.0,
        "jtd_cost": 7500.0,
        "mtd_cost": 5000.0,  # unpaid: no dollars paid
    }


def test_job_cost_transactions_are_job_to_date_cost_units_and_dollars_paid():
    lines = summary(
        JobCostRecords(
            ap_invoices=[invoice("2026-11-02", ("1001", "01-100", "L", 1000.0))],
            transactions=[
                transaction("2026-11-03", 4200.0, units=60.0, paid=4200.0),
                transaction("2026-09-15", 1800.25, units=24.5, paid=0.0),
            ],
        )
    )

    assert figures(lines["01-100", "L"]) == {
        "commitment_invoiced": 1000.0,
        "jtd_cost": 7000.25,
        "jtd_units": 84.5,
        "jtd_dollars_paid": 4200.0,
        "mtd_cost": 5200.0,
        "mtd_dollars_paid": 4200.0,
        "mtd_units": 60.0,
    }


@pytest.mark.parametrize(
    ("day", "in_month"),
    [
        ("2026-10-31", False),
        ("2026-11-01", True),
        ("2026-11-30", True),
        ("2026-12-01", False),
        ("2025-11-15", False),  # the same month a year earlier
    ],
)
def test_month_to_date_is_the_calendar_month_of_the_transaction_date(day, in_month):
    line = summary(JobCostRecords(transactions=[transaction(day, 100.0, units=2.0, paid=50.0)]))[
        "01-100", "L"
    ]

    assert line["jtd_cost"] == 100.0
    month_to_date = {
        column: line[column] for column in ("mtd_cost", "mtd_units", "mtd_dollars_paid")
    }
    expected = (100.0, 2.0, 50.0) if in_month else (0.0, 0.0, 0.0)
    assert tuple(month_to_date.values()) == expected


def test_the_month_is_taken_in_utc():
    assert month_of(dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))) == (
        2026,
        11,
    )
    assert month_of(
        dt.datetime(2026, 11, 30, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    ) == (
        2026,
        12,
    )


def test_lines_are_sorted_and_only_those_with_a_figure_appear():
    lines = job_cost_lines(
        "1001",
        JobCostRecords(
            estimates=[estimate(("16-100", "L", 10.0), ("01-100", "O", 0.0), ("01-100", "M", 5.0))],
            transactions=[transaction("2026-11-02", 7.0, code="03-300")],
        ),
        NOVEMBER,
    )

    assert [(line["cost_code"], line["category"]) for line in lines] == [
        ("01-100", "M"),
        ("03-300", "L"),
        ("16-100", "L"),
    ]
    assert all(set(line) == {"cost_code", "category", *COLUMNS} for line in lines)


def test_figures_are_rounded_to_the_cent():
    lines = summary(
        JobCostRecords(
            transactions=[transaction("2026-11-02", 0.1), transaction("2026-11-03", 0.2)]
        )
    )

    assert lines["01-100", "L"]["jtd_cost"] == 0.3


def test_nothing_in_sage_gives_no_lines():
    assert job_cost_lines("1001", JobCostRecords(), NOVEMBER) == []


JOB = {
    "job_id": "1001",
    "status": "open",
    "cost_codes": [{"code": "01-100", "description": "General Conditions", "categories": ["L"]}],
}


def new_transaction(**changes: Any) -> JobCostTransaction:
    body = {
        "job_id": "1001",
        "cost_code": "01-100",
        "category": "L",
        "date": "2026-11-03",
        "description": "Payroll",
        "amount": 4200.0,
    }
    return JobCostTransaction.model_validate({**body, **changes})


@pytest.mark.parametrize(
    ("job", "changes", "code"),
    [
        (None, {}, "not_found"),
        ({**JOB, "status": "closed"}, {}, "job_closed"),
        (JOB, {"cost_code": "03-300"}, "category_not_found"),
        (JOB, {"category": "M"}, "category_not_found"),
    ],
)
def test_sage_refuses_a_transaction_on_a_job_or_cost_code_it_does_not_have(job, changes, code):
    with pytest.raises(SageError) as refused:
        check_new_transaction(new_transaction(**changes), job)

    assert refused.value.code == code


def test_a_transaction_on_a_cost_code_of_the_open_job_is_accepted():
    check_new_transaction(new_transaction(), JOB)
