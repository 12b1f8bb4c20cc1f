"""The item workflow's contract: its name and the names of its messages. Its inputs and outputs
are domain models (domain/status.py `ItemWorkflowInput`, `ItemStatus`; domain/commands.py);
its workflow ID is the item's own (`ItemBase.workflow_id`: `{type}:{project}:{number}`)."""

from __future__ import annotations

WORKFLOW_TYPE = "ErpItem"
STATUS_QUERY = "status"
SETTINGS_COMMAND = "settings"
"""Update and signal of that name: new project settings, from an ERP Admin of the roster."""

COMMANDS = ("send", "retrieve", "accept", "reject", "edit", "resend", "retry", "cancel", "reset")
"""Each is an update (validated, answered at once) and a signal of the same name (the UI)."""

LINK_EXISTING_COMMAND = "link-existing"
EXPORT_AS_COMMAND = "export-as"
"""A duplicate that differs (issue 20): an ERP Admin links Sage's record anyway, or exports
under a new Sage ID. Updates and signals of those names (domain/duplicates.py decides)."""
