"""A person edits a vendor in Sage (`PUT /admin/vendors/{id}`): what the vendor then shows."""

import httpx

S100 = {"X-Sage-Company": "S100"}


async def test_an_edited_address_and_phone_show_and_the_rest_is_kept(
    client: httpx.AsyncClient,
    admin: httpx.AsyncClient,
) -> None:
    answer = await admin.put(
        "/admin/vendors/V-100", json={"address": "2 Mortar Ave", "telephone": "951-555-0199"}
    )

    assert answer.status_code == 200
    assert (await client.get("/v1/vendors/V-100")).json() == {
        "vendor_id": "V-100",
        "name": "ACME Concrete",
        "status": "active",
        "address": "2 Mortar Ave",
        "city": "Riverside",
        "state": "CA",
        "zip": "92501",
        "telephone": "951-555-0199",
        "fax": "",
    }


async def test_a_renamed_vendor_keeps_its_status_and_a_status_change_keeps_its_name(
    client: httpx.AsyncClient,
    admin: httpx.AsyncClient,
) -> None:
    await admin.put("/admin/vendors/V-200", json={"name": "Bright Electric Co"})
    await admin.put("/admin/vendors/V-200", json={"status": "inactive"})

    vendor = (await client.get("/v1/vendors/V-200")).json()
    assert (vendor["name"], vendor["status"], vendor["city"]) == (
        "Bright Electric Co",
        "inactive",
        "Riverside",
    )


async def test_a_vendor_without_an_address_on_file_gets_one(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    await admin.put("/admin/vendors/V-900", json={"city": "Ontario", "zip": "91761"})
    vendor = (await client.get("/v1/vendors/V-900")).json()
    assert (vendor["address"], vendor["city"], vendor["zip"]) == ("", "Ontario", "91761")


async def test_sages_limits_hold_for_an_edit_and_a_refused_edit_changes_nothing(
    client: httpx.AsyncClient,
    admin: httpx.AsyncClient,
) -> None:
    answer = await admin.put(
        "/admin/vendors/V-100", json={"address": "9 New Rd", "city": "Rancho Cucamonga"}
    )

    assert answer.status_code == 422
    assert answer.json() == {
        "code": "field_too_long",
        "message": "[AddressCity] is too long, maximum length is 15 characters.",
    }
    assert (await client.get("/v1/vendors/V-100")).json()["address"] == "1 Cement Way"


async def test_an_admin_edit_names_the_vendors_company(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    elsewhere = await admin.put("/admin/vendors/S-20", json={"telephone": "510-555-0999"})
    edited = await admin.put(
        "/admin/vendors/S-20", json={"telephone": "510-555-0999"}, headers=S100
    )

    assert elsewhere.status_code == 404
    assert edited.json()["telephone"] == "510-555-0999"
    assert (await client.get("/v1/vendors/S-20", headers=S100)).json()["name"] == "Pacific Plumbing"
