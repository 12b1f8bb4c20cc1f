"""Job costs from Sage: the seed's column mapping, direct costs, totals and the CLI table."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.job_costs import (
    COLUMNS,
    DEFAULT_COLUMNS,
    MAPPING,
    NUMBER_FIELDS,
    JobCostLine,
    JobCostSummary,
    UnknownColumn,
    job_cost_table,
)

ANSWER = {
    "job_id": "1001",
    "as_of": "2026-03-02T10:00:00Z",
    "lines": [
        {
            "cost_code": "01-100",
            "category": "L",
            "original_estimate": 185000.0,
            "approved_estimate_changes": -7500.0,
            "total_estimate": 177500.0,
            "jtd_cost": 4200.5,
            "jtd_units": 40,
            "mtd_cost": 1200.0,
        },
        {
            "cost_code": "03-300",
            "category": "S",
            "original_estimate": 250000.0,
            "total_estimate": 250000.0,
            "original_commitment": 120000.0,
            "approved_commitment_changes": 2500.0,
            "revised_commitment": 122500.0,
            "commitment_invoiced": 30000.0,
            "jtd_cost": 31000.0,
        },
    ],
}


def summary() -> JobCostSummary:
    return JobCostSummary.from_sage("P-1001", ANSWER)


def test_the_mapping_is_the_seeds():
    sage_of = {column.procore: column.sage for column in MAPPING}
    assert sage_of["Original Budget"] == "Original Estimate"
    assert sage_of["Revised Budget"] == "Total Estimate"
    assert sage_of["Job to Date Actual Units"] == "JTD Units"
    assert sage_of["Direct Costs"] == "JTD Cost - Commitment Invoiced"
    assert len(MAPPING) == 20


def test_every_sage_field_has_a_procore_column():
    shown = {column.field for column in MAPPING}
    assert set(NUMBER_FIELDS) | {"cost_code", "category", "direct_costs"} == shown


def test_direct_costs_are_jtd_cost_less_commitment_invoiced():
    lines = summary().lines
    assert [line.direct_costs for line in lines] == [Decimal("4200.5"), Decimal("1000")]


def test_totals_sum_every_column_and_direct_costs():
    totals = summary().totals
    assert totals["original_estimate"] == Decimal("435000")
    assert totals["commitment_invoiced"] == Decimal("30000")
    assert totals["direct_costs"] == Decimal("5200.5")


def test_the_table_has_the_procore_columns_money_and_a_totals_row():
    table = job_cost_table(summary())
    assert table.title == "Job costs · project P-1001 · job 1001 · as of 2026-03-02T10:00:00+00:00"
    assert table.headers[0:2] == ["Cost Code", "Cat."]
    assert table.headers == list(DEFAULT_COLUMNS)
    assert table.rows[0][:5] == ["01-100", "L", "185,000.00", "-7,500.00", "177,500.00"]
    assert table.totals[:3] == ["Total", "", "435,000.00"]
    assert "5,200.50" in table.totals


def test_amounts_are_right_aligned_and_codes_left():
    table = job_cost_table(summary())
    assert table.right == table.headers[2:]


def test_the_command_line_draws_it_with_the_columns_lined_up(capsys):
    from cli import output

    table = job_cost_table(summary())
    output.table(
        table.headers, table.rows, title=table.title, right=table.right, totals=table.totals
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == table.title
    assert lines[1].startswith("Cost Code")
    assert lines[-1].split()[:2] == ["Total", "435,000.00"]
    body = [line for line in lines[1:] if not set(line) <= {"─", " "}]
    assert len({len(line) for line in body}) == 1, lines


def test_units_columns_print_as_plain_quantities():
    table = job_cost_table(summary(), ["Cost Code", "Job to Date Actual Units"])
    assert table.rows[0] == ["01-100", "40"]
    assert table.totals == ["Total", "40"]


def test_an_unknown_column_is_refused_with_the_list():
    with pytest.raises(UnknownColumn, match="unknown job cost column 'Profit'; the columns are"):
        job_cost_table(summary(), ["Cost Code", "Profit"])


def test_a_job_with_no_figures_has_no_rows_and_zero_totals():
    empty = JobCostSummary(project="P-3001", job_id="3001", as_of=datetime(2026, 3, 2, tzinfo=UTC))
    table = job_cost_table(empty)
    assert table.rows == []
    assert table.totals[:3] == ["Total", "", "0.00"]


def test_every_column_can_be_shown():
    table = job_cost_table(summary(), list(COLUMNS))
    assert "Month to Date Actual Units" in table.headers


_MONEY = st.decimals(min_value=-(10**7), max_value=10**7, places=2)


@given(st.lists(st.tuples(_MONEY, _MONEY), max_size=8))
def test_direct_costs_total_is_the_sum_of_the_lines(figures):
    lines = [
        JobCostLine(cost_code=f"{i:02d}-000", category="L", jtd_cost=jtd, commitment_invoiced=inv)
        for i, (jtd, inv) in enumerate(figures)
    ]
    result = JobCostSummary(project="P", job_id="J", as_of=datetime.now(UTC), lines=lines)
    assert result.totals["direct_costs"] == sum((line.direct_costs for line in lines), Decimal(0))
