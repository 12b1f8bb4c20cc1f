"""Sage IDs (issue 14, case 3): validated as Sage codes where they enter, percent-encoded in
every path a planner builds, and every path checked before it goes to Sage."""

from __future__ import annotations

import json
import posixpath
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.commands import export_fields
from domain.company_account import parse_company_account
from domain.export_plan import SageCall, fill
from domain.exports import KINDS, kind_of
from domain.items import InvalidItem, ItemType, parse_item
from domain.refusal import Refusal
from domain.sage_codes import SAGE_CODE_MAX, SAGE_CODE_RULE, is_sage_code, sage_code_problem
from domain.sage_paths import (
    Answer,
    sage_path,
    sage_path_problem,
    sage_search_path,
    segment,
)
from domain.settings import InvalidSettings, parse_projects
from sage_mock.records import master_data
from tests.domain.builders import EXAMPLES, demo_settings

TODAY = date(2027, 1, 15)
ATTACK = "x/../../../../admin/batches/B-000001/post?"
"""The commitment Sage ID of case 3: it posted a batch through the mock's admin API."""

# --- the rule ---

TODAYS_IDS = [
    # examples/ and the mock's seed data
    "1001",
    "1002",
    "0999",
    "2001",
    "3001",
    "1001-PC",
    "2001-ALT",
    "001",
    "002",
    "V-100",
    "V-900",
    "S-20",
    "SC-0042",
    "SC-3101",
    "SC-0042-01",
    "42-CO1",
    "42-ACME",
    "EW-100",
    "SJ-01",
    "INV-0042-01",
    "CRE",
    "S100",
    "B-CCO-01",
    "SC-0000000042",
    # what Sage 300 CRE and Sage 100 Contractor codes also look like
    "24.101",
    "JOB_7",
    "a",
    "9" * SAGE_CODE_MAX,
]


def _seeded_ids() -> list[str]:
    ids = [job["job_id"] for job in master_data.JOBS]
    ids += [vendor_id for vendor_id, _, _ in master_data.VENDORS]
    for contract in master_data.CONTRACTS:
        ids += [contract["job_id"], contract["contract_id"]]
        ids += [code for code, *_ in contract["items"]]
    return ids


_ID_KEYS = {
    "sage_id",
    "sage_vendor_id",
    "sage_contract_id",
    "contract_item",
    "sage_job_id",
    "sage_company",
    "lump_sum_contract_item",
    "sub_job",
    "vendor_id",
}


def _example_ids() -> list[str]:
    """Every Sage ID the example files hold (items, project settings, company account)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in _ID_KEYS and isinstance(inner, str) and inner.strip():
                    found.append(inner)
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    for path in sorted(EXAMPLES.rglob("*.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("code", sorted({*TODAYS_IDS, *_seeded_ids(), *_example_ids()}))
def test_every_sage_id_used_today_is_a_sage_code(code):
    assert sage_code_problem(code) is None


HOSTILE = [
    ATTACK,
    "x/../../admin",
    "../../admin",
    "..",
    ".",
    "a..b",
    "a?b",
    "a#b",
    "a%2Fb",
    "%2e%2e",
    "a\\b",
    "a/b",
    "a\x00",
    "a\nb",
    "a\x1b[31m",
    "x" * 10_000,
    "9" * (SAGE_CODE_MAX + 1),
    "a／b",  # FULLWIDTH SOLIDUS
    "a∕b",  # DIVISION SLASH
    "١٢٣",  # Arabic-Indic digits
    "V-100 ",
    " V-100",
    "V 100",
    "\tV-100",
    "V-100\n",
    "-V100",
    ".V100",
    "_V100",
    "V;100",
    "V:100",
    "V@100",
    "{commitment_id}",
]


@pytest.mark.parametrize("bad", HOSTILE, ids=lambda v: ascii(v)[:30])
def test_hostile_ids_are_refused_saying_what_a_sage_code_may_contain(bad):
    problem = sage_code_problem(bad)
    assert problem is not None
    assert SAGE_CODE_RULE in problem
    assert "use letters, digits, '-', '.' and '_'" in problem
    assert len(problem) < 400  # a 10 KB value is cut short
    assert problem.isprintable()  # control characters escaped


@pytest.mark.parametrize("blank", ["", " ", "\t"])
def test_a_blank_id_is_refused_as_blank(blank):
    assert sage_code_problem(blank).startswith("can't be blank")


def test_only_text_is_a_sage_code():
    assert sage_code_problem(1001) == "a Sage code must be text, not int"


@given(st.text())
def test_a_sage_code_never_holds_what_could_steer_a_path(text):
    if is_sage_code(text):
        assert text == text.strip() and text.isascii() and text.isprintable()
        assert not any(ch in text for ch in "/\\?#% ") and ".." not in text
        assert 1 <= len(text) <= SAGE_CODE_MAX
        assert quote(text, safe="") == text  # nothing to encode


# --- where Sage IDs enter: item files ---


def _item(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / "items" / name).read_text(encoding="utf-8"))


def _with(data: dict[str, Any], where: str, value: Any) -> dict[str, Any]:
    target: Any = data
    *parents, last = where.split(".")
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[last] = value
    return data


ITEM_IDS = [
    ("commitment-SC-0042.json", "contract_company.sage_vendor_id"),
    ("commitment_change_order-SC-0042-01.json", "commitment.sage_id"),
    ("subcontractor_invoice-INV-0042-01.json", "commitment.sage_id"),
    ("subcontractor_invoice-INV-0042-01.json", "contract_company.sage_vendor_id"),
    ("subcontractor_invoice-INV-0042-01.json", "lines.0.sub_job"),
    ("prime_contract_change_order-PCCO-007.json", "prime_contract.sage_contract_id"),
    ("prime_contract_change_order-PCCO-007.json", "sov.0.contract_item"),
    ("company-C-5001.json", "sage_vendor_id"),
]


@pytest.mark.parametrize(("name", "where"), ITEM_IDS)
@pytest.mark.parametrize("bad", [ATTACK, "a?b", "%2e%2e", "a\x00", "x" * 10_000, "a／b", " V-1"])
def test_an_item_file_with_a_hostile_sage_id_is_refused_naming_the_field(name, where, bad):
    with pytest.raises(InvalidItem) as refused:
        parse_item(_with(_item(name), where, bad))
    message = str(refused.value)
    assert message.startswith(f"field '{where}': ")
    assert "use letters, digits" in message
    assert message.isprintable() and len(message) < 500


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("commitment-SC-0042.json", "contract_company.sage_vendor_id"),
        ("commitment_change_order-SC-0042-01.json", "commitment.sage_id"),
    ],
)
def test_a_blank_link_is_not_linked_yet_and_send_refuses_it_in_sages_words(name, where):
    item = parse_item(_with(_item(name), where, " "))
    assert kind_of(item).prerequisites(item, demo_settings())  # "must be synced" rules


# --- export fields given at accept or retry ---

CODE_FIELDS = [
    ("commitment-SC-0042.json", "sage_id"),
    ("commitment_change_order-SC-0042-01.json", "sage_id"),
    ("subcontractor_invoice-INV-0042-01.json", "erp_id"),
    ("project-1004.json", "sage_job_id"),
    ("sub_job-SJ-01.json", "sub_job_id"),
    ("company-C-5001.json", "erp_company_id"),
    ("prime_contract_change_order-PCCO-007.json", "new_contract_items"),
    ("owner_invoice-PA-001.json", "erp_id"),
]


def test_every_export_field_holding_a_sage_code_is_listed_here():
    covered = {(parse_item(_item(name)).type, field) for name, field in CODE_FIELDS}
    others = {"accounting_date", "description"}  # an invoice's date and free text
    fields = {(t, f) for t, kind in KINDS.items() for f in kind.export_fields if f not in others}
    assert fields == covered


def _pcco_with_a_new_line() -> Any:
    item = parse_item(_item("prime_contract_change_order-PCCO-007.json"))
    assert [line.is_new for line in item.sov] == [False, True]
    return item


@pytest.mark.parametrize(("name", "field"), CODE_FIELDS)
@pytest.mark.parametrize("bad", ["../../admin", "a?b", "%2e%2e", "a\x00", "x" * 10_000, "a／b"])
def test_a_hostile_export_field_is_refused_naming_the_field(name, field, bad):
    item = parse_item(_item(name))
    if field == "new_contract_items":
        item = _pcco_with_a_new_line()
    with pytest.raises(Refusal) as refused:
        export_fields(item, {}, {field: bad})
    message = str(refused.value)
    assert f"export field '{field}'" in message
    assert "use letters, digits" in message
    assert message.isprintable() and len(message) < 500


# --- project settings and the company account ---


def _projects_text(**changes: Any) -> str:
    data = json.loads((EXAMPLES / "projects.json").read_text(encoding="utf-8"))
    data["projects"]["P-1001"].update(changes)
    return json.dumps(data)


@pytest.mark.parametrize("field", ["sage_job_id", "sage_company", "lump_sum_contract_item"])
@pytest.mark.parametrize("bad", ["../admin", "1001?", "1001\r\nX-Evil: 1", "", "x" * 10_000])
def test_a_settings_file_with_a_hostile_sage_id_is_refused_naming_the_field(field, bad):
    with pytest.raises(InvalidSettings) as refused:
        parse_projects(_projects_text(**{field: bad}))
    assert str(refused.value).startswith(f"field 'projects.P-1001.{field}': ")
    assert "a Sage code" in str(refused.value)


def test_the_example_settings_and_company_account_still_parse():
    assert parse_projects((EXAMPLES / "projects.json").read_text(encoding="utf-8")).projects
    assert parse_company_account((EXAMPLES / "company.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"sage_companies": {"CRE/../x": "sage300"}}, "sage_companies"),
        (
            {"companies": [{"company_id": "C-1", "name": "A", "vendor_id": "V/../1"}]},
            "companies': 0.vendor_id",
        ),
    ],
)
def test_a_company_account_with_a_hostile_sage_id_is_refused_naming_the_field(change, where):
    data = json.loads((EXAMPLES / "company.json").read_text(encoding="utf-8"))
    data.update(change)
    with pytest.raises(InvalidSettings) as refused:
        parse_company_account(json.dumps(data))
    assert str(refused.value).startswith(f"field '{where}")
    assert "a Sage code" in str(refused.value)


# --- the path helper ---


@given(st.text())
def test_an_encoded_segment_holds_no_separator_and_decodes_to_the_original(text):
    encoded = segment(text)
    assert not any(ch in encoded for ch in "/?#\\")
    assert encoded not in (".", "..")
    assert unquote(encoded) == text
    path = sage_path("/v1/commitments", "1001", text, "items")
    assert path.startswith("/v1/commitments/1001/") and path.endswith("/items")
    assert posixpath.normpath(path).startswith("/v1/commitments/1001")
    assert path.count("/") == 5  # the value stays one segment


@given(st.text())
def test_a_path_built_from_a_sage_code_passes_the_activitys_check(text):
    if is_sage_code(text):
        assert sage_path_problem(sage_path("/v1/jobs", text, "cost_codes")) is None


def test_an_answer_segment_is_a_placeholder_filled_encoded():
    path = sage_path("/v1/commitments", "1001", "SC-0042", "items", Answer("new_item_1"))
    assert path == "/v1/commitments/1001/SC-0042/items/{new_item_1}"
    filled = fill(SageCall(method="DELETE", path=path), {"new_item_1": "../../admin?"})
    assert filled.path == "/v1/commitments/1001/SC-0042/items/..%2F..%2Fadmin%3F"
    assert fill(SageCall(method="DELETE", path=path), {"new_item_1": "3"}).path.endswith("/3")


def test_fill_encodes_answers_in_the_path_only():
    call = SageCall(method="POST", path="/v1/x/{a}", body={"code": "{a}"})
    filled = fill(call, {"a": "b/c"})
    assert filled.path == "/v1/x/b%2Fc"
    assert filled.body == {"code": "b/c"}


def test_a_search_path_encodes_its_values():
    assert sage_search_path("/v1/prime_contracts", contract_id="1001-PC") == (
        "/v1/prime_contracts?contract_id=1001-PC"
    )
    hostile = sage_search_path("/v1/prime_contracts", contract_id="x&y=1#/../admin")
    assert hostile == "/v1/prime_contracts?contract_id=x%26y%3D1%23%2F..%2Fadmin"
    assert sage_path_problem(hostile) is None  # one value, sent as data


def test_the_base_of_a_path_is_an_api_path():
    with pytest.raises(ValueError, match="starts with /v1/"):
        sage_path("/admin/batches", "B-1")


# --- every planner's paths are encoded ---

EVIL = "x/../../admin?#"
ENCODED = quote(EVIL, safe="")


def _linked(model: Any, **changes: Any) -> Any:
    return model.model_copy(update=changes)


@pytest.mark.parametrize(
    "name",
    sorted(path.name for path in (EXAMPLES / "items").glob("*.json")),
)
def test_no_planner_lets_an_id_out_of_its_segment(name):
    item = parse_item(_item(name))
    fields = {k: EVIL for k in kind_of(item).export_fields}
    fields |= {"accounting_date": "2027-01-15", "description": "d"}
    changes: dict[str, Any] = {}
    if item.type is ItemType.COMMITMENT_CHANGE_ORDER:
        changes["commitment"] = _linked(item.commitment, sage_id=EVIL)
        data = _item(name)
        data["sov"].append(
            {"description": "new", "cost_code": "03-300", "category": "M", "amount": "1"}
        )
        item = parse_item(data)
    if item.type is ItemType.SUBCONTRACTOR_INVOICE:
        changes["contract_company"] = _linked(item.contract_company, sage_vendor_id=EVIL)
    if item.type is ItemType.OWNER_INVOICE:
        changes["prime_contract"] = _linked(item.prime_contract, sage_contract_id=EVIL)
    if item.type is ItemType.PRIME_CONTRACT_CHANGE_ORDER:
        changes["prime_contract"] = _linked(item.prime_contract, sage_contract_id=EVIL)
        item = _pcco_with_a_new_line()
        fields["new_contract_items"] = EVIL
    item = item.model_copy(update=changes)
    settings = demo_settings(item.project).model_copy(update={"sage_job_id": EVIL})
    plan = kind_of(item).plan(item, settings, fields, TODAY)
    keys = [f"new_item_{k}" for k in range(1, 9)]
    answers = dict.fromkeys([*keys, "estimate_change_id", "schedule_value_change_id"], EVIL)
    calls = [step.call for step in plan.steps] + [s.undo for s in plan.steps if s.undo]
    for call in calls:
        path = fill(call, answers).path
        assert EVIL not in path and "?" not in path and "#" not in path
        assert ".." not in path.replace(ENCODED, "")
        assert posixpath.normpath(path).startswith("/v1/")
        if ENCODED in path:  # built from data: the activity refuses it, nothing is sent
            assert "encoded '/'" in sage_path_problem(path, call.method)


@pytest.mark.parametrize(
    "name",
    sorted(path.name for path in (EXAMPLES / "items").glob("*.json")),
)
def test_every_planners_paths_with_todays_ids_pass_the_activitys_check(name):
    item = parse_item(_item(name))
    fields = kind_of(item).default_fields(item)
    fields |= {"sage_job_id": "1004", "erp_company_id": "V-501"}
    if item.type is ItemType.PROJECT:
        settings = demo_settings(item.project).model_copy(update={"sage_job_id": None})
    else:
        settings = demo_settings(item.project)
    if item.type is ItemType.PRIME_CONTRACT_CHANGE_ORDER:
        item, fields = _pcco_with_a_new_line(), {"new_contract_items": "006"}
    if item.type is ItemType.OWNER_INVOICE:  # the registry resolves it at send
        prime = item.prime_contract.model_copy(update={"sage_contract_id": "1001-PC"})
        item = item.model_copy(update={"prime_contract": prime})
    plan = kind_of(item).plan(item, settings, fields, TODAY)
    answers = {k: "17" for k in ("new_item_1", "estimate_change_id", "schedule_value_change_id")}
    for step in plan.steps:
        for call in (step.call, step.undo):
            if call is not None:
                assert sage_path_problem(fill(call, answers).path, call.method) is None


# --- the activity's check ---

GOOD_PATHS = [
    "/v1/jobs",
    "/v1/company",
    "/v1/commitments",
    "/v1/commitments/1001/SC-0042",
    "/v1/commitments/1001/SC-0042/items/3",
    "/v1/contracts/1001/1001-PC/items/006",
    "/v1/jobs/1001/links/P-1001",
    "/v1/jobs/1001/links/P%201001",  # a project ID with a space, encoded
    "/v1/batches/B-000001",
    "/v1/prime_contracts?contract_id=1001-PC",
    "/v1/prime_contracts?contract_id=",
]


@pytest.mark.parametrize("path", GOOD_PATHS)
def test_api_paths_pass(path):
    assert sage_path_problem(path) is None


BAD_PATHS = [
    ("/admin/batches/B-000001/post", "not under /v1/"),
    ("/v1/../admin/batches/B-000001/post", "dot segment"),
    ("/v1/commitments/1001/x/../../../../admin/batches/B-000001/post?/items", "query"),
    ("/v1/commitments/1001/x/../../../../admin/batches/B-000001/post", "dot segment"),
    ("/v1/commitments/1001/x%2F..%2F..%2Fadmin", "encoded '/'"),
    ("/v1/commitments/1001/x%2f..%2f..%2fadmin", "encoded '/'"),
    ("/v1/a%5C..%5Cadmin", "encoded '/' or '\\'"),
    ("/v1/a/%2e%2e/admin", "encoded dot segment"),
    ("/v1/a/%2E%2E/admin", "encoded dot segment"),
    ("/v1/a/.%2E/admin", "encoded dot segment"),
    ("/v1/a/%2E/admin", "encoded dot segment"),
    ("/v1/a/./b", "dot segment"),
    ("/v1//admin", "empty or dot segment"),
    ("/v1/", "empty or dot segment"),
    ("/v1", "not under /v1/"),
    ("/V1/jobs", "not under /v1/"),
    ("//evil.example/v1/jobs", "not under /v1/"),
    ("http://evil.example/v1/jobs", "not under /v1/"),
    ("v1/jobs", "not under /v1/"),
    ("/v1/a?b", "query"),
    ("/v1/a?x=1&", "query"),
    ("/v1/a?x=a/../b", "query"),
    ("/v1/a#b", "'#'"),
    ("/v1/a\\..\\admin", "percent-encoded"),
    ("/v1/a b", "percent-encoded"),
    ("/v1/a\x00", "percent-encoded"),
    ("/v1/a%00", "control character"),
    ("/v1/a%0d%0aX-Evil%3A%201", "control character"),
    ("/v1/a%zz", "percent-encoded"),
    ("/v1/a／..／admin", "percent-encoded"),
    ("/v1/a/{new_item_1}", "placeholder"),
    ("/v1/" + "a" * 3000, "characters long"),
    ("", "empty"),
]


@pytest.mark.parametrize(("path", "words"), BAD_PATHS, ids=lambda v: ascii(v)[:40])
def test_paths_that_could_leave_the_api_are_refused(path, words):
    problem = sage_path_problem(path)
    assert problem is not None and words in problem
    assert problem.isprintable()


def test_a_query_is_only_for_a_search():
    assert "only a GET search" in sage_path_problem("/v1/x?contract_id=1", "POST")


def test_every_path_in_the_code_uses_the_helper():
    """No f-string path from data left in the planners, workflows or activities."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for folder in ("domain", "workflows", "activities"):
        for source in sorted((root / folder).rglob("*.py")):
            for n, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
                if 'f"/v1' in line or "f'/v1" in line:
                    offenders.append(f"{source.relative_to(root)}:{n}: {line.strip()}")
    assert offenders == []
