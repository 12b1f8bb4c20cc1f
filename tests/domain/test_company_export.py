"""Companies -> Sage AP vendors: seeds/004 "companies" and its "Companies" data mapping,
Sage's [Name]/[AddressCity]/[AddressZip] limits, and seeds/002's "Create and Sync Vendors"
(a vendor that already exists in the ERP is linked, not exported)."""

import json
from datetime import date
from typing import Any

import pytest

from domain.commands import AcceptRequest, CommandRequest, ItemFacts, decide, export_fields
from domain.export_plan import Posting
from domain.exports import kind_of
from domain.items import Company, parse_item
from domain.lifecycle import Command, State
from domain.refusal import Refusal
from tests.domain.builders import APPROVER, EXAMPLES, TOOL_ADMIN, demo_settings

SETTINGS = demo_settings("P-1001")
TODAY = date(2027, 1, 15)

NAME_RULE = "[Name] is too long, maximum length is 30 characters."
CITY_RULE = "[AddressCity] is too long, maximum length is 15 characters."
ZIP_RULE = "[AddressZip] is too long, maximum length is 10 characters."
LINKED_RULE = (
    "Company. It is already linked to Sage 300 CRE® vendor V-100: link ERP vendors that "
    "already exist to the matching Procore company instead of exporting it."
)


def company(**changes: Any) -> Company:
    data = json.loads((EXAMPLES / "items" / "company-C-5001.json").read_text(encoding="utf-8"))
    item = parse_item({**data, **changes})
    assert isinstance(item, Company)
    return item


def broken(item: Company) -> list[str]:
    return kind_of(item).prerequisites(item, SETTINGS)


def test_the_example_company_breaks_no_rule():
    assert broken(company()) == []


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"name": "Northside Glazing and Curtain Wall"}, NAME_RULE),
        ({"city": "Rancho Cucamonga"}, CITY_RULE),
        ({"zip": "92507-00001"}, ZIP_RULE),
        ({"sage_vendor_id": "V-100"}, LINKED_RULE),
    ],
    ids=["name-31", "city-16", "zip-11", "already-linked"],
)
def test_each_rule_alone(changes, rule):
    assert broken(company(**changes)) == [rule]


def test_limits_are_inclusive():
    assert broken(company(name="N" * 30, city="C" * 15, zip="Z" * 10)) == []


def test_a_company_needs_no_job():
    assert kind_of(company()).prerequisites(company(), demo_settings("P-1004")) == []


# --- export fields: the approver enters the ERP Company ID ---


def test_accept_without_the_erp_company_id_is_refused():
    facts = ItemFacts(item=company(), state=State.SENT, settings=SETTINGS)
    with pytest.raises(Refusal) as refused:
        decide(facts, Command.ACCEPT, AcceptRequest(actor=APPROVER))
    assert str(refused.value).startswith("export field 'erp_company_id' can't be blank")
    assert "entered manually by an accounting approver" in str(refused.value)


def test_accept_with_the_erp_company_id_keeps_it():
    assert export_fields(company(), {}, {"erp_company_id": "V-500"}) == {"erp_company_id": "V-500"}


def test_an_erp_company_id_sage_could_not_take_is_refused():
    with pytest.raises(Refusal, match="letters, digits"):
        export_fields(company(), {}, {"erp_company_id": "V 500"})


# --- the plan: seeds/004 "Companies" data mapping ---


def test_a_company_is_one_call_creating_the_vendor():
    plan = kind_of(company()).plan(company(), SETTINGS, {"erp_company_id": "V-500"}, TODAY)
    assert plan.posting is Posting.AUTOMATIC  # master data: nothing waits to be posted
    [step] = plan.steps
    assert (step.name, step.call.method, step.call.path) == (
        "create_vendor",
        "POST",
        "/v1/vendors",
    )
    assert step.call.body == {
        "vendor_id": "V-500",  # ERP Company ID -> Vendor
        "name": "Northside Glazing LLC",  # Name -> Name
        "address": "45 Industrial Way",  # Address -> Address
        "city": "Riverside",  # City -> City
        "state": "CA",  # State -> State
        "zip": "92507",  # ZIP -> Zip
        "telephone": "951-555-0142",  # Business Phone -> Telephone
        "fax": "951-555-0143",  # Business Fax -> Fax Number
    }
    assert step.record == "vendor"
    assert step.remember == {"vendor_id": "vendor_id"}
    assert step.batch is None and step.undo is None


def test_a_company_without_phones_sends_them_empty():
    item = company(business_phone="", business_fax="")
    body = kind_of(item).plan(item, SETTINGS, {"erp_company_id": "V-501"}, TODAY)
    assert (body.steps[0].call.body["telephone"], body.steps[0].call.body["fax"]) == ("", "")


# --- examples/invalid ---

INVALID = {
    "company-already-linked.json": LINKED_RULE,
    "company-name-too-long.json": NAME_RULE,
    "company-city-too-long.json": CITY_RULE,
    "company-zip-too-long.json": ZIP_RULE,
}


def test_every_invalid_company_file_is_listed_here():
    assert {p.name for p in (EXAMPLES / "invalid").glob("company-*.json")} == set(INVALID)


@pytest.mark.parametrize(("name", "rule"), sorted(INVALID.items()))
def test_each_invalid_file_is_refused_at_send_for_its_one_rule(name, rule):
    item = parse_item(json.loads((EXAMPLES / "invalid" / name).read_text(encoding="utf-8")))
    assert broken(item) == [rule]
    facts = ItemFacts(item=item, state=State.DRAFT, settings=demo_settings(item.project))
    with pytest.raises(Refusal) as refused:
        decide(facts, Command.SEND, CommandRequest(actor=TOOL_ADMIN))
    assert str(refused.value) == f"cannot send {item.workflow_id}: {rule}"
