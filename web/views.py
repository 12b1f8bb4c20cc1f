"""What the pages show, decided from plain data (no HTTP, no Temporal): who may do what, the
queue's sections, and what Sage will receive. The buttons are a courtesy; the item workflow
decides every command against the settings it holds and says why when it refuses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from domain.exports import kind_of
from domain.items import ItemBase, ItemType, parse_item
from domain.lifecycle import Command
from domain.permissions import authorize
from domain.refusal import Refusal
from domain.settings import ErpPermission, ProjectSettings
from domain.status import ItemStatus

DELEGATED = "enabled_with_workflow"
QUEUE_STATES = ["sent", "export_failed"]


def may(settings: ProjectSettings | None, user: str, command: Command, item_type: str) -> bool:
    if settings is None:
        return False
    try:
        authorize(settings, user, command, parse_type(item_type))
    except (Refusal, ValueError):
        return False
    return True


def parse_type(item_type: str) -> ItemType:
    return ItemType(item_type)


def sees_erp_items(settings: ProjectSettings | None, user: str) -> bool:
    """Read Only or more on the ERP Integrations tool: sees what waits, may not act on it."""
    member = settings.roster.get(user) if settings else None
    return member is not None and member.erp is not ErpPermission.NONE


def projects_of(projects: dict[str, ProjectSettings], user: str) -> list[str]:
    return sorted(name for name, settings in projects.items() if user in settings.roster)


def emails_of(projects: dict[str, ProjectSettings], user: str) -> list[str]:
    found = {
        s.roster[user].email for s in projects.values() if user in s.roster and s.roster[user].email
    }
    return sorted(e for e in found if e)


def item_href(workflow_id: str) -> str:
    return f"/items/{quote(workflow_id, safe='')}"


@dataclass
class Actions:
    """The buttons an item's page offers this user."""

    accept: bool = False
    reject: bool = False
    retry: bool = False
    reset: bool = False
    respond: bool = False

    @property
    def any(self) -> bool:
        return self.accept or self.reject or self.retry or self.reset or self.respond


def actions_for(status: ItemStatus, settings: ProjectSettings | None, user: str) -> Actions:
    item_type = str(status.item.get("type", ""))
    state = status.state.value
    delegated = status.export_mode.value == DELEGATED
    actions = Actions()
    if status.resetting:
        return actions
    if state == "sent" and not delegated:
        actions.accept = may(settings, user, Command.ACCEPT, item_type)
        actions.reject = may(settings, user, Command.REJECT, item_type)
    elif state == "sent" and status.approval is not None and status.approval_workflow_id:
        actions.respond = user in status.approval.who_must_act()
    elif state == "export_failed":
        if status.leftovers:
            actions.reset = may(settings, user, Command.RESET, item_type)
        else:
            actions.retry = may(settings, user, Command.RETRY, item_type)
            actions.reject = may(settings, user, Command.REJECT, item_type)
            actions.reset = may(settings, user, Command.RESET, item_type)
    return actions


def field_help(item: ItemBase) -> dict[str, str]:
    return dict(kind_of(item).export_fields)


def export_fields(item: ItemBase, status: ItemStatus) -> dict[str, str]:
    """The fields an approver gives at accept or retry, prefilled: what the item had, else the
    item type's defaults."""
    try:
        defaults = kind_of(item).default_fields(item)
    except Exception:  # an item type without export fields
        defaults = {}
    return {**defaults, **status.export_fields}


@dataclass
class Preview:
    """What Sage will receive: the export plan's calls, or why there is none yet."""

    steps: list[dict[str, str]] = field(default_factory=list)
    problem: str | None = None


def preview(item: ItemBase, settings: ProjectSettings | None, fields: dict[str, str]) -> Preview:
    if settings is None:
        return Preview(problem="the project is not in the settings file")
    try:
        plan = kind_of(item).plan(item, settings, fields, date.today())
    except Exception as err:  # a rule the export would refuse too: said, not raised
        return Preview(problem=str(err).splitlines()[0] if str(err) else type(err).__name__)
    steps = []
    for step in plan.steps:
        body = json.dumps(step.call.body, indent=2, default=str) if step.call.body else ""
        steps.append(
            {
                "summary": step.summary,
                "call": f"{step.call.method} {step.call.path}",
                "body": body,
            }
        )
    return Preview(steps=steps)


def item_of(status: ItemStatus) -> ItemBase | None:
    try:
        return parse_item(status.item)
    except Exception:
        return None


def scalar_fields(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The item's own fields a person reads first (nested ones flattened one level)."""
    rows: list[tuple[str, str]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                if not isinstance(inner, dict | list):
                    rows.append((f"{key}.{sub}", _text(inner)))
        elif not isinstance(value, list):
            rows.append((key, _text(value)))
    return rows


def line_tables(data: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """Every list of lines in the item (SOV, budget lines, distributions): name, columns, rows."""
    tables = []
    for key, value in data.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            columns: list[str] = []
            for line in value:
                columns += [c for c in line if c not in columns]
            rows = [[_text(line.get(c, "")) for c in columns] for line in value]
            tables.append((key, columns, rows))
    return tables


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        return f"{value:,.2f}" if isinstance(value, float) else str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return str(value)
