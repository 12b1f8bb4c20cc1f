"""Owner invoices (issue 18): the seeds' permission rows, the prime contract resolved through
the link registry, our send rules (status, amount, retainage, what the contract has left) and
the AR invoice plan (one line per contract item; the lump sum when Procore controls the SOV)."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain import links
from domain.commands import AcceptRequest, CommandRequest, ItemFacts, decide, export_fields
from domain.export_plan import Posting
from domain.exports import kind_of
from domain.exports import owner_invoice as oi
from domain.items import TOOL_OF, InvalidItem, ItemTool, ItemType, OwnerInvoice, parse_item
from domain.lifecycle import Command, State
from domain.permissions import NotPermitted, authorize
from domain.refusal import Refusal
from domain.settings import ErpPermission
from tests.domain.builders import APPROVER, ERP_ADMIN, EXAMPLES, TOOL_ADMIN, VIEWER, demo_settings
from tests.domain.test_links import AT, imported, imported_1001, lookup_of, sage_contract

SETTINGS = demo_settings()
TODAY = date(2027, 1, 15)
EXAMPLE: dict[str, Any] = json.loads(
    (EXAMPLES / "items" / "owner_invoice-PA-001.json").read_text(encoding="utf-8")
)
SEEDS = EXAMPLES.parents[1] / "shared" / "seeds"

# seeds/004 l.459 and l.665 (the permissions matrix; seeds/002 l.488 and l.694 the same)
ACCEPT_ROW = "Accept or Reject Owner Invoices for Export to ERP"
UNLINK_ROW = "Unlink Owner Invoices Synced with ERP"
# seeds/000 l.30
PROCORE_CUSTOMERS = "those who produce owner invoices out of Procore"


def invoice(**changes: Any) -> OwnerInvoice:
    data = copy.deepcopy(EXAMPLE)
    data.update(copy.deepcopy(changes))
    item = parse_item(data)
    assert isinstance(item, OwnerInvoice)
    return item


def linked(item: OwnerInvoice, contract: str = "1001-PC") -> OwnerInvoice:
    """The invoice as the send resolved it through the registry."""
    found = links.resolve(item, SETTINGS, lookup_of(imported_1001("001", "002")))
    assert found.ok, found.broken
    resolved, _ = links.resolved(item, SETTINGS, found.ids)
    assert isinstance(resolved, OwnerInvoice)
    return resolved


def body(item: OwnerInvoice, settings=SETTINGS, fields=None) -> dict[str, Any]:
    [step] = oi.plan(linked(item), settings, fields or export_fields(item, {}, {}), TODAY).steps
    return step.call.body or {}


# --- the seeds' words ---


def test_the_seed_rows_this_type_reproduces_are_the_seeds_words():
    for seed in ("004_5a0c58fd9df7a73e.txt", "002_6fbd529f79fdd05f.txt"):
        path = SEEDS / seed
        if path.exists():
            text = path.read_text(encoding="utf-8")
            assert ACCEPT_ROW in text and UNLINK_ROW in text
    zero = SEEDS / "000_378ba77cac82ffa4.txt"
    if zero.exists():
        assert PROCORE_CUSTOMERS in zero.read_text(encoding="utf-8")
    assert links.UNLINKABLE[ItemType.OWNER_INVOICE] == UNLINK_ROW


# --- who may (decided against the roster the project holds) ---


def test_accept_and_reject_are_the_accounting_approvers_standard_or_admin_with_push():
    """The matrix puts 'Accept or Reject Owner Invoices' in the same column as subcontractor
    invoices (not the PCCO's Admin-only one): Standard or Admin plus 'Can Push to Accounting'."""
    for command in (Command.ACCEPT, Command.REJECT):
        authorize(SETTINGS, APPROVER, command, ItemType.OWNER_INVOICE)
        authorize(SETTINGS, ERP_ADMIN, command, ItemType.OWNER_INVOICE)
        with pytest.raises(NotPermitted, match="Standard or Admin on the ERP Integrations"):
            authorize(SETTINGS, TOOL_ADMIN, command, ItemType.OWNER_INVOICE)
        with pytest.raises(NotPermitted, match="not on the roster"):
            authorize(SETTINGS, "mallory", command, ItemType.OWNER_INVOICE)


def test_sending_needs_admin_on_the_prime_contracts_tool_no_erp_permission():
    assert TOOL_OF[ItemType.OWNER_INVOICE] is ItemTool.PRIME_CONTRACTS
    authorize(SETTINGS, TOOL_ADMIN, Command.SEND, ItemType.OWNER_INVOICE)
    with pytest.raises(NotPermitted, match="Admin on the Prime Contracts tool"):
        authorize(SETTINGS, APPROVER, Command.SEND, ItemType.OWNER_INVOICE)


@pytest.mark.parametrize("level", list(ErpPermission))
def test_unlink_is_standard_or_admin_of_a_posted_invoice(level):
    user = SETTINGS.roster[APPROVER].model_copy(update={"erp": level})
    if level in (ErpPermission.STANDARD, ErpPermission.ADMIN):
        links.decide_unlink(invoice(), State.POSTED, user, APPROVER)
    else:
        with pytest.raises(links.UnlinkRefused, match=f"needs Standard or Admin.*{UNLINK_ROW}"):
            links.decide_unlink(invoice(), State.POSTED, user, APPROVER)
        return
    with pytest.raises(links.UnlinkRefused, match="only a synced"):
        links.decide_unlink(invoice(), State.EXPORTED, user, APPROVER)


def test_an_export_links_the_ar_invoice_and_unlink_ends_that_link():
    made = links.made_by(invoice(), {"erp_id": "PA-001"}, {}, AT, 1)
    assert [(ln.kind, ln.procore, ln.sage_id) for ln in made] == [
        (links.LinkKind.OWNER_INVOICE, "PA-001", "PA-001")
    ]
    assert links.unlink_target(invoice()) == (links.LinkKind.OWNER_INVOICE, "PA-001")


# --- the prime contract, through the link registry ---


def test_the_prime_contract_is_resolved_by_its_procore_number():
    item = invoice()
    assert item.prime_contract.sage_contract_id is None  # the file names it by number only
    assert linked(item).prime_contract.sage_contract_id == "1001-PC"


def test_a_prime_contract_never_imported_is_refused_naming_the_import():
    [broken] = links.resolve(invoice(), SETTINGS, lookup_of(links.LinkRegistry())).broken
    assert "Not synced: prime contract 1001-PC." in broken
    assert "an owner invoice bills an imported prime contract" in broken
    assert "starter.py prime-contract import P-1001 CONTRACT --as USER" in broken


def test_a_contract_item_the_import_never_brought_is_refused_naming_it():
    [broken] = links.resolve(invoice(), SETTINGS, lookup_of(imported_1001("001"))).broken
    assert "Not synced: contract item 002 of prime contract 1001-PC" in broken
    assert broken.startswith("An owner invoice bills contract items")


def test_lump_sum_billing_needs_sages_one_item_whatever_the_teams_sov_codes():
    held = demo_settings("P-1005")
    registry, _ = links.recorded(
        links.LinkRegistry(),
        links.imported_by(imported(sage_contract("2001-PC", "001"), mode="procore"), "p", AT),
    )
    item = invoice(
        project="P-1005",
        prime_contract={"number": "2001-PC"},
        lines=[{"description": "Team SOV line A", "work_completed_this_period": "1000"}],
    )
    assert kind_of(item).prerequisites(item, held) == []
    found = links.resolve(item, held, lookup_of(registry))
    assert found.ok, found.broken
    sent, _ = links.resolved(item, held, found.ids)
    [step] = oi.plan(sent, held, export_fields(item, {}, {}), TODAY).steps
    assert step.call.body["lines"] == [
        {
            "contract_item": held.lump_sum_contract_item,
            "description": "Owner invoice PA-001",
            "amount": 1000.0,
            "retainage": 0.0,
        }
    ]


# --- send rules (ours: the seeds are silent) ---


def test_the_example_meets_every_send_rule():
    assert kind_of(invoice()).prerequisites(invoice(), SETTINGS) == []


@pytest.mark.parametrize("status", ["draft", "under_review", "revise_and_resubmit"])
def test_an_invoice_not_yet_approved_is_refused(status):
    assert kind_of(invoice()).prerequisites(invoice(status=status), SETTINGS) == [oi.STATUS_RULE]


@pytest.mark.parametrize(
    ("lines", "rule"),
    [
        ([{"contract_item": "001"}], oi.AMOUNT_RULE),
        ([{"contract_item": "001", "work_completed_this_period": "-5"}], oi.AMOUNT_RULE),
        (
            [
                {
                    "contract_item": "001",
                    "work_completed_this_period": "5",
                    "retainage_this_period": "6",
                }
            ],
            oi.RETAINAGE_RULE,
        ),
        (
            [
                {
                    "contract_item": "001",
                    "work_completed_this_period": "5",
                    "retainage_this_period": "-1",
                }
            ],
            oi.RETAINAGE_RULE,
        ),
        ([{"work_completed_this_period": "5"}], oi.CONTRACT_ITEM_RULE),
    ],
)
def test_careless_amounts_are_refused_with_our_rule(lines, rule):
    item = invoice(lines=lines)
    assert rule in kind_of(item).prerequisites(item, SETTINGS)


def test_a_refused_send_leaves_a_draft_and_the_next_valid_send_works():
    careless = invoice(lines=[{"contract_item": "001"}])
    facts = ItemFacts(item=careless, state=State.DRAFT, settings=SETTINGS)
    with pytest.raises(Refusal, match="must bill more than"):
        decide(facts, Command.SEND, CommandRequest(actor=TOOL_ADMIN))
    fixed = ItemFacts(item=invoice(), state=State.DRAFT, settings=SETTINGS)
    assert decide(fixed, Command.SEND, CommandRequest(actor=TOOL_ADMIN)).next_state is State.SENT


@pytest.mark.parametrize(
    "changes",
    [
        {"prime_contract": {"number": "1001-PC", "sage_contract_id": "../../admin"}},
        {"number": "PA:1"},
        {"lines": []},
        {"lines": [{"contract_item": "00\x001", "work_completed_this_period": "1"}]},
        {"lines": [{"contract_item": "001", "work_completed_this_period": "lots"}]},
        {"lines": [{"contract_item": "001", "description": "x" * 201}]},
        {"prime_contract": None},
        {"billing_date": "someday"},
        {"surprise": True},
    ],
)
def test_a_hostile_file_is_refused_naming_the_field(changes):
    with pytest.raises(InvalidItem) as refused:
        invoice(**changes)
    message = str(refused.value)
    assert message.startswith("field '") and message.isprintable() and len(message) < 800


@pytest.mark.parametrize("number", ["../1001-PC", "1001-PC/../x", "x" * 60, "1001-PC ", "%00"])
def test_a_careless_prime_contract_number_is_not_synced_and_the_next_valid_one_is(number):
    registry = imported_1001("001", "002")
    careless = invoice(prime_contract={"number": number})
    [broken] = links.resolve(careless, SETTINGS, lookup_of(registry)).broken
    assert f"Not synced: prime contract {number}." in broken
    assert links.resolve(invoice(), SETTINGS, lookup_of(registry)).ok


# --- what the contract has left (Sage's contract billing, read at send) ---


def standing(amount: str, billed: str) -> oi.BillingStanding:
    return oi.BillingStanding(contract_amount=Decimal(amount), billed_to_date=Decimal(billed))


def test_an_invoice_within_what_the_contract_has_left_passes():
    assert invoice().amount == Decimal("212500.00")
    assert oi.over_contract(invoice(), standing("7860000", "7647500")) == []


def test_an_invoice_over_what_the_contract_has_left_is_refused_with_the_figures():
    [broken] = oi.over_contract(invoice(), standing("7860000", "7700000"))
    assert broken == (
        "Amount. The owner invoice bills $212,500.00 this period, but prime contract 1001-PC "
        "has only $160,000.00 left to bill in Sage 300 CRE® (revised contract $7,860,000.00, "
        "billed to date $7,700,000.00): bill at most $160,000.00, or export the PCCO that "
        "raises the contract first."
    )


def test_the_read_goes_to_the_resolved_contract_on_the_projects_job():
    call = oi.standing_call(linked(invoice()), SETTINGS)
    assert (call.method, call.path) == ("GET", "/v1/contract_billing/1001/1001-PC")
    with pytest.raises(ValueError, match="no Sage contract resolved"):
        oi.standing_call(invoice(), SETTINGS)


# --- the plan ---


def test_the_ar_invoice_carries_amount_and_retainage_one_line_per_contract_item():
    sent = body(invoice())
    assert {k: sent[k] for k in ("job_id", "contract_id", "invoice_id", "amount", "retainage")} == {
        "job_id": "1001",
        "contract_id": "1001-PC",
        "invoice_id": "PA-001",
        "amount": 212500.0,
        "retainage": 21250.0,
    }
    assert [(ln["contract_item"], ln["amount"], ln["retainage"]) for ln in sent["lines"]] == [
        ("001", 62500.0, 6250.0),
        ("002", 150000.0, 15000.0),
    ]
    assert (sent["invoice_date"], sent["accounting_date"], sent["period_end"]) == (
        "2026-11-30",
        "2026-11-30",
        "2026-11-30",
    )


def test_a_line_that_nets_to_zero_is_not_sent():
    lines = [
        {"contract_item": "001", "work_completed_this_period": "100"},
        {"contract_item": "002", "work_completed_this_period": "50"},
        {"contract_item": "002", "work_completed_this_period": "-50"},
    ]
    assert [ln["contract_item"] for ln in body(invoice(lines=lines))["lines"]] == ["001"]


def test_the_approver_may_give_the_erp_id_accounting_date_and_description():
    fields = export_fields(
        invoice(), {}, {"erp_id": "AR-77", "accounting_date": "2026-12-01", "description": "d"}
    )
    sent = body(invoice(), fields=fields)
    assert (sent["invoice_id"], sent["accounting_date"], sent["description"]) == (
        "AR-77",
        "2026-12-01",
        "d",
    )
    with pytest.raises(Refusal, match="accounting_date"):
        export_fields(invoice(), {}, {"accounting_date": "soon"})


def test_the_step_is_undone_by_deleting_its_invoice_and_a_person_posts_the_batch():
    plan = oi.plan(linked(invoice()), SETTINGS, export_fields(invoice(), {}, {}), TODAY)
    [step] = plan.steps
    assert plan.posting is Posting.MANUAL
    assert (step.call.method, step.call.path) == ("POST", "/v1/ar_invoices")
    assert step.undo is not None and step.undo.path == "/v1/ar_invoices/1001/1001-PC/PA-001"
    assert (step.record, step.batch) == ("invoice", "batch_id")


def test_an_accept_by_the_approver_moves_it_to_accepted_and_a_second_accept_is_refused():
    facts = ItemFacts(item=linked(invoice()), state=State.SENT, settings=SETTINGS)
    accepted = decide(facts, Command.ACCEPT, AcceptRequest(actor=APPROVER))
    assert accepted.next_state is State.ACCEPTED
    again = ItemFacts(item=linked(invoice()), state=State.ACCEPTED, settings=SETTINGS)
    with pytest.raises(Refusal, match="cannot accept an item that is accepted"):
        decide(again, Command.ACCEPT, AcceptRequest(actor=APPROVER))
    with pytest.raises(Refusal):
        decide(facts, Command.ACCEPT, AcceptRequest(actor=VIEWER))
