"""Notices: who an item is waiting on when it starts waiting, and what they are told.

Pure: the item workflow decides from what it holds (roster, approval, escalation list) who is
concerned; the notices activity (activities/notices.py) only delivers. One notice per event,
each event named by a stable ID the workflow derives (workflow ID, run ID, a counter), so a
retried activity, or a worker killed mid-send, never sends a second mail for the same event.
"""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from domain.approval import Approval
from domain.items import ItemType
from domain.permissions import is_accounting_approver
from domain.settings import ProjectSettings

NOTICE_ACTIVITY = "send_notice"
"""The activity's name: the workflow calls it by name, never importing activity code."""
NOTICES_PATCH = "notices"
"""Runs recorded before notices existed replay without them (`workflow.patched`)."""


class NoticeKind(StrEnum):
    SENT = "sent"
    RESENT = "resent"
    APPROVAL_STEP = "approval_step"
    REMINDER = "reminder"
    ESCALATED = "escalated"
    EXPORT_FAILED = "export_failed"


SUBJECTS = {
    NoticeKind.SENT: "Waiting on you: {summary}",
    NoticeKind.RESENT: "Sent again after a rejection: {summary}",
    NoticeKind.APPROVAL_STEP: "Your approval step: {summary}",
    NoticeKind.REMINDER: "Reminder, still waiting on you: {summary}",
    NoticeKind.ESCALATED: "Escalated to you: {summary}",
    NoticeKind.EXPORT_FAILED: "Export to Sage failed: {summary}",
}


class Recipient(BaseModel):
    model_config = ConfigDict(frozen=True)

    user: str
    email: str


class NoticeRequest(BaseModel):
    """What the notices activity is given: one event, the people it concerns."""

    model_config = ConfigDict(frozen=True)

    event_id: str = Field(min_length=1, max_length=400)
    workflow_id: str
    kind: NoticeKind
    summary: str
    detail: str | None = None
    recipients: list[Recipient]


class NoticeResult(BaseModel):
    sent: list[str] = Field(default_factory=list)
    """Users mailed by this attempt or an earlier one (the ledger remembers)."""
    off: bool = False
    """No SMTP server configured: nothing was sent, nothing is recorded."""


def recipients(
    settings: ProjectSettings,
    item_type: ItemType,
    kind: NoticeKind,
    approval: Approval | None = None,
) -> list[Recipient]:
    """The people an item now waits on, with an email in the roster (others cannot be told).

    An approval step waits on its assignees; an escalation on the escalation approvers (or,
    with none named, on whoever it was waiting for); anything else on the project's accounting
    approvers for the item's type.
    """
    if approval is not None and approval.outcome is None:
        waiting = approval.who_must_act()
    else:
        waiting = [
            name
            for name in sorted(settings.roster)
            if is_accounting_approver(settings, name, item_type)
        ]
    if kind is NoticeKind.ESCALATED and settings.escalation_approvers:
        waiting = list(settings.escalation_approvers)
    found = []
    for name in waiting:
        user = settings.roster.get(name)
        if user is not None and user.email:
            found.append(Recipient(user=name, email=user.email))
    return found


def item_link(base_url: str, workflow_id: str) -> str:
    """The item's page in the approvers' web app."""
    return f"{base_url.rstrip('/')}/items/{quote(workflow_id, safe='')}"


def message_id(event_id: str, user: str, domain: str = "erp-export-orchestrator") -> str:
    """A Message-ID made from the event, the same on every attempt (mail clients and servers
    that deduplicate by it see one message)."""
    safe = "".join(c if c.isalnum() or c in "-._" else "." for c in f"{event_id}.{user}")
    return f"<{safe}@{domain}>"


def subject(request: NoticeRequest) -> str:
    return SUBJECTS[request.kind].format(summary=request.summary)


def body(request: NoticeRequest, link: str) -> str:
    lines = [
        subject(request),
        "",
        f"Item: {request.workflow_id}",
    ]
    if request.detail:
        lines.append(f"Detail: {request.detail}")
    lines += ["", f"Open it: {link}", "", "-- the ERP Export Orchestrator"]
    return "\n".join(lines) + "\n"
