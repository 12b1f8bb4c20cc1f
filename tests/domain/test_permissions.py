"""Who may do what: every refusal names the permission that is missing."""

import pytest

from domain.items import TOOL_OF, ItemTool, ItemType
from domain.lifecycle import Command
from domain.permissions import (
    ErpAction,
    NotPermitted,
    authorize,
    authorize_erp_action,
    is_accounting_approver,
)
from domain.settings import ErpPermission, RosterUser
from tests.domain.builders import APPROVER, ERP_ADMIN, TOOL_ADMIN, VIEWER, settings

TOOL_ADMIN_COMMANDS = [Command.EDIT, Command.SEND, Command.RETRIEVE, Command.RESEND, Command.CANCEL]
APPROVER_COMMANDS = [Command.ACCEPT, Command.REJECT, Command.RETRY]
ERP_TOOL = "Standard or Admin on the ERP Integrations tool"
PUSH = "'Can Push to Accounting'"

ROSTER = settings(
    roster={
        TOOL_ADMIN: {"erp": "none", "tool_admin": ["commitments", "change_orders", "budget"]},
        APPROVER: {"erp": "standard", "can_push_to_accounting": True},
        ERP_ADMIN: {"erp": "admin", "can_push_to_accounting": True},
        VIEWER: {"erp": "read_only"},
        "acct.nopush": {"erp": "standard"},
        "erp.admin.nopush": {"erp": "admin"},
        "reader.push": {"erp": "read_only", "can_push_to_accounting": True},
        "budget.bob": {"tool_admin": ["budget"]},
    }
)


def refusal(actor, command, item_type=ItemType.COMMITMENT, sender=None) -> str:
    with pytest.raises(NotPermitted) as refused:
        authorize(ROSTER, actor, command, item_type, sender=sender)
    return str(refused.value)


@pytest.mark.parametrize("command", TOOL_ADMIN_COMMANDS)
def test_a_commitments_tool_admin_sends_edits_retrieves_and_cancels(command):
    authorize(ROSTER, TOOL_ADMIN, command, ItemType.COMMITMENT)


@pytest.mark.parametrize("command", TOOL_ADMIN_COMMANDS)
@pytest.mark.parametrize("actor", [APPROVER, ERP_ADMIN, VIEWER, "budget.bob"])
def test_others_need_admin_on_the_commitments_tool(actor, command):
    message = refusal(actor, command)
    assert message == f"{actor} cannot {command.value}: needs Admin on the Commitments tool"


@pytest.mark.parametrize(
    ("item_type", "tool"),
    [
        (ItemType.COMMITMENT_CHANGE_ORDER, "Change Orders"),
        (ItemType.PRIME_CONTRACT_CHANGE_ORDER, "Prime Contracts"),
        (ItemType.SUBCONTRACTOR_INVOICE, "Commitments"),
        (ItemType.BUDGET, "Budget"),
        (ItemType.COMPANY, "Directory"),
    ],
)
def test_the_refusal_names_the_items_own_tool(item_type, tool):
    assert f"needs Admin on the {tool} tool" in refusal(VIEWER, Command.SEND, item_type)


def test_an_invoice_is_sent_from_the_commitments_tool():
    """seeds/004 subcontractor invoices, Minimum Invoice Requirements: "Before you can send an
    invoice from the Commitments tool to the ERP Integrations tool, the invoice must be in the
    Approved, Approved as Noted, or Pending Owner Approval status." """
    assert TOOL_OF[ItemType.SUBCONTRACTOR_INVOICE] is ItemTool.COMMITMENTS
    for command in TOOL_ADMIN_COMMANDS:
        authorize(ROSTER, TOOL_ADMIN, command, ItemType.SUBCONTRACTOR_INVOICE)


def test_admin_on_another_tool_does_not_help():
    authorize(ROSTER, "budget.bob", Command.SEND, ItemType.BUDGET_MODIFICATION)
    assert "Admin on the Commitments tool" in refusal("budget.bob", Command.SEND)


def test_the_sender_may_retrieve_without_tool_rights():
    authorize(ROSTER, APPROVER, Command.RETRIEVE, ItemType.COMMITMENT, sender=APPROVER)


def test_being_the_sender_allows_retrieve_only():
    assert "Admin on the Commitments tool" in refusal(APPROVER, Command.CANCEL, sender=APPROVER)
    assert "Admin on the Commitments tool" in refusal(VIEWER, Command.RETRIEVE, sender=APPROVER)


@pytest.mark.parametrize("command", APPROVER_COMMANDS)
@pytest.mark.parametrize("actor", [APPROVER, ERP_ADMIN])
def test_accounting_approvers_accept_reject_and_retry(actor, command):
    authorize(ROSTER, actor, command, ItemType.COMMITMENT)


@pytest.mark.parametrize("command", APPROVER_COMMANDS)
def test_a_tool_admin_without_erp_rights_is_told_both_missing_permissions(command):
    message = refusal(TOOL_ADMIN, command)
    assert message == (
        f"{TOOL_ADMIN} cannot {command.value}: needs {ERP_TOOL} (has None) "
        "and the 'Can Push to Accounting' privilege"
    )


def test_read_only_is_named_as_what_the_user_has():
    message = refusal(VIEWER, Command.ACCEPT)
    assert f"{ERP_TOOL} (has Read Only)" in message
    assert PUSH in message


@pytest.mark.parametrize("actor", ["acct.nopush", "erp.admin.nopush"])
def test_erp_rights_without_the_privilege_name_only_the_privilege(actor):
    message = refusal(actor, Command.ACCEPT)
    assert PUSH in message
    assert "ERP Integrations" not in message


def test_the_privilege_without_erp_rights_names_only_the_erp_permission():
    message = refusal("reader.push", Command.RETRY)
    assert f"{ERP_TOOL} (has Read Only)" in message
    assert PUSH not in message


@pytest.mark.parametrize("command", APPROVER_COMMANDS)
def test_pccos_need_admin_on_the_erp_integrations_tool(command):
    authorize(ROSTER, ERP_ADMIN, command, ItemType.PRIME_CONTRACT_CHANGE_ORDER)
    message = refusal(APPROVER, command, ItemType.PRIME_CONTRACT_CHANGE_ORDER)
    assert message == (
        f"{APPROVER} cannot {command.value}: needs Admin on the ERP Integrations tool "
        "(has Standard)"
    )


@pytest.mark.parametrize("command", list(Command))
def test_an_unknown_user_is_refused_by_name(command):
    message = refusal("mallory", command)
    assert message == "'mallory' is not on the roster of project P-1001"


def test_who_counts_as_an_accounting_approver():
    commitment, pcco = ItemType.COMMITMENT, ItemType.PRIME_CONTRACT_CHANGE_ORDER
    assert is_accounting_approver(ROSTER, APPROVER, commitment)
    assert is_accounting_approver(ROSTER, ERP_ADMIN, commitment)
    assert not is_accounting_approver(ROSTER, TOOL_ADMIN, commitment)
    assert not is_accounting_approver(ROSTER, "acct.nopush", commitment)
    assert not is_accounting_approver(ROSTER, "mallory", commitment)
    assert is_accounting_approver(ROSTER, ERP_ADMIN, pcco)
    assert not is_accounting_approver(ROSTER, APPROVER, pcco)


# --- the permissions matrix's viewing rows (seeds/004 and seeds/002): "View an ERP Job Costs
# Report" and "View an Accountant Report for ERP" are checked for Admin only; "View Archived
# Companies List" for Standard and Admin ---


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        (ErpAction.VIEW_JOB_COSTS, {ErpPermission.ADMIN}),
        (ErpAction.VIEW_ACCOUNTANT_REPORT, {ErpPermission.ADMIN}),
        (ErpAction.VIEW_ARCHIVED_COMPANIES, {ErpPermission.STANDARD, ErpPermission.ADMIN}),
    ],
)
def test_the_viewing_rows_of_the_matrix(action, allowed):
    for level in ErpPermission:
        roster = {"u": RosterUser(erp=level)}
        if level in allowed:
            authorize_erp_action(roster, "u", action, "P-1001")
        else:
            with pytest.raises(NotPermitted, match=f"cannot {action.value}: needs"):
                authorize_erp_action(roster, "u", action, "P-1001")
