"""The link registry in ErpProject on the time-skipping server: an item's notes are taken, a
forged or malformed one is recorded as refused and changes nothing, unlink ends a link, the
registry is what the `links` query answers and what continue-as-new carries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from contract.links import LINK_SIGNAL, LINKS_QUERY, UNLINK_SIGNAL, LinksView
from tests.workflows.test_erp_project import FakeSage, erp_project, new_project

AT = datetime(2026, 12, 1, tzinfo=UTC).isoformat()


def note(item: str, *links: dict[str, Any]) -> dict[str, Any]:
    return {"item": item, "links": [{"at": AT, **link} for link in links]}


async def view(handle) -> LinksView:
    return await handle.query(LINKS_QUERY, result_type=LinksView)


async def settled(handle, count: int) -> LinksView:
    for _ in range(100):
        found = await view(handle)
        if len(found.registry.links) + len(found.registry.ended) >= count:
            return found
        await asyncio.sleep(0.05)
    return await view(handle)


async def test_an_items_links_are_taken_forged_ones_refused_and_unlink_ends_one(
    time_skipping_env,
):
    settings = new_project()
    async with erp_project(time_skipping_env, FakeSage(), settings) as handle:
        item = f"commitment:{settings.project}:SC-1"
        commitment = {"kind": "commitment", "procore": "SC-1", "sage_id": "SC-1"}
        await handle.signal(LINK_SIGNAL, note(item, commitment))
        await handle.signal(LINK_SIGNAL, "not a note")
        await handle.signal(
            LINK_SIGNAL, note("commitment:P-9999:SC-1", {**commitment, "procore": "X"})
        )
        vendor = {"kind": "vendor", "procore": "C-1", "sage_id": "V-1"}
        await handle.signal(LINK_SIGNAL, note(item, vendor))  # a vendor is the company's
        await handle.signal(LINK_SIGNAL, note(item, {**commitment, "sage_id": "OTHER"}))
        found = await settled(handle, 1)
        assert [(ln.procore, ln.sage_id) for ln in found.registry.links] == [("SC-1", "SC-1")]
        record = await handle.query("status")
        outcomes = [line["outcome"] for line in record["audit"] if line["action"] == "link"]
        assert outcomes[0].startswith("linked commitment SC-1")
        assert sum(o.startswith("refused") for o in outcomes) == 4

        unlink = {"item": item, "kind": "commitment", "procore": "SC-1", "actor": "acct.ana"}
        await handle.signal(UNLINK_SIGNAL, {**unlink, "item": "commitment:P-1:OTHER", "at": AT})
        await handle.signal(UNLINK_SIGNAL, {**unlink, "at": AT})
        await handle.signal(UNLINK_SIGNAL, {**unlink, "at": AT})  # repeated: nothing to do
        await handle.signal(UNLINK_SIGNAL, [1, 2])
        found = await settled(handle, 2)
        assert found.registry.links == []
        assert [(e.procore, e.ended_by) for e in found.registry.ended] == [("SC-1", "acct.ana")]
        record = await handle.query("status")
        outcomes = [line["outcome"] for line in record["audit"] if line["action"] == "unlink"]
        assert outcomes[0].startswith("refused: commitment:P-1:OTHER did not make that link")
        assert outcomes[1].startswith("ended commitment SC-1")
        assert outcomes[2].startswith("nothing to do")
        assert outcomes[3].startswith("refused: not an unlink note")
