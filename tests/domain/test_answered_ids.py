"""Sage's answers are input too (issue 20, invalid_path): an ID in an answer that a later path
would hold must be a Sage code, or the export stops before any path holds it."""

from __future__ import annotations

import pytest

from domain.export_plan import ExportPlan, ExportStep, Posting, SageCall, answered_id_problem
from domain.sage_paths import Answer, sage_path

ADD_LINE = ExportStep(
    name="create_commitment_item_1",
    summary="Add a line",
    call=SageCall(method="POST", path="/v1/commitments/1001/SC-1/items"),
    undo=SageCall(
        method="DELETE", path=sage_path("/v1/commitments", "1001", "SC-1", "items", Answer("line"))
    ),
    record="commitment_item",
    remember={"line": "item_id", "label": "description"},
    batch="batch_id",
)
PLAN = ExportPlan(steps=[ADD_LINE], posting=Posting.AUTOMATIC)

HOSTILE = ["1001/../jobs", "..", "B%2F1", "B-1\n", "B 1", "", "／admin", "B?x=1", "x" * 41]


def test_sage_codes_in_the_answer_pass() -> None:
    record = {"item_id": "3", "batch_id": "B-000001", "description": "Lobby / lights ../"}
    assert answered_id_problem(PLAN, ADD_LINE, record) is None  # a description is no path
    assert answered_id_problem(PLAN, ADD_LINE, {"item_id": "3"}) is None  # no batch: none read


@pytest.mark.parametrize("value", HOSTILE)
def test_a_batch_id_no_sage_code_looks_like_is_refused(value: str) -> None:
    problem = answered_id_problem(PLAN, ADD_LINE, {"item_id": "3", "batch_id": value})
    assert problem is not None
    assert problem.startswith("Sage's answer to create_commitment_item_1 holds a batch ID")
    assert "nothing was sent with it" in problem
    assert "\n" not in problem  # shown escaped


@pytest.mark.parametrize("value", HOSTILE[:3])
def test_a_remembered_id_a_path_takes_is_refused(value: str) -> None:
    problem = answered_id_problem(PLAN, ADD_LINE, {"item_id": value, "batch_id": "B-1"})
    assert problem is not None and "holds a line " in problem


def test_an_answer_that_is_not_text_is_refused() -> None:
    assert answered_id_problem(PLAN, ADD_LINE, {"item_id": {"x": 1}, "batch_id": "B-1"})
