"""The one mapping of Temporal failures to what a user is told, with the exit code (DESIGN.md
"The command line": 0 done, 1 refused, 2 bad usage, 3 no such item, 4 unreachable)."""

from __future__ import annotations

from temporalio.client import WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from contract.prime_contract_sync import NO_SUCH_CONTRACT

OK, REFUSED, USAGE, NO_SUCH_ITEM, UNREACHABLE = 0, 1, 2, 3, 4

NOT_FOUND_TYPES = frozenset({NO_SUCH_CONTRACT})
"""Refusals (ApplicationError types) that mean "no such thing" rather than "no"."""


class UserError(Exception):
    """A mistake or refusal a person can act on: one line, and the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0]


def rpc_error(err: RPCError, item: str) -> UserError:
    if err.status == RPCStatusCode.NOT_FOUND:
        return UserError(f"no such item: {item} ({err.message})", NO_SUCH_ITEM)
    if err.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
        return UserError(f"cannot reach Temporal ({err.message})", UNREACHABLE)
    return UserError(f"{item}: Temporal refused the call ({err.message})", REFUSED)


def update_error(
    err: BaseException,
    wf_id: str,
    name: str,
    *,
    label: str | None = None,
    finished: bool = False,
    missing: str | None = None,
    check: str | None = None,
) -> UserError | None:
    """What a failed update (`name` on `wf_id`) tells the user; None: not an update failure.

    `finished`: the workflow exists but has completed. `missing`: what to say when there is
    no such workflow (else: "no such item"). `check`: how to look whether a call Temporal did
    not confirm took effect."""
    label = label or wf_id
    if isinstance(err, WorkflowUpdateRPCTimeoutOrCancelledError):
        return UserError(
            f"{label}: Temporal did not confirm the {name} in time; it may still take effect "
            f"(check: {check or 'again later'})",
            UNREACHABLE,
        )
    if isinstance(err, WorkflowUpdateFailedError):
        cause = err.cause
        if isinstance(cause, ApplicationError):
            code = NO_SUCH_ITEM if cause.type in NOT_FOUND_TYPES else REFUSED
            return UserError(f"{label}: {cause.message}", code)
        return UserError(f"{label}: {first_line(cause)}", REFUSED)
    if isinstance(err, RPCError):
        if err.status == RPCStatusCode.NOT_FOUND:
            if finished:
                message = f"{label}: the item is finished; nothing more can be done"
                return UserError(message, REFUSED)
            if missing:
                return UserError(missing, NO_SUCH_ITEM)
        return rpc_error(err, wf_id)
    return None
