"""The demo `make run` plays: commitments in every state, through the same code as starter.py.

Run again on the same .data folder, it leaves items that already exist as they are.

`python -m devtools.demo post-batch B-000001` is a person posting a batch in Sage by hand:
the mock's admin API, with its admin key ($SAGE_ADMIN_KEY, else `make run`'s
.data/sage-admin.key), which the worker and the CLI never hold.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from temporalio.client import Client

from cli.common import read_item
from cli.main import build_parser
from client.errors import NO_SUCH_ITEM, REFUSED, UserError
from client.items import command, item_status, start_item
from client.projects import find_project, load_projects
from client.signing import key_file, signed
from domain import erp
from domain.approval import Approval, RespondRequest, Response
from domain.commands import AcceptRequest, CommandRequest, RejectRequest
from domain.export_plan import Posting
from domain.items import ItemBase
from domain.lifecycle import State
from domain.status import ItemStatus
from runtime.config import config
from runtime.connection import connect

HERE = Path(__file__).resolve().parent.parent
ITEMS = HERE / "examples" / "items"
SAGE100_ITEMS = HERE / "examples" / "sage100"
LINKS_ITEMS = HERE / "examples" / "links"
"""Issue 16: P-1004's items after its project export, naming what they lean on by Procore
number only (no Sage ID in any file, no sage_job_id in the settings file)."""
SAGE100_PROJECT = "P-3001"
ERP_ADMIN = "acct.admin"

ADMIN, APPROVER = "pm.alex", "acct.ana"
SCRIPT: dict[str, list[tuple[str, CommandRequest | RespondRequest]]] = {
    # posted: sent, accepted, exported, posted by Sage
    "commitment:P-1001:SC-0042": [
        ("send", CommandRequest(actor=ADMIN)),
        ("accept", AcceptRequest(actor=APPROVER)),
    ],
    # rejected: the approver wants the retainage checked
    "commitment:P-1001:SC-0043": [
        ("send", CommandRequest(actor=ADMIN)),
        ("reject", RejectRequest(actor=APPROVER, reason="Retainage should be 5%, not 10%")),
    ],
    # export_failed: the vendor is inactive in Sage
    "commitment:P-1001:SC-0044": [
        ("send", CommandRequest(actor=ADMIN)),
        ("accept", AcceptRequest(actor=APPROVER)),
    ],
    # sent: waiting for an accounting approver
    "commitment:P-1001:PO-0101": [("send", CommandRequest(actor=ADMIN))],
    # draft: SC-0045 is left as it is
    # Direct Export (P-1002): send goes straight to export, then posted
    "commitment:P-1002:SC-2001": [("send", CommandRequest(actor=ADMIN))],
    # delegated approval (P-1003): step 1 approved, waiting at step 2 for accounting
    "commitment:P-1003:SC-3001": [
        ("send", CommandRequest(actor=ADMIN)),
        ("respond", RespondRequest(actor=ADMIN, response=Response.APPROVE, comment="scope ok")),
    ],
    # project setup: the approver gives the new job's Sage Job ID / the vendor's ERP Company ID
    "project:P-1004:1004": [
        ("send", CommandRequest(actor=ADMIN)),
        ("accept", AcceptRequest(actor=APPROVER, fields={"sage_job_id": "1004"})),
    ],
    "sub_job:P-1001:SJ-01": [
        ("send", CommandRequest(actor=ADMIN)),
        ("accept", AcceptRequest(actor=APPROVER)),
    ],
    "company:P-1001:C-5001": [
        ("send", CommandRequest(actor=ADMIN)),
        ("accept", AcceptRequest(actor=APPROVER, fields={"erp_company_id": "V-500"})),
    ],
    # exported, waiting for a person to post the estimate batches in Sage (Job Cost)
    "budget:P-1001:BUD-1001": [
        ("send", CommandRequest(actor=ADMIN)),
        ("accept", AcceptRequest(actor=APPROVER)),
    ],
    "budget_modification:P-1001:BM-001": [
        ("send", CommandRequest(actor=ADMIN)),
        ("accept", AcceptRequest(actor=APPROVER)),
    ],
    # posted: a CCO on SC-0042 (two changes of line 1 summed, a new line added first)
    "commitment_change_order:P-1001:SC-0042-01": [
        ("send", CommandRequest(actor=ADMIN)),
        ("accept", AcceptRequest(actor=APPROVER)),
    ],
    # exported: an ERP Admin accepts the PCCO, assigning its new line's contract item code;
    # its estimate changes wait for a person to post their batch in Sage (Job Cost)
    "prime_contract_change_order:P-1001:PCCO-007": [
        ("send", CommandRequest(actor=ADMIN)),
        ("accept", AcceptRequest(actor="acct.admin", fields={"new_contract_items": "006"})),
    ],
    # exported: an invoice on SC-0042, waiting for a person to post its AP batch in Sage
    "subcontractor_invoice:P-1001:INV-0042-01": [
        ("send", CommandRequest(actor=ADMIN)),
        ("accept", AcceptRequest(actor=APPROVER)),
    ],
}
SCRIPT.update(
    {  # a Sage 100 Contractor® project (P-3001, imported from Sage job 3001): posted ...
        "commitment:P-3001:SC-3101": [
            ("send", CommandRequest(actor=ADMIN)),
            ("accept", AcceptRequest(actor=APPROVER)),
        ],
        "commitment_change_order:P-3001:SC-3101-01": [
            ("send", CommandRequest(actor=ADMIN)),
            ("accept", AcceptRequest(actor=APPROVER)),
        ],
        # ... and exported, waiting for a person to post the batch (the budget's missing cost
        # code 07-000 is added to the job first)
        "budget:P-3001:BUD-3001": [
            ("send", CommandRequest(actor=ADMIN)),
            ("accept", AcceptRequest(actor=APPROVER)),
        ],
        "subcontractor_invoice:P-3001:INV-3101-01": [
            ("send", CommandRequest(actor=ADMIN)),
            ("accept", AcceptRequest(actor=APPROVER)),
        ],
    }
)
# Every export feeds the next (examples/links/): the project P-1004 exported above, then its
# budget, a company exported in the same run, a commitment to it, its CCO and invoice.
SCRIPT.update(
    {
        "company:P-1004:C-6001": [
            ("send", CommandRequest(actor=ADMIN)),
            ("accept", AcceptRequest(actor=APPROVER, fields={"erp_company_id": "V-600"})),
        ],
        "budget:P-1004:BUD-1004": [
            ("send", CommandRequest(actor=ADMIN)),
            ("accept", AcceptRequest(actor=APPROVER)),
        ],
        "commitment:P-1004:SC-4001": [
            ("send", CommandRequest(actor=ADMIN)),
            ("accept", AcceptRequest(actor=APPROVER)),
        ],
        "commitment_change_order:P-1004:SC-4001-01": [
            ("send", CommandRequest(actor=ADMIN)),
            ("accept", AcceptRequest(actor=APPROVER)),
        ],
        "subcontractor_invoice:P-1004:INV-4001-01": [
            ("send", CommandRequest(actor=ADMIN)),
            ("accept", AcceptRequest(actor=APPROVER)),
        ],
    }
)
SCRIPT.update(
    {  # issue 18: an owner invoice on P-1001's prime contract (imported first), exported to
        # Sage AR and waiting for a person to post its batch
        "owner_invoice:P-1001:PA-001": [
            ("send", CommandRequest(actor=ADMIN)),
            ("accept", AcceptRequest(actor=APPROVER)),
        ],
    }
)
SYNCED_FIRST = {
    "budget:P-1004:BUD-1004": ["project:P-1004:1004"],
    "commitment:P-1004:SC-4001": ["project:P-1004:1004", "company:P-1004:C-6001"],
    "commitment_change_order:P-1004:SC-4001-01": ["commitment:P-1004:SC-4001"],
    "subcontractor_invoice:P-1004:INV-4001-01": ["commitment:P-1004:SC-4001"],
}
"""An item that names a record by Procore number is sent once that record is synced (posted:
its export has told the link registry)."""
WAITS_FOR = {
    "commitment_change_order:P-1001:SC-0042-01": "commitment:P-1001:SC-0042",
    "subcontractor_invoice:P-1001:INV-0042-01": "commitment:P-1001:SC-0042",
    "commitment_change_order:P-3001:SC-3101-01": "commitment:P-3001:SC-3101",
    "subcontractor_invoice:P-3001:INV-3101-01": "commitment:P-3001:SC-3101",
}
"""A change order or an invoice exports only once its commitment is in Sage."""


def in_order_of_need(folder: Path) -> list[tuple[Path, ItemBase]]:
    """The folder's items by file name, each after the items it needs synced first."""
    items = [(path, read_item(path)) for path in sorted(folder.glob("*.json"))]

    def depth(workflow_id: str) -> int:
        return max((1 + depth(needed) for needed in SYNCED_FIRST.get(workflow_id, [])), default=0)

    return sorted(items, key=lambda pair: depth(pair[1].workflow_id))


async def play(client: Client, folder: Path = ITEMS) -> None:
    cfg = config()
    projects = load_projects(cfg.erp_projects_file)
    for path, item in in_order_of_need(folder):
        project = find_project(projects, item.project, cfg.erp_projects_file, str(path))
        try:
            erp.require_export(project.erp, item.type, project.project)
        except erp.ErpRefused as err:  # what `starter.py start` says of it, exit code 1
            print(f"  refused at start: {path.name}: {err}")
            continue
        try:
            await start_item(client, cfg, item, project)
        except UserError as err:
            if err.code == REFUSED:
                print(f"  {item.workflow_id} exists already; left as it is")
                continue
            raise
        if item.workflow_id in WAITS_FOR:
            await in_sage(client, WAITS_FOR[item.workflow_id])
        for needed in SYNCED_FIRST.get(item.workflow_id, []):
            await in_sage(client, needed, {State.POSTED})
        for name, request in SCRIPT.get(item.workflow_id, []):
            if isinstance(request, RespondRequest):
                await respond(client, item.workflow_id, request)
            else:
                request = signed(request, item.workflow_id, name, key_file(request.actor))
                await command(client, item.workflow_id, name, request)
        print(f"  started {item.workflow_id}")


async def respond(client: Client, item: str, request: RespondRequest) -> None:
    """Answer the current approval step, once the item has started its approval workflow."""
    for _ in range(100):
        approval_id = (await item_status(client, item)).approval_workflow_id
        if approval_id:
            answer = signed(request, approval_id, "respond", key_file(request.actor))
            try:
                await command(client, approval_id, "respond", answer, Approval)
                return
            except UserError as err:
                # the item names its approval workflow in the task that starts it: for a
                # moment Temporal may not know it yet
                if err.code != NO_SUCH_ITEM:
                    raise
        await asyncio.sleep(0.1)
    raise UserError(f"{item}: its approval workflow did not start", REFUSED)


async def in_sage(
    client: Client,
    workflow_id: str,
    states: frozenset[State] | set[State] = frozenset({State.EXPORTED, State.POSTED}),
    timeout: float = 60,
) -> None:
    """Wait until an item is exported (or posted), so the items that need it can follow."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (await item_status(client, workflow_id)).state not in states:
        if loop.time() > deadline:
            print(f"  {workflow_id} is not in Sage yet; what needs it may fail to export")
            return
        await asyncio.sleep(0.5)


def on_its_way(status: ItemStatus) -> bool:
    """Exporting, or exported and waiting for Sage to post on its own (not for a person)."""
    return status.state is State.ACCEPTED or (
        status.state is State.EXPORTED and status.posting is Posting.AUTOMATIC
    )


async def settle(client: Client, timeout: float = 60) -> None:
    """Wait until no demo item is still on its way through Sage."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        statuses = [await item_status(client, wid) for wid in SCRIPT]
        if not any(on_its_way(status) for status in statuses):
            break
        await asyncio.sleep(1)
    for wid in [*sorted(SCRIPT), "commitment:P-1001:SC-0045"]:
        status = await item_status(client, wid)
        print(f"  {wid:<30} {status.state.value:<14} next: {status.next_action}")


async def starter(*argv: str) -> None:
    """A `starter.py` command as a person types it (its own parser, run in this process). A
    refusal (the demo did it on an earlier run, say) is printed, and the demo goes on."""
    args = build_parser().parse_args(argv)
    try:
        await args.handler(args, config())
    except UserError as err:
        if err.code != REFUSED:
            raise
        print(f"  {err} (left as it is)")


async def import_sage100_job() -> None:
    """Sage 100 Contractor job 3001 becomes project P-3001 (`starter.py jobs import`)."""
    if SAGE100_PROJECT in load_projects(config().erp_projects_file).projects:
        print(f"  {SAGE100_PROJECT} was imported already; left as it is")
        return
    await starter(
        "jobs", "import", "3001", "--company", "S100", "--project", SAGE100_PROJECT,
        "--like", "P-1001", "--as", ERP_ADMIN,
    )  # fmt: skip


async def import_prime_contract() -> None:
    """P-1001's prime contract 1001-PC comes from Sage first: its PCCO leans on the links the
    import writes (`starter.py prime-contract import`)."""
    await starter("prime-contract", "import", "P-1001", "1001-PC", "--as", ERP_ADMIN)


async def sync_job_costs() -> None:
    for project in ("P-1001", SAGE100_PROJECT):
        print(f"  job costs of {project}:")
        await starter("job-costs", project, "--sync", "--as", ERP_ADMIN)


async def refresh_company_data() -> None:
    """Both Sage companies: standard cost codes, and vendors matched to the company directory."""
    for company in ("CRE", "S100"):
        print(f"  Sage company {company}:")
        await starter("standard-cost-codes", "refresh", "--company", company, "--as", ERP_ADMIN)
        await starter("vendors", "refresh", "--company", company, "--as", ERP_ADMIN)


async def import_sub_job() -> None:
    """Someone adds extra NW (North Wing) to job 1001 in Sage; it becomes a sub job of P-1001
    (`starter.py sub-jobs import P-1001 NW`), linked in the project's registry."""
    cfg = config()
    extra = {"job_id": "1001", "extra_id": "NW", "description": "North Wing"}
    extra["cost_codes"] = [{"code": "03-300", "description": "Concrete", "categories": ["L"]}]
    key = cfg.sage_api_key.get_secret_value()
    answer = httpx.post(
        f"{cfg.sage_api_url}/v1/extras",
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "demo-nw"},
        json=extra,
        timeout=10,
    )
    if answer.status_code not in (200, 201, 409):
        raise SystemExit(f"Sage answered {answer.status_code}: {answer.text[:300]}")
    await starter("sub-jobs", "import", "P-1001", "NW", "--as", ERP_ADMIN)


async def accept_cost_code() -> None:
    """08-100 gets default cost types L and S in Sage company CRE; pm.alex sends it for P-1001
    with none of its own, acct.ana accepts it into Sage job 1001 with those defaults."""
    await starter(
        "standard-cost-codes", "default-types", "08-100", "--category", "L", "--category", "S",
        "--as", ERP_ADMIN,
    )  # fmt: skip
    await starter("cost-codes", "send", "P-1001", "08-100", "--as", ADMIN)
    await starter("cost-codes", "accept", "P-1001", "08-100", "--as", APPROVER)


async def sync_direct_costs() -> None:
    """Job 1001's cost transactions become P-1001's direct costs (its settings enable it)."""
    await starter("direct-costs", "sync", "P-1001", "--as", ERP_ADMIN)
    await starter("direct-costs", "unsyncable", "P-1001", "--as", ADMIN)  # Budget tool Admin


async def pay_invoice() -> None:
    """Sage pays P-1004's invoice INV-4001-01 (a person in Sage, through the mock's admin
    door, once its batch is posted); the paid invoice notification comes back into Procore
    (`paid-invoices sync`)."""
    sage, admin = config().sage_api_url, {"Authorization": f"Bearer {admin_key()}"}
    found = httpx.get(f"{sage}/admin/records/ap_invoices", headers=admin, timeout=10)
    found.raise_for_status()
    invoices = [row for row in found.json() if row.get("invoice_id") == "INV-4001-01"]
    if not invoices:
        print("  INV-4001-01 is not in Sage yet: no payment to note")
        return
    invoice = invoices[0]
    post_batch(invoice["batch_id"])  # a person posts the invoice's batch; Sage then pays it
    check = {"check_number": "10234", "date": "2026-12-05", "amount": invoice["original_amount"]}
    path = f"/admin/ap_invoices/{quote(invoice['vendor_id'])}/INV-4001-01/payments"
    paid = httpx.post(f"{sage}{path}", headers=admin, json=check, timeout=10)
    if paid.status_code not in (200, 201, 409, 422):  # 409/422: paid on an earlier run
        raise SystemExit(f"Sage answered {paid.status_code}: {paid.text[:300]}")
    await starter("paid-invoices", "sync", "P-1004", "--as", ERP_ADMIN)
    await starter("paid-invoices", "list", "P-1004", "--as", ERP_ADMIN)


async def create_pay_application() -> None:
    """P-1005's lump-sum prime contract 2001-PC is imported; its first pay application is
    created once the SOV equals Sage's revised total (seeds/000 validation 1)."""
    await starter("prime-contract", "import", "P-1005", "2001-PC", "--as", ERP_ADMIN)
    await starter("pay-app", "create", "P-1005", "2001-PC", "--as", ADMIN)  # and the list


async def run_demo() -> None:
    client = await connect(config())
    print("demo: P-1001's prime contract imported from Sage ...")
    await import_prime_contract()
    print("demo: starting items of Sage 300 CRE® projects ...")
    await play(client)
    print("demo: a Sage 100 Contractor® job becomes a project, then its items ...")
    await import_sage100_job()
    await play(client, SAGE100_ITEMS)
    print("demo: every export feeds the next (P-1004: no Sage ID in any file) ...")
    await play(client, LINKS_ITEMS)
    print("demo: waiting for Sage to post ...")
    await settle(client)
    print("demo: job costs from Sage ...")
    await sync_job_costs()
    print("demo: standard cost codes and vendors from both Sage companies ...")
    await refresh_company_data()
    print("demo: a Sage extra becomes a sub job of P-1001 ...")
    await import_sub_job()
    print("demo: a new cost code of P-1001 sent for acceptance and accepted into Sage ...")
    await accept_cost_code()
    print("demo: job 1001's cost transactions become P-1001's direct costs ...")
    await sync_direct_costs()
    print("demo: Sage pays an invoice; the paid invoice notification comes back ...")
    await pay_invoice()
    print("demo: a lump-sum prime contract and its first pay application (P-1005) ...")
    await create_pay_application()


def admin_key() -> str:
    """The mock's admin key: $SAGE_ADMIN_KEY, else the one `make run` keeps in .data/."""
    key = os.environ.get("SAGE_ADMIN_KEY")
    if key:
        return key
    path = HERE / ".data" / "sage-admin.key"
    try:
        return path.read_text().strip()
    except OSError:
        raise SystemExit(f"no admin key: set SAGE_ADMIN_KEY or run `make run` ({path})") from None


def post_batch(batch_id: str) -> dict[str, Any]:
    """A person posts the batch in Sage."""
    answer = httpx.post(
        f"{config().sage_api_url}/admin/batches/{quote(batch_id, safe='')}/post",
        headers={"Authorization": f"Bearer {admin_key()}"},
        timeout=10,
    )
    if answer.status_code != 200:
        raise SystemExit(f"Sage answered {answer.status_code}: {answer.text[:300]}")
    return answer.json()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.demo", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command")
    post = commands.add_parser("post-batch", help="post a batch in Sage, as a person does")
    post.add_argument("batch_id", metavar="BATCH")
    args = parser.parse_args(argv)
    if args.command == "post-batch":
        batch = post_batch(args.batch_id)
        print(f"{batch['batch_id']} posted at {batch['posted_at']}")
        return 0
    asyncio.run(run_demo())
    return 0


if __name__ == "__main__":
    sys.exit(main())
