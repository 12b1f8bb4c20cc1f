"""Benchmark 2, history cost: events per lifecycle, per item type, and what waiting adds.

For every type registered in `domain.exports.KINDS` when it runs, the example item
examples/items/<type>-*.json (the first whose project has an accounting approver: Direct
Export disabled) goes its happy path as a user drives it: start, send (pm.alex), accept
(acct.admin, an ERP admin, with the export fields the demo gives it or, for a type the demo
does not know, generated codes for the blank ones), exported; then, when Sage posts by itself,
posted; when a person must post (budgets, invoices, PCCOs), the item is left waiting
`hold` seconds, then its batches are posted through the mock's admin call. Types run in an
order that puts what others need in Sage first (the project's job, the commitment a change
order or an invoice refers to); a type this file does not know runs last.

Besides: a Direct Export commitment (P-1002), a delegated approval (P-1003: item + its
approval child, steps answered by their assignees), and a commitment left in `sent` for the
whole run. Each waiting item's history is counted when the wait starts and when it ends:
waiting (for an approver, an approval step, or Sage's posting) must add no event. Commands
are sent only once the previous one has been taken, so the counts are deterministic.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowUpdateFailedError

from bench import items as bi
from bench.stack import BenchStack
from client.errors import UserError
from client.items import command as run_command
from domain.approval import Approval, RespondRequest, Response
from domain.commands import AcceptRequest
from domain.export_plan import Posting
from domain.exports import KINDS
from domain.items import ItemBase, ItemType, parse_item
from domain.lifecycle import State
from domain.settings import DirectExportMode
from domain.status import ItemStatus

RANK = {
    ItemType.PROJECT: 0,
    ItemType.COMPANY: 0,
    ItemType.SUB_JOB: 1,
    ItemType.COMMITMENT: 1,
    ItemType.BUDGET: 1,
    ItemType.PRIME_CONTRACT_CHANGE_ORDER: 1,
    ItemType.BUDGET_MODIFICATION: 2,
    ItemType.COMMITMENT_CHANGE_ORDER: 2,
    ItemType.SUBCONTRACTOR_INVOICE: 2,
}
"""What must be in Sage first: a change order or an invoice needs its commitment, a budget
modification its budget. Types not named here run after all of these."""
LAST_RANK = max(RANK.values()) + 1
RESPONDERS = ("pm.alex", "acct.ana", "acct.admin")
SETTLED = {State.POSTED, State.EXPORT_FAILED, State.REJECTED, State.CANCELLED}
CATEGORIES = (
    ("wf tasks", "WORKFLOW_TASK_"),
    ("activities", "ACTIVITY_TASK_"),
    ("updates", "WORKFLOW_EXECUTION_UPDATE_"),
    ("signals", "SIGNAL"),
    ("SA upserts", "UPSERT_WORKFLOW_SEARCH_ATTRIBUTES"),
    ("child wf", "CHILD_WORKFLOW"),
    ("timers", "TIMER_"),
)


@dataclass
class Row:
    label: str
    workflow_id: str
    state: str = "?"
    events: Counter[str] = field(default_factory=Counter)
    waits: list[tuple[str, float, int]] = field(default_factory=list)
    """(what was awaited, seconds, events added meanwhile)."""
    note: str = ""

    @property
    def total(self) -> int:
        return sum(self.events.values())


def categorise(event_types: list[int]) -> Counter[str]:
    found: Counter[str] = Counter()
    for value in event_types:
        name = EventType.Name(value).removeprefix("EVENT_TYPE_")
        for label, marker in CATEGORIES:
            if marker in name and not (label == "signals" and "CHILD" in name):
                found[label] += 1
                break
        else:
            found["other"] += 1
    return found


async def history_types(client: Client, workflow_id: str) -> list[int]:
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    return [event.event_type for event in history.events]


async def length(client: Client, workflow_id: str) -> int:
    return len(await history_types(client, workflow_id))


async def wait_state(
    client: Client, workflow_id: str, states: set[State], timeout: float = 120
) -> ItemStatus:
    deadline = time.monotonic() + timeout
    while True:
        status = await bi.status(client, workflow_id)
        if status.state in states or time.monotonic() > deadline:
            return status
        await asyncio.sleep(0.25)


PREFERRED = {ItemType.COMMITMENT: "commitment-SC-0042.json"}
"""The commitment the example change order and invoice refer to."""


def pick_example(kind: ItemType, projects: Any) -> ItemBase | None:
    found = sorted(bi.EXAMPLES.glob(f"{kind.value}-*.json"))
    if kind in PREFERRED:
        found.sort(key=lambda path: path.name != PREFERRED[kind])
    parsed = [parse_item(json.loads(path.read_text(encoding="utf-8"))) for path in found]
    for item in parsed:
        project = projects.projects.get(item.project)
        if project and project.export_mode(item.type) is DirectExportMode.DISABLED:
            return item
    return parsed[0] if parsed else None


def accept_fields(item: ItemBase) -> dict[str, str]:
    """The export fields the demo gives this example; else blank required ones generated."""
    try:
        from devtools.demo import SCRIPT

        for command, request in SCRIPT.get(item.workflow_id, []):
            if command == "accept" and isinstance(request, AcceptRequest):
                return dict(request.fields)
    except Exception:  # the demo is being edited: fall back to generated fields
        pass
    kind = KINDS[item.type]
    fields = kind.default_fields(item)
    if kind.check_fields(item, fields):
        for n, name in enumerate(kind.export_fields, start=1):
            if not fields.get(name):
                fields[name] = f"H{n}{item.number[-6:]}".replace("-", "")
    return fields


async def happy_path(
    stack: BenchStack, client: Client, item: ItemBase, hold: float, label: str
) -> Row:
    wid = item.workflow_id
    row = Row(label, wid)
    cfg = stack.settings()
    await bi.start_all(client, cfg, [item])
    await bi.settled(client, [item])
    try:
        status = await bi.send(client, wid)
        if status.state is State.SENT:
            request = AcceptRequest(actor=bi.APPROVER, fields=accept_fields(item))
            await run_command(client, wid, "accept", request)
    except UserError as err:
        row.note = f"refused: {err}"
        row.state = (await bi.status(client, wid)).state.value
        row.events = categorise(await history_types(client, wid))
        return row
    status = await wait_state(client, wid, {State.EXPORTED, *SETTLED})
    if status.state is State.EXPORTED and status.posting is Posting.MANUAL:
        row.waits.append(await held(client, wid, "a person posts in Sage", hold))
        for batch in status.batches:
            await stack.admin("POST", f"/admin/batches/{batch}/post")
    status = await wait_state(client, wid, SETTLED)
    row.state = status.state.value
    if status.last_error:
        row.note = f"{status.last_error.code}: {status.last_error.message}"
    row.events = categorise(await history_types(client, wid))
    return row


async def held(client: Client, workflow_id: str, what: str, hold: float) -> tuple[str, float, int]:
    before = await length(client, workflow_id)
    await asyncio.sleep(hold)
    return what, hold, await length(client, workflow_id) - before


async def respond_all(client: Client, item_id: str) -> int:
    """Answer each step of the item's approval as one of its assignees; returns responses."""
    responses = 0
    while True:
        status = await bi.status(client, item_id)
        if status.state is not State.SENT or not status.approval_workflow_id:
            return responses
        for actor in RESPONDERS:
            request = RespondRequest(actor=actor, response=Response.APPROVE)
            try:
                await client.get_workflow_handle(status.approval_workflow_id).execute_update(
                    "respond", request, result_type=Approval
                )
            except WorkflowUpdateFailedError:
                continue  # not an assignee of this step: refused, leaves no trace
            responses += 1
            break
        else:
            raise RuntimeError(f"{item_id}: nobody in {RESPONDERS} may answer its approval")
        await asyncio.sleep(0.2)  # the item takes the child's note before the next step


@dataclass
class HistoryCost:
    rows: list[Row]
    delegated: Row
    child: Row
    parked: Row
    hold: float

    def print(self) -> None:
        print("\n2. History cost: events per lifecycle, happy path (deterministic)")
        labels = [label for label, _ in CATEGORIES] + ["other"]
        header = f"   {'item':<44}{'end state':<15}{'events':>7}  " + "".join(
            f"{label:>11}" for label in labels
        )
        print(header)
        for row in [*self.rows, self.delegated, self.child, self.parked]:
            print(
                f"   {row.label:<44}{row.state:<15}{row.total:>7}  "
                + "".join(f"{row.events.get(label, 0):>11}" for label in labels)
            )
            if row.note:
                print(f"   {'':<44}note: {row.note}")
        print("   waiting adds (must be 0):")
        grows = False
        for row in [*self.rows, self.delegated, self.child, self.parked]:
            for what, seconds, added in row.waits:
                grows = grows or added != 0
                flag = "" if added == 0 else "   <-- GROWS WITH WAITING TIME"
                print(f"     {row.label:<44}{what} for {seconds:.0f} s: +{added} events{flag}")
        if not grows:
            print("     nothing grows with waiting time")


async def run(stack: BenchStack, hold: float) -> HistoryCost:
    client = await stack.client()
    cfg = stack.settings()
    projects = bi.projects(cfg)
    began = time.monotonic()

    # a commitment left waiting for its approver, and a delegated approval, the whole run
    parked_item = parse_item({**bi.example("commitment-PO-0101.json"), "number": "PO-PARKED"})
    delegated_item = parse_item(bi.example("commitment-SC-3001.json"))
    for item in (parked_item, delegated_item):
        await bi.start_all(client, cfg, [item])
        await bi.settled(client, [item])
        await bi.send(client, item.workflow_id)
    delegated_status = await wait_state(client, delegated_item.workflow_id, {State.SENT})
    child_id = delegated_status.approval_workflow_id or "?"
    await asyncio.sleep(0.5)  # the child has started and reported its first step
    marks = {
        wid: await length(client, wid)
        for wid in (parked_item.workflow_id, delegated_item.workflow_id, child_id)
    }

    # a PCCO leans on the links its prime contract's import writes: P-1001's is imported first
    imported = await asyncio.to_thread(
        stack.starter, "prime-contract", "import", "P-1001", "1001-PC", "--as", bi.APPROVER
    )
    if imported.returncode != 0 and "already imported" not in imported.stderr:
        print(f"prime contract 1001-PC not imported: {imported.stderr.strip()}")

    chosen = [(kind, pick_example(kind, projects)) for kind in KINDS]
    by_rank: dict[int, list[ItemBase]] = {}
    for kind, item in chosen:
        if item is not None:
            by_rank.setdefault(RANK.get(kind, LAST_RANK), []).append(item)
    rows: list[Row] = []
    for rank in sorted(by_rank):
        rows += await asyncio.gather(
            *(
                happy_path(stack, client, item, hold, f"{item.type.value} {item.number}")
                for item in by_rank[rank]
            )
        )
    direct_item = parse_item(bi.example("commitment-SC-2001.json"))
    rows.append(
        await happy_path(stack, client, direct_item, hold, f"commitment {direct_item.number}")
    )
    rows[-1].label += " (Direct Export)"

    waited = time.monotonic() - began
    parked = Row(f"commitment {parked_item.number} (left in sent)", parked_item.workflow_id)
    delegated = Row(
        f"commitment {delegated_item.number} (delegated approval)", delegated_item.workflow_id
    )
    child = Row("  its approval child workflow", child_id)
    for row, what in (
        (parked, "an accounting approver"),
        (delegated, "approval step 1"),
        (child, "approval step 1"),
    ):
        row.waits.append(
            (what, waited, await length(client, row.workflow_id) - marks[row.workflow_id])
        )
    await run_command(
        client, parked.workflow_id, "accept", AcceptRequest(actor=bi.APPROVER, fields={})
    )
    responses = await respond_all(client, delegated.workflow_id)
    delegated.note = f"{responses} approval step(s) answered"
    for row in (parked, delegated):
        status = await wait_state(client, row.workflow_id, SETTLED)
        row.state = status.state.value
        row.events = categorise(await history_types(client, row.workflow_id))
    child.events = categorise(await history_types(client, child_id))
    child.state = "completed"
    return HistoryCost(rows=rows, delegated=delegated, child=child, parked=parked, hold=hold)
