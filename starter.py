"""The operator and approver command line (DESIGN.md "The command line").

Exit codes: 0 done; 1 refused by the item (wrong state, missing permission, failed rule);
2 bad usage or an invalid file; 3 no such item; 4 Temporal or Sage cannot be reached.
A user's mistake prints one clear line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleSpec,
    ScheduleUpdate,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from cli import company as company_cli
from cli import jobs as jobs_cli
from cli.common import (
    NO_SUCH_ITEM,
    OK,
    REFUSED,
    UNREACHABLE,
    USAGE,
    UserError,
    execute_update,
    first_line,
    load_projects,
    open_client,
    out,
    read_json,
    rpc_error,
    signed,
)
from contract import erp_project as ep
from contract import item as item_contract
from contract import prime_contract_sync as pcw
from contract import search_attributes as sa
from contract.sync import (
    PROJECT_SYNC_WORKFLOW,
    ProjectSyncInput,
    ScheduleRequest,
    running_syncs_query,
)
from domain import erp
from domain import prime_contract as pc
from domain.approval import Approval, RespondRequest, Response
from domain.commands import (
    AcceptRequest,
    CommandRequest,
    EditRequest,
    RejectRequest,
    ResetRequest,
    SettingsRequest,
)
from domain.items import (
    InvalidItem,
    ItemBase,
    ItemType,
    describe_validation_error,
    parse_item,
)
from domain.lifecycle import State
from domain.settings import ProjectSettings, ProjectsFile
from domain.signing import new_key_pair
from domain.status import ItemStatus, ItemWorkflowInput
from domain.text import printable
from runtime import logs
from runtime.codec import CodecError
from runtime.config import Config, config
from runtime.connection import register_search_attributes

SETTLED = frozenset({State.POSTED, State.CANCELLED, State.EXPORT_FAILED, State.REJECTED})
START_CONCURRENCY = 64


# --- files ---


def read_item(path: Path) -> ItemBase:
    try:
        return parse_item(read_json(path))
    except InvalidItem as err:
        raise UserError(f"{path}: {err}", USAGE) from None


def item_files(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix == ".json"))
        elif path.exists():
            files.append(path)
        else:
            raise UserError(f"{path}: no such file or folder", USAGE)
    if not files:
        raise UserError("no item files (*.json) found in " + ", ".join(paths), USAGE)
    return files


def project_of(item: ItemBase, projects: ProjectsFile, source: str) -> ProjectSettings:
    found = projects.projects.get(item.project)
    if found is None:
        known = ", ".join(sorted(projects.projects)) or "none"
        raise UserError(
            f"{source}: field 'project': {item.project!r} is not in the project settings "
            f"file (known: {known})",
            USAGE,
        )
    return found


def parse_fields(pairs: Sequence[str] | None) -> dict[str, str]:
    fields = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UserError(f"--field {pair!r}: expected KEY=VALUE", USAGE)
        fields[key.strip()] = value
    return fields


# --- Temporal ---


async def run_command(
    client: Client, item: str, name: str, request: Any, result_type: type = ItemStatus
) -> Any:
    handle = client.get_workflow_handle(item)
    try:
        return await handle.execute_update(name, request, result_type=result_type)
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise UserError(
            f"{item}: Temporal did not confirm the {name} in time; it may still take effect "
            f"(check: starter.py status {item})",
            UNREACHABLE,
        ) from None
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        message = cause.message if isinstance(cause, ApplicationError) else first_line(cause)
        raise UserError(f"{item}: {message}", REFUSED) from None
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND and await _finished(handle):
            message = f"{item}: the item is finished; nothing more can be done"
            raise UserError(message, REFUSED) from None
        raise rpc_error(err, item) from None


async def _finished(handle: WorkflowHandle[Any, Any]) -> bool:
    try:
        described = await handle.describe()
    except RPCError:
        return False
    return described.status != WorkflowExecutionStatus.RUNNING


async def query_status(client: Client, item: str) -> ItemStatus:
    try:
        return await client.get_workflow_handle(item).query("status", result_type=ItemStatus)
    except RPCError as err:
        raise rpc_error(err, item) from None
    except WorkflowFailureError as err:
        raise UserError(f"{item}: {first_line(err)}", REFUSED) from None


def start_attributes(item: ItemBase, project: ProjectSettings) -> TypedSearchAttributes:
    return sa.typed(
        sa.item_values(
            item_type=item.type.value,
            project=item.project,
            state=State.DRAFT.value,
            export_mode=project.export_mode(item.type).value,
            amount=float(item.amount),
        )
    )


async def start_item(
    client: Client, cfg: Config, item: ItemBase, project: ProjectSettings
) -> WorkflowHandle[Any, Any]:
    try:
        return await client.start_workflow(
            item_contract.WORKFLOW_TYPE,
            ItemWorkflowInput(item=item.model_dump(mode="json"), settings=project),
            id=item.workflow_id,
            task_queue=cfg.temporal_task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=start_attributes(item, project),
            static_summary=item.summary(),
        )
    except WorkflowAlreadyStartedError:
        raise UserError(f"{item.workflow_id}: already started", REFUSED) from None
    except RPCError as err:
        raise rpc_error(err, item.workflow_id) from None


# --- printing ---


def print_status(status: ItemStatus, as_json: bool) -> None:
    if as_json:
        out(status.model_dump_json(indent=2))
        return
    item = parse_item(status.item)
    out(f"{status.workflow_id}  [{status.state.value}]")
    out(f"  {item.summary()}")
    out(f"  export mode: {status.export_mode.value}")
    out(f"  next: {status.next_action}")
    if status.export_fields:
        out("  export fields: " + ", ".join(f"{k}={v}" for k, v in status.export_fields.items()))
    if status.sage_ids:
        out("  sage: " + ", ".join(f"{k}={v}" for k, v in status.sage_ids.items()))
    if status.batches:
        out("  batches: " + ", ".join(status.batches))
    if status.approval and status.approval_workflow_id:
        out(f"  approval: {status.approval.describe()} [{status.approval_workflow_id}]")
    for leftover in status.leftovers:
        out(f"  left in Sage (reset undoes it): {leftover.summary}")
    if status.last_error:
        error = status.last_error
        out(f"  last error [{error.code}]: {error.message}")
        out(f"    cause: {error.cause}")
        out(f"    solution: {error.solution}")
    out("  audit:")
    for entry in status.audit:
        detail = f" — {printable(entry.detail)}" if entry.detail else ""
        comment = f' "{printable(entry.comment)}"' if entry.comment else ""
        out(
            f"    {entry.at:%Y-%m-%d %H:%M:%S} {printable(entry.actor):<14} "
            f"{printable(entry.action):<16} {entry.outcome.value:<8} {entry.state_before.value} "
            f"-> {entry.state_after.value}{detail}{comment}"
        )


def print_outcome(before: ItemStatus | None, status: ItemStatus) -> None:
    moved = f"{before.state.value} -> " if before and before.state != status.state else ""
    out(f"{status.workflow_id}: {moved}{status.state.value}; next: {status.next_action}")


# --- prime contracts and the sync schedule ---


def _prime_project(args: argparse.Namespace, projects_file: Path) -> ProjectSettings:
    projects = load_projects(projects_file)
    found = projects.projects.get(args.project)
    if found is None:
        known = ", ".join(sorted(projects.projects)) or "none"
        message = f"project {args.project!r} is not in {projects_file} (known: {known})"
        raise UserError(message, USAGE)
    return found


async def _prime_update(client: Client, wf_id: str, name: str, arg: Any, result_type: type) -> Any:
    handle = client.get_workflow_handle(wf_id)
    try:
        return await handle.execute_update(name, arg, result_type=result_type)
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        if isinstance(cause, ApplicationError) and cause.type == pcw.NO_SUCH_CONTRACT:
            raise UserError(f"{wf_id}: {cause.message}", NO_SUCH_ITEM) from None
        message = cause.message if isinstance(cause, ApplicationError) else first_line(cause)
        raise UserError(f"{wf_id}: {message}", REFUSED) from None
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        message = f"{wf_id}: Temporal did not confirm the {name} in time"
        raise UserError(message, UNREACHABLE) from None
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise UserError(
                f"no such prime contract: {wf_id} (import it first: starter.py prime-contract "
                "import PROJECT CONTRACT --as USER)",
                NO_SUCH_ITEM,
            ) from None
        raise rpc_error(err, wf_id) from None


def _print_prime(status: pcw.SyncStatus, as_json: bool) -> None:
    if as_json:
        out(status.model_dump_json(indent=2))
        return
    out(f"{status.workflow_id}: {'imported' if status.imported else 'not imported'}")
    prime = status.prime
    if prime is not None:
        h = prime.header
        out(f"  contract #{h.number}  {h.title}  status {h.status}  created {h.date_created}")
        sources = ", ".join(f"{c.contract_id} (job {c.job_id})" for c in prime.imported.values())
        out(f"  SOV controlled by {prime.sov_controlled_by.value}; Sage contracts: {sources}")
        for line in prime.sov:
            out(f"  SOV {line.code:<10} {line.description[:40]:<40} {pc.money(line.amount):>16}")
        out(
            f"  SOV total {pc.money(prime.sov_total)}; Sage original "
            f"{pc.money(prime.sage_original_total)}, revised "
            f"{pc.money(prime.sage_revised_total)}"
        )
    if status.readiness is not None:
        out(f"  {status.readiness.message}")
    for line in status.audit[-5:]:
        out(
            f"  {line.at:%Y-%m-%d %H:%M:%S} {printable(line.actor)}: {printable(line.action)}: "
            f"{printable(line.outcome)}"
        )


async def cmd_prime_contract(args: argparse.Namespace, cfg: Config) -> int:
    """prime-contract import|add|reimport|status|edit-sov|readiness PROJECT CONTRACT"""
    project = _prime_project(args, cfg.erp_projects_file)
    wf_id = pcw.workflow_id(project.project, args.contract)
    if args.action in ("import", "add", "reimport", "edit-sov", "readiness") and not args.actor:
        raise UserError(f"prime-contract {args.action} needs --as USER", USAGE)
    if args.action == "edit-sov":
        if not args.file:
            message = "prime-contract edit-sov needs the SOV file: a JSON list of lines"
            raise UserError(message, USAGE)
        try:
            edit = pc.SovEdit(actor=args.actor, lines=read_json(Path(args.file)))
        except ValidationError as err:
            raise UserError(f"{args.file}: {describe_validation_error(err)}", USAGE) from None
    client = await open_client(cfg)
    if args.action == "import":
        try:
            erp.require(project.erp, erp.Capability.PRIME_CONTRACT_IMPORT, project.project)
            pc.authorize_import(project, args.actor)
        except (pc.ImportRefused, erp.ErpRefused) as err:
            raise UserError(f"{wf_id}: {err}", REFUSED) from None
        try:
            await client.start_workflow(
                pcw.WORKFLOW_TYPE,
                pcw.SyncStart(project=project.project, contract=args.contract, settings=project),
                id=wf_id,
                task_queue=cfg.temporal_task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                search_attributes=TypedSearchAttributes(
                    [
                        SearchAttributePair(sa.ITEM_TYPE, pcw.ITEM_TYPE),
                        SearchAttributePair(sa.PROJECT, project.project),
                    ]
                ),
                static_summary=f"Prime contract {args.contract} of {project.project}",
            )
        except WorkflowAlreadyStartedError:
            raise UserError(
                f"{wf_id}: already imported (prime-contract reimport brings in changes)",
                REFUSED,
            ) from None
        except RPCError as err:
            raise rpc_error(err, wf_id) from None
        request = pcw.ImportRequest(actor=args.actor)
        status = await _prime_update(client, wf_id, "import", request, pcw.SyncStatus)
        _print_prime(status, False)
    elif args.action == "add":
        if not args.into:
            raise UserError("prime-contract add needs --into CONTRACT (the imported one)", USAGE)
        wf_id = pcw.workflow_id(project.project, args.into)
        request = pcw.ImportRequest(actor=args.actor, contract=args.contract)
        status = await _prime_update(client, wf_id, "add_contract", request, pcw.SyncStatus)
        _print_prime(status, False)
    elif args.action == "reimport":
        request = pcw.ImportRequest(actor=args.actor)
        status = await _prime_update(client, wf_id, "reimport", request, pcw.SyncStatus)
        _print_prime(status, False)
    elif args.action == "edit-sov":
        _print_prime(await _prime_update(client, wf_id, "edit_sov", edit, pcw.SyncStatus), False)
    elif args.action == "readiness":
        answer = await _prime_update(client, wf_id, "readiness", args.actor, pc.Readiness)
        if args.json:
            out(answer.model_dump_json(indent=2))
        else:
            out(f"{wf_id}: {answer.message}")
        return OK if answer.ready else REFUSED
    else:
        try:
            handle = client.get_workflow_handle(wf_id)
            status = await handle.query("status", result_type=pcw.SyncStatus)
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                raise UserError(f"no such prime contract: {wf_id}", NO_SUCH_ITEM) from None
            raise rpc_error(err, wf_id) from None
        _print_prime(status, args.json)
    return OK


def parse_every(text: str) -> timedelta:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    number, unit = text[:-1], text[-1:].lower()
    if unit not in units or not number.isdigit() or int(number) <= 0:
        message = f"--every {text!r}: expected a count and a unit, e.g. 90s, 30m, 6h, 1d"
        raise UserError(message, USAGE)
    return timedelta(seconds=int(number) * units[unit])


def schedule_id(project: str) -> str:
    """Named when it refreshed prime contracts only; kept so existing schedules stay found."""
    return f"prime_contract_sync:{project}"


async def _project_syncs(client: Client, project: str) -> list[str]:
    """The running prime contract syncs of the project."""
    try:
        return sorted(
            [
                wf.id
                async for wf in client.list_workflows(
                    running_syncs_query(project, (pcw.WORKFLOW_TYPE,))
                )
            ]
        )
    except RPCError as err:
        raise rpc_error(err, project) from None


async def _authorize_schedule(
    args: argparse.Namespace,
    cfg: Config,
    client: Client,
    project: ProjectSettings,
    every: timedelta | None,
) -> None:
    """The schedule runs in the name of the admin who sets it: each workflow it will ask (the
    project's ErpProject, every prime contract sync) checks that admin against the roster it
    holds, and records them, before the Temporal Schedule changes at all."""
    await jobs_cli.ensure_project(client, cfg, project)
    targets = [ep.workflow_id(project.project), *await _project_syncs(client, project.project)]
    for wf_id in targets:
        request = signed(args, wf_id, "schedule", ScheduleRequest(actor=args.actor, every=every))
        result = ep.ProjectRecord if wf_id == targets[0] else pcw.SyncStatus
        await execute_update(client, wf_id, "schedule", request, result, wf_id)


async def _schedule_actor(client: Client, arg: Any) -> str | None:
    """Whom a schedule's runs act for, as its action's input says (a payload when described)."""
    try:
        if isinstance(arg, Payload):
            [arg] = await client.data_converter.decode([arg], [ProjectSyncInput])
        if isinstance(arg, dict):
            arg = ProjectSyncInput.model_validate(arg)
    except Exception:  # an input this version cannot read names nobody it can show
        return None
    return arg.actor if isinstance(arg, ProjectSyncInput) else None


async def cmd_schedule(args: argparse.Namespace, cfg: Config) -> int:
    """schedule set|show|delete PROJECT: the project's refresh from Sage (its prime contracts,
    and the cost codes and job costs of its ErpProject), run in the name of the ERP Admin who
    set it."""
    project = _prime_project(args, cfg.erp_projects_file)
    if args.action in ("set", "delete") and not args.actor:
        raise UserError(f"schedule {args.action} needs --as USER (an ERP Admin)", USAGE)
    every = None
    if args.action == "set":
        if not args.every:
            raise UserError("schedule set needs --every INTERVAL (e.g. 6h)", USAGE)
        every = parse_every(args.every)
    client = await open_client(cfg)
    sid = schedule_id(args.project)
    handle = client.get_schedule_handle(sid)
    try:
        if args.action == "set":
            assert every is not None
            await _authorize_schedule(args, cfg, client, project, every)
            schedule = Schedule(
                action=ScheduleActionStartWorkflow(
                    PROJECT_SYNC_WORKFLOW,
                    ProjectSyncInput(project=args.project, actor=args.actor),
                    id=f"project_sync:{args.project}",
                    task_queue=cfg.temporal_task_queue,
                ),
                spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
            )
            try:
                await client.create_schedule(sid, schedule)
                out(f"{sid}: created, every {every}, in the name of {args.actor}")
            except ScheduleAlreadyRunningError:
                await handle.update(lambda _: ScheduleUpdate(schedule=schedule))
                out(f"{sid}: changed, every {every}, in the name of {args.actor}")
        elif args.action == "show":
            described = await handle.describe()
            spec = described.schedule.spec
            shown = ", ".join(str(i.every) for i in spec.intervals) or "no interval"
            upcoming = described.info.next_action_times[:1]
            recent = described.info.recent_actions[-1:]
            out(f"{sid}: every {shown}")
            action = described.schedule.action
            if isinstance(action, ScheduleActionStartWorkflow) and action.args:
                actor = await _schedule_actor(client, action.args[0])
                out(f"  runs in the name of {actor or 'nobody (set it again with --as USER)'}")
            if upcoming:
                out(f"  next run {upcoming[0]:%Y-%m-%d %H:%M:%S %Z}")
            if recent:
                out(f"  last run {recent[0].started_at:%Y-%m-%d %H:%M:%S %Z}")
        else:
            await handle.describe()  # NOT_FOUND before anything is recorded
            await _authorize_schedule(args, cfg, client, project, None)
            await handle.delete()
            out(f"{sid}: deleted")
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise UserError(f"no sync schedule for project {args.project}", NO_SUCH_ITEM) from None
        raise rpc_error(err, sid) from None
    return OK


async def cmd_sync(args: argparse.Namespace, cfg: Config) -> int:
    """sync PROJECT --as USER: refresh the project from Sage now: prime contracts (a re-import:
    ERP Admin and Prime Contracts Admin), cost codes and job costs (ERP Admin)."""
    project = _prime_project(args, cfg.erp_projects_file)
    client = await open_client(cfg)
    ids = await _project_syncs(client, args.project)
    for wf_id in ids:
        outcome = await _prime_update(client, wf_id, "sync", args.actor, str)
        out(f"{wf_id}: {outcome}")
    out(f"{len(ids)} prime contract(s) of {args.project} refreshed from Sage")
    if not project.sage_job_id:
        out(f"{args.project} has no Sage job yet: no cost codes or job costs to refresh")
        return OK
    await jobs_cli.ensure_project(client, cfg, project)
    request = ep.ProjectRequest(actor=args.actor)
    await jobs_cli.project_update(client, args.project, "refresh_cost_codes", request)
    record = await jobs_cli.project_update(client, args.project, "sync_job_costs", request)
    job = record.job
    lines = len(record.job_costs.lines) if record.job_costs else 0
    codes = len(job.cost_codes) if job else 0
    out(f"Sage job {project.sage_job_id}: {codes} cost codes, {lines} job cost lines refreshed")
    return OK


# --- signing ---


async def cmd_keys_new(args: argparse.Namespace, cfg: Config) -> int:
    folder = Path(args.dir)
    path = folder / f"{args.user}.key"
    if path.exists():
        raise UserError(f"{path} exists already; remove it first to replace the key", REFUSED)
    private, public = new_key_pair()
    folder.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(private + "\n")
    out(f"private key: {path} (keep it secret; never commit it)")
    out(f'public key for the roster: "{args.user}": {{..., "public_key": "{public}"}}')
    return OK


# --- commands ---


async def cmd_start(args: argparse.Namespace, cfg: Config) -> int:
    if args.send and not args.actor:
        raise UserError("--send needs --as USER", USAGE)
    projects = load_projects(cfg.erp_projects_file)
    problems: list[str] = []
    planned: list[tuple[ItemBase, ProjectSettings]] = []
    refused: list[str] = []
    for path in item_files(args.paths):
        try:
            item = read_item(path)
            project = project_of(item, projects, str(path))
        except UserError as err:
            problems.append(str(err))
            continue
        try:
            erp.require_export(project.erp, item.type, project.project)
        except erp.ErpRefused as err:  # the project's ERP cannot take it: refused, not started
            refused.append(f"{path}: not started: {err}")
            continue
        planned.append((item, project))
    if problems:
        raise UserError(
            "nothing started; fix these files first:\n  " + "\n  ".join(problems), USAGE
        )
    client = await open_client(cfg)
    gate = asyncio.Semaphore(START_CONCURRENCY)
    unreachable: list[str] = []
    done = 0
    began = time.monotonic()
    show_progress = len(planned) > 1 and sys.stderr.isatty()

    async def one(item: ItemBase, project: ProjectSettings) -> None:
        nonlocal done
        async with gate:
            try:
                await start_item(client, cfg, item, project)
                if args.send:
                    send = signed(args, item.workflow_id, "send", CommandRequest(actor=args.actor))
                    await run_command(client, item.workflow_id, "send", send)
                if len(planned) <= 20:
                    out(f"started {item.workflow_id}" + (" and sent it" if args.send else ""))
            except UserError as err:
                (refused if err.code == REFUSED else unreachable).append(str(err))
            done += 1
            if show_progress:
                _progress(done, len(planned), began)

    await asyncio.gather(*(one(item, project) for item, project in planned))
    elapsed = time.monotonic() - began
    if len(planned) > 20 or show_progress:
        rate = len(planned) / elapsed if elapsed else 0.0
        out(
            f"\nstarted {len(planned) - len(refused) - len(unreachable)} of {len(planned)} items "
            f"in {elapsed:.1f} s ({rate:.0f}/s)"
        )
    for message in refused + unreachable:
        out(message, file=sys.stderr)
    if unreachable:
        return UNREACHABLE
    return REFUSED if refused else OK


def _progress(done: int, total: int, began: float) -> None:
    width = 30
    filled = int(width * done / total)
    rate = done / max(time.monotonic() - began, 1e-6)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {rate:.0f}/s")
    sys.stderr.flush()


async def _command(args: argparse.Namespace, cfg: Config, request: CommandRequest) -> int:
    client = await open_client(cfg)
    request = signed(args, args.item, args.command, request)
    status = await run_command(client, args.item, args.command, request)
    print_outcome(None, status)
    return OK


async def cmd_simple(args: argparse.Namespace, cfg: Config) -> int:
    return await _command(args, cfg, CommandRequest(actor=args.actor, comment=args.comment))


async def cmd_edit(args: argparse.Namespace, cfg: Config) -> int:
    item = read_item(Path(args.file))
    request = EditRequest(actor=args.actor, item=item.model_dump(mode="json"), comment=args.comment)
    return await _command(args, cfg, request)


async def cmd_accept(args: argparse.Namespace, cfg: Config) -> int:
    request = AcceptRequest(actor=args.actor, fields=parse_fields(args.field), comment=args.comment)
    return await _command(args, cfg, request)


async def cmd_reject(args: argparse.Namespace, cfg: Config) -> int:
    if not args.reason.strip():
        raise UserError("--reason can't be blank", USAGE)
    return await _command(args, cfg, RejectRequest(actor=args.actor, reason=args.reason))


async def cmd_respond(args: argparse.Namespace, cfg: Config) -> int:
    """Answer the current step of an item's delegated approval workflow."""
    request = RespondRequest(actor=args.actor, response=args.response, comment=args.comment)
    client = await open_client(cfg)
    status = await query_status(client, args.item)
    if not status.approval_workflow_id:
        raise UserError(
            f"{args.item}: no approval workflow is waiting for a response "
            f"(the item is {status.state.value}, Direct Export {status.export_mode.value})",
            REFUSED,
        )
    request = signed(args, status.approval_workflow_id, "respond", request)
    approval = await run_command(
        client, status.approval_workflow_id, "respond", request, result_type=Approval
    )
    out(f"{args.item}: {args.response} recorded; {approval.describe()}")
    return OK


async def cmd_reset(args: argparse.Namespace, cfg: Config) -> int:
    request = ResetRequest(actor=args.actor, to=args.to, comment=args.comment)
    return await _command(args, cfg, request)


async def _running(client: Client, query: str, label: str) -> list[str]:
    try:
        return [wf.id async for wf in client.list_workflows(query)]
    except RPCError as err:
        raise rpc_error(err, label) from None


async def cmd_settings_apply(args: argparse.Namespace, cfg: Config) -> int:
    """Push project settings to every open item of each project in FILE, and to the project's
    ErpProject and prime contract syncs: each takes them only from an ERP Admin of the roster
    it already holds (the file's roster decides nothing), signed when that roster has a key."""
    projects = load_projects(Path(args.file))
    client = await open_client(cfg)
    failed = False
    for name, project in projects.projects.items():
        base = SettingsRequest(actor=args.actor, comment=args.comment, settings=project)
        query = (
            f"WorkflowType = 'ErpItem' AND ExecutionStatus = 'Running' "
            f'AND {sa.PROJECT.name} = "{name}"'
        )
        took, refusals = 0, []
        for wf_id in await _running(client, query, "settings apply"):
            try:
                await run_command(client, wf_id, "settings", signed(args, wf_id, "settings", base))
                took += 1
            except UserError as err:
                if err.code not in (REFUSED, NO_SUCH_ITEM):
                    raise
                refusals.append(str(err))
        line = f"{name}: settings taken by {took} open item(s), refused by {len(refusals)}"
        if refusals:
            line += f" (first: {refusals[0]})"
        out(line)
        project_wf = ep.workflow_id(name)
        for wf_id in [project_wf, *await _project_syncs(client, name)]:
            result = ep.ProjectRecord if wf_id == project_wf else pcw.SyncStatus
            request = signed(args, wf_id, "settings", base)
            try:
                await execute_update(client, wf_id, "settings", request, result, wf_id)
                out(f"{name}: settings taken by {wf_id}")
            except UserError as err:
                if err.code == NO_SUCH_ITEM and wf_id == project_wf:
                    continue  # the project has no ErpProject workflow (yet): nothing to tell
                if err.code not in (REFUSED, NO_SUCH_ITEM):
                    raise
                refusals.append(str(err))
                out(f"{name}: settings refused: {err}")
        failed = failed or bool(refusals)
    return REFUSED if failed else OK


async def cmd_status(args: argparse.Namespace, cfg: Config) -> int:
    client = await open_client(cfg)
    print_status(await query_status(client, args.item), args.json)
    return OK


def visibility_query(args: argparse.Namespace) -> str:
    clauses = ["WorkflowType = 'ErpItem'"]
    for key, value in (
        (sa.STATE, args.state),
        (sa.ITEM_TYPE, args.type),
        (sa.PROJECT, args.project),
        (sa.ERROR_CODE, args.error_code),
        (sa.ATTENTION, args.attention),
    ):
        if value:
            if '"' in value:
                raise UserError(f"filter value {value!r} may not contain a double quote", USAGE)
            clauses.append(f'{key.name} = "{value}"')
    return " AND ".join(clauses)


async def cmd_list(args: argparse.Namespace, cfg: Config) -> int:
    client = await open_client(cfg)
    rows: list[dict[str, Any]] = []
    try:
        async for wf in client.list_workflows(visibility_query(args), limit=args.limit):
            attrs = wf.typed_search_attributes
            rows.append(
                {
                    "item": wf.id,
                    "type": attrs.get(sa.ITEM_TYPE),
                    "project": attrs.get(sa.PROJECT),
                    "state": attrs.get(sa.STATE),
                    "amount": attrs.get(sa.AMOUNT),
                    "error_code": attrs.get(sa.ERROR_CODE),
                    "attention": attrs.get(sa.ATTENTION),
                    "running": wf.status == WorkflowExecutionStatus.RUNNING,
                }
            )
    except RPCError as err:
        raise rpc_error(err, "list") from None
    if args.json:
        out(json.dumps(rows, indent=2))
        return OK
    out(_table(rows))
    out(f"{len(rows)} item(s)")
    return OK


def _table(rows: list[dict[str, Any]]) -> str:
    headers = ["ITEM", "STATE", "AMOUNT", "ERROR", "ATTENTION"]
    cells = [
        [
            r["item"],
            r["state"] or "?",
            f"{r['amount']:,.2f}" if r["amount"] is not None else "",
            r["error_code"] or "",
            r["attention"] or "",
        ]
        for r in rows
    ]
    widths = [
        max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


async def cmd_watch(args: argparse.Namespace, cfg: Config) -> int:
    client = await open_client(cfg)
    seen_audit = 0
    while True:
        status = await query_status(client, args.item)
        for entry in status.audit[seen_audit:]:
            if args.json:
                out(entry.model_dump_json(), flush=True)
                continue
            detail = f" — {printable(entry.detail)}" if entry.detail else ""
            out(
                f"{entry.at:%H:%M:%S} {printable(entry.actor)}: {printable(entry.action)} "
                f"({entry.outcome.value}) "
                f"{entry.state_before.value} -> {entry.state_after.value}{detail}",
                flush=True,
            )
        seen_audit = len(status.audit)
        if status.state in SETTLED:
            if args.json:
                out(status.model_dump_json())
            else:
                out(
                    f"{status.workflow_id} settled in {status.state.value}; "
                    f"next: {status.next_action}"
                )
            return OK
        await asyncio.sleep(args.interval)


async def cmd_setup(args: argparse.Namespace, cfg: Config) -> int:
    """Register the custom search attributes on an existing cluster (idempotent)."""
    client = await open_client(cfg)
    try:
        added = await register_search_attributes(client, cfg.temporal_namespace)
    except RPCError as err:
        raise rpc_error(err, "setup") from None
    names = ", ".join(added) or "none (all were registered)"
    out(f"search attributes on namespace {cfg.temporal_namespace}: added {names}")
    return OK


# --- argument parsing ---


Handler = Callable[[argparse.Namespace, Config], Awaitable[int]]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # usage errors: one line and exit code 2
        self.print_usage(sys.stderr)
        out(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="starter.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    def actor(p: argparse.ArgumentParser, required: bool = True) -> None:
        p.add_argument("--as", dest="actor", required=required, metavar="USER")
        p.add_argument(
            "--key",
            metavar="FILE",
            help="sign the command with this private key (default: $ERP_SIGNING_KEY, "
            "or $ERP_SIGNING_KEYS_DIR/USER.key)",
        )

    p = command("keys", cmd_keys_new, "create a signing key pair for a roster user")
    p.add_argument("action", choices=["new"])
    p.add_argument("user", metavar="USER")
    p.add_argument("--dir", default="keys", help="where USER.key is written (default: keys/)")

    p = command("start", cmd_start, "start one workflow per item file")
    p.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
    p.add_argument("--send", action="store_true", help="send each item once started")
    actor(p, required=False)

    for name, help_text in (
        ("send", "send a draft item to the accounting approver (or straight to export)"),
        ("retrieve", "take a sent item back to draft before anyone responds"),
        ("resend", "send a rejected item again"),
        ("cancel", "cancel an item that is not exported yet"),
    ):
        p = command(name, cmd_simple, help_text)
        p.add_argument("item", metavar="ITEM")
        actor(p)
        p.add_argument("--comment")

    p = command("edit", cmd_edit, "replace a draft or rejected item with the content of FILE")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("file", metavar="FILE")
    actor(p)
    p.add_argument("--comment")

    for name, handler, help_text in (
        ("accept", cmd_accept, "accept a sent item for export, with the export fields Sage needs"),
        ("retry", cmd_accept, "export a failed item again, optionally with changed fields"),
    ):
        p = command(name, handler, help_text)
        p.add_argument("item", metavar="ITEM")
        actor(p)
        p.add_argument("--field", action="append", metavar="KEY=VALUE")
        p.add_argument("--comment")

    p = command("reject", cmd_reject, "reject a sent or failed item, with the reason")
    p.add_argument("item", metavar="ITEM")
    actor(p)
    p.add_argument("--reason", required=True)

    p = command("respond", cmd_respond, "answer the current step of a delegated approval")
    p.add_argument("item", metavar="ITEM")
    actor(p)
    p.add_argument("response", choices=[r.value for r in Response])
    p.add_argument("--comment")

    p = command("reset", cmd_reset, "undo what a failed export left in Sage (ERP admin)")
    p.add_argument("item", metavar="ITEM")
    actor(p)
    p.add_argument("--to", choices=["rejected", "sent"], default="rejected")
    p.add_argument("--comment")

    p = command(
        "settings",
        cmd_settings_apply,
        "push project settings to open items (taken only from an ERP Admin of their roster)",
    )
    p.add_argument("action", choices=["apply"])
    p.add_argument("file", metavar="FILE")
    actor(p)
    p.add_argument("--comment")

    p = command("status", cmd_status, "show an item: state, export fields, error, audit trail")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("--json", action="store_true")

    p = command("list", cmd_list, "list items, filtered through Temporal's visibility")
    p.add_argument("--state", choices=[s.value for s in State])
    p.add_argument("--type", choices=[t.value for t in ItemType])
    p.add_argument("--project")
    p.add_argument("--error-code")
    p.add_argument("--attention", choices=["reminder", "escalated"])
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--json", action="store_true")

    p = command("watch", cmd_watch, "follow an item live until it settles")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("--json", action="store_true", help="one JSON line per audit entry")
    p.add_argument("--interval", type=float, default=1.0, help=argparse.SUPPRESS)

    p = command("prime-contract", cmd_prime_contract, "import, re-import, inspect a prime contract")
    p.add_argument(
        "action", choices=["import", "add", "reimport", "status", "edit-sov", "readiness"]
    )
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("contract", metavar="CONTRACT", help="Sage contract (Quickbill: the job)")
    p.add_argument("file", metavar="FILE", nargs="?", help="edit-sov: a JSON list of SOV lines")
    p.add_argument("--as", dest="actor", metavar="USER")
    p.add_argument("--into", metavar="CONTRACT", help="add: the imported prime contract")
    p.add_argument("--json", action="store_true")

    p = command("schedule", cmd_schedule, "set, show or delete a project's sync schedule")
    p.add_argument("action", choices=["set", "show", "delete"])
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--every", metavar="INTERVAL", help="e.g. 6h, 30m, 1d")
    actor(p, required=False)

    p = command("sync", cmd_sync, "refresh a project from Sage now (prime contracts, cost codes)")
    p.add_argument("project", metavar="PROJECT")
    actor(p)

    command("setup", cmd_setup, "register the search attributes on an existing cluster")
    jobs_cli.add_commands(command)
    company_cli.add_commands(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        cfg = config()
    except ValidationError as err:
        out(f"error: configuration from the environment: {err}", file=sys.stderr)
        return USAGE
    logs.configure(cfg.log_level if cfg.log_level.upper() != "INFO" else "WARNING", cfg.log_format)
    try:
        return asyncio.run(args.handler(args, cfg))
    except UserError as err:
        out(f"error: {err}", file=sys.stderr)
        return err.code
    except CodecError as err:
        out(f"error: cannot decrypt the item's data: {err}", file=sys.stderr)
        return USAGE
    except KeyError as err:
        if "payload encoding" not in str(err):
            raise
        out(
            "error: the item's data is encrypted; set ERP_CODEC_KEYS_FILE (or ERP_CODEC_KEYS) "
            "to the keys the worker uses (after make run, starter.py reads them from "
            ".data/demo.env unless ERP_ENV_FILE names another file or is empty)",
            file=sys.stderr,
        )
        return USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter finalisation: tearing down the SDK's Rust runtime threads at exit
    # crashed short-lived CLI runs now and then (SIGSEGV after all output was written).
    os._exit(code)
