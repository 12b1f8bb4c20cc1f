"""A duplicate that differs (issue 20): the comparison kept, and who may choose what."""

from __future__ import annotations

import pytest

from domain.commands import CommandRequest, ItemFacts
from domain.duplicates import (
    EXPORT_AS,
    LINK_EXISTING,
    ExportAsRequest,
    decide_duplicate,
    differing_duplicate,
)
from domain.lifecycle import State
from domain.refusal import Refusal
from tests.domain.builders import APPROVER, ERP_ADMIN, TOOL_ADMIN, VIEWER, commitment, settings

OURS = {"commitment_id": "SC-0044", "description": "Concrete package", "vendor_id": "V-100"}
SAGES = {"commitment_id": "SC-0044", "description": "Steel package", "vendor_id": "V-200"}


def facts(**changes) -> ItemFacts:
    values = {
        "item": commitment(),
        "state": State.EXPORT_FAILED,
        "settings": settings(),
        "export_fields": {"sage_id": "SC-0044"},
    }
    return ItemFacts(**{**values, **changes})


def duplicate():
    found = differing_duplicate("commitment_exists", "create_commitment", OURS, SAGES)
    assert found is not None
    return found


def test_the_comparison_lists_our_fields_beside_sages() -> None:
    assert duplicate().differences() == [
        ("description", "Concrete package", "Steel package"),
        ("vendor_id", "V-100", "V-200"),
    ]


def test_long_values_are_cut_in_the_comparison() -> None:
    found = differing_duplicate("invoice_exists", "s", {"items": ["x" * 200]}, {"items": []})
    assert found is not None
    ((_, ours, theirs),) = found.differences()
    assert len(ours) <= 80 and ours.endswith("…") and theirs == "[]"


@pytest.mark.parametrize(
    ("code", "existing"),
    [("job_closed", SAGES), ("commitment_exists", None), ("no_such_code", SAGES)],
)
def test_only_an_already_exists_answer_with_sages_record_is_a_duplicate(code, existing) -> None:
    assert differing_duplicate(code, "step", OURS, existing) is None


def test_an_erp_admin_links_the_existing_record() -> None:
    decision = decide_duplicate(
        facts(), duplicate(), LINK_EXISTING, CommandRequest(actor=ERP_ADMIN)
    )
    assert decision.next_state is State.ACCEPTED
    assert decision.export_fields is None


def test_an_erp_admin_exports_under_a_new_sage_id() -> None:
    request = ExportAsRequest(actor=ERP_ADMIN, new_id="SC-0044B")
    decision = decide_duplicate(facts(), duplicate(), EXPORT_AS, request)
    assert decision.next_state is State.ACCEPTED
    assert decision.export_fields == {"sage_id": "SC-0044B"}


@pytest.mark.parametrize("actor", [APPROVER, TOOL_ADMIN, VIEWER, "mallory"])
def test_only_an_erp_admin_of_the_held_roster_chooses(actor: str) -> None:
    with pytest.raises(Refusal):
        decide_duplicate(facts(), duplicate(), LINK_EXISTING, CommandRequest(actor=actor))


@pytest.mark.parametrize(
    ("change", "dup", "words"),
    [
        ({"state": State.SENT}, True, "not export_failed"),
        ({"exporting": True}, True, "under way"),
        ({"leftovers": 2}, True, "still in Sage"),
        ({}, False, "did not fail on a record Sage already holds"),
    ],
)
def test_a_refusal_says_why(change, dup, words) -> None:
    with pytest.raises(Refusal, match=words):
        decide_duplicate(
            facts(**change),
            duplicate() if dup else None,
            LINK_EXISTING,
            CommandRequest(actor=ERP_ADMIN),
        )


def test_the_refused_id_again_is_refused() -> None:
    request = ExportAsRequest(actor=ERP_ADMIN, new_id="SC-0044")
    with pytest.raises(Refusal, match="choose another"):
        decide_duplicate(facts(), duplicate(), EXPORT_AS, request)


@pytest.mark.parametrize("new_id", ["", "../SC-1", "SC 1", "x" * 40, "SC-0044?x"])
def test_a_hostile_new_id_is_refused(new_id: str) -> None:
    with pytest.raises((ValueError, Refusal)):
        request = ExportAsRequest(actor=ERP_ADMIN, new_id=new_id)
        decide_duplicate(facts(), duplicate(), EXPORT_AS, request)
