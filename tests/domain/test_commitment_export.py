"""Commitments: the seed's prerequisites, the approver's export fields, the Sage request."""

from datetime import date

import pytest

from domain.commands import export_fields
from domain.export_plan import Posting
from domain.exports import kind_of
from domain.refusal import Refusal
from tests.domain.builders import commitment, demo_settings, settings

SETTINGS = demo_settings()
TODAY = date(2027, 1, 15)

# seeds/004 "COMMITMENTS" prerequisites, in the seed's own words.
ID_RULE = "ID Number. Must be 12 characters or less. This is a Sage 300 CRE® limitation."
TITLE_RULE = "Title. The title must be 30 characters or less."
COMPANY_RULE = "Contract Company. Must be linked to a synced Sage 300 CRE® vendor."
PO_RULE = "Status. For purchase orders, the status must be set to 'Approved'."
SC_RULE = "Status. For subcontracts, the status must be set to 'Approved' or 'Complete.'"
SOV_RULE = (
    "Schedule of Values (SOV). Must include at least one (1) line item with a Sage 300 CRE® "
    "cost code."
)
LINE_RULE = (
    "you can only add a line item to the commitment's SOV if its linked to an existing "
    "cost code and category"
)

UNCODED_LINE = {"description": "Lump sum", "amount": "1000.00"}
PO_LINE = {"description": "Beams", "cost_code": "05-120", "category": "M", "qty": "40"}


def broken(item) -> list[str]:
    return kind_of(item).prerequisites(item, SETTINGS)


def test_a_sendable_subcontract_breaks_no_rule():
    assert broken(commitment()) == []


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"number": "SC-0000000042"}, ID_RULE),
        ({"title": "Foundations, slabs and site work"}, TITLE_RULE),
        ({"contract_company": {"name": "New Vendor Co"}}, COMPANY_RULE),
        ({"contract_company": {"name": "New Vendor Co", "sage_vendor_id": ""}}, COMPANY_RULE),
        ({"status": "draft"}, SC_RULE),
        ({"commitment_type": "purchase_order", "status": "complete"}, PO_RULE),
        ({"sov": []}, SOV_RULE),
        ({"sov": [UNCODED_LINE, UNCODED_LINE]}, SOV_RULE),
        (
            {
                "sov": [
                    {"cost_code": "03-300", "category": "S", "amount": 1},
                    {**UNCODED_LINE, "cost_code": "03-300"},
                ]
            },
            f"SOV line 2: {LINE_RULE}.",
        ),
    ],
    ids=[
        "id-13-chars",
        "title-31-chars",
        "no-vendor",
        "blank-vendor",
        "subcontract-draft",
        "po-complete",
        "no-sov",
        "sov-without-cost-code",
        "coded-line-without-category",
    ],
)
def test_each_rule_alone(changes, rule):
    assert broken(commitment(**changes)) == [rule]


def test_limits_are_inclusive():
    item = commitment(number="SC-000000042", title="A" * 30)
    assert len(item.number) == 12
    assert broken(item) == []


@pytest.mark.parametrize(
    "status", ["draft", "out_for_bid", "out_for_signature", "terminated", "void"]
)
def test_a_subcontract_must_be_approved_or_complete(status):
    assert broken(commitment(status=status)) == [SC_RULE]
    assert broken(commitment(status="complete")) == []


@pytest.mark.parametrize(
    "status", ["draft", "out_for_bid", "out_for_signature", "complete", "terminated", "void"]
)
def test_a_purchase_order_must_be_approved(status):
    assert broken(commitment(commitment_type="purchase_order", status=status)) == [PO_RULE]
    assert broken(commitment(commitment_type="purchase_order", status="approved")) == []


def test_several_broken_rules_are_all_named_in_the_seeds_order():
    item = commitment(
        number="SC-0000000042",
        title="Foundations, slabs and site work",
        contract_company={"name": "New Vendor Co"},
        status="out_for_bid",
        sov=[UNCODED_LINE],
    )
    assert broken(item) == [ID_RULE, TITLE_RULE, COMPANY_RULE, SC_RULE, SOV_RULE]


def test_two_rules_together():
    item = commitment(
        commitment_type="purchase_order", status="complete", contract_company={"name": "X"}
    )
    assert broken(item) == [COMPANY_RULE, PO_RULE]


def test_every_sov_line_needs_a_cost_code_and_category():
    item = commitment(sov=[{"cost_code": "03-300", "category": "S", "amount": 1}, UNCODED_LINE])
    assert any(rule.startswith("SOV line 2:") and LINE_RULE in rule for rule in broken(item))


# --- export fields ---


def test_the_sage_id_defaults_to_the_commitment_number():
    assert export_fields(commitment(), {}, {}) == {"sage_id": "SC-0042"}


def test_the_approver_may_give_another_sage_id():
    assert export_fields(commitment(), {}, {"sage_id": "42-ACME"}) == {"sage_id": "42-ACME"}


def test_a_retry_keeps_the_fields_given_before_unless_changed():
    current = {"sage_id": "42-ACME"}
    assert export_fields(commitment(), current, {}) == current
    assert export_fields(commitment(), current, {"sage_id": "42-B"}) == {"sage_id": "42-B"}


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_sage_id_is_refused(blank):
    with pytest.raises(Refusal, match="export field 'sage_id' can't be blank"):
        export_fields(commitment(), {}, {"sage_id": blank})


def test_a_sage_id_longer_than_12_is_refused_with_the_seeds_words():
    with pytest.raises(Refusal) as refused:
        export_fields(commitment(), {}, {"sage_id": "SC-0000000042"})
    assert "'SC-0000000042'" in str(refused.value)
    assert ID_RULE in str(refused.value)


def test_an_unknown_export_field_is_refused_naming_the_known_ones():
    with pytest.raises(Refusal) as refused:
        export_fields(commitment(), {}, {"job": "1001", "sage_id": "X"})
    assert str(refused.value) == (
        "unknown export field 'job' for commitment items (known: sage_id)"
    )


# --- the plan: seeds/004 "Commitments" data mapping ---


def plan_of(item, fields=None):
    fields = fields or export_fields(item, {}, {})
    return kind_of(item).plan(item, SETTINGS, fields, TODAY)


def test_a_commitment_is_one_call_that_posts_automatically():
    plan = plan_of(commitment())
    assert [step.name for step in plan.steps] == ["refresh_cost_codes", "create_commitment"]
    assert plan.posting is Posting.AUTOMATIC
    step = plan.steps[-1]
    assert (step.call.method, step.call.path) == ("POST", "/v1/commitments")
    assert "SC-0042" in step.summary and "1001" in step.summary


def test_the_header_follows_the_data_mapping():
    body = plan_of(commitment(), {"sage_id": "42-ACME"}).steps[-1].call.body
    header = {k: v for k, v in body.items() if k != "items"}
    assert header == {
        "job_id": "1001",  # the project's Sage Job ID
        "commitment_id": "42-ACME",  # Sage 300 CRE ID -> Subcontract #
        "commitment_type": "subcontract",  # Commitment Type
        "description": "Foundations and slabs",  # Title -> Description
        "vendor_id": "V-100",  # Contract Company -> its ERP Vendor ID
        "date": "2026-11-02",  # Date Created -> Date
        "retainage_percent": 10.0,  # Default Retainage -> Retainage
    }


def test_without_a_creation_date_the_export_date_is_used():
    body = plan_of(commitment(date_created=None)).steps[-1].call.body
    assert body["date"] == "2027-01-15"


def test_subcontract_items_carry_their_amounts():
    items = plan_of(commitment()).steps[-1].call.body["items"]
    assert items == [
        {
            "item_id": "1",
            "description": "Footings",
            "cost_code": "03-300",
            "category": "S",
            "units": None,
            "unit_cost": None,
            "unit_description": None,
            "amount": 82500.0,
        },
        {
            "item_id": "2",
            "description": "Slab",
            "cost_code": "03-300",
            "category": "M",
            "units": None,
            "unit_cost": None,
            "unit_description": None,
            "amount": 42500.0,
        },
    ]


def test_purchase_order_items_carry_qty_unit_cost_and_unit_description():
    po = commitment(
        number="PO-0101",
        commitment_type="purchase_order",
        sov=[{**PO_LINE, "unit_cost": "812.50", "units": "EA"}],
    )
    body = plan_of(po).steps[-1].call.body
    assert body["commitment_type"] == "purchase_order"
    assert body["items"] == [
        {
            "item_id": "1",
            "description": "Beams",
            "cost_code": "05-120",
            "category": "M",  # Type -> Category
            "units": 40.0,  # Qty -> Units
            "unit_cost": 812.5,  # Unit Cost -> Unit Cost
            "unit_description": "EA",  # Units -> Unit Description
            "amount": 32500.0,  # Subtotal -> Amount
        }
    ]


def test_the_job_comes_from_the_projects_settings():
    other = demo_settings("P-1002")
    item = commitment(project="P-1002")
    body = kind_of(item).plan(item, other, {"sage_id": "SC-0042"}, TODAY).steps[-1].call.body
    assert body["job_id"] == "1002"


def test_the_created_commitment_is_undone_by_deleting_it():
    step = plan_of(commitment(), {"sage_id": "42-ACME"}).steps[-1]
    assert step.undo is not None
    assert (step.undo.method, step.undo.path) == ("DELETE", "/v1/commitments/1001/42-ACME")
    assert step.undo.body is None


def test_a_commitment_sage_already_holds_links_and_its_id_is_remembered():
    step = plan_of(commitment()).steps[-1]
    assert step.record == "commitment"
    assert step.remember == {"commitment_id": "commitment_id"}
    assert step.batch == "batch_id"


def test_a_sage_id_that_would_break_the_undo_path_is_refused_at_accept():
    with pytest.raises(Refusal, match="letters, digits"):
        export_fields(commitment(), {}, {"sage_id": "SC/42"})


# --- seeds/004 COMMITMENTS, Additional Information: "If desired, you can configure your default
# settings to use your Procore Contract Number for an exported commitment's Sage ID field. If
# enabled, the Sage ID will auto-populate with the Procore Contract Number, however, the value
# can still be edited (Note: Enabling this setting requires 'Admin' level permission on the ERP
# Integrations tool.)" ---


def test_enabled_the_sage_id_is_the_contract_number_and_can_still_be_edited():
    from domain.settings import ProjectSettings

    on = settings(commitment_sage_id_from_contract_number=True)
    assert export_fields(commitment(), {}, {}, on) == {"sage_id": "SC-0042"}
    assert export_fields(commitment(), {}, {"sage_id": "SC42-A"}, on) == {"sage_id": "SC42-A"}
    assert ProjectSettings.model_fields["commitment_sage_id_from_contract_number"].default is True


def test_not_enabled_the_accounting_approver_gives_the_sage_id():
    off = settings(commitment_sage_id_from_contract_number=False)
    with pytest.raises(Refusal, match="approver gives it: --field sage_id=ID"):
        export_fields(commitment(), {}, {}, off)
    assert export_fields(commitment(), {}, {"sage_id": "SC42-A"}, off) == {"sage_id": "SC42-A"}
    with pytest.raises(Refusal, match="can't be blank"):
        export_fields(commitment(), {}, {"sage_id": ""}, off)


def test_the_setting_reaches_the_accept_decision():
    from domain.commands import AcceptRequest, ItemFacts, decide
    from domain.lifecycle import Command, State

    off = settings(commitment_sage_id_from_contract_number=False)
    facts = ItemFacts(item=commitment(), state=State.SENT, settings=off)
    with pytest.raises(Refusal, match="commitment_sage_id_from_contract_number"):
        decide(facts, Command.ACCEPT, AcceptRequest(actor="acct.ana"))
    given = decide(facts, Command.ACCEPT, AcceptRequest(actor="acct.ana", fields={"sage_id": "X1"}))
    assert given.export_fields == {"sage_id": "X1"}


def test_only_an_erp_admin_changes_the_setting():
    """Enabling it is a settings change: `settings apply` takes it only from an ERP Admin of the
    roster the item holds (domain/commands.py decide_settings)."""
    from domain.commands import SettingsRequest, decide_settings

    held = settings()
    enabled = settings(commitment_sage_id_from_contract_number=False)
    with pytest.raises(Refusal, match="needs Admin on the ERP Integrations tool"):
        decide_settings(held, SettingsRequest(actor="acct.ana", settings=enabled))
    changed = decide_settings(held, SettingsRequest(actor="acct.admin", settings=enabled))
    assert "commitment_sage_id_from_contract_number" in changed
