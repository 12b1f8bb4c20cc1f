"""Prime contract import: the mapping per billing method, every guard, both SOV modes, and
the pay-application readiness check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain import prime_contract as pc
from domain.errors import CATALOGUE
from domain.exports import prime_contract_change_order as pcco
from domain.items import parse_item
from domain.settings import ProjectSettings, RosterUser

TODAY = date(2026, 11, 21)
ADMIN = RosterUser(erp="admin", can_push_to_accounting=True, tool_admin=["prime_contracts"])


def settings(mode: str = "sage", job: str | None = "2001") -> ProjectSettings:
    return ProjectSettings(
        project="P-1",
        sage_job_id=job,
        sov_controlled_by=mode,
        roster={
            "boss": ADMIN,
            "erp.only": RosterUser(erp="admin"),
            "pm": RosterUser(tool_admin=["prime_contracts"]),
            "acct": RosterUser(erp="standard", can_push_to_accounting=True),
            "viewer": RosterUser(erp="read_only"),
        },
    )


def contract(items=(("001", "Contract value", "4800000"),), **changes) -> pc.SageContract:
    data = {
        "job_id": "2001",
        "contract_id": "2001-PC",
        "billing_method": "contracts",
        "description": "Lakeside Lofts prime",
        "status": "approved",
        "work_started": "2026-04-01",
        "items": [
            {"item_code": c, "description": d, "original_amount": a, "revised_amount": a}
            for c, d, a in items
        ],
    }
    return pc.SageContract.model_validate(data | changes)


def quickbill(level: str, worksheet) -> pc.SageContract:
    return pc.SageContract(
        job_id="2001",
        contract_id="2001",
        billing_method="quickbill",
        billing_level=level,
        description="Cedar Park Library",
        status="approved",
        worksheet=[
            pc.WorksheetAmount(code=c, description=d, amount=Decimal(a)) for c, d, a in worksheet
        ],
    )


# --- mapping ---


def test_use_contracts_maps_one_sov_item_per_contract_item_and_the_general_tab():
    sage = contract(items=(("001", "Sitework", "100"), ("002", "Building", "250")))
    assert [(s.code, s.description, s.amount) for s in pc.sov_items(sage)] == [
        ("001", "Sitework", Decimal(100)),
        ("002", "Building", Decimal(250)),
    ]
    head = pc.header(sage, TODAY)
    assert (head.number, head.title, head.status, head.contract_start_date, head.date_created) == (
        "2001-PC",
        "Lakeside Lofts prime",
        "approved",
        date(2026, 4, 1),
        TODAY,
    )


def test_quickbill_job_level_is_a_single_sov_item_with_the_job_as_contract_number():
    sage = quickbill("job", [("JOB", "Cedar Park Library", "2150000")])
    [line] = pc.sov_items(sage)
    assert (line.code, line.amount) == ("JOB", Decimal(2150000))
    head = pc.header(sage, TODAY)
    assert (head.number, head.status) == ("2001", "approved")


@pytest.mark.parametrize("level", ["division", "section"])
def test_quickbill_division_and_section_levels_map_each_amount_with_its_cost_code(level):
    sage = quickbill(
        level, [("01", "General", "10"), ("03", "Concrete", "20"), ("09", "Idle", "0")]
    )
    assert [(s.code, s.cost_code, s.description) for s in pc.sov_items(sage)] == [
        ("01", "01", "General"),
        ("03", "03", "Concrete"),
    ]


# --- guards ---


def test_an_unapproved_contract_is_refused_in_the_seeds_words():
    with pytest.raises(pc.ImportRefused, match=pc.UNAPPROVED):
        pc.import_contract(settings(), contract(status="unapproved"), TODAY, None)


@pytest.mark.parametrize("job", [None, "1003"])
def test_a_contract_not_on_the_projects_synced_job_is_refused(job):
    with pytest.raises(pc.ImportRefused, match=pc.NOT_SYNCED_JOB):
        pc.choose(settings(job=job), "2001-PC", [contract()])
    with pytest.raises(pc.ImportRefused, match=pc.NOT_SYNCED_JOB):
        pc.check_contract(settings(job=job), contract())


def test_no_contract_anywhere_is_a_lookup_error_not_a_refusal():
    with pytest.raises(LookupError):
        pc.choose(settings(), "NOPE", [])


def test_a_contract_linked_to_another_project_is_refused():
    with pytest.raises(pc.ImportRefused, match=r"added to two projects.*P-2"):
        pc.check_contract(settings(), contract(linked_projects=["P-1", "P-2"]))
    pc.check_contract(settings(), contract(linked_projects=["P-1"]))  # its own link is fine


def test_sages_own_two_projects_answer_says_who_imports_it_where():
    refused = pc.refused_by_sage("linked_to_another_project", pc.TWO_PROJECTS)
    solution = CATALOGUE["linked_to_another_project"].solution
    assert str(refused) == f"{pc.TWO_PROJECTS} (linked_to_another_project) an ERP Admin: {solution}"
    assert "starter.py prime-contract import PROJECT CONTRACT --as USER" in str(refused)
    # a code whose remedy is no import command (or an unknown one): Sage's words alone
    assert str(pc.refused_by_sage("unauthorized", "Invalid or missing API key.")) == (
        "Invalid or missing API key."
    )
    assert str(pc.refused_by_sage("no_such_code", "Odd.")) == "Odd."


def test_reimport_with_nothing_new_is_refused_and_a_changed_item_comes_in():
    prime = pc.import_contract(settings(), contract(), TODAY, None)
    with pytest.raises(pc.ImportRefused, match=pc.NOTHING_NEW):
        pc.reimport(settings(), prime, contract())
    changed = contract(items=(("001", "Contract value", "4800000"), ("002", "Alt", "5")))
    again = pc.reimport(settings(), prime, changed)
    assert [s.code for s in again.sov] == ["001", "002"]


def test_the_first_import_is_open_to_erp_standard_or_admin():
    """Matrix: "Import a Prime Contract from an Integrated ERP System into Procore" is checked
    for 'Standard' and 'Admin' on the ERP Integrations tool."""
    pc.authorize_import(settings(), "boss")
    pc.authorize_import(settings(), "erp.only")
    pc.authorize_import(settings(), "acct")
    with pytest.raises(pc.ImportRefused, match="needs Standard or Admin on the ERP Integrations"):
        pc.authorize_import(settings(), "pm")
    with pytest.raises(pc.ImportRefused, match="has Read Only"):
        pc.authorize_import(settings(), "viewer")
    with pytest.raises(pc.ImportRefused, match="not on the roster"):
        pc.authorize_import(settings(), "nobody")


def test_reimport_needs_admin_on_erp_and_on_the_prime_contracts_tool():
    """seeds/001: "'Admin' level permission on the ERP Integrations tool. AND 'Admin' level
    permission on the Project level Prime Contract tool." """
    pc.authorize_reimport(settings(), "boss")
    with pytest.raises(pc.ImportRefused, match="Prime Contracts tool"):
        pc.authorize_reimport(settings(), "erp.only")
    with pytest.raises(pc.ImportRefused, match="Admin on the ERP Integrations tool"):
        pc.authorize_reimport(settings(), "pm")
    with pytest.raises(pc.ImportRefused, match=r"ERP Integrations tool \(has Standard"):
        pc.authorize_reimport(settings(), "acct")
    with pytest.raises(pc.ImportRefused, match="not on the roster"):
        pc.authorize_reimport(settings(), "nobody")


def test_readiness_is_for_the_sov_keepers_and_the_accountants():
    pc.authorize_readiness(settings(), "pm")
    pc.authorize_readiness(settings(), "acct")
    with pytest.raises(pc.ImportRefused, match="cannot check the prime contract"):
        pc.authorize_readiness(settings(), "viewer")


def test_several_contracts_of_one_job_go_into_one_prime_contract():
    prime = pc.import_contract(settings(), contract(), TODAY, None)
    alt = contract(contract_id="2001-ALT", items=(("001", "Roof deck", "250000"),))
    both = pc.import_contract(settings(), alt, TODAY, prime)
    assert [s.sage_contract for s in both.sov] == ["2001-PC", "2001-ALT"]
    assert both.sage_revised_total == Decimal(5050000)
    with pytest.raises(pc.ImportRefused, match="already imported"):
        pc.import_contract(settings(), alt, TODAY, both)


# --- lump-sum mode ---


def test_procore_mode_needs_a_single_contract_item_in_sage():
    with pytest.raises(pc.ImportRefused, match="one contract item"):
        pc.import_contract(
            settings("procore"), contract(items=(("1", "a", "1"), ("2", "b", "1"))), TODAY, None
        )


def lines(*amounts: str) -> list[pc.SovItem]:
    return [pc.SovItem(code=f"L{n}", amount=Decimal(a)) for n, a in enumerate(amounts, 1)]


def test_the_detailed_sov_never_exceeds_the_sage_total_original_or_revised():
    prime = pc.import_contract(settings("procore"), contract(), TODAY, None)
    pc.check_sov_edit(settings("procore"), prime, pc.SovEdit(actor="pm", lines=lines("4800000")))
    with pytest.raises(pc.ImportRefused, match=r"exceed the Sage contract total 4,800,000\.00"):
        pc.check_sov_edit(
            settings("procore"), prime, pc.SovEdit(actor="pm", lines=lines("4000000", "800000.01"))
        )
    revised = contract(items=(("001", "Contract value", "4800000"),))
    revised = revised.model_copy(
        update={
            "items": [
                revised.items[0].model_copy(
                    update={"approved_changes": Decimal(20000), "revised_amount": Decimal(4820000)}
                )
            ]
        }
    )
    prime = pc.seen(prime, revised)
    pc.check_sov_edit(settings("procore"), prime, pc.SovEdit(actor="pm", lines=lines("4820000")))
    with pytest.raises(pc.ImportRefused, match="own code"):
        pc.check_sov_edit(
            settings("procore"),
            prime,
            pc.SovEdit(
                actor="pm", lines=[pc.SovItem(code="A", amount=1), pc.SovItem(code="A", amount=1)]
            ),
        )


def test_the_sov_cannot_be_edited_when_sage_controls_it_or_without_tool_admin():
    prime = pc.import_contract(settings(), contract(), TODAY, None)
    with pytest.raises(pc.ImportRefused, match="controlled by Sage"):
        pc.check_sov_edit(settings(), prime, pc.SovEdit(actor="pm", lines=lines("1")))
    with pytest.raises(pc.ImportRefused, match="Prime Contracts tool"):
        pc.check_sov_edit(
            settings("procore"), prime, pc.SovEdit(actor="erp.only", lines=lines("1"))
        )


def test_reimport_in_procore_mode_keeps_the_detailed_sov():
    prime = pc.import_contract(settings("procore"), contract(), TODAY, None)
    prime = prime.model_copy(update={"sov": lines("4000000", "800000")})
    amended = pc.reimport(settings("procore"), prime, contract(items=(("001", "CV", "5000000"),)))
    assert [s.code for s in amended.sov] == ["L1", "L2"]
    assert amended.sage_revised_total == Decimal(5000000)


def test_readiness_says_whether_and_by_how_much_the_sov_differs():
    prime = pc.import_contract(settings("procore"), contract(), TODAY, None)
    assert pc.readiness(prime).ready
    short = prime.model_copy(update={"sov": lines("4000000", "780000")})
    answer = pc.readiness(short)
    assert not answer.ready and answer.difference == Decimal(-20000)
    assert "20,000.00 below the Sage revised total 4,800,000.00" in answer.message


# --- PCCO export in lump-sum mode ---


PCCO = {
    "type": "prime_contract_change_order",
    "project": "P-1",
    "number": "PCCO-1",
    "title": "T",
    "status": "approved",
    "prime_contract": {"number": "2001-PC", "sage_contract_id": "2001-PC"},
    "sov": [
        {"contract_item": "L1", "cost_code": "03-300", "category": "M", "amount": "12000"},
        {"contract_item": "L2", "cost_code": "09-250", "category": "S", "amount": "8000"},
    ],
}


def test_a_pcco_in_procore_mode_sends_one_rolled_up_schedule_value_change():
    plan = pcco.plan(parse_item(PCCO), settings("procore"), {}, TODAY)
    assert [s.name for s in plan.steps] == [
        "refresh_cost_codes",
        "post_estimate_changes",
        "post_schedule_value_changes",
    ]
    assert plan.steps[1].call.body["lines"][1]["amount"] == 8000.0
    assert plan.steps[2].call.body["lines"] == [
        {"contract_item": "001", "description": "PCCO PCCO-1", "amount": 20000.0}
    ]


def test_a_pcco_in_sage_mode_still_sends_each_line():
    plan = pcco.plan(parse_item(PCCO), settings("sage"), {}, TODAY)
    assert [x["contract_item"] for x in plan.steps[-1].call.body["lines"]] == ["L1", "L2"]


def test_a_new_pcco_line_in_procore_mode_must_be_added_to_the_sov_first():
    item = parse_item(PCCO | {"sov": [{"cost_code": "03-300", "category": "M", "amount": "1"}]})
    assert pcco.LUMP_SUM_RULE in pcco.prerequisites(item, settings("procore"))
    assert pcco.LUMP_SUM_RULE not in pcco.prerequisites(item, settings("sage"))
