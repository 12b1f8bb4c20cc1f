"""A duplicate that differs (issue 20): Sage already holds a record under the code we sent
(a commitment, CCO, invoice or job), but its content is not ours, so it was not linked.

`status` shows our fields beside Sage's, and an ERP Admin chooses one of two commands:
`link-existing` (take Sage's record as this item's: the export runs again and links it) or
`export-as NEW_ID` (the export runs again under an unused Sage ID). Pure: the item workflow
holds the facts and applies the decision.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from domain.commands import CommandRequest, Decision, ItemFacts, export_fields
from domain.errors import CATALOGUE, Remedy
from domain.exports import kind_of
from domain.lifecycle import Command, State, next_state
from domain.permissions import roster_user
from domain.refusal import Refusal
from domain.sage_codes import SageCode
from domain.settings import ErpPermission

LINK_EXISTING = "link-existing"
EXPORT_AS = "export-as"

ID_FIELDS = ("sage_id", "erp_id", "sage_job_id", "sub_job_id", "erp_company_id")
"""The export field that names the record in Sage, per item type (the first the type has)."""

SHOWN = 80
"""A value longer than this is cut in the comparison (the whole record is in `--json`)."""


class Duplicate(BaseModel, frozen=True):
    """The step Sage refused as "already exists", what we sent and what Sage holds."""

    code: str
    step: str
    ours: dict[str, Any] = Field(default_factory=dict)
    sage: dict[str, Any] = Field(default_factory=dict)

    def differences(self) -> list[tuple[str, str, str]]:
        """(field, ours, Sage's) for each field we sent that Sage holds otherwise."""
        rows = []
        for name, value in self.ours.items():
            theirs = self.sage.get(name)
            if theirs != value:
                rows.append((name, _shown(value), _shown(theirs)))
        return rows


class ExportAsRequest(CommandRequest):
    """export-as: the unused Sage ID to export under."""

    new_id: SageCode


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def differing_duplicate(
    code: str, step: str, sent: dict[str, Any] | None, existing: dict[str, Any] | None
) -> Duplicate | None:
    """The comparison to keep when an export failed on a record Sage holds that differs."""
    entry = CATALOGUE.get(code)
    if entry is None or entry.remedy is not Remedy.LINK or existing is None:
        return None
    return Duplicate(code=code, step=step, ours=dict(sent or {}), sage=dict(existing))


def id_field(facts: ItemFacts) -> str:
    fields = kind_of(facts.item).export_fields
    for name in ID_FIELDS:
        if name in fields:
            return name
    raise Refusal(
        f"{facts.item.workflow_id}: its Sage ID is not an export field; a tool admin edits the "
        "item's number and resends it"
    )


def decide_duplicate(
    facts: ItemFacts,
    duplicate: Duplicate | None,
    command: str,
    request: CommandRequest,
) -> Decision:
    """Take `link-existing` or `export-as`, or raise `Refusal` saying why (permission from the
    roster the workflow holds, then state, then the duplicate)."""
    user = roster_user(facts.settings, request.actor)
    if user.erp is not ErpPermission.ADMIN:
        raise Refusal(
            f"{command}: {request.actor} needs Admin on the ERP Integrations tool (an ERP Admin "
            "decides what to do with a record Sage already holds)"
        )
    if facts.state is not State.EXPORT_FAILED:
        raise Refusal(f"{command}: the item is {facts.state.value}, not export_failed")
    if facts.exporting:
        raise Refusal(f"{command}: a reset of the failed export is under way")
    if facts.leftovers:
        raise Refusal(
            f"{command}: {facts.leftovers} step(s) of the failed export are still in Sage; "
            f"an ERP Admin undoes them first (starter.py reset {facts.item.workflow_id} --as USER)"
        )
    if duplicate is None:
        raise Refusal(
            f"{command}: the last export did not fail on a record Sage already holds; "
            f"see starter.py status {facts.item.workflow_id}"
        )
    target = next_state(facts.state, Command.RETRY)
    if command == LINK_EXISTING:
        return Decision(next_state=target)
    if not isinstance(request, ExportAsRequest):
        raise Refusal(f"{command}: name the new Sage ID")
    name = id_field(facts)
    if facts.export_fields.get(name) == request.new_id:
        raise Refusal(f"{command}: {request.new_id} is the Sage ID Sage refused; choose another")
    fields = export_fields(facts.item, facts.export_fields, {name: request.new_id})
    return Decision(next_state=target, export_fields=fields)
