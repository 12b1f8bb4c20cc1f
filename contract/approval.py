"""The delegated approval workflow's contract: a child of the item workflow, one per send."""

from __future__ import annotations

WORKFLOW_TYPE = "ErpApproval"
RESPOND = "respond"
"""Update and signal of that name: an assignee's response."""
PROGRESS_SIGNAL = "approval_progress"
"""What the approval workflow tells its item after each response."""
