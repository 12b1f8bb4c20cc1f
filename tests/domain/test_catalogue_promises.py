"""The error catalogue drives what the orchestrator does, and its words promise only that:
a code whose solution says "this tool links an existing ..." is one the saga links, a code the
saga links says so, "not found" is what makes an undo already done, and a transient code is
retried by the activity."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain.errors import (
    _ENTRIES,
    CATALOGUE,
    Remedy,
    StepOutcome,
    UndoOutcome,
    means_absent,
    on_step_failure,
    on_undo_failure,
)

ROOT = Path(__file__).resolve().parents[2]
MOCK_SOURCE = "\n".join(p.read_text() for p in (ROOT / "sage_mock").rglob("*.py"))
PROMISE = re.compile(r"This tool links an (existing|earlier)")


@pytest.mark.parametrize("entry", _ENTRIES, ids=lambda e: e.code)
def test_a_link_is_promised_exactly_where_the_saga_links(entry) -> None:
    promised = bool(PROMISE.search(entry.solution))
    linked = on_step_failure(entry.code, content_matches=True) is StepOutcome.LINK
    assert promised == linked == (entry.remedy is Remedy.LINK), entry.code
    # a record that differs from what was sent is never linked
    assert on_step_failure(entry.code, content_matches=False) is StepOutcome.COMPENSATE


@pytest.mark.parametrize("code", [e.code for e in _ENTRIES if e.remedy is Remedy.LINK])
def test_every_linked_code_is_one_sage_answers_with_the_record_it_holds(code: str) -> None:
    """The mock (Sage's rules) answers it, so some export can meet it and link."""
    assert f'"{code}"' in MOCK_SOURCE


def test_not_found_makes_an_undo_already_done_and_a_lookup_empty() -> None:
    assert on_undo_failure("not_found") is UndoOutcome.DONE
    assert means_absent("not_found") and means_absent("unknown_company")
    assert on_undo_failure("record_locked") is UndoOutcome.LEFT_OVER
    assert on_undo_failure("no_such_code_at_all") is UndoOutcome.LEFT_OVER
    assert not means_absent("job_closed")


def test_transient_codes_are_the_retried_ones() -> None:
    for entry in CATALOGUE.values():
        assert entry.retryable == (entry.remedy is Remedy.RETRY), entry.code
