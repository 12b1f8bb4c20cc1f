"""Who may do what to an item, from the project roster (DESIGN.md "Permissions")."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from domain.items import TOOL_OF, ItemTool, ItemType
from domain.lifecycle import Command
from domain.refusal import Refusal
from domain.settings import ErpPermission, ProjectSettings, RosterUser

TOOL_ADMIN_COMMANDS = frozenset(
    {Command.EDIT, Command.SEND, Command.RETRIEVE, Command.RESEND, Command.CANCEL}
)
APPROVER_COMMANDS = frozenset({Command.ACCEPT, Command.REJECT, Command.RETRY})
ERP_ADMIN_COMMANDS = frozenset({Command.RESET})
NEEDS_ERP_ADMIN = frozenset({ItemType.PRIME_CONTRACT_CHANGE_ORDER})

_TITLES = {
    ErpPermission.NONE: "None",
    ErpPermission.READ_ONLY: "Read Only",
    ErpPermission.STANDARD: "Standard",
    ErpPermission.ADMIN: "Admin",
}


class NotPermitted(Refusal):
    pass


def roster_user(settings: ProjectSettings, actor: str) -> RosterUser:
    user = settings.roster.get(actor)
    if user is None:
        raise NotPermitted(f"'{actor}' is not on the roster of project {settings.project}")
    return user


def tool_title(item_type: ItemType) -> str:
    return TOOL_OF[item_type].value.replace("_", " ").title()


def authorize(
    settings: ProjectSettings,
    actor: str,
    command: Command,
    item_type: ItemType,
    *,
    sender: str | None = None,
) -> None:
    """Refuse, naming every missing permission, unless `actor` may give `command`."""
    user = roster_user(settings, actor)
    missing: list[str] = []
    if command in TOOL_ADMIN_COMMANDS:
        is_sender = command is Command.RETRIEVE and sender == actor
        if TOOL_OF[item_type] not in user.tool_admin and not is_sender:
            missing.append(f"Admin on the {tool_title(item_type)} tool")
    elif command in ERP_ADMIN_COMMANDS:
        if user.erp is not ErpPermission.ADMIN:
            missing.append(f"Admin on the ERP Integrations tool (has {_TITLES[user.erp]})")
    elif command in APPROVER_COMMANDS:
        if item_type in NEEDS_ERP_ADMIN:
            if user.erp is not ErpPermission.ADMIN:
                missing.append(f"Admin on the ERP Integrations tool (has {_TITLES[user.erp]})")
        elif user.erp not in (ErpPermission.STANDARD, ErpPermission.ADMIN):
            missing.append(
                f"Standard or Admin on the ERP Integrations tool (has {_TITLES[user.erp]})"
            )
        if not user.can_push_to_accounting:
            missing.append("the 'Can Push to Accounting' privilege")
    if missing:
        raise NotPermitted(f"{actor} cannot {command.value}: needs {' and '.join(missing)}")


def is_accounting_approver(settings: ProjectSettings, actor: str, item_type: ItemType) -> bool:
    try:
        authorize(settings, actor, Command.ACCEPT, item_type)
    except NotPermitted:
        return False
    return True


class ErpAction(StrEnum):
    """Company-level actions of the ERP Integrations tool (the seeds' permissions matrix)."""

    ADD_ERP_JOB = "add an ERP job to Procore"
    IMPORT_SUB_JOB = "import an ERP sub job to a Procore project"
    IMPORT_BUDGET = "import a budget from ERP"
    REFRESH_COST_CODES = "refresh the cost codes on an ERP integrated project"
    SYNC_JOB_COSTS = "sync job cost transactions from an integrated ERP into Procore"
    VIEW_JOB_COSTS = "view an ERP job costs report"
    VIEW_ACCOUNTANT_REPORT = "view an accountant report for ERP"
    VIEW_ARCHIVED_COMPANIES = "view the archived companies list"
    VIEW_SYNCED_SUB_JOBS = "view a list of synced sub jobs"
    REFRESH_COMPANIES = "refresh the companies list for ERP"
    LINK_COMPANIES = "link ERP companies to Procore companies"
    ADD_ERP_COMPANY = "add an ERP company to the Procore company directory"
    ARCHIVE_ERP_COMPANY = "archive an ERP company in Procore"
    UNLINK_COMPANY = "unlink a company synced with ERP"
    CONFIGURE_SETTINGS = "configure advanced settings: ERP integrations"
    CONFIGURE_SYNC_SCHEDULE = "configure the sync schedule for your ERP integration"
    ASSIGN_DEFAULT_COST_TYPES = "assign default cost types to ERP standard cost codes"
    SYNC_PAID_INVOICES = "sync paid invoice notifications from ERP into Procore"


ERP_ACTION_LEVELS: dict[ErpAction, frozenset[ErpPermission]] = {
    ErpAction.ADD_ERP_JOB: frozenset({ErpPermission.ADMIN}),
    ErpAction.IMPORT_SUB_JOB: frozenset({ErpPermission.STANDARD, ErpPermission.ADMIN}),
    ErpAction.IMPORT_BUDGET: frozenset({ErpPermission.STANDARD, ErpPermission.ADMIN}),
    ErpAction.REFRESH_COST_CODES: frozenset({ErpPermission.ADMIN}),
    ErpAction.SYNC_JOB_COSTS: frozenset({ErpPermission.ADMIN}),
    ErpAction.VIEW_JOB_COSTS: frozenset({ErpPermission.ADMIN}),
    ErpAction.VIEW_ACCOUNTANT_REPORT: frozenset({ErpPermission.ADMIN}),
    ErpAction.VIEW_ARCHIVED_COMPANIES: frozenset({ErpPermission.STANDARD, ErpPermission.ADMIN}),
    ErpAction.VIEW_SYNCED_SUB_JOBS: frozenset({ErpPermission.STANDARD, ErpPermission.ADMIN}),
    ErpAction.REFRESH_COMPANIES: frozenset({ErpPermission.ADMIN}),
    ErpAction.LINK_COMPANIES: frozenset({ErpPermission.ADMIN}),
    ErpAction.ADD_ERP_COMPANY: frozenset({ErpPermission.STANDARD, ErpPermission.ADMIN}),
    ErpAction.ARCHIVE_ERP_COMPANY: frozenset({ErpPermission.STANDARD, ErpPermission.ADMIN}),
    ErpAction.UNLINK_COMPANY: frozenset({ErpPermission.STANDARD, ErpPermission.ADMIN}),
    ErpAction.CONFIGURE_SETTINGS: frozenset({ErpPermission.ADMIN}),
    ErpAction.CONFIGURE_SYNC_SCHEDULE: frozenset({ErpPermission.ADMIN}),
    ErpAction.ASSIGN_DEFAULT_COST_TYPES: frozenset({ErpPermission.STANDARD, ErpPermission.ADMIN}),
    ErpAction.SYNC_PAID_INVOICES: frozenset({ErpPermission.ADMIN}),
}
"""Who may take each action: seeds/002 and seeds/004, "Learn which user permissions are
required to take the described actions in this tool"."""


def authorize_erp_action(
    roster: Mapping[str, RosterUser], actor: str, action: ErpAction, where: str
) -> None:
    """Refuse unless `actor`, on `roster` (of `where`), has the level the action needs."""
    user = roster.get(actor)
    if user is None:
        raise NotPermitted(f"'{actor}' is not on the roster of {where}")
    levels = ERP_ACTION_LEVELS[action]
    if user.erp not in levels:
        needed = " or ".join(_TITLES[level] for level in ErpPermission if level in levels)
        raise NotPermitted(
            f"{actor} cannot {action.value}: needs {needed} on the ERP Integrations tool "
            f"(has {_TITLES[user.erp]})"
        )


def authorize_sub_job_list(roster: Mapping[str, RosterUser], actor: str, where: str) -> None:
    """The matrix's "View a List of Synced Sub Jobs": Standard or Admin on the ERP Integrations
    tool, and "Also requires 'Admin' level permissions to the Company level Directory tool"
    (the seed's other way, 'Standard' with the 'Create New Project' granular permission, is a
    permission this roster does not model)."""
    authorize_erp_action(roster, actor, ErpAction.VIEW_SYNCED_SUB_JOBS, where)
    if ItemTool.DIRECTORY not in roster[actor].tool_admin:
        raise NotPermitted(
            f"{actor} cannot {ErpAction.VIEW_SYNCED_SUB_JOBS.value}: also needs Admin on the "
            "company level Directory tool"
        )


def authorize_new_roster(
    held: Mapping[str, RosterUser], actor: str, new: Mapping[str, RosterUser], where: str
) -> None:
    """New settings (a project's or the company account's) come only from an ERP Admin of the
    roster already held, never from the roster they bring, and never leave nobody who could
    change them again."""
    authorize_erp_action(held, actor, ErpAction.CONFIGURE_SETTINGS, where)
    if not any(user.erp is ErpPermission.ADMIN for user in new.values()):
        raise NotPermitted(
            f"settings of {where}: the new roster has no ERP Admin; nobody could change it again"
        )


# --- project cost codes sent for acceptance (domain/cost_code_acceptance.py) ---


def authorize_cost_code_send(roster: Mapping[str, RosterUser], actor: str, where: str) -> None:
    """The matrix's "Send, Retrieve, or Resend Items to ERP Integrations for Accounting
    Acceptance": no ERP permission, "'Admin' level permissions on the tool where the item is
    located"; a project's cost codes live in its Admin tool (Work Breakdown Structure)."""
    user = roster.get(actor)
    if user is None:
        raise NotPermitted(f"'{actor}' is not on the roster of {where}")
    if ItemTool.ADMIN not in user.tool_admin:
        raise NotPermitted(f"{actor} cannot send a cost code: needs Admin on the Admin tool")


def authorize_cost_code_decision(
    roster: Mapping[str, RosterUser], actor: str, verb: str, where: str
) -> None:
    """The matrix's "Accept or Reject Cost Codes for Export to ERP": an accounting approver,
    'Standard' or 'Admin' on the ERP Integrations tool with 'Can Push to Accounting'."""
    user = roster.get(actor)
    if user is None:
        raise NotPermitted(f"'{actor}' is not on the roster of {where}")
    missing: list[str] = []
    if user.erp not in (ErpPermission.STANDARD, ErpPermission.ADMIN):
        missing.append(f"Standard or Admin on the ERP Integrations tool (has {_TITLES[user.erp]})")
    if not user.can_push_to_accounting:
        missing.append("the 'Can Push to Accounting' privilege")
    if missing:
        raise NotPermitted(f"{actor} cannot {verb} a cost code: needs {' and '.join(missing)}")
