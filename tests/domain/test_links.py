"""The link registry's rules (domain/links.py): links made, resolved, contradicted, ended."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import links
from domain import prime_contract as pc
from domain.exports import commitment as commitment_export
from domain.exports import commitment_change_order as cco_export
from domain.exports import kind_of
from domain.exports.jobs import JOB_RULE
from domain.items import ItemType, parse_item
from domain.lifecycle import State
from domain.links import Link, LinkConflict, LinkKind, LinkOrigin, LinkRegistry, NotLinked
from domain.settings import ErpPermission, parse_projects

ROOT = Path(__file__).resolve().parents[2]
ITEMS = ROOT / "examples" / "items"
AT = datetime(2026, 12, 1, tzinfo=UTC)


def settings(project: str = "P-1001", **changes: Any):
    text = (ROOT / "examples" / "projects.json").read_text(encoding="utf-8")
    return parse_projects(text).projects[project].model_copy(update=changes)


def example(name: str, **changes: Any):
    data = json.loads((ITEMS / name).read_text(encoding="utf-8"))
    data.update(changes)
    return parse_item(data)


def link(kind: LinkKind, procore: str, sage_id: str, **extra: Any) -> Link:
    return Link(kind=kind, procore=procore, sage_id=sage_id, at=AT, **extra)


def lookup_of(registry: LinkRegistry):
    return registry.sage_id


def commitment_by_number(company: str = "C-5001"):
    return example(
        "commitment-SC-0042.json", contract_company={"name": "Northside", "number": company}
    )


def cco_by_number(commitment: str = "SC-0042"):
    return example("commitment_change_order-SC-0042-01.json", commitment={"number": commitment})


def invoice_by_number():
    return example(
        "subcontractor_invoice-INV-0042-01.json",
        commitment={"number": "SC-0042"},
        contract_company={"number": "C-ACME"},
    )


UNSYNCED = settings(sage_job_id=None)


# --- the registry ---


def test_a_link_is_found_by_its_kind_and_procore_number():
    registry = LinkRegistry().with_link(link(LinkKind.COMMITMENT, "SC-0042", "SC-42"))
    assert registry.sage_id(LinkKind.COMMITMENT, "SC-0042") == "SC-42"
    assert registry.sage_id(LinkKind.CHANGE_ORDER, "SC-0042") is None
    assert registry.sage_id(LinkKind.COMMITMENT, "SC-0043") is None


def test_the_same_link_twice_changes_nothing_a_retried_note_is_harmless():
    first = LinkRegistry().with_link(link(LinkKind.VENDOR, "C-5001", "V-500"))
    assert first.with_link(link(LinkKind.VENDOR, "C-5001", "V-500")) is first
    assert len(first.links) == 1


def test_a_record_synced_with_another_sage_record_is_refused_naming_both():
    registry = LinkRegistry().with_link(link(LinkKind.COMMITMENT, "SC-0042", "SC-42"))
    with pytest.raises(LinkConflict, match=r"SC-42.*not SC-99"):
        registry.with_link(link(LinkKind.COMMITMENT, "SC-0042", "SC-99"))


def test_unlink_ends_the_link_keeps_it_among_the_ended_and_a_new_link_may_follow():
    registry = LinkRegistry().with_link(link(LinkKind.COMMITMENT, "SC-0042", "SC-42"))
    ended = registry.without(LinkKind.COMMITMENT, "SC-0042", AT, "acct.ana")
    assert ended.find(LinkKind.COMMITMENT, "SC-0042") is None
    assert [(e.procore, e.ended_by) for e in ended.ended] == [("SC-0042", "acct.ana")]
    again = ended.with_link(link(LinkKind.COMMITMENT, "SC-0042", "SC-42B"))
    assert again.sage_id(LinkKind.COMMITMENT, "SC-0042") == "SC-42B"


def test_an_unlink_of_nothing_is_refused_and_a_repeated_unlink_too():
    registry = LinkRegistry().with_link(link(LinkKind.COMMITMENT, "SC-0042", "SC-42"))
    once = registry.without(LinkKind.COMMITMENT, "SC-0042", AT, "acct.ana")
    with pytest.raises(NotLinked, match="nothing to unlink"):
        once.without(LinkKind.COMMITMENT, "SC-0042", AT, "acct.ana")
    with pytest.raises(NotLinked):
        LinkRegistry().without(LinkKind.VENDOR, "C-1", AT, "acct.ana")


def test_ended_links_are_bounded():
    registry = LinkRegistry()
    for n in range(links.ENDED_KEPT + 20):
        registry = registry.with_link(link(LinkKind.INVOICE, f"INV-{n}", f"I-{n}"))
        registry = registry.without(LinkKind.INVOICE, f"INV-{n}", AT, "acct.ana")
    assert len(registry.ended) == links.ENDED_KEPT
    assert registry.ended[-1].procore == f"INV-{links.ENDED_KEPT + 19}"


def test_a_commitments_dependants_are_its_change_orders_invoices_and_items():
    registry = LinkRegistry()
    for made in (
        link(LinkKind.COMMITMENT, "SC-0042", "SC-0042"),
        link(LinkKind.COMMITMENT_ITEM, "SC-0042/1", "1"),
        link(LinkKind.CHANGE_ORDER, "SC-0042-01", "CO-1", parent="SC-0042"),
        link(LinkKind.INVOICE, "INV-1", "INV-1", parent="SC-0042"),
        link(LinkKind.CHANGE_ORDER, "SC-0043-01", "CO-2", parent="SC-0043"),
        link(LinkKind.COMMITMENT_ITEM, "SC-00421/1", "1"),
    ):
        registry = registry.with_link(made)
    assert sorted(d.procore for d in registry.dependants(LinkKind.COMMITMENT, "SC-0042")) == [
        "INV-1",
        "SC-0042-01",
        "SC-0042/1",
    ]
    assert registry.dependants(LinkKind.VENDOR, "SC-0042") == []


def test_recorded_takes_what_it_can_and_says_what_it_refused():
    registry = LinkRegistry().with_link(link(LinkKind.COMMITMENT, "SC-0042", "SC-42"))
    after, lines = links.recorded(
        registry,
        [link(LinkKind.COMMITMENT, "SC-0042", "OTHER"), link(LinkKind.JOB, "P-1001", "1001")],
    )
    assert after.sage_id(LinkKind.JOB, "P-1001") == "1001"
    assert after.sage_id(LinkKind.COMMITMENT, "SC-0042") == "SC-42"
    assert lines[0].startswith("refused: commitment SC-0042")
    assert lines[1].startswith("linked job P-1001")


@given(st.lists(st.sampled_from(["A", "B", "C"]), max_size=12))
def test_any_sequence_of_links_and_unlinks_keeps_one_live_link_per_record(ops):
    registry = LinkRegistry()
    for n, procore in enumerate(ops):
        if registry.find(LinkKind.COMMITMENT, procore) and n % 2:
            registry = registry.without(LinkKind.COMMITMENT, procore, AT, "x")
        else:
            with contextlib.suppress(LinkConflict):
                registry = registry.with_link(link(LinkKind.COMMITMENT, procore, f"S{n}"))
        keys = [(ln.kind, ln.procore) for ln in registry.links]
        assert len(keys) == len(set(keys))


# --- needs and resolution ---


def test_a_budget_needs_its_projects_job_from_the_registry_not_the_settings_file():
    budget = example("budget-BUD-1001.json")
    registry = LinkRegistry().with_link(link(LinkKind.JOB, "P-1001", "J-77"))
    found = links.resolve(budget, UNSYNCED, lookup_of(registry))
    assert found.ok and found.ids == {"job": "J-77"}
    item, held = links.resolved(budget, UNSYNCED, found.ids)
    assert held.sage_job_id == "J-77"
    assert kind_of(item).prerequisites(item, held) == []


def test_a_budget_of_a_project_not_synced_is_refused_naming_the_project():
    found = links.resolve(example("budget-BUD-1001.json"), UNSYNCED, lookup_of(LinkRegistry()))
    assert found.broken == [f"{JOB_RULE} Not synced: project P-1001."]


def test_a_settings_file_that_still_carries_the_job_keeps_working():
    found = links.resolve(example("budget-BUD-1001.json"), settings(), lookup_of(LinkRegistry()))
    assert found.ok and found.ids == {"job": "1001"}


def test_a_settings_file_the_registry_contradicts_is_refused_naming_both_ids():
    registry = LinkRegistry().with_link(link(LinkKind.JOB, "P-1001", "J-77"))
    found = links.resolve(example("budget-BUD-1001.json"), settings(), lookup_of(registry))
    assert len(found.broken) == 1
    assert "1001" in found.broken[0] and "J-77" in found.broken[0]


def test_a_commitment_names_its_company_by_procore_number_and_gets_the_vendor():
    registry = (
        LinkRegistry()
        .with_link(link(LinkKind.JOB, "P-1001", "1001"))
        .with_link(link(LinkKind.VENDOR, "C-5001", "V-500"))
    )
    item = commitment_by_number()
    found = links.resolve(item, UNSYNCED, lookup_of(registry))
    assert found.ids == {"job": "1001", "vendor": "V-500"}
    resolved, held = links.resolved(item, UNSYNCED, found.ids)
    plan = kind_of(resolved).plan(resolved, held, {"sage_id": "SC-0042"}, AT.date())
    create = plan.steps[-1]
    assert (create.call.body["vendor_id"], create.call.body["job_id"]) == ("V-500", "1001")


def test_a_company_not_synced_is_refused_with_the_seeds_rule_naming_it():
    registry = LinkRegistry().with_link(link(LinkKind.JOB, "P-1001", "1001"))
    found = links.resolve(commitment_by_number(), UNSYNCED, lookup_of(registry))
    assert found.broken == [f"{commitment_export.COMPANY_RULE} Not synced: company C-5001."]


def test_a_file_vendor_the_registry_contradicts_is_refused_naming_both():
    registry = LinkRegistry().with_link(link(LinkKind.VENDOR, "C-5001", "V-500"))
    item = example(
        "commitment-SC-0042.json",
        contract_company={"name": "N", "number": "C-5001", "sage_vendor_id": "V-100"},
    )
    found = links.resolve(item, settings(), lookup_of(registry))
    assert len(found.broken) == 1
    assert "V-100" in found.broken[0] and "V-500" in found.broken[0]


def test_a_cco_on_a_commitment_never_exported_is_refused_naming_the_commitment():
    registry = LinkRegistry().with_link(link(LinkKind.JOB, "P-1001", "1001"))
    found = links.resolve(cco_by_number("SC-0999"), UNSYNCED, lookup_of(registry))
    assert found.broken == [f"{cco_export.SYNCED_COMMITMENT_RULE} Not synced: commitment SC-0999."]


def test_an_invoice_needs_job_vendor_and_commitment():
    registry = LinkRegistry()
    for made in (
        link(LinkKind.JOB, "P-1001", "1001"),
        link(LinkKind.VENDOR, "C-ACME", "V-100"),
        link(LinkKind.COMMITMENT, "SC-0042", "SC-42"),
    ):
        registry = registry.with_link(made)
    item = invoice_by_number()
    found = links.resolve(item, UNSYNCED, lookup_of(registry))
    assert found.ids == {"job": "1001", "vendor": "V-100", "commitment": "SC-42"}
    resolved, held = links.resolved(item, UNSYNCED, found.ids)
    fields = kind_of(resolved).default_fields(resolved)
    body = kind_of(resolved).plan(resolved, held, fields, AT.date()).steps[-1].call.body
    assert body["vendor_id"] == "V-100"
    assert {d["commitment_id"] for d in body["distributions"]} == {"SC-42"}


def test_a_project_already_synced_in_the_registry_is_refused_at_send():
    project = example("project-1004.json")
    registry = LinkRegistry().with_link(link(LinkKind.JOB, project.project, "J-1"))
    found = links.resolve(project, settings(project.project), lookup_of(registry))
    assert any("already synced with Sage 300 CRE® job J-1" in b for b in found.broken)


def test_a_company_already_linked_in_the_registry_is_refused_at_send():
    company = example("company-C-5001.json")
    registry = LinkRegistry().with_link(link(LinkKind.VENDOR, "C-5001", "V-500"))
    found = links.resolve(company, settings(), lookup_of(registry))
    assert any("already linked to Sage 300 CRE® vendor V-500" in b for b in found.broken)


def test_the_send_validator_assumes_the_links_the_handler_decides():
    item, held = links.provisional(cco_by_number(), UNSYNCED)
    assert kind_of(item).prerequisites(item, held) == []
    item, held = links.provisional(example("budget-BUD-1001.json"), UNSYNCED)
    assert kind_of(item).prerequisites(item, held) == []


# --- a PCCO leans on its prime contract as imported (domain/links.py `imported_by`) ---

PCCO = "prime_contract_change_order-PCCO-007.json"


def imported_1001(*codes: str) -> LinkRegistry:
    """P-1001's prime contract 1001-PC as its import linked it."""
    contract = sage_contract("1001-PC", *codes).model_copy(update={"job_id": "1001"})
    prime = pc.import_contract(settings(), contract, AT.date(), None)
    registry, _ = links.recorded(LinkRegistry(), links.imported_by(prime, "p", AT))
    return registry


def test_a_pcco_resolves_its_prime_contract_and_the_items_its_lines_name():
    item = example(PCCO, prime_contract={"number": "1001-PC"})  # no Sage ID in the file
    found = links.resolve(item, settings(), lookup_of(imported_1001("001", "002")))
    assert found.ok and found.ids == {"contract": "1001-PC"}
    sent, _ = links.resolved(item, settings(), found.ids)
    assert sent.prime_contract.sage_contract_id == "1001-PC"


def test_a_pcco_on_a_prime_contract_never_imported_is_refused_naming_the_import_command():
    found = links.resolve(example(PCCO), settings(), lookup_of(LinkRegistry()))
    [broken] = found.broken
    assert "Not synced: prime contract 1001-PC." in broken
    assert "starter.py prime-contract import P-1001 1001-PC --as USER" in broken


def test_a_pcco_line_on_a_contract_item_the_import_never_brought_is_refused_naming_it():
    found = links.resolve(example(PCCO), settings(), lookup_of(imported_1001("001")))
    [broken] = found.broken
    assert "Not synced: contract item 002 of prime contract 1001-PC" in broken
    assert "starter.py prime-contract reimport P-1001 1001-PC" in broken


def test_a_pcco_file_naming_another_sage_contract_is_refused_naming_both():
    item = example(PCCO, prime_contract={"number": "1001-PC", "sage_contract_id": "9-PC"})
    [broken] = links.resolve(item, settings(), lookup_of(imported_1001("002"))).broken
    assert "names Sage prime_contract 9-PC" in broken and "synced with Sage prime_contract 1001-PC"


def test_a_pcco_on_a_contract_added_to_the_prime_contract_resolves_its_own_items():
    prime = imported(sage_contract("2001-PC", "001"), sage_contract("2001-ALT", "007"))
    registry, _ = links.recorded(LinkRegistry(), links.imported_by(prime, PRIME, AT))
    held = settings("P-1005", sage_job_id="2001", sov_controlled_by="sage")
    line = {"contract_item": "007", "cost_code": "03-300", "category": "M", "amount": "1"}
    item = example(
        PCCO,
        project="P-1005",
        prime_contract={"number": "2001-PC", "sage_contract_id": "2001-ALT"},
        sov=[line],
    )
    found = links.resolve(item, held, lookup_of(registry))
    assert found.ok and found.ids == {"contract": "2001-ALT"}
    wrong = item.model_copy(
        update={"sov": [item.sov[0].model_copy(update={"contract_item": "001"})]}
    )
    assert (
        "contract item 001 of prime contract 2001-PC"
        in links.resolve(wrong, held, lookup_of(registry)).broken[0]
    )


def test_a_lump_sum_pcco_needs_sages_one_item_not_the_teams_sov_codes():
    held = settings("P-1005")
    line = {"contract_item": "A", "cost_code": "03-300", "category": "M", "amount": "1"}
    item = example(PCCO, project="P-1005", prime_contract={"number": "2001-PC"}, sov=[line])
    registry, _ = links.recorded(
        LinkRegistry(),
        links.imported_by(imported(sage_contract("2001-PC", "001"), mode="procore"), PRIME, AT),
    )
    assert links.resolve(item, held, lookup_of(registry)).ok
    assert links.contract_items_named(item, held) == [held.lump_sum_contract_item]


def test_a_pcco_without_its_sage_contract_is_judged_at_the_validator_as_synced():
    item, held = links.provisional(example(PCCO, prime_contract={"number": "1001-PC"}), settings())
    assert kind_of(item).prerequisites(item, held) == []


# --- what an export links ---


def test_a_project_export_links_the_project_to_its_job():
    project = example("project-1004.json")
    made = links.made_by(project, {"sage_job_id": "J-9"}, {"job_id": "J-9"}, AT, 1)
    assert [(m.kind, m.procore, m.sage_id) for m in made] == [
        (LinkKind.JOB, project.project, "J-9")
    ]


def test_a_commitment_export_links_the_commitment_and_its_items():
    item = commitment_by_number()
    made = links.made_by(item, {"sage_id": "SC-42"}, {}, AT, 2, linked=True)
    assert made[0].procore == "SC-0042" and made[0].sage_id == "SC-42"
    assert made[0].origin is LinkOrigin.LINKED and made[0].generation == 2
    assert [m.procore for m in made[1:]] == [f"SC-0042/{n}" for n in range(1, len(item.sov) + 1)]


def test_a_cco_and_an_invoice_link_under_their_commitment():
    cco = links.made_by(cco_by_number(), {"sage_id": "CO-1"}, {}, AT, 1)
    invoice = links.made_by(invoice_by_number(), {"erp_id": "INV-1"}, {}, AT, 1)
    assert (cco[0].kind, cco[0].parent) == (LinkKind.CHANGE_ORDER, "SC-0042")
    assert (invoice[0].kind, invoice[0].parent) == (LinkKind.INVOICE, "SC-0042")


def test_a_company_export_links_to_the_company_side_and_the_rest_to_the_project():
    made = links.made_by(example("company-C-5001.json"), {"erp_company_id": "V-5"}, {}, AT, 1)
    assert [(m.kind, links.home_of(m.kind)) for m in made] == [(LinkKind.VENDOR, "company")]
    assert links.home_of(LinkKind.COMMITMENT) == "project"


def test_a_budget_links_to_the_estimate_sage_answered_and_nothing_without_an_answer():
    budget = example("budget-BUD-1001.json")
    assert links.made_by(budget, {}, {"estimate_id": "E-1"}, AT, 1)[0].sage_id == "E-1"
    assert links.made_by(budget, {}, {}, AT, 1) == []


# --- what a prime contract's import links ---

PRIME = "prime_contract:P-1005:2001-PC"


def sage_contract(contract_id: str = "2001-PC", *codes: str) -> pc.SageContract:
    items = [
        {"item_code": c, "description": c, "original_amount": "100", "revised_amount": "100"}
        for c in codes or ("001",)
    ]
    return pc.SageContract(
        job_id="2001",
        contract_id=contract_id,
        billing_method=pc.BillingMethod.CONTRACTS,
        status="approved",
        items=items,
    )


def imported(*contracts: pc.SageContract, mode: str = "sage") -> pc.PrimeContract:
    held = settings("P-1005", sage_job_id="2001", sov_controlled_by=mode)
    prime = None
    for contract in contracts:
        prime = pc.import_contract(held, contract, AT.date(), prime)
    assert prime is not None
    return prime


def pairs(made: list[Link]) -> list[tuple[str, str, str]]:
    return [(m.kind.value, m.procore, m.sage_id) for m in made]


def test_a_prime_contracts_import_links_it_and_each_contract_item():
    made = links.imported_by(imported(sage_contract("2001-PC", "001", "002")), PRIME, AT)
    assert pairs(made) == [
        ("prime_contract", "2001-PC", "2001-PC"),
        ("contract_item", "2001-PC/001", "001"),
        ("contract_item", "2001-PC/002", "002"),
    ]
    assert {(m.origin, m.item, links.home_of(m.kind)) for m in made} == {
        (LinkOrigin.IMPORTED, PRIME, "project")
    }


def test_an_added_contracts_links_are_named_inside_the_prime_contract_no_collision():
    prime = imported(sage_contract("2001-PC", "001"), sage_contract("2001-ALT", "001"))
    made = links.imported_by(prime, PRIME, AT)
    assert pairs(made)[2:] == [
        ("prime_contract", "2001-PC/2001-ALT", "2001-ALT"),
        ("contract_item", "2001-PC/2001-ALT/001", "001"),
    ]
    registry, lines = links.recorded(LinkRegistry(), made)
    assert len(registry.links) == 4 and not [x for x in lines if x.startswith("refused")]


def test_lump_sum_links_sages_one_item_whatever_sov_the_team_keeps():
    prime = imported(sage_contract("2001-PC", "001"), mode="procore")
    team = [pc.SovItem(code="A", amount=Decimal(60)), pc.SovItem(code="B", amount=Decimal(40))]
    prime = prime.model_copy(update={"sov": team})
    assert pairs(links.imported_by(prime, PRIME, AT))[1:] == [
        ("contract_item", "2001-PC/001", "001"),
        ("lump_sum_item", "2001-PC", "001"),
    ]


def test_a_reimport_ends_the_items_gone_and_adds_the_new_ones_never_twice():
    before = links.imported_by(imported(sage_contract("2001-PC", "001", "002")), PRIME, AT)
    after = links.imported_by(imported(sage_contract("2001-PC", "001", "003")), PRIME, AT)
    gone = links.ended_by(before, after)
    assert pairs(gone) == [("contract_item", "2001-PC/002", "002")]
    registry, _ = links.recorded(LinkRegistry(), before)
    for link in gone:
        registry = registry.without(link.kind, link.procore, AT, "acct.admin")
    registry, lines = links.recorded(registry, after)
    assert sorted(ln.procore for ln in registry.links) == [
        "2001-PC",
        "2001-PC/001",
        "2001-PC/003",
    ]
    assert lines == ["linked contract_item 2001-PC/003 <-> Sage 003 (imported)"]
    assert links.ended_by(after, after) == []


def test_a_sage_contract_named_beyond_a_links_limit_is_refused_not_truncated():
    long = "C" * 118  # its items' names ("{contract}/{code}") exceed 120 characters
    with pytest.raises(links.Unnamable, match="longer than 120 characters cannot be linked"):
        links.imported_by(imported(sage_contract(long, "001")), PRIME, AT)


# --- unlink ---


def user(erp: ErpPermission):
    return settings().roster["acct.ana"].model_copy(update={"erp": erp})


@pytest.mark.parametrize(
    "item_type",
    [
        ItemType.COMMITMENT,
        ItemType.COMMITMENT_CHANGE_ORDER,
        ItemType.PRIME_CONTRACT_CHANGE_ORDER,
        ItemType.SUBCONTRACTOR_INVOICE,
        ItemType.COMPANY,
    ],
)
def test_the_seeds_unlinkable_items_each_have_their_permission_row(item_type):
    assert links.UNLINKABLE[item_type].startswith("Unlink ")


def test_standard_or_admin_unlinks_a_posted_commitment():
    item = commitment_by_number()
    for level in (ErpPermission.STANDARD, ErpPermission.ADMIN):
        links.decide_unlink(item, State.POSTED, user(level), "acct.ana")


@pytest.mark.parametrize("level", [ErpPermission.NONE, ErpPermission.READ_ONLY])
def test_less_than_standard_may_not_unlink_and_is_told_what_is_missing(level):
    with pytest.raises(links.UnlinkRefused, match=r"needs Standard or Admin.*Unlink Commitments"):
        links.decide_unlink(commitment_by_number(), State.POSTED, user(level), "acct.ana")


def test_someone_off_the_roster_may_not_unlink():
    with pytest.raises(links.UnlinkRefused, match="not on the project's roster"):
        links.decide_unlink(commitment_by_number(), State.POSTED, None, "mallory")


@pytest.mark.parametrize("state", [s for s in State if s is not State.POSTED])
def test_only_a_synced_item_is_unlinked(state):
    with pytest.raises(links.UnlinkRefused, match="only a synced"):
        links.decide_unlink(commitment_by_number(), state, user(ErpPermission.ADMIN), "a")


def test_a_budget_cannot_be_unlinked():
    with pytest.raises(links.UnlinkRefused, match="cannot be unlinked"):
        links.decide_unlink(
            example("budget-BUD-1001.json"), State.POSTED, user(ErpPermission.ADMIN), "a"
        )


def test_the_unlink_target_of_each_unlinkable_item_is_its_own_link():
    assert links.unlink_target(commitment_by_number()) == (LinkKind.COMMITMENT, "SC-0042")
    assert links.unlink_target(example("company-C-5001.json")) == (LinkKind.VENDOR, "C-5001")


# --- the cost code refresh before every financial export (seeds/004, 02/03/2025) ---


@pytest.mark.parametrize(
    "name",
    [
        "budget-BUD-1001.json",
        "budget_modification-BM-001.json",
        "commitment-SC-0042.json",
        "commitment_change_order-SC-0042-01.json",
        "subcontractor_invoice-INV-0042-01.json",
        "prime_contract_change_order-PCCO-007.json",
    ],
)
def test_every_financial_export_refreshes_the_jobs_cost_codes_first(name):
    item = example(name)
    kind = kind_of(item)
    plan = kind.plan(item, settings(), kind.default_fields(item), AT.date())
    refresh = plan.steps[0]
    assert (refresh.name, refresh.call.path) == ("refresh_cost_codes", "/v1/jobs/1001/cost_codes")
    assert refresh.since and refresh.since.endswith("cost-code-refresh")
    wanted = {c["code"] for c in refresh.call.body["cost_codes"]}
    assert wanted and all(code for code in wanted)
    assert plan.released(lambda patch: False).steps[0].name != "refresh_cost_codes"


@pytest.mark.parametrize("number", ["../1001-PC", "1001-PC/../x", "x" * 60, "1001-PC ", "%00"])
def test_a_careless_prime_contract_number_is_not_synced_and_the_next_valid_one_is(number):
    registry = imported_1001("002")
    careless = example(PCCO, prime_contract={"number": number})
    [broken] = links.resolve(careless, settings(), lookup_of(registry)).broken
    assert f"Not synced: prime contract {number}." in broken
    valid = example(PCCO, prime_contract={"number": "1001-PC"})
    assert links.resolve(valid, settings(), lookup_of(registry)).ok
