"""Unit/Qty commitments and their invoices (seeds/004 subcontractor invoices, Accounting
Method): "For purchase orders and subcontracts with an amount-based accounting method, Procore
sends the dollar amount for each line item to Sage 300 CRE®. For purchase orders and
subcontracts with a Unit/Qty accounting method, Procore sends the quantity invoiced for each
line item to Sage 300 CRE®." """

import json
from decimal import Decimal
from typing import Any

import pytest

from domain.exports.subcontractor_invoice import distributions
from domain.items import AccountingMethod, Commitment, InvalidItem, parse_item
from tests.domain.builders import EXAMPLES
from tests.domain.test_subcontractor_invoice_export import body, invoice, line

PO: dict[str, Any] = json.loads(
    (EXAMPLES / "items" / "commitment-PO-0101.json").read_text(encoding="utf-8")
)


def unit_line(n: int, quantity: str, amount: str) -> dict[str, Any]:
    return line(n, quantity_this_period=quantity, work_completed_this_period=amount)


def test_a_commitment_is_amount_based_unless_it_says_otherwise():
    po = parse_item(PO)
    assert isinstance(po, Commitment) and po.accounting_method is AccountingMethod.AMOUNT
    unit = parse_item({**PO, "accounting_method": "unit_qty"})
    assert unit.accounting_method is AccountingMethod.UNIT_QTY


def test_a_unit_qty_commitment_prices_every_line_by_unit():
    lump = {"description": "Freight", "cost_code": "05-120", "category": "M", "amount": "900"}
    with pytest.raises(InvalidItem, match=r"prices every SOV line by qty .*line 2 has none"):
        parse_item({**PO, "accounting_method": "unit_qty", "sov": [*PO["sov"], lump]})


def test_an_amount_based_invoice_sends_dollars_and_no_quantity():
    for distribution in body(invoice())["distributions"]:
        assert "quantity" not in distribution


def test_a_unit_qty_invoice_sends_the_quantity_invoiced_of_each_line():
    item = invoice(
        accounting_method="unit_qty",
        lines=[unit_line(1, "12", "9750.00"), unit_line(2, "4", "3250.00")],
    )
    sent = body(item)["distributions"]
    assert [(d["commitment_item"], d["quantity"], d["amount"]) for d in sent] == [
        ("1", 12.0, 9750.0),
        ("2", 4.0, 3250.0),
    ]


def test_consolidated_lines_sum_their_quantities():
    item = invoice(
        accounting_method="unit_qty",
        lines=[unit_line(1, "12", "9750.00"), unit_line(1, "2.5", "2031.25")],
    )
    [one] = distributions(item)
    assert (one.quantity, one.amount) == (Decimal("14.5"), Decimal("11781.25"))
    [sent] = body(item)["distributions"]
    assert sent["quantity"] == 14.5


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {"accounting_method": "unit_qty", "lines": [line(1, work_completed_this_period="5")]},
            "gives the quantity invoiced of every line (quantity_this_period; line 1 has none)",
        ),
        (
            {"lines": [unit_line(1, "2", "1625.00")]},
            "line 1 of this amount-based invoice has one",
        ),
        ({"accounting_method": "by_the_hour"}, "accounting_method"),
        ({"lines": [line(1, quantity_this_period="two")]}, "quantity_this_period"),
    ],
)
def test_a_careless_invoice_file_is_refused_naming_what_is_wrong(changes, problem):
    with pytest.raises(InvalidItem, match=problem.replace("(", r"\(").replace(")", r"\)")):
        invoice(**changes)
