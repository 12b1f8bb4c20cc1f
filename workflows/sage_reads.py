"""What the workflows of the import direction share (ErpProject, ErpCompany, PrimeContractSync):
an audit trail, refusals that reach the caller without failing anything, and the one way their
authority is checked: against the roster the workflow holds, with the signature verified when
that roster gives the user a key (DESIGN.md "Trust").

Their Sage calls go through workflows/sage_gateway.py. Workflow code: deterministic.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from contract.sync import AuditLine
    from domain import erp
    from domain.items import describe_validation_error
    from domain.settings import RosterUser
    from domain.signing import BadSignature, Signature, SigningPolicy, verify

REFUSED = "Refused"
"""ApplicationError type of every refusal: the update fails, the workflow lives on."""

RECOVERABLE = (erp.ErpRefused, LookupError, ValueError)
"""What a refresh may meet: the ERP lacks it, Sage has no such record, Sage refused."""


def record(audit: list[AuditLine], actor: str, action: str, outcome: str) -> None:
    audit.append(AuditLine(at=workflow.now(), actor=actor, action=action, outcome=outcome))


def refusal(audit: list[AuditLine], actor: str, action: str, err: Exception) -> ApplicationError:
    """Record the refusal, and the error that tells the caller why."""
    message = str(err)
    if isinstance(err, ValidationError):
        message = f"Sage answered something unexpected ({err.error_count()} problems)"
    record(audit, actor, action, f"refused: {message}")
    return ApplicationError(message, type=REFUSED, non_retryable=True)


async def run_each(
    audit: list[AuditLine], actor: str, steps: list[tuple[str, Callable[[str], Awaitable[None]]]]
) -> None:
    """What the sync schedule asks for: every step, a refusal recorded rather than raised."""
    for action, step in steps:
        try:
            await step(actor)
        except RECOVERABLE as err:
            refusal(audit, actor, action, err)


def schedule_actor(payload: tuple[Any, ...]) -> str:
    """Who a legacy `sync` signal named (a bare string; "schedule" by default). Only histories
    recorded before `SYNC_ACTOR_PATCH` take it."""
    return payload[0] if payload and isinstance(payload[0], str) and payload[0] else "schedule"


def schedule_outcome(request: Any) -> str:
    """What the audit trail says of a `schedule` update (`every` set, or None: deleted)."""
    if request.every:
        return f"sync schedule set: every {request.every}, in the name of {request.actor}"
    return "sync schedule deleted"


# --- authority: what the workflow holds, never what the caller sends ---

HELD_AUTHORITY_PATCH = "authority-from-held-settings"
"""Requests that carry settings (or the company account) for another purpose no longer change
what the workflow holds; histories recorded before still take their non-authority part."""

SYNC_ACTOR_PATCH = "sync-names-a-checked-actor"
"""A `sync` signal names an actor checked against the held roster; before, a bare string."""

UNKNOWN_ACTOR = "unknown"
"""Who a refused signal is recorded under when it names nobody usable."""


def parse_signal(model: type[BaseModel], payload: tuple[Any, ...], name: str) -> Any:
    """The one JSON object a signal must carry, as `model`; ValueError saying what is wrong."""
    if len(payload) != 1 or not isinstance(payload[0], dict):
        raise ValueError(f'{name}: the payload must be one JSON object with at least "actor"')
    try:
        return model.model_validate(payload[0])
    except ValidationError as err:
        raise ValueError(f"{name}: {describe_validation_error(err)}") from None


def claimed_actor(payload: tuple[Any, ...]) -> str:
    """Who a signal says it comes from, fit for the audit trail even when it is refused."""
    if len(payload) == 1 and isinstance(payload[0], dict):
        actor = payload[0].get("actor")
        if isinstance(actor, str) and 0 < len(actor) <= 100:
            return actor
    return UNKNOWN_ACTOR


def check_signature(
    roster: Mapping[str, RosterUser],
    policy: SigningPolicy,
    actor: str,
    signature: Signature | None,
    command: str,
    arguments: dict[str, Any],
    nonces: Mapping[str, datetime],
) -> None:
    """BadSignature unless the command is signed as the held roster requires: a user with a
    key must sign (whatever the project's `accept_unsigned` says), over this workflow's ID."""
    user = roster.get(actor)
    public_key = user.public_key if user else None
    if public_key is not None and signature is None:
        raise BadSignature(
            f"{command}: {actor} has a registered key, so the command must be signed"
        )
    verify(
        public_key=public_key,
        policy=policy,
        signature=signature,
        item=workflow.info().workflow_id,
        command=command,
        arguments=arguments,
        now=workflow.now(),
        seen_nonces=set(nonces),
    )


def remember_nonce(
    nonces: Mapping[str, datetime], signature: Signature | None, policy: SigningPolicy
) -> dict[str, datetime]:
    """The nonces still worth keeping, with this signature's: older ones fail freshness anyway."""
    if signature is None:
        return dict(nonces)
    horizon = workflow.now() - 2 * policy.tolerance
    kept = {nonce: at for nonce, at in nonces.items() if at >= horizon}
    kept[signature.nonce] = signature.timestamp
    return kept


def refused_error(err: Exception) -> ApplicationError:
    """Any exception met deciding a command, as the refusal the caller sees."""
    if isinstance(err, ApplicationError):
        return err
    message = str(err) or type(err).__name__
    if isinstance(err, ValidationError):
        message = describe_validation_error(err)
    return ApplicationError(message, type=REFUSED, non_retryable=True)


class HeldCommand:
    """One command that changes what a workflow holds (its settings, its company account),
    reachable three ways with one check: the update's validator (a refusal reaches the caller and
    nothing enters the history), the update itself (checked again: the held state may have moved
    since validation), and the UI's "Send Signal" (a refusal recorded in the audit trail, never a
    failed task, whatever the payload)."""

    def __init__(
        self,
        name: str,
        model: type[BaseModel],
        check: Callable[[Any], None],
        take: Callable[[Any], None],
        audit: Callable[[], list[AuditLine]],
        lock: asyncio.Lock,
    ) -> None:
        self._name = name
        self._model = model
        self._check = check
        self._take = take
        self._audit = audit
        self._lock = lock

    def validate(self, request: Any) -> None:
        try:
            self._check(request)
        except Exception as err:
            raise refused_error(err) from None

    async def update(self, request: Any) -> None:
        async with self._lock:
            try:
                self._check(request)
            except Exception as err:
                raise refusal(self._audit(), request.actor, self._name, err) from None
            self._take(request)

    async def signal(self, payload: tuple[Any, ...]) -> None:
        async with self._lock:
            try:
                request = parse_signal(self._model, payload, self._name)
                self._check(request)
            except Exception as err:
                refusal(self._audit(), claimed_actor(payload), self._name, err)
                return
            self._take(request)
