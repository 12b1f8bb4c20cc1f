"""Subcontractor invoices: the seed's minimum requirements, the zero-dollar refusal before send,
the ERP ID and accounting date, and the AP invoice (lines consolidated per commitment line,
retainage apart from the original amount)."""

import copy
import json
from datetime import date
from typing import Any

import pytest

from domain.commands import CommandRequest, ItemFacts, decide, export_fields
from domain.export_plan import Posting, SageCall
from domain.exports import kind_of
from domain.items import InvalidItem, SubcontractorInvoice, parse_item
from domain.lifecycle import Command, State
from domain.refusal import Refusal
from tests.domain.builders import EXAMPLES, TOOL_ADMIN, demo_settings, settings

SETTINGS = demo_settings()
TODAY = date(2027, 1, 15)
EXAMPLE: dict[str, Any] = json.loads(
    (EXAMPLES / "items" / "subcontractor_invoice-INV-0042-01.json").read_text(encoding="utf-8")
)

# seeds/004 "subcontractor invoices" (Minimum Invoice Requirements), the INVOICES
# troubleshooting row on zero-dollar invoices, and the commitments' vendor rule.
STATUS_RULE = (
    "Minimum Invoice Requirements. Before you can send an invoice from the Commitments tool to "
    "the ERP Integrations tool, the invoice must be in the Approved, Approved as Noted, or "
    "Pending Owner Approval status."
)
ZERO_RULE = (
    "Zero-dollar invoice. Once the lines reach a net zero, the integration doesn't send any "
    "lines over for $0, and Sage 300 CRE® refuses the invoice: \"The document's codings are "
    'incomplete: The document has no distributions." Please correct the zero-dollar invoice.'
)
SYNCED_RULE = (
    "Commitment. The invoice's commitment must be synced with Sage 300 CRE®: export the "
    "commitment first."
)
VENDOR_RULE = "Contract Company. Must be linked to a synced Sage 300 CRE® vendor."


def line(commitment_line: int = 1, **amounts: Any) -> dict[str, Any]:
    return {
        "commitment_line": commitment_line,
        "description": f"Line {commitment_line}",
        "cost_code": "03-300",
        "category": "S",
        **amounts,
    }


def invoice(**changes: Any) -> SubcontractorInvoice:
    data = copy.deepcopy(EXAMPLE)
    data.update(copy.deepcopy(changes))
    item = parse_item(data)
    assert isinstance(item, SubcontractorInvoice)
    return item


def broken(item, project_settings=SETTINGS) -> list[str]:
    return kind_of(item).prerequisites(item, project_settings)


def body(item, fields=None) -> dict[str, Any]:
    [_refresh, step] = (
        kind_of(item).plan(item, SETTINGS, fields or export_fields(item, {}, {}), TODAY).steps
    )
    assert step.call.body is not None
    return step.call.body


# --- prerequisites ---


def test_the_demo_invoice_breaks_no_rule():
    item = invoice()
    assert item.workflow_id == "subcontractor_invoice:P-1001:INV-0042-01"
    assert (str(item.amount), str(item.retainage)) == ("50000.00", "5000.00")
    assert broken(item) == []


@pytest.mark.parametrize("status", ["approved", "approved_as_noted", "pending_owner_approval"])
def test_three_statuses_can_be_sent(status):
    assert broken(invoice(status=status)) == []


@pytest.mark.parametrize("status", ["draft", "under_review", "revise_and_resubmit"])
def test_other_statuses_cannot(status):
    assert broken(invoice(status=status)) == [STATUS_RULE]


@pytest.mark.parametrize(
    "lines",
    [
        [line(work_completed_this_period="8000", materials_stored_this_period="-8000")],
        [line()],
        [line(1, work_completed_this_period="100"), line(2, work_completed_this_period="-100")],
        [
            line(1, work_completed_this_period="100", work_retainage_this_period="10"),
            line(1, work_completed_this_period="-100", work_retainage_this_period="-10"),
        ],
    ],
    ids=["work-and-materials-cancel", "all-zero", "lines-cancel", "same-line-cancels"],
)
def test_a_zero_dollar_invoice_is_refused_before_it_is_sent(lines):
    assert broken(invoice(lines=lines)) == [ZERO_RULE]


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"commitment": {"number": "SC-0902"}}, SYNCED_RULE),
        ({"contract_company": {"name": "New Vendor Co"}}, VENDOR_RULE),
        ({"contract_company": {"name": "New Vendor Co", "sage_vendor_id": ""}}, VENDOR_RULE),
    ],
    ids=["commitment-not-synced", "vendor-not-synced", "blank-vendor"],
)
def test_each_other_rule_alone(changes, rule):
    assert broken(invoice(**changes)) == [rule]


def test_several_rules_together_are_all_named():
    item = invoice(status="draft", commitment={"number": "SC-0902"}, lines=[line()])
    assert broken(item) == [STATUS_RULE, SYNCED_RULE, ZERO_RULE]


def test_a_project_not_synced_with_a_sage_job_cannot_send_invoices():
    rules = broken(invoice(), settings(sage_job_id=None))
    assert len(rules) == 1 and "synced with a Sage 300 CRE® job" in rules[0]


@pytest.mark.parametrize(
    "changes",
    [{"lines": []}, {"billing_date": "someday"}, {"lines": [{"commitment_line": 1}]}],
    ids=["no-lines", "bad-billing-date", "line-without-cost-code"],
)
def test_a_malformed_invoice_file_is_refused(changes):
    with pytest.raises(InvalidItem):
        invoice(**changes)


INVALID = {
    "subcontractor_invoice-not-approved.json": STATUS_RULE,
    "subcontractor_invoice-zero-dollar.json": ZERO_RULE,
    "subcontractor_invoice-commitment-not-synced.json": SYNCED_RULE,
    "subcontractor_invoice-vendor-not-synced.json": VENDOR_RULE,
}


def test_every_invalid_invoice_example_is_covered():
    found = {p.name for p in (EXAMPLES / "invalid").glob("subcontractor_invoice-*.json")}
    assert found == set(INVALID)


@pytest.mark.parametrize("name", sorted(INVALID))
def test_each_invalid_example_is_refused_at_send_for_its_one_rule(name):
    item = parse_item(json.loads((EXAMPLES / "invalid" / name).read_text(encoding="utf-8")))
    assert broken(item) == [INVALID[name]]
    facts = ItemFacts(item=item, state=State.DRAFT, settings=SETTINGS)
    with pytest.raises(Refusal) as refused:
        decide(facts, Command.SEND, CommandRequest(actor=TOOL_ADMIN))
    assert str(refused.value) == f"cannot send {item.workflow_id}: {INVALID[name]}"


# --- export fields ---


def test_erp_id_and_accounting_date_are_prefilled_from_the_invoice():
    assert export_fields(invoice(), {}, {}) == {
        "erp_id": "INV-0042-01",
        "accounting_date": "2026-11-30",
        "description": "",
    }


def test_the_approver_may_edit_them_and_they_reach_sage():
    given = {"erp_id": "ACME-7731", "accounting_date": "2026-12-01", "description": "Pay app 1"}
    fields = export_fields(invoice(), {}, given)
    sent = body(invoice(), fields)
    assert (sent["invoice_id"], sent["accounting_date"], sent["description"]) == (
        "ACME-7731",
        "2026-12-01",
        "Pay app 1",
    )
    assert sent["invoice_date"] == "2026-11-30"  # the billing date stays the invoice date


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ({"erp_id": " "}, "export field 'erp_id' can't be blank"),
        ({"erp_id": "INV 1"}, "use letters, digits"),
        ({"accounting_date": "11/30/2026"}, "give a date as YYYY-MM-DD"),
    ],
)
def test_bad_export_fields_are_refused(given, problem):
    with pytest.raises(Refusal, match=problem):
        export_fields(invoice(), {}, given)


# --- the AP invoice ---


def test_the_header_and_distributions_map_field_by_field():
    item = invoice(lines=[line(2, sub_job="SJ-01", work_completed_this_period="1000")])
    step = kind_of(item).plan(item, SETTINGS, export_fields(item, {}, {}), TODAY).steps[-1]
    assert step.call == SageCall(
        method="POST",
        path="/v1/ap_invoices",
        body={
            "vendor_id": "V-100",
            "invoice_id": "INV-0042-01",
            "description": "",
            "invoice_date": "2026-11-30",
            "accounting_date": "2026-11-30",
            "original_amount": 1000.0,
            "retainage": 0.0,
            "distributions": [
                {
                    "commitment_id": "SC-0042",
                    "commitment_item": "2",
                    "job_id": "1001",
                    "extra_id": "SJ-01",
                    "cost_code": "03-300",
                    "category": "S",
                    "description": "Line 2",
                    "amount": 1000.0,
                    "retainage": 0.0,
                }
            ],
        },
    )
    assert step.undo == SageCall(method="DELETE", path="/v1/ap_invoices/V-100/INV-0042-01")
    assert (step.record, step.batch) == ("invoice", "batch_id")


def test_lines_are_consolidated_into_one_distribution_per_commitment_line():
    sent = body(invoice())
    assert [
        (d["commitment_item"], d["description"], d["amount"], d["retainage"])
        for d in sent["distributions"]
    ] == [("1", "Footings - east", 40000.0, 4000.0), ("2", "Slab on grade", 10000.0, 1000.0)]


def test_retainage_travels_apart_from_the_original_amount():
    sent = body(invoice())
    # Sage computes the current payment due (original - retainage); it is not sent
    assert (sent["original_amount"], sent["retainage"]) == (50000.0, 5000.0)
    assert "current_payment_due" not in sent
    assert sent["original_amount"] == sum(d["amount"] for d in sent["distributions"])
    assert sent["retainage"] == sum(d["retainage"] for d in sent["distributions"])


def test_a_commitment_line_whose_lines_net_to_zero_is_not_sent():
    lines = [
        line(1, work_completed_this_period="500"),
        line(1, work_completed_this_period="-500"),
        line(2, work_completed_this_period="750"),
    ]
    sent = body(invoice(lines=lines))
    assert [d["commitment_item"] for d in sent["distributions"]] == ["2"]
    assert sent["original_amount"] == 750.0


def test_lines_of_one_commitment_line_on_different_sub_jobs_stay_apart():
    lines = [
        line(1, sub_job="SJ-01", work_completed_this_period="100"),
        line(1, sub_job="SJ-02", work_completed_this_period="200"),
        line(1, sub_job="SJ-01", work_completed_this_period="300"),
    ]
    sent = body(invoice(lines=lines))
    assert [(d["extra_id"], d["amount"]) for d in sent["distributions"]] == [
        ("SJ-01", 400.0),
        ("SJ-02", 200.0),
    ]


def test_the_invoice_waits_for_a_person_to_post_its_ap_batch():
    item = invoice()
    exported = kind_of(item).plan(item, SETTINGS, export_fields(item, {}, {}), TODAY)
    assert exported.posting is Posting.MANUAL


# --- seeds/004 release note of 08/05/2024: "Procore's Sage 300 CRE® Connector now consolidates
# multiple invoice lines into a single line per commitment ... If you would like to have this
# functionality turned off, please contact your Procore point of contact." ---


def test_the_demo_invoices_lines_are_consolidated_per_commitment_line_by_default():
    assert SETTINGS.consolidate_invoice_lines is True
    assert [d["commitment_item"] for d in body(invoice())["distributions"]] == ["1", "2"]


def test_turned_off_every_invoice_line_is_its_own_distribution():
    off = settings(consolidate_invoice_lines=False)
    item = invoice()
    [_refresh, step] = kind_of(item).plan(item, off, export_fields(item, {}, {}), TODAY).steps
    sent = step.call.body
    assert [
        (d["commitment_item"], d["description"], d["amount"]) for d in sent["distributions"]
    ] == [
        ("1", "Footings - east", 20000.0),
        ("1", "Footings - west", 20000.0),
        ("2", "Slab on grade", 10000.0),
    ]
    # the header's amounts are the same either way: only the detail changes
    consolidated = body(item)
    assert (sent["original_amount"], sent["retainage"]) == (
        consolidated["original_amount"],
        consolidated["retainage"],
    )
