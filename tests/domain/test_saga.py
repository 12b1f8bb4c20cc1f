"""The saga's pure helpers: filling calls, reading answers, idempotency keys, linking."""

import pytest

from domain.export_plan import (
    ExportStep,
    SageCall,
    dig,
    fill,
    idempotency_key,
    remembered,
    same_content,
)

WID = "commitment:P-1001:SC-0042"


# --- fill ---


def test_fill_replaces_placeholders_in_path_and_body():
    call = SageCall(
        method="POST",
        path="/v1/contracts/{job}/items/{item}",
        body={"code": "{item}", "nested": {"list": ["{job}", 3, None]}, "plain": 1.5},
    )
    filled = fill(call, {"job": "1001", "item": "CI-7"})
    assert filled.method == "POST"
    assert filled.path == "/v1/contracts/1001/items/CI-7"
    assert filled.body == {"code": "CI-7", "nested": {"list": ["1001", 3, None]}, "plain": 1.5}


def test_fill_leaves_unknown_placeholders_and_other_text_alone():
    call = SageCall(method="PUT", path="/v1/x/{missing}", body={"text": "Phase {2} of {job}"})
    filled = fill(call, {"job": "1001"})
    assert filled.path == "/v1/x/{missing}"
    assert filled.body == {"text": "Phase {2} of 1001"}


def test_fill_keeps_a_call_without_body():
    assert fill(SageCall(method="DELETE", path="/v1/c/{id}"), {"id": "7"}) == SageCall(
        method="DELETE", path="/v1/c/7"
    )


def test_fill_does_not_change_the_plan():
    call = SageCall(method="POST", path="/v1/{id}", body={"a": "{id}"})
    fill(call, {"id": "7"})
    assert call.path == "/v1/{id}" and call.body == {"a": "{id}"}


# --- dig and remembered ---


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("commitment_id", "SC-0042"),
        ("batch.batch_id", "B-000001"),
        ("batch.posted", False),
        ("batch.missing", None),
        ("commitment_id.deeper", None),
        ("nothing", None),
    ],
)
def test_dig_follows_a_dotted_path(path, value):
    record = {"commitment_id": "SC-0042", "batch": {"batch_id": "B-000001", "posted": False}}
    assert dig(record, path) == value


def step(remember: dict[str, str], name: str = "create_item") -> ExportStep:
    return ExportStep(
        name=name,
        summary="Create",
        call=SageCall(method="POST", path="/v1/items"),
        record="item",
        remember=remember,
    )


def test_remembered_keeps_found_values_as_text_and_skips_missing_ones():
    record = {"code": "CI-7", "line": {"number": 3}}
    found = remembered(step({"code": "code", "line": "line.number", "gone": "absent"}), record)
    assert found == {"code": "CI-7", "line": "3"}


@pytest.mark.parametrize("name", ["Create Item", "create/item", ""])
def test_a_step_name_is_part_of_a_key_so_it_is_restricted(name):
    with pytest.raises(ValueError, match="name"):
        step({}, name=name)


# --- idempotency keys ---


def test_the_key_is_the_same_for_every_attempt_of_one_step():
    assert idempotency_key(WID, 1, "create_commitment") == idempotency_key(
        WID, 1, "create_commitment"
    )
    assert idempotency_key(WID, 1, "create_commitment").startswith(WID)


def test_keys_differ_per_generation_step_undo_and_item():
    keys = {
        idempotency_key(WID, 1, "create_commitment"),
        idempotency_key(WID, 2, "create_commitment"),
        idempotency_key(WID, 1, "post_estimate"),
        idempotency_key(WID, 1, "create_commitment", undo=True),
        idempotency_key(WID, 2, "create_commitment", undo=True),
        idempotency_key("commitment:P-1001:SC-0043", 1, "create_commitment"),
    }
    assert len(keys) == 6


# --- same_content ---


SENT = {
    "commitment_id": "SC-0042",
    "retainage_percent": 10.0,
    "units": None,
    "items": [{"item_id": "1", "amount": 82500.0}, {"item_id": "2", "amount": 42500.0}],
}


def test_a_record_holding_everything_we_sent_matches():
    existing = {
        **SENT,
        "retainage_percent": 10,
        "batch_id": "B-000001",
        "items": [
            {"item_id": "1", "amount": 82500, "job_id": "1001"},
            {"item_id": "2", "amount": 42500.004},
        ],
    }
    assert same_content(SENT, existing)


def test_a_missing_key_matches_a_none_we_sent():
    existing = {k: v for k, v in SENT.items() if k != "units"}
    assert same_content(SENT, existing)


@pytest.mark.parametrize(
    "existing",
    [
        {**SENT, "commitment_id": "SC-0043"},
        {**SENT, "retainage_percent": 5.0},
        {**SENT, "items": SENT["items"][:1]},
        {**SENT, "items": [SENT["items"][0], {"item_id": "2", "amount": 42500.01}]},
        {**SENT, "items": {"1": 82500.0}},
        {**SENT, "retainage_percent": "10.0"},
    ],
    ids=["other-id", "other-retainage", "fewer-items", "other-amount", "not-a-list", "text"],
)
def test_a_record_that_differs_does_not_match(existing):
    assert not same_content(SENT, existing)


@pytest.mark.parametrize(("sent", "existing"), [(None, SENT), (SENT, None), (None, None)])
def test_nothing_to_compare_never_matches(sent, existing):
    assert not same_content(sent, existing)
