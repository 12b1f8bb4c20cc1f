"""A fake Sage behind the real activity names, for workflow tests on the time-skipping server.

It keeps records in memory, answers duplicates with the existing record, and fails the way the
real activities do (non-retryable ApplicationError with a SageFailure), so the workflow under
test cannot tell the difference. End-to-end tests use the real mock over HTTP instead.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from contract.sage import (
    SAGE_CALL_ACTIVITY,
    WAIT_POSTED_ACTIVITY,
    SageAnswer,
    SageFailure,
    SageRequest,
)


@dataclass
class FakeSage:
    commitments: dict[str, dict[str, Any]] = field(default_factory=dict)
    estimates: list[dict[str, Any]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    fail_with: SageFailure | None = None
    posted: bool = True
    polls: int = 0
    batches: int = 0
    refuse_deletes: SageFailure | None = None
    """Sage refuses undos (a record locked in Sage, say): they become leftovers."""
    hold: asyncio.Event | None = None
    """While set to an unset event, the first call of each key waits for it (in flight)."""
    in_flight: asyncio.Event = field(default_factory=asyncio.Event)
    answers: dict[str, SageAnswer] = field(default_factory=dict)
    """Answers by idempotency key: the same key replays, as the real Sage does."""

    def activities(self) -> list[Any]:
        @activity.defn(name=SAGE_CALL_ACTIVITY)
        async def call(request: SageRequest) -> SageAnswer:
            key = request.idempotency_key
            first = key not in self.keys
            self.keys.append(key)
            if self.hold is not None and first:
                self.in_flight.set()
                await self.hold.wait()
            if key in self.answers:
                return self.answers[key]
            answer = await answer_call(request)
            self.answers[key] = answer
            return answer

        async def answer_call(request: SageRequest) -> SageAnswer:
            call = request.call
            if self.refuse_deletes is not None and call.method == "DELETE":
                failure = self.refuse_deletes
                raise ApplicationError(
                    failure.message, failure.model_dump(), type=failure.code, non_retryable=True
                )
            if self.fail_with is not None and call.method == "POST":
                failure = self.fail_with
                raise ApplicationError(
                    failure.message, failure.model_dump(), type=failure.code, non_retryable=True
                )
            if call.method == "DELETE":
                code = call.path.rsplit("/", 1)[-1]
                self.commitments.pop(code, None)
                return SageAnswer(status=200, body={"deleted": True})
            body = dict(call.body or {})
            if call.path == "/v1/estimates":  # a budget: the job's original estimate
                self.batches += 1
                record = {**body, "estimate_id": "EST-000001", "batch_id": f"B-{self.batches:06d}"}
                self.estimates.append(record)
                return SageAnswer(status=201, body={"estimate": record})
            code = body["commitment_id"]
            if code in self.commitments:
                failure = SageFailure(
                    status=409,
                    code="commitment_exists",
                    message=f"A commitment with code [{code}] already exists.",
                    existing=self.commitments[code],
                )
                raise ApplicationError(
                    failure.message, failure.model_dump(), type=failure.code, non_retryable=True
                )
            self.batches += 1
            record = {**body, "batch_id": f"B-{self.batches:06d}"}
            self.commitments[code] = record
            return SageAnswer(status=201, body={"commitment": record})

        @activity.defn(name=WAIT_POSTED_ACTIVITY)
        async def wait_posted(batch_id: str) -> dict[str, Any]:
            self.polls += 1
            if not self.posted:
                raise ApplicationError("not posted yet", type="NotPostedYet")
            return {"batch_id": batch_id, "posted": True}

        return [call, wait_posted]
