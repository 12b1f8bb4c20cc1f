"""Commands people give an item, and the pure decision whether the item takes one."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.approval import choose_template
from domain.erp import ErpRefused, require_export
from domain.exports import kind_of
from domain.items import InvalidItem, ItemBase, describe_validation_error, parse_item
from domain.lifecycle import Command, State, next_state
from domain.permissions import authorize
from domain.refusal import Refusal
from domain.settings import DirectExportMode, ErpPermission, ProjectSettings
from domain.signing import Signature


class CommandRequest(BaseModel):
    """send, retrieve, resend, cancel: only who asks (and why, optionally)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    actor: str = Field(min_length=1, max_length=100)
    comment: str | None = Field(default=None, max_length=2000)
    signature: Signature | None = None

    def signed_arguments(self) -> dict[str, Any]:
        """Everything the signature covers besides item, command, timestamp and nonce."""
        return self.model_dump(mode="json", exclude={"signature"})


ExportFieldValue = Annotated[str, Field(max_length=500)]


class AcceptRequest(CommandRequest):
    """accept and retry: the export fields Sage needs, as the approver gives them."""

    fields: dict[str, ExportFieldValue] = Field(default_factory=dict, max_length=50)


class RejectRequest(CommandRequest):
    reason: str = Field(min_length=1, max_length=2000)


class ResetRequest(CommandRequest):
    """reset: undo what a failed export left in Sage, then return the item to `to`."""

    to: Literal["rejected", "sent"] = "rejected"


class EditRequest(CommandRequest):
    item: dict[str, Any]


class SettingsRequest(CommandRequest):
    """settings: new project settings, from an ERP Admin of the roster the workflow holds.

    The only way new settings reach a running workflow (`starter.py settings apply FILE --as
    USER`): the actor is checked against the settings already held, never against the ones
    sent, and signs when the held roster gives them a key.
    """

    settings: ProjectSettings


REQUEST_MODELS: dict[Command, type[CommandRequest]] = {
    Command.EDIT: EditRequest,
    Command.SEND: CommandRequest,
    Command.RETRIEVE: CommandRequest,
    Command.ACCEPT: AcceptRequest,
    Command.REJECT: RejectRequest,
    Command.RESEND: CommandRequest,
    Command.RETRY: AcceptRequest,
    Command.CANCEL: CommandRequest,
    Command.RESET: ResetRequest,
}


class MalformedCommand(Refusal):
    pass


def parse_request(command: Command, data: Any) -> CommandRequest:
    """Validate a loosely typed payload (a signal from the UI, say) as `command`'s request."""
    model = REQUEST_MODELS[command]
    if not isinstance(data, dict):
        raise MalformedCommand(
            f'{command.value}: the payload must be a JSON object with at least "actor"'
        )
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise MalformedCommand(f"{command.value}: {describe_validation_error(err)}") from None


class ItemFacts(BaseModel):
    """What the decision needs to know about an item right now."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    item: ItemBase
    state: State
    settings: ProjectSettings
    sender: str | None = None
    export_fields: dict[str, str] = Field(default_factory=dict)
    exporting: bool = False
    approval_responses: int = 0
    """Responses the current delegated approval has had (retrieve is possible only before)."""
    leftovers: int = 0
    """Steps of a failed export still in Sage: nothing new is exported until they are undone."""


LEAVES_LEFTOVERS_BEHIND = frozenset({Command.RETRY, Command.REJECT, Command.CANCEL})
"""Commands that would export again, or forget the leftovers, while some are still in Sage."""


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    next_state: State
    edited_item: ItemBase | None = None
    export_fields: dict[str, str] | None = None


def decide(facts: ItemFacts, command: Command, request: CommandRequest) -> Decision:
    """Take the command or raise `Refusal` saying why: permission, state, then the rules."""
    item = facts.item
    authorize(facts.settings, request.actor, command, item.type, sender=facts.sender)
    skip = facts.settings.export_mode(item.type) is DirectExportMode.ENABLED
    target = next_state(facts.state, command, skip_approval=skip)
    if command is Command.CANCEL and facts.exporting:
        raise Refusal(
            "cannot cancel while the export to Sage is under way; "
            "cancel it once it has failed (export_failed), or let it finish"
        )
    if facts.exporting and command in (Command.RETRY, Command.RESET, Command.REJECT):
        raise Refusal(f"cannot {command.value}: a reset of the failed export is under way")
    if facts.leftovers and command in LEAVES_LEFTOVERS_BEHIND:
        raise Refusal(
            f"cannot {command.value}: {facts.leftovers} step(s) of the failed export are still "
            "in Sage and would be written twice or forgotten; an ERP Admin undoes them first "
            f"(starter.py reset {item.workflow_id} --as USER [--to rejected|sent])"
        )
    if isinstance(request, ResetRequest) and request.to == "sent":
        target = State.SENT
    mode = facts.settings.export_mode(item.type)
    delegated = mode is DirectExportMode.ENABLED_WITH_WORKFLOW
    if delegated and facts.state is State.SENT and command in (Command.ACCEPT, Command.REJECT):
        raise Refusal(
            f"{item.workflow_id} is in a delegated approval workflow: its assignees respond "
            "(starter.py respond ITEM --as USER approve|return|reject)"
        )
    if command is Command.RETRIEVE and facts.approval_responses:
        raise Refusal(
            "cannot retrieve: the approval workflow has responses already; "
            "retrieve is possible only before anyone responds"
        )
    if command in (Command.SEND, Command.RESEND):
        _require_prerequisites(item, facts.settings, command)
        if delegated:
            choose_template(facts.settings.approval_templates[item.type], item.amount)
    if isinstance(request, EditRequest):
        return Decision(next_state=target, edited_item=_edited(item, request.item))
    if isinstance(request, AcceptRequest):
        fields = export_fields(item, facts.export_fields, request.fields, facts.settings)
        return Decision(next_state=target, export_fields=fields)
    return Decision(next_state=target)


def decide_settings(held: ProjectSettings, request: SettingsRequest) -> list[str]:
    """Take new project settings or raise `Refusal`: only an ERP Admin of the roster the
    workflow already holds, for the same project, and never settings that would leave the
    project without an ERP Admin. Answers the top-level keys that change."""
    user = held.roster.get(request.actor)
    if user is None:
        raise Refusal(f"settings: '{request.actor}' is not on the roster of project {held.project}")
    if user.erp is not ErpPermission.ADMIN:
        raise Refusal(
            f"settings: {request.actor} cannot change the project settings: needs Admin on "
            "the ERP Integrations tool, on the roster this item already holds"
        )
    new = request.settings
    if new.project != held.project:
        raise Refusal(f"settings of project {new.project} do not apply to project {held.project}")
    if not any(u.erp is ErpPermission.ADMIN for u in new.roster.values()):
        raise Refusal("settings: the new roster has no ERP Admin; nobody could change it again")
    old, fresh = held.model_dump(mode="json"), new.model_dump(mode="json")
    return sorted(key for key, value in fresh.items() if old.get(key) != value)


def _require_prerequisites(item: ItemBase, settings: ProjectSettings, command: Command) -> None:
    try:
        require_export(settings.erp, item.type, settings.project)
    except ErpRefused as err:
        raise Refusal(f"cannot {command.value} {item.workflow_id}: {err}") from None
    broken = kind_of(item).prerequisites(item, settings)
    if broken:
        raise Refusal(f"cannot {command.value} {item.workflow_id}: " + " ".join(broken))


def export_fields(
    item: ItemBase,
    current: dict[str, str],
    given: dict[str, str],
    settings: ProjectSettings | None = None,
) -> dict[str, str]:
    """The approver's fields over the current ones over the defaults (as the project's
    settings make them, when given), checked."""
    kind = kind_of(item)
    unknown = sorted(set(given) - set(kind.export_fields))
    if unknown:
        known = ", ".join(kind.export_fields) or "none"
        raise Refusal(
            f"unknown export field {', '.join(repr(u) for u in unknown)} for "
            f"{item.type.value} items (known: {known})"
        )
    defaults = (
        kind.default_fields(item) if settings is None else kind.project_defaults(item, settings)
    )
    fields = {**defaults, **current, **given}
    problems = kind.check_fields(item, fields)
    if problems:
        raise Refusal("; ".join(problems))
    return fields


def _edited(item: ItemBase, data: dict[str, Any]) -> ItemBase:
    try:
        edited = parse_item(data)
    except InvalidItem as err:
        raise Refusal(f"edit: {err}") from None
    if edited.workflow_id != item.workflow_id:
        raise Refusal(
            f"edit: type, project and number identify the item and cannot change "
            f"({edited.workflow_id} is not {item.workflow_id})"
        )
    return edited


def changed_fields(before: ItemBase, after: ItemBase) -> list[str]:
    """Top-level fields that differ, for the audit trail of an edit."""
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
