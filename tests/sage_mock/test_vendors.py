"""AP vendors created from Procore companies: address and phones kept, Sage's limits kept."""

import copy
from typing import Any

import httpx
import pytest

from tests.sage_mock.conftest import subcontract

VENDOR: dict[str, Any] = {
    "vendor_id": "V-500",
    "name": "Northside Glazing LLC",
    "address": "45 Industrial Way",
    "city": "Riverside",
    "state": "CA",
    "zip": "92507",
    "telephone": "951-555-0142",
    "fax": "951-555-0143",
}


def vendor(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(VENDOR), **changes}


async def test_a_new_vendor_is_active_with_its_address_and_phones(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post("/v1/vendors", json=VENDOR)

    assert answer.status_code == 201
    assert answer.json() == {"vendor": {**VENDOR, "status": "active"}}
    assert (await client.get("/v1/vendors/V-500")).json() == {**VENDOR, "status": "active"}
    ids = [v["vendor_id"] for v in (await client.get("/v1/vendors")).json()]
    assert "V-500" in ids


async def test_a_new_vendor_can_take_a_commitment_at_once(client: httpx.AsyncClient) -> None:
    await client.post("/v1/vendors", json=VENDOR)
    answer = await client.post("/v1/commitments", json=subcontract(vendor_id="V-500"))
    assert answer.status_code == 201


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"name": "Northside Glazing and Curtain Wall"},
            "[Name] is too long, maximum length is 30 characters.",
        ),
        (
            {"city": "Rancho Cucamonga"},
            "[AddressCity] is too long, maximum length is 15 characters.",
        ),
        ({"zip": "92507-00001"}, "[AddressZip] is too long, maximum length is 10 characters."),
    ],
    ids=["name-31", "city-16", "zip-11"],
)
async def test_sage_field_limits(client: httpx.AsyncClient, changes, message) -> None:
    answer = await client.post("/v1/vendors", json=vendor(**changes))
    assert answer.status_code == 422
    assert answer.json() == {"code": "field_too_long", "message": message}
    assert (await client.get("/v1/vendors/V-500")).status_code == 404


async def test_a_vendor_id_in_use_is_refused_with_the_vendor_it_names(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post("/v1/vendors", json=vendor(vendor_id="V-100"))

    assert answer.status_code == 409
    body = answer.json()
    assert (body["code"], body["message"]) == (
        "vendor_exists",
        "A vendor with that ID already exists.",
    )
    assert body["existing"]["name"] == "ACME Concrete"
