"""Misc Worksheet 1 and 2 transactions (Procore: a budget's cost forecast, seeds/004 "Cost
Forecast Data"): kept one row per transaction in a batch a person posts, under Sage's Job Cost
rules, written once per Idempotency-Key."""

import copy
import json
from datetime import date
from typing import Any

import httpx
import pytest

from domain.exports import kind_of
from domain.items import parse_item
from domain.settings import parse_projects
from tests.sage_mock.conftest import PROJECT_ROOT

PATH = "/v1/misc_worksheet_transactions"


def transaction(kind: str, amount: float, description: str, **changes: Any) -> dict[str, Any]:
    return {
        "transaction_type": kind,
        "job_id": "1001",
        "extra_id": None,
        "cost_code": "01-100",
        "category": "L",
        "date": "2027-01-15",
        "amount": amount,
        "description": description,
        **changes,
    }


IMPORT: dict[str, Any] = {
    "job_id": "1001",
    "transactions": [
        transaction("misc_worksheet_1", 188500.0, "Estimated Cost at Complete"),
        transaction("misc_worksheet_2", 160000.0, "Forecast to Complete"),
    ],
}


def body(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(IMPORT), **changes}


async def kept(admin: httpx.AsyncClient) -> list[dict[str, Any]]:
    return (await admin.get("/admin/records/misc_worksheet_transactions")).json()


async def test_an_import_is_kept_as_sent_one_row_per_transaction_in_a_manual_batch(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    answer = await client.post(PATH, json=IMPORT)

    assert answer.status_code == 201, answer.json()
    created = answer.json()
    expected = {**IMPORT, "import_id": "MW-000001", "batch_id": "B-000001"}
    assert created["misc_worksheet"] == expected
    assert created["batch"]["kind"] == "misc_worksheet"
    assert created["batch"]["auto_post"] is False  # a person posts it, like the estimate
    assert (await client.get(f"{PATH}/MW-000001")).json() == expected
    assert (await client.get(f"{PATH}/MW-000002")).status_code == 404
    rows = await kept(admin)
    assert [(r["import_id"], r["transaction_type"]) for r in rows] == [
        ("MW-000001", "misc_worksheet_1"),
        ("MW-000001", "misc_worksheet_2"),
    ]
    second = await client.post(PATH, json=IMPORT)
    assert second.json()["misc_worksheet"]["import_id"] == "MW-000002"
    assert (await admin.get("/admin/stats")).json()["records"]["misc_worksheet_transactions"] == 4


async def test_the_same_idempotency_key_writes_once_even_when_the_answer_is_lost(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    key = {"Idempotency-Key": "budget:P-1001:BUD-1001/g1/create_cost_forecast"}
    await admin.put("/admin/faults", json={"commit_then_fail_rate": 1.0})
    lost = await client.post(PATH, json=IMPORT, headers=key)
    await admin.put("/admin/faults", json={"commit_then_fail_rate": 0.0})
    retried = await client.post(PATH, json=IMPORT, headers=key)

    assert lost.status_code == 500
    assert retried.status_code == 201 and retried.headers["Idempotent-Replayed"] == "true"
    assert len(await kept(admin)) == 2  # one import's two transactions, not four
    other = await client.post(PATH, json=body(transactions=IMPORT["transactions"][:1]), headers=key)
    assert other.status_code == 409


@pytest.mark.parametrize(
    ("changes", "status", "code", "message"),
    [
        ({"job_id": "7777"}, 404, "not_found", "Entity with this ID not found."),
        ({"job_id": "0999"}, 422, "job_closed", "Job has been closed."),
        ({"transactions": []}, 422, "cant_be_blank", "Can't be blank."),
        (
            {"transactions": [transaction("misc_worksheet_1", 1.0, "x", category="E")]},
            422,
            "category_not_found",
            "No entities could be found of type [Category] with given where clause.",
        ),
        (
            {"transactions": [transaction("misc_worksheet_1", 1.0, "x", job_id="1002")]},
            422,
            "invalid_request",
            "[transactions.0.job_id] is not the job of this import.",
        ),
    ],
    ids=["unknown-job", "closed-job", "no-transactions", "category-not-on-code", "other-job"],
)
async def test_sage_rules(
    client: httpx.AsyncClient, admin: httpx.AsyncClient, changes, status, code, message
) -> None:
    answer = await client.post(PATH, json=body(**changes))
    assert answer.status_code == status
    assert answer.json()["code"] == code and answer.json()["message"] == message
    assert await kept(admin) == []


@pytest.mark.parametrize(
    "hostile",
    [
        {"transaction_type": "misc_worksheet_3"},
        {"amount": "lots"},
        {"amount": None},
        {"date": "yesterday"},
        {"cost_code": ""},
        {"surprise": 1},
    ],
    ids=["type", "amount-text", "amount-null", "date", "blank-code", "unknown-field"],
)
async def test_a_careless_transaction_is_refused_and_the_next_valid_import_is_taken(
    client: httpx.AsyncClient, admin: httpx.AsyncClient, hostile: dict[str, Any]
) -> None:
    bad = body(transactions=[transaction("misc_worksheet_1", 1.0, "x") | hostile])
    answer = await client.post(PATH, json=bad)
    assert answer.status_code == 422
    assert answer.json()["code"] in {"invalid_request", "cant_be_blank"}
    assert (await client.post(PATH, json=IMPORT)).status_code == 201
    assert len(await kept(admin)) == 2


async def test_nan_and_infinite_amounts_are_refused(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    for token in ("NaN", "Infinity", "-Infinity", "1e999"):
        text = json.dumps(body()).replace("188500.0", token)
        answer = await client.post(PATH, content=text, headers={"Content-Type": "application/json"})
        assert answer.status_code == 422, (token, answer.json())
    assert await kept(admin) == []


async def test_the_mock_takes_the_planned_forecast_of_the_example_budget(
    client: httpx.AsyncClient,
) -> None:
    """The orchestrator's own plan (domain/cost_forecast.py), sent as it is."""
    examples = PROJECT_ROOT / "examples"
    projects = parse_projects((examples / "projects.json").read_text(encoding="utf-8")).projects
    settings = projects["P-1001"].model_copy(update={"export_forecast_amounts": True})
    data = json.loads((examples / "items" / "budget-BUD-1001.json").read_text(encoding="utf-8"))
    item = parse_item(data)
    step = kind_of(item).plan(item, settings, {}, date(2027, 1, 15)).steps[-1]
    answer = await client.request(step.call.method, step.call.path, json=step.call.body)
    assert answer.status_code == 201, answer.json()
    record = answer.json()[step.record]
    assert record["transactions"] == step.call.body["transactions"]  # type: ignore[index]
    assert record[step.remember["forecast_id"]] == "MW-000001"
    assert record[step.batch or ""] == "B-000001"
