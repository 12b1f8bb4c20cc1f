"""Fault injection: the failures a real Sage connector shows, on demand and repeatable.

A seed makes a run of decisions reproducible, so a flaky-looking test is not flaky.
"""

import asyncio
import random
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sage_mock.errors import SCRIPTED_ANSWERS, SageError, scripted

Rate = Annotated[float, Field(ge=0.0, le=1.0)]
ScriptedCode = Literal[tuple(SCRIPTED_ANSWERS)]  # type: ignore[valid-type]


class Refusal(BaseModel):
    """Sage answers `code` (its own words, sage_mock/errors.py) to the next `times` calls whose
    method is `method` and whose path starts with `path`; nothing is written. These are the
    seed's answers no rule of the mock reaches (hh2's memory of deleted codes, a control
    account, a failed job sync): a person in Sage, or Sage's own state, makes them."""

    model_config = ConfigDict(extra="forbid")

    code: ScriptedCode
    method: Literal["GET", "POST", "PUT", "DELETE"] = "POST"
    path: str = Field(pattern=r"^/v1/[A-Za-z0-9_./{}-]*$", max_length=200)
    times: int = Field(default=1, ge=1, le=1000)


class OddAnswer(BaseModel):
    """Sage answers the next `times` successful calls whose method is `method` and whose path
    starts with `path` with `value` in the answer's field `field` (dotted: "commitment.batch_id"),
    after doing the call as usual. Sage's answers are input too: an ID that holds a '/' or '..'
    (a broken connector, a hostile proxy) must never become part of a later URL path."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["GET", "POST", "PUT", "DELETE"] = "POST"
    path: str = Field(pattern=r"^/v1/[A-Za-z0-9_./{}-]*$", max_length=200)
    field: str = Field(pattern=r"^[a-z_]+(\.[a-z_]+){0,3}$", max_length=100)
    value: str = Field(max_length=200)
    """Anything at all: the point is an ID no Sage code looks like."""
    times: int = Field(default=1, ge=1, le=1000)


class FaultSettings(BaseModel):
    """Shares of calls that fail, and how; all zero means a well-behaved Sage."""

    model_config = ConfigDict(extra="forbid")

    error_rate: Rate = 0.0
    error_statuses: list[Literal[500, 503]] = Field(default=[500, 503], min_length=1)
    latency_ms: int = Field(default=0, ge=0, le=60_000)
    latency_paths: list[str] = Field(default=[], max_length=20)
    """Path prefixes the latency applies to (none: every /v1/ call)."""
    commit_then_fail_rate: Rate = 0.0
    drop_rate: Rate = 0.0
    locked_rate: Rate = 0.0
    """Share of deletes (the undo of an export step) refused: someone has the record open."""
    refusals: list[Refusal] = Field(default=[], max_length=100)
    """Sage's answers no rule of the mock reaches, scripted per method and path prefix."""
    odd_answers: list[OddAnswer] = Field(default=[], max_length=100)
    """Successful answers with one field changed (an ID no Sage code looks like)."""
    seed: int | None = None


class FaultInjector:
    """Rolls the dice for each call with the current settings."""

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self.configure(settings or FaultSettings())

    def configure(self, settings: FaultSettings) -> None:
        self.settings = settings
        self._random = random.Random(settings.seed)

    async def delay(self, path: str) -> None:
        prefixes = self.settings.latency_paths
        if self.settings.latency_ms and (not prefixes or path.startswith(tuple(prefixes))):
            await asyncio.sleep(self.settings.latency_ms / 1000)

    def error_before(self) -> int | None:
        """The status to answer instead of doing anything, or None to go on."""
        if self._roll(self.settings.error_rate):
            return self._random.choice(self.settings.error_statuses)
        return None

    def refusal(self, method: str, path: str) -> SageError | None:
        """The scripted answer for this call, if one is due (its count goes down by one)."""
        refusal = self._take("refusals", method, path)
        return None if refusal is None else scripted(refusal.code)

    def odd_answer(self, method: str, path: str) -> OddAnswer | None:
        """The field to change in this call's answer, if one is due (its count goes down)."""
        return self._take("odd_answers", method, path)

    def _take(self, kind: Literal["refusals", "odd_answers"], method: str, path: str) -> Any:
        """The first scripted entry of `kind` this call matches, its count taken down by one
        (gone at zero)."""
        entries = list(getattr(self.settings, kind))
        for index, entry in enumerate(entries):
            if entry.method == method and path.startswith(entry.path):
                if entry.times > 1:
                    entries[index] = entry.model_copy(update={"times": entry.times - 1})
                else:
                    del entries[index]
                self.settings = self.settings.model_copy(update={kind: entries})
                return entry
        return None

    def drop_after_commit(self) -> bool:
        return self._roll(self.settings.drop_rate)

    def fail_after_commit(self) -> bool:
        return self._roll(self.settings.commit_then_fail_rate)

    def record_locked(self) -> bool:
        return self._roll(self.settings.locked_rate)

    def _roll(self, rate: float) -> bool:
        return rate > 0 and self._random.random() < rate
