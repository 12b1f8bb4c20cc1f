"""The link registry in ErpProject on the time-skipping server: a note is taken only when the
workflow it names made those links (asked through the real `links.verify`); a forged,
foreign or malformed note is recorded as refused and changes nothing; unlink ends a link its
item no longer holds; the registry is what the `links` query answers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from contract.links import LINK_SIGNAL, LINKS_QUERY, UNLINK_SIGNAL, LinksMade, LinksView
from tests.workflows.link_makers import made_by
from tests.workflows.test_erp_project import FakeSage, erp_project, new_project

AT = datetime(2026, 12, 1, tzinfo=UTC).isoformat()
COMMITMENT = {"kind": "commitment", "procore": "SC-1", "sage_id": "SC-1", "at": AT}


def note(item: str, *links: dict[str, Any]) -> dict[str, Any]:
    return {"item": item, "links": [{"at": AT, **link} for link in links]}


async def view(handle) -> LinksView:
    return await handle.query(LINKS_QUERY, result_type=LinksView)


async def outcomes(handle, action: str, count: int) -> list[str]:
    """The home's audit outcomes of `action`, once `count` of them are in (notes are asked
    of their maker one at a time, so they land a moment after the signal)."""
    found: list[str] = []
    for _ in range(200):
        record = await handle.query("status")
        found = [line["outcome"] for line in record["audit"] if line["action"] == action]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    return found


async def test_a_note_is_taken_only_when_the_item_it_names_made_those_links(time_skipping_env):
    env, settings = time_skipping_env, new_project()
    async with erp_project(env, FakeSage(), settings) as handle:
        project = settings.project
        item = f"commitment:{project}:SC-1"
        await made_by(env.client, handle, item, project, COMMITMENT)
        stranger = "commitment:P-OTHER:SC-7"
        await made_by(env.client, handle, stranger, "P-OTHER", {**COMMITMENT, "procore": "SC-7"})

        await handle.signal(LINK_SIGNAL, note(item, COMMITMENT))
        await handle.signal(LINK_SIGNAL, "not a note")
        forged = {"kind": "commitment_item", "procore": "SC-1/9", "sage_id": "9"}
        await handle.signal(LINK_SIGNAL, note(item, forged))  # the item never made it
        await handle.signal(LINK_SIGNAL, note(f"commitment:{project}:SC-404", COMMITMENT))
        await handle.signal(LINK_SIGNAL, note(handle.id, COMMITMENT))  # a home makes none
        await handle.signal(LINK_SIGNAL, note(stranger, {**COMMITMENT, "procore": "SC-7"}))
        vendor = {"kind": "vendor", "procore": "C-1", "sage_id": "V-1"}
        await handle.signal(LINK_SIGNAL, note(item, vendor))  # a vendor is the company's
        found = await outcomes(handle, "link", 7)

        found.remove("refused: not a link note")  # at once: there is nothing to ask
        assert found[0].startswith("linked commitment SC-1")  # the others in their order
        assert found[1].startswith(f"refused: 1 link(s) {item} did not make")
        assert found[2] == f"refused: commitment:{project}:SC-404 runs no workflow"
        assert found[3] == f"refused: {handle.id} is a ErpProject, which makes no links"
        assert found[4] == f"refused: of project P-OTHER, not {project}"
        assert found[5] == "refused: 1 link(s) not of this home"
        links = (await view(handle)).registry.links
        assert [(ln.kind.value, ln.procore, ln.sage_id, ln.item) for ln in links] == [
            ("commitment", "SC-1", "SC-1", item)
        ]


async def test_unlink_ends_a_link_only_once_its_item_holds_it_no_more(time_skipping_env):
    env, settings = time_skipping_env, new_project()
    async with erp_project(env, FakeSage(), settings) as handle:
        project = settings.project
        item = f"commitment:{project}:SC-1"
        maker = await made_by(env.client, handle, item, project, COMMITMENT)
        await handle.signal(LINK_SIGNAL, note(item, COMMITMENT))
        await outcomes(handle, "link", 1)

        other = f"commitment:{project}:SC-2"
        await made_by(env.client, handle, other, project)  # a real item that linked nothing
        unlink = {"item": item, "kind": "commitment", "procore": "SC-1", "actor": "acct.ana"}
        await handle.signal(UNLINK_SIGNAL, {**unlink, "at": AT})  # forged: SC-1 still holds it
        await handle.signal(UNLINK_SIGNAL, {**unlink, "item": other, "at": AT})
        await handle.signal(UNLINK_SIGNAL, [1, 2])
        refused = await outcomes(handle, "unlink", 3)
        assert sorted(refused) == sorted(
            [
                f"refused: {item} still holds that link",
                f"refused: {other} did not make that link",
                "refused: not an unlink note",
            ]
        )
        assert [ln.procore for ln in (await view(handle)).registry.links] == ["SC-1"]

        await maker.signal("holds", LinksMade(project=project))  # a person unlinked the item
        await handle.signal(UNLINK_SIGNAL, {**unlink, "at": AT})
        await handle.signal(UNLINK_SIGNAL, {**unlink, "at": AT})  # repeated: nothing to do
        after = await outcomes(handle, "unlink", 5)
        assert after[3].startswith("ended commitment SC-1")
        assert after[4].startswith("nothing to do")
        found = await view(handle)
        assert found.registry.links == []
        assert [(e.procore, e.ended_by) for e in found.registry.ended] == [("SC-1", "acct.ana")]

        # the next valid note still works: the item exported again, under a new Sage ID
        again = {**COMMITMENT, "sage_id": "SC-1B"}
        await maker.signal("holds", LinksMade(project=project, links=[again]))
        await handle.signal(LINK_SIGNAL, note(item, again))
        await outcomes(handle, "link", 2)
        assert [ln.sage_id for ln in (await view(handle)).registry.links] == ["SC-1B"]
