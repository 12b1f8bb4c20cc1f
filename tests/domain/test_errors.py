"""The Sage error catalogue: complete, consistent, and in step with the mock Sage's contract."""

import re
from pathlib import Path

import pytest

from domain.errors import (
    CATALOGUE,
    RETRYABLE_HTTP_STATUSES,
    Remedy,
    explain,
)

API_MD = Path(__file__).resolve().parents[2] / "sage_mock" / "API.md"

TRANSPORT_AND_QUOTA = {"rate_limited", "server_error", "unavailable", "timeout"}

MOCK_CODES = {
    "unauthorized",
    "not_found",
    "rate_limited",
    "server_error",
    "unavailable",
    "timeout",
    "idempotency_conflict",
    "field_too_long",
    "job_closed",
    "vendor_inactive",
    "category_not_found",
    "no_items",
    "commitment_exists",
}

SEED_TABLE_CODES = {
    "change_order_number_exists",
    "commitment_change_order_exists",
    "contract_item_exists",
    "commitment_archived",
    "change_order_commitment_exists",
    "code_change_not_allowed",
    "commitment_id_exists",
    "invoice_exists",
    "gl_period_closed",
    "no_distributions",
    "over_tolerance",
    "invalid_expense_account",
    "cant_be_blank",
    "job_sync_failed",
    "job_exists",
    "job_id_exists",
}


def _api_md() -> str:
    return API_MD.read_text(encoding="utf-8")


def _codes_in_api_md(text: str) -> set[str]:
    """Codes the wire contract names: JSON bodies and `NNN code` rule lines."""
    in_bodies = re.findall(r'code"\s*:\s*"([a-z][a-z0-9_]*)"', text)
    after_status = re.findall(r"`[1-5]\d\d ([a-z][a-z0-9]*(?:_[a-z0-9]+)*)`", text)
    return set(in_bodies) | set(after_status)


def _messages_in_api_md(text: str) -> list[tuple[str, str]]:
    """(code, message) pairs the wire contract spells out."""
    in_bodies = re.findall(
        r'"code"\s*:\s*"([a-z][a-z0-9_]*)"\s*,\s*"message"\s*:\s*"([^"]+)"', text
    )
    after_status = re.findall(r'`[1-5]\d\d ([a-z][a-z0-9_]*)`\s*"([^"]+)"', text)
    return in_bodies + after_status


def _matches(template: str, actual: str) -> bool:
    """Whether Sage's actual text is the catalogue message with its placeholders filled."""
    pattern = re.escape(template)
    pattern = re.sub(r"\\\[[^\]]*\\\]", r"\\[[^\\]]+\\]", pattern)  # [XX-XXXXX-XX]
    pattern = re.sub(r"X{3,}", r"\\S+", pattern)  # XXX, XXXXXXX
    pattern = re.sub(r"<[a-z ]+>", r".+", pattern)  # <feature>
    pattern = pattern.replace(r"\ N\ characters", r"\ \d+\ characters")  # field limits
    return re.fullmatch(pattern, actual) is not None


def test_every_entry_explains_itself() -> None:
    for code, entry in CATALOGUE.items():
        assert entry.code == code
        assert entry.message.strip(), code
        assert entry.cause.strip(), code
        assert entry.solution.strip(), code
        assert entry.message == entry.message.strip(), code


def test_codes_are_unique_snake_case() -> None:
    codes = [entry.code for entry in CATALOGUE.values()]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", code), code


def test_the_mock_codes_and_the_seed_table_are_all_catalogued() -> None:
    assert set(CATALOGUE) >= MOCK_CODES | SEED_TABLE_CODES


def test_only_transport_and_quota_errors_are_retried() -> None:
    retryable = {code for code, entry in CATALOGUE.items() if entry.retryable}
    assert retryable == TRANSPORT_AND_QUOTA
    for code, entry in CATALOGUE.items():
        assert (entry.remedy is Remedy.RETRY) == entry.retryable, code


def test_duplicates_are_linked_and_business_rules_wait_for_a_person() -> None:
    assert CATALOGUE["commitment_exists"].remedy is Remedy.LINK
    assert CATALOGUE["invoice_exists"].remedy is Remedy.LINK
    assert CATALOGUE["commitment_change_order_exists"].remedy is Remedy.LINK
    assert CATALOGUE["job_closed"].remedy is Remedy.COMPENSATE
    assert CATALOGUE["unauthorized"].remedy is Remedy.WAIT_FOR_PERSON


def test_retryable_http_statuses() -> None:
    assert RETRYABLE_HTTP_STATUSES == (500, 502, 503, 504)


def test_seed_messages_are_kept_word_for_word() -> None:
    assert CATALOGUE["job_closed"].message == "Job has been closed."
    assert CATALOGUE["code_change_not_allowed"].message == "Changing the code is not allowed."
    assert CATALOGUE["invoice_exists"].message == (
        "There are errors in the document's codings. Errors: Document already exists for "
        "specified vendor and code [XX-XXXXXX-XX]."
    )
    assert CATALOGUE["gl_period_closed"].message == (
        "Ap Invoice Api import failed with error message: GL period closed.  Entry not "
        "allowed. (MM\\DD\\YYYY)."
    )


def test_where_this_tool_acts_itself_the_solution_says_so() -> None:
    assert "This tool" in CATALOGUE["gl_period_closed"].solution
    assert "reset" in CATALOGUE["code_change_not_allowed"].solution
    assert "links" in CATALOGUE["commitment_change_order_exists"].solution
    assert "link-existing" in CATALOGUE["commitment_exists"].solution
    assert "Contact ERP Support" in CATALOGUE["commitment_exists"].seed_solution


def test_explain_shows_the_message_sage_actually_sent() -> None:
    actual = "[AddressCity] is too long, maximum length is 15 characters."
    explained = explain("field_too_long", actual)
    assert explained.message == actual
    assert explained.cause == CATALOGUE["field_too_long"].cause
    assert explained.remedy == CATALOGUE["field_too_long"].remedy
    assert CATALOGUE["field_too_long"].message != actual  # the catalogue is untouched


def test_explain_without_a_message_gives_the_catalogue_entry() -> None:
    assert explain("job_closed") == CATALOGUE["job_closed"]
    assert explain("rate_limited", "").message == CATALOGUE["rate_limited"].message


def test_an_unknown_code_needs_a_person() -> None:
    explained = explain("sage_on_fire", "Something odd happened.")
    assert explained.model_dump(include={"code", "retryable", "message", "cause", "remedy"}) == {
        "code": "sage_on_fire",
        "retryable": False,
        "message": "Something odd happened.",
        "cause": "Sage answered with an error this tool does not know.",
        "remedy": Remedy.WAIT_FOR_PERSON,
    }
    assert "starter.py retry ITEM --as USER" in explained.solution
    assert explained.person == "an accounting approver"
    assert explain("sage_on_fire").message  # still something to show


def test_entries_cannot_be_changed_in_place() -> None:
    with pytest.raises(TypeError):
        CATALOGUE["job_closed"] = CATALOGUE["job_exists"]  # type: ignore[index]
    with pytest.raises(ValueError):
        CATALOGUE["job_closed"].message = "changed"  # type: ignore[misc]


ADMIN_ONLY = {"admin_key_required", "admin_off", "invoice_not_posted", "invoice_overpaid"}
"""Codes the mock answers on `/admin/` only, which the orchestrator never calls (it holds no
admin key), so they are no business of its catalogue (the invoice codes: a person paying an
AP invoice, `POST /admin/ap_invoices/.../payments`)."""


def test_every_code_the_mock_answers_with_is_catalogued() -> None:
    codes = _codes_in_api_md(_api_md()) - ADMIN_ONLY
    assert len(codes) >= 10, "API.md no longer names its error codes the way this test reads"
    assert codes <= set(CATALOGUE), sorted(codes - set(CATALOGUE))


def test_the_mock_speaks_the_catalogue_messages() -> None:
    pairs = _messages_in_api_md(_api_md())
    assert len(pairs) >= 8, "API.md no longer spells out messages the way this test reads"
    for code, actual in pairs:
        if code in ADMIN_ONLY or "admin key" in actual:
            continue  # the admin API's answers, never the orchestrator's
        assert code in CATALOGUE, code
        assert _matches(CATALOGUE[code].message, actual), (code, actual)


@pytest.mark.parametrize(
    ("template", "actual", "expected"),
    [
        (
            "A commitment with code [XX-XXXXX-XX] already exists.",
            "A commitment with code [SC-0042] already exists.",
            True,
        ),
        (
            "[Field] is too long, maximum length is N characters.",
            "[Commitment ID] is too long, maximum length is 12 characters.",
            True,
        ),
        ("Job has been closed.", "Job is closed.", False),
    ],
)
def test_placeholder_matching(template: str, actual: str, expected: bool) -> None:
    assert _matches(template, actual) is expected
