"""What a PCCO export writes: contract items, approved estimate changes, approved schedule
value changes; and how each is undone."""

from typing import Any

import httpx
import pytest

NOT_FOUND = {"code": "not_found", "message": "Entity with this ID not found."}
ITEMS = "/v1/contracts/1001/1001-PC/items"
NEW_ITEM = {"item_code": "006", "description": "Added canopy", "cost_code": "05-120"}


def estimate_change(**changes: Any) -> dict[str, Any]:
    body = {
        "job_id": "1001",
        "job_name": "Riverside Medical Center",
        "date": "2026-11-21",
        "chg_mgt_ref_1": "PCCO-007",
        "chg_mgt_ref_2": "HH2",
        "lines": [
            {"cost_code": "05-120", "category": "S", "description": "Canopy", "amount": 18000.0},
            {"cost_code": "03-300", "category": "M", "description": "Pads", "amount": 4500.0},
        ],
    }
    return {**body, **changes}


def schedule_value_change(**changes: Any) -> dict[str, Any]:
    body = {
        "job_id": "1001",
        "contract_id": "1001-PC",
        "date": "2026-11-21",
        "chg_mgt_ref_1": "PCCO-007",
        "chg_mgt_ref_2": "HH2",
        "lines": [
            {"contract_item": "002", "description": "Pads", "amount": 4500.0},
            {"contract_item": "003", "description": "Steel", "amount": 18000.0},
        ],
    }
    return {**body, **changes}


async def test_the_seeded_prime_contract_of_job_1001(client: httpx.AsyncClient):
    contract = (await client.get("/v1/contracts/1001/1001-PC")).json()
    assert [i["item_code"] for i in contract["items"]] == ["001", "002", "003", "004", "005"]
    assert contract["items"][1]["original_amount"] == 2_400_000.0
    listed = (await client.get("/v1/contracts/1001")).json()
    assert [c["contract_id"] for c in listed] == ["1001-PC"]
    assert (await client.get("/v1/contracts/1001/NOPE")).json() == NOT_FOUND
    assert (await client.get("/v1/contracts/4242")).json() == NOT_FOUND


async def test_a_new_contract_item_has_no_original_amount(client):
    answer = await client.post(ITEMS, json={**NEW_ITEM, "original_amount": 0.0})
    assert answer.status_code == 201
    assert answer.json()["contract_item"] == {
        "job_id": "1001",
        "contract_id": "1001-PC",
        **NEW_ITEM,
        "original_amount": 0.0,
        "approved_changes": 0.0,
        "revised_amount": 0.0,
    }


async def test_a_contract_item_code_is_unique_on_its_contract(client):
    first = (await client.post(ITEMS, json=NEW_ITEM)).json()["contract_item"]
    again = await client.post(ITEMS, json=NEW_ITEM)
    assert again.status_code == 409
    assert again.json() == {
        "code": "contract_item_exists",
        "message": "A contract item already exists on this contract with the specified code.",
        "existing": first,
    }
    seeded = await client.post(ITEMS, json={**NEW_ITEM, "item_code": "002"})
    assert seeded.json()["code"] == "contract_item_exists"


async def test_a_deleted_contract_item_frees_its_code(client, admin):
    await client.post(ITEMS, json=NEW_ITEM)
    assert (await client.delete(f"{ITEMS}/006")).json() == {"deleted": True}
    assert (await client.delete(f"{ITEMS}/006")).json() == NOT_FOUND
    assert (await client.post(ITEMS, json=NEW_ITEM)).status_code == 201
    rows = [
        r
        for r in (await admin.get("/admin/records/contract_items")).json()
        if r["item_code"] == "006"
    ]
    assert [(r["created_by"], r["deleted"]) for r in rows] == [("api", True), ("api", False)]


async def test_contract_items_need_an_open_job_and_a_known_contract(client, admin):
    unknown = await client.post("/v1/contracts/1001/NOPE/items", json=NEW_ITEM)
    assert unknown.json() == NOT_FOUND
    await admin.put("/admin/jobs/1001", json={"status": "closed"})
    closed = await client.post(ITEMS, json=NEW_ITEM)
    assert closed.json() == {"code": "job_closed", "message": "Job has been closed."}


async def test_estimate_changes_wait_for_a_person_to_post_them(client, admin):
    answer = await client.post("/v1/estimate_changes", json=estimate_change())
    assert answer.status_code == 201
    created = answer.json()
    assert created["estimate_change"]["change_id"] == "EC-000001"
    assert created["estimate_change"]["lines"] == estimate_change()["lines"]
    assert created["estimate_change"]["chg_mgt_ref_1"] == "PCCO-007"
    assert created["batch"]["kind"] == "estimate_change"
    assert created["batch"]["auto_post"] is False
    batch = created["batch"]["batch_id"]
    posted = (await admin.post(f"/admin/batches/{batch}/post")).json()
    assert posted["posted"] is True


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"job_id": "4242"}, "not_found", "Entity with this ID not found."),
        ({"job_id": "0999"}, "job_closed", "Job has been closed."),
        ({"lines": []}, "cant_be_blank", "Can't be blank."),
        (
            {"lines": [{"cost_code": "05-120", "category": "L", "amount": 1.0}]},
            "category_not_found",
            "No entities could be found of type [Category] with given where clause.",
        ),
    ],
    ids=["unknown-job", "closed-job", "no-lines", "unknown-category"],
)
async def test_estimate_change_rules(client, changes, code, message):
    answer = await client.post("/v1/estimate_changes", json=estimate_change(**changes))
    assert answer.json() == {"code": code, "message": message}


async def test_a_reversed_estimate_change_stops_counting(client, admin):
    await client.post("/v1/estimate_changes", json=estimate_change())
    assert (await client.delete("/v1/estimate_changes/EC-000001")).json() == {"reversed": True}
    assert (await client.delete("/v1/estimate_changes/EC-000001")).json() == NOT_FOUND
    found = (await client.get("/v1/estimate_changes/EC-000001")).json()
    assert found["reversed"] is True
    stats = (await admin.get("/admin/stats")).json()
    assert stats["records"]["estimate_changes"] == 0


async def test_schedule_value_changes_post_automatically_and_revise_the_contract(client):
    answer = await client.post("/v1/schedule_value_changes", json=schedule_value_change())
    assert answer.status_code == 201
    created = answer.json()
    assert created["schedule_value_change"]["change_id"] == "SVC-000001"
    assert created["batch"]["kind"] == "schedule_value_change"
    assert created["batch"]["auto_post"] is True
    contract = (await client.get("/v1/contracts/1001/1001-PC")).json()
    steel = next(i for i in contract["items"] if i["item_code"] == "003")
    assert (steel["approved_changes"], steel["revised_amount"]) == (18000.0, 1_868_000.0)

    await client.delete("/v1/schedule_value_changes/SVC-000001")
    contract = (await client.get("/v1/contracts/1001/1001-PC")).json()
    steel = next(i for i in contract["items"] if i["item_code"] == "003")
    assert steel["approved_changes"] == 0.0


async def test_a_schedule_value_change_on_a_contract_item_not_in_sage_is_refused(client, admin):
    gone = await admin.delete("/admin/contracts/1001/1001-PC/items/002")
    assert gone.json() == {"deleted": True}
    answer = await client.post("/v1/schedule_value_changes", json=schedule_value_change())
    assert answer.status_code == 404
    assert answer.json() == NOT_FOUND
    back = await admin.post(
        "/admin/contracts/1001/1001-PC/items",
        json={"item_code": "002", "description": "Concrete", "original_amount": 2_400_000.0},
    )
    assert back.status_code == 201
    again = await client.post("/v1/schedule_value_changes", json=schedule_value_change())
    assert again.status_code == 201


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"job_id": "4242"}, "not_found"),
        ({"contract_id": "NOPE"}, "not_found"),
        ({"job_id": "0999", "contract_id": "X"}, "job_closed"),
        ({"lines": []}, "cant_be_blank"),
    ],
    ids=["unknown-job", "unknown-contract", "closed-job", "no-lines"],
)
async def test_schedule_value_change_rules(client, changes, code, admin):
    answer = await client.post("/v1/schedule_value_changes", json=schedule_value_change(**changes))
    assert answer.json()["code"] == code
    assert (await admin.get("/admin/records/schedule_value_changes")).json() == []


# --- Quickbill jobs: seeds/004 data mapping footnote 7 of PRIME CONTRACT CHANGE ORDERS,
# "Includes miscellaneous worksheet transactions"; "If the job has a billing method of Use
# Contracts, once the entries are posted in Job Cost, it will also send transactions to the
# Contracts application" (only then) ---


def quickbill_change(**changes: Any) -> dict[str, Any]:
    """Job 2002 bills "Use Quickbill" at the job level: its contract number is the job and its
    one Miscellaneous Worksheet code is JOB."""
    lines = [{"contract_item": "JOB", "description": "Entrance canopy", "amount": 18000.0}]
    body = {"job_id": "2002", "contract_id": "2002", "lines": lines, **changes}
    return schedule_value_change(**body)


async def test_a_pcco_on_a_quickbill_job_changes_its_misc_worksheet(client, admin):
    answer = await client.post("/v1/schedule_value_changes", json=quickbill_change())
    assert answer.status_code == 201, answer.json()
    worksheet = (await client.get("/v1/prime_contracts/2002/2002")).json()["worksheet"]
    assert worksheet == [
        {
            "code": "JOB",
            "description": "Cedar Park Library",
            "amount": 2150000.0,
            "approved_changes": 18000.0,
            "revised_amount": 2168000.0,
        }
    ]
    change_id = answer.json()["schedule_value_change"]["change_id"]
    await client.delete(f"/v1/schedule_value_changes/{change_id}")  # the saga's undo
    worksheet = (await client.get("/v1/prime_contracts/2002/2002")).json()["worksheet"]
    assert worksheet[0]["approved_changes"] == 0.0


@pytest.mark.parametrize(
    "changes",
    [
        {"contract_id": "2002-PC"},  # a Quickbill job has no Contracts-application contract
        {"lines": [{"contract_item": "001", "description": "", "amount": 1.0}]},  # not a code
    ],
    ids=["contract-is-not-the-job", "not-a-worksheet-code"],
)
async def test_a_quickbill_change_names_the_job_and_its_worksheet_codes(client, admin, changes):
    answer = await client.post("/v1/schedule_value_changes", json=quickbill_change(**changes))
    assert (answer.status_code, answer.json()) == (404, NOT_FOUND)
    assert (await admin.get("/admin/records/schedule_value_changes")).json() == []


async def test_a_division_level_quickbill_job_takes_changes_on_its_divisions(client):
    lines = [{"contract_item": "03", "description": "Footings", "amount": 2500.0}]
    body = schedule_value_change(job_id="2003", contract_id="2003", lines=lines)
    assert (await client.post("/v1/schedule_value_changes", json=body)).status_code == 201
    worksheet = (await client.get("/v1/prime_contracts/2003/2003")).json()["worksheet"]
    assert {w["code"]: w["approved_changes"] for w in worksheet} == {"01": 0, "03": 2500, "09": 0}
