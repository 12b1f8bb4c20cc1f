"""One ErpProject workflow per project synced with a Sage job: how project and job were joined
(a Sage job imported as this project, or the project exported as a job), the job's cost codes
and categories as last refreshed, and its job cost summary as last synced.

`starter.py jobs import` starts it for a new project; `cost-codes refresh`, `job-costs --sync`,
`sub-jobs import` (a Sage extra as a sub job), `budget import` (the Sage job's estimate as
the project's budget) and `sync` start it on first use for a project
that already has its job; the project's sync
schedule (ProjectSync) signals it to refresh both. Every command is an update whose refusal
reaches the caller at once; nothing Sage answers fails the workflow.

Authority: every command is checked against the settings the workflow holds (its start input,
then what `settings` took). New settings arrive only through the `settings` update (or signal
of that name): from an ERP Admin of the held roster, for this project, signed when that roster
gives the admin a key. The `sync` signal names its actor (`{"actor": USER}`), checked the same
way; the schedule's runs act in the name of the admin who set it (`schedule` update), checked
again on each run.

Workflow ID: `erp_project:{project}`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Literal

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from contract import search_attributes as sa
    from contract.erp_company import READ_DEFAULT_COST_TYPES_ACTIVITY, DefaultCostTypesRead
    from contract.erp_project import (
        ACCEPT_COST_CODE,
        IMPORT_BUDGET_UPDATE,
        IMPORT_SUB_JOB_UPDATE,
        REJECT_COST_CODE,
        SEND_COST_CODE,
        SYNC_DIRECT_COSTS_UPDATE,
        SYNC_PAID_INVOICES_UPDATE,
        WORKFLOW_TYPE,
        CostCodeRequest,
        ProjectRecord,
        ProjectRequest,
        ProjectStart,
    )
    from contract.links import LINK_SIGNAL, LINKS_QUERY, UNLINK_SIGNAL, LinksMade, LinksView
    from contract.sync import ScheduleRequest, SyncSignal
    from domain import budget_import, erp
    from domain import cost_code_acceptance as acceptance
    from domain.commands import SettingsRequest
    from domain.cost_codes import CostCodeRefresh
    from domain.direct_costs import SageCostTransactions, require_enabled, sync_direct_costs
    from domain.job_costs import JobCostSummary
    from domain.job_import import SageJob, imported_settings
    from domain.links import Link, LinkKind, LinkOrigin, LinkRegistry
    from domain.paid_invoices import SagePayments, take_payments
    from domain.permissions import (
        ErpAction,
        NotPermitted,
        authorize_cost_code_decision,
        authorize_cost_code_send,
        authorize_erp_action,
        authorize_new_roster,
    )
    from domain.sage_codes import is_sage_code, shown
    from domain.sage_paths import sage_path
    from domain.settings import ProjectSettings
    from domain.signing import BadSignature
    from domain.sub_job_import import (
        SageExtra,
        check_extra_code,
        check_import,
        import_link,
        sub_job_from_extra,
    )
    from workflows import sage_gateway
    from workflows.links import LinkNotes
    from workflows.policies import LINKS_RETRY
    from workflows.sage_reads import (
        HELD_AUTHORITY_PATCH,
        RECOVERABLE,
        REFUSED,
        SYNC_ACTOR_PATCH,
        HeldCommand,
        check_signature,
        claimed_actor,
        parse_signal,
        record,
        refusal,
        refused_error,
        remember_nonce,
        run_each,
        schedule_actor,
        schedule_outcome,
    )


BUDGET_REFRESH_PATCH = "cost-code-refresh-refreshes-imported-budget"
"""A cost code refresh of a project whose budget was imported reads the estimate again."""
SYNC_PAYMENTS_AND_DIRECT_COSTS_PATCH = "sync-reads-paid-invoices-and-direct-costs"
"""The `sync` signal (the schedule) also notes Sage's payments of exported invoices, and
syncs the direct costs once someone synced them; before it, a sync did neither."""

AUTO_ADD_PATCH = "auto-add-cost-code-combinations-to-budget"
"""The project setting 'Automatically add new cost code/cost type combinations to budgets':
the imported budget gets a line for each combination of the job it lacks."""


@workflow.defn(name=WORKFLOW_TYPE)
class ErpProject:
    @workflow.init
    def __init__(self, start: ProjectStart) -> None:
        self._state = start.model_copy(update={"audit": list(start.audit)})
        self._lock = asyncio.Lock()
        self._closed = False
        self._notes = self._link_notes()
        self._settings_command = HeldCommand(
            "settings",
            SettingsRequest,
            check=self._check_settings,
            take=self._take,
            audit=lambda: self._state.audit,
            lock=self._lock,
        )

    @workflow.run
    async def run(self, start: ProjectStart) -> str:
        await workflow.wait_condition(
            lambda: self._closed or workflow.info().is_continue_as_new_suggested()
        )
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._closed:
            return "not imported"
        workflow.continue_as_new(self._state)

    @workflow.query
    def status(self) -> ProjectRecord:
        return ProjectRecord(
            **self._state.model_dump(),
            workflow_id=workflow.info().workflow_id,
            project=self._settings.project,
        )

    @property
    def _settings(self) -> ProjectSettings:
        return self._state.settings

    # --- the link registry (domain/links.py; every kind but vendors lives here) ---

    @workflow.query(name=LINKS_QUERY)
    def links(self) -> LinksView:
        registry = self._state.links
        job = self._state.job
        if job is not None and registry.find(LinkKind.JOB, self._settings.project) is None:
            origin = (
                LinkOrigin.EXPORTED if self._state.origin == "exported" else LinkOrigin.IMPORTED
            )
            at = self._state.refreshed_at or workflow.now()
            registry = registry.model_copy(
                update={
                    "links": [
                        Link(
                            kind=LinkKind.JOB,
                            procore=self._settings.project,
                            sage_id=job.job_id,
                            origin=origin,
                            at=at,
                        ),
                        *registry.links,
                    ]
                }
            )
        return LinksView(home=workflow.info().workflow_id, registry=registry)

    @workflow.signal(name=LINK_SIGNAL)
    async def link_signal(self, *payload: Any) -> None:
        """An item of this project whose export made or found links (activities/links.py)."""
        await self._notes.link(payload)

    @workflow.signal(name=UNLINK_SIGNAL)
    async def unlink_signal(self, *payload: Any) -> None:
        """An item of this project a person unlinked (the item checked who may)."""
        await self._notes.unlink(payload)

    def _link_notes(self) -> LinkNotes:
        def belongs(link: Link) -> bool:
            prefix = f":{self._settings.project}:"
            return link.kind is not LinkKind.VENDOR and prefix in (link.item or "")

        def foreign(made: LinksMade) -> str | None:
            project = self._settings.project
            return None if made.project == project else f"of project {made.project}, not {project}"

        return LinkNotes(
            get=lambda: self._state.links,
            put=lambda links: self._set_links(links),
            audit=lambda: self._state.audit,
            belongs=belongs,
            foreign=foreign,
        )

    def _set_links(self, links: LinkRegistry) -> None:
        self._state = self._state.model_copy(update={"links": links})

    # --- updates ---

    @workflow.update
    async def import_job(self, request: ProjectRequest) -> ProjectRecord:
        """Add a Sage job to Procore as this (new) project, with its cost codes."""
        self._take_signed(request)
        async with self._lock:
            job_id = request.job_id or ""
            try:
                flavour = erp.Erp((await self._call("GET", "/v1/company"))["erp"])
                erp.require(flavour, erp.Capability.JOB_IMPORT, self._settings.project)
                path = sage_path("/v1/jobs", job_id, "links", self._settings.project)
                answer = await self._call("PUT", path, step="link", generation=0)
                job = SageJob.model_validate(answer.get("job", {}))
            except RECOVERABLE as err:
                if self._state.job is None and not self._state.links.links:
                    self._closed = True  # nothing was imported: a later attempt starts afresh
                raise self._refusal(request.actor, f"import job {job_id}", err) from None
            settings = imported_settings(self._settings, job, flavour)
            link = Link(
                kind=LinkKind.JOB,
                procore=settings.project,
                sage_id=job.job_id,
                origin=LinkOrigin.IMPORTED,
                at=workflow.now(),
            )
            links = self._state.links
            if links.find(LinkKind.JOB, settings.project) is None:
                links = links.with_link(link)
            self._state = self._state.model_copy(
                update={"settings": settings, "origin": "imported", "job": job, "links": links}
            )
            self._record(
                request.actor,
                f"import job {job_id}",
                f"project {settings.project} added from Sage job {job.job_id} ({job.name}) "
                f"with {len(job.cost_codes)} cost codes",
            )
            self._publish()
            return self.status()

    @import_job.validator
    def _validate_import_job(self, request: ProjectRequest) -> None:
        self._authorize(request, ErpAction.ADD_ERP_JOB)
        if not request.job_id:
            raise ApplicationError("import_job needs the Sage job ID", type=REFUSED)
        linked = self._state.links.sage_id(LinkKind.JOB, self._settings.project)
        if self._state.job is not None or linked:
            job_id = self._state.job.job_id if self._state.job else linked
            raise ApplicationError(
                f"project {self._settings.project} is synced with Sage job {job_id} already",
                type=REFUSED,
            )

    @workflow.update(name=IMPORT_SUB_JOB_UPDATE)
    async def import_sub_job(self, request: ProjectRequest) -> ProjectRecord:
        """Add a Sage extra of the project's job to Procore as a sub job (domain/sub_job_import.py:
        Code <- Extra, Sub Job <- Description), and link the two in the registry. A new
        handler: no history recorded before it calls it, so no patch."""
        self._take_signed(request)
        async with self._lock:
            action = f"import sub job {request.extra_id}"
            try:
                extra_id = check_extra_code(request.extra_id)
                erp.require(
                    self._settings.erp, erp.Capability.SUB_JOB_IMPORT, self._settings.project
                )
                job_id = self._job_id()
                check_import(self._state.links, job_id, extra_id)  # again: under the lock
                try:
                    answer = await self._call("GET", sage_path("/v1/extras", job_id, extra_id))
                except LookupError:
                    raise LookupError(
                        f"Sage job {job_id} has no extra {extra_id} (starter.py sub-jobs list "
                        f"{self._settings.project} shows the synced ones)"
                    ) from None
                extra = SageExtra.model_validate(answer)
                sub_job = sub_job_from_extra(extra, job_id, extra_id, request.actor, workflow.now())
                # and after Sage's answer: an export's link note may have come in meanwhile
                check_import(self._state.links, job_id, extra_id)
                links = self._state.links.with_link(import_link(sub_job))
            except RECOVERABLE as err:
                raise self._refusal(request.actor, action, err) from None
            self._state = self._state.model_copy(
                update={"links": links, "sub_jobs": [*self._state.sub_jobs, sub_job]}
            )
            self._record(
                request.actor,
                action,
                f"sub job {sub_job.code} ({sub_job.name}) added from extra {sub_job.code} of "
                f"Sage job {job_id} with {len(sub_job.cost_codes)} cost codes",
            )
            self._publish()
            return self.status()

    @import_sub_job.validator
    def _validate_import_sub_job(self, request: ProjectRequest) -> None:
        """The matrix's level against the held roster, then what can be decided without Sage."""
        self._authorize(request, ErpAction.IMPORT_SUB_JOB)
        try:
            extra_id = check_extra_code(request.extra_id)
            erp.require(self._settings.erp, erp.Capability.SUB_JOB_IMPORT, self._settings.project)
            check_import(self._state.links, self._job_id(), extra_id)
        except RECOVERABLE as err:
            raise refused_error(err) from None

    @workflow.update(name=IMPORT_BUDGET_UPDATE)
    async def import_budget(self, request: ProjectRequest) -> ProjectRecord:
        """Import the Sage job's budget (its posted original estimate) as the project's
        budget (domain/budget_import.py): again, it refreshes the lines, never a second
        budget. A new handler: no history recorded before it calls it, so no patch."""
        self._take_signed(request)
        async with self._lock:
            try:
                await self._import_budget(request.actor, "import budget")
            except RECOVERABLE as err:
                raise self._refusal(request.actor, "import budget", err) from None
            return self.status()

    @import_budget.validator
    def _validate_import_budget(self, request: ProjectRequest) -> None:
        """The matrix's level against the held roster, then what can be decided without Sage."""
        self._authorize(request, ErpAction.IMPORT_BUDGET)
        try:
            erp.require(self._settings.erp, erp.Capability.BUDGET_IMPORT, self._settings.project)
            self._job_id()
            budget_import.check_import(self._state.links, self._settings.project)
        except RECOVERABLE as err:
            raise refused_error(err) from None

    @workflow.update
    async def refresh_cost_codes(self, request: ProjectRequest) -> ProjectRecord:
        return await self._refresh(request, "refresh cost codes", self._refresh_cost_codes)

    @refresh_cost_codes.validator
    def _validate_refresh_cost_codes(self, request: ProjectRequest) -> None:
        self._authorize(request, ErpAction.REFRESH_COST_CODES)

    @workflow.update
    async def sync_job_costs(self, request: ProjectRequest) -> ProjectRecord:
        return await self._refresh(request, "sync job costs", self._sync_job_costs)

    @sync_job_costs.validator
    def _validate_sync_job_costs(self, request: ProjectRequest) -> None:
        self._authorize(request, ErpAction.SYNC_JOB_COSTS)

    @workflow.update(name=SYNC_DIRECT_COSTS_UPDATE)
    async def sync_direct_costs(self, request: ProjectRequest) -> ProjectRecord:
        """Sync the Sage job's cost transactions into the project's Direct Costs
        (domain/direct_costs.py): keyed on each Sage transaction, so again it updates, never
        adds twice; what the project cannot take is the unsyncable report. A new handler: no
        history recorded before it calls it, so no patch."""
        return await self._refresh(request, "sync direct costs", self._sync_direct_costs)

    @sync_direct_costs.validator
    def _validate_sync_direct_costs(self, request: ProjectRequest) -> None:
        """The matrix's "Sync Job Cost Transactions" level against the held roster, then what
        can be decided without Sage."""
        self._authorize(request, ErpAction.SYNC_JOB_COSTS)
        try:
            erp.require(
                self._settings.erp, erp.Capability.JOB_COST_TRANSACTION_SYNC, self._settings.project
            )
            require_enabled(self._settings)
            self._job_id()
        except RECOVERABLE as err:
            raise refused_error(err) from None

    @workflow.update(name=SYNC_PAID_INVOICES_UPDATE)
    async def sync_paid_invoices(self, request: ProjectRequest) -> ProjectRecord:
        """Note Sage's payments of the project's exported subcontractor invoices
        (domain/paid_invoices.py), each once, keyed on Sage's payment ID. A new handler: no
        history recorded before it calls it, so no patch."""
        return await self._refresh(request, "sync paid invoices", self._sync_paid_invoices)

    @sync_paid_invoices.validator
    def _validate_sync_paid_invoices(self, request: ProjectRequest) -> None:
        """The matrix's "Sync Paid Invoice Notifications from ERP into Procore" (Admin)."""
        self._authorize(request, ErpAction.SYNC_PAID_INVOICES)
        try:
            self._job_id()
        except RECOVERABLE as err:
            raise refused_error(err) from None

    @workflow.signal(name="sync")
    async def sync_signal(self, *payload: Any) -> None:
        """Refresh cost codes and job costs (the sync schedule, or a person from the UI):
        `{"actor": USER}`, checked like any command; every refusal recorded, never raised."""
        async with self._lock:
            steps = [
                ("refresh cost codes", self._refresh_cost_codes),
                ("sync job costs", self._sync_job_costs),
            ]
            legacy = len(payload) == 1 and isinstance(payload[0], str)
            if legacy and not workflow.patched(SYNC_ACTOR_PATCH):  # recorded before the check
                await run_each(self._state.audit, schedule_actor(payload), steps)
                return
            actor = claimed_actor(payload)
            try:
                request = parse_signal(SyncSignal, payload, "sync")
                self._check_sync(request)
                self._remember(request.signature)
            except Exception as err:  # whatever the payload, a refusal, never a failed task
                self._refusal(actor, "sync", err)
                return
            steps += self._scheduled_extras()
            await run_each(self._state.audit, request.actor, steps)

    # --- project cost codes sent for acceptance (domain/cost_code_acceptance.py) ---
    # New handlers: no history recorded before them calls them, so no patch. Each is an update
    # (its validator refuses at once, nothing recorded) and a signal of the same name (the UI's
    # "Send Signal": a refusal recorded, never a failed task), decided by one check.

    @workflow.update(name=SEND_COST_CODE)
    async def send_cost_code(self, request: CostCodeRequest) -> ProjectRecord:
        """A project cost code (from the company's standard list) sent for acceptance."""
        async with self._lock:
            await self._cost_code_command("send", request)
            return self.status()

    @send_cost_code.validator
    def _validate_send_cost_code(self, request: CostCodeRequest) -> None:
        self._validate_cost_code("send", request)

    @workflow.signal(name=SEND_COST_CODE)
    async def send_cost_code_signal(self, *payload: Any) -> None:
        await self._cost_code_signal("send", SEND_COST_CODE, payload)

    @workflow.update(name=ACCEPT_COST_CODE)
    async def accept_cost_code(self, request: CostCodeRequest) -> ProjectRecord:
        """An accounting approver accepts: the code and its cost types are added to the Sage
        job, once (one idempotency key per sending; a second accept is refused)."""
        async with self._lock:
            await self._cost_code_command("accept", request)
            return self.status()

    @accept_cost_code.validator
    def _validate_accept_cost_code(self, request: CostCodeRequest) -> None:
        self._validate_cost_code("accept", request)

    @workflow.signal(name=ACCEPT_COST_CODE)
    async def accept_cost_code_signal(self, *payload: Any) -> None:
        await self._cost_code_signal("accept", ACCEPT_COST_CODE, payload)

    @workflow.update(name=REJECT_COST_CODE)
    async def reject_cost_code(self, request: CostCodeRequest) -> ProjectRecord:
        """An accounting approver rejects, with a comment: nothing reaches Sage."""
        async with self._lock:
            await self._cost_code_command("reject", request)
            return self.status()

    @reject_cost_code.validator
    def _validate_reject_cost_code(self, request: CostCodeRequest) -> None:
        self._validate_cost_code("reject", request)

    @workflow.signal(name=REJECT_COST_CODE)
    async def reject_cost_code_signal(self, *payload: Any) -> None:
        await self._cost_code_signal("reject", REJECT_COST_CODE, payload)

    def _validate_cost_code(self, verb: str, request: CostCodeRequest) -> None:
        try:
            self._check_cost_code(verb, request)
        except Exception as err:  # whatever was sent: a refusal, never a failed task
            raise refused_error(err) from None

    async def _cost_code_signal(self, verb: str, name: str, payload: tuple[Any, ...]) -> None:
        async with self._lock:
            try:
                request = parse_signal(CostCodeRequest, payload, name)
            except Exception as err:
                self._refusal(claimed_actor(payload), name, err)
                return
            try:
                await self._cost_code_command(verb, request)
            except ApplicationError:
                return  # recorded in the audit trail

    async def _cost_code_command(self, verb: str, request: CostCodeRequest) -> None:
        """Checked again under the lock (the held state may have moved since validation),
        then done; any refusal recorded and raised."""
        code = request.code if is_sage_code(request.code) else shown(request.code)
        action = f"{verb} cost code {code}"
        try:
            self._check_cost_code(verb, request)
            self._remember(request.signature)
            if verb == "accept":
                await self._accept_cost_code(request.actor, request.code)
                return
            now = workflow.now()
            sent = self._state.cost_codes_sent
            if verb == "send":
                categories = acceptance.check_categories(request.categories)
                sent = acceptance.sent_again(sent, request.code, categories, request.actor, now)
                asked = ", ".join(categories) or "none: its standard code's default cost types"
                outcome = f"sent for acceptance; cost types: {asked}"
            else:
                comment = acceptance.check_comment(request.comment)
                sent = acceptance.decided(
                    sent,
                    request.code,
                    acceptance.CostCodeState.REJECTED,
                    request.actor,
                    now,
                    comment=comment,
                )
                outcome = f"rejected, nothing exported: {comment}"
            self._state = self._state.model_copy(update={"cost_codes_sent": sent})
            self._record(request.actor, action, outcome)
            self._publish()
        except Exception as err:
            raise self._refusal(request.actor, action, err) from None

    def _check_cost_code(self, verb: str, request: CostCodeRequest) -> None:
        """The held roster (send: Admin on the Admin tool; accept, reject: an accounting
        approver), the ERP, the code and the state it is in, the signature."""
        roster, where = self._settings.roster, f"project {self._settings.project}"
        if verb == "send":
            authorize_cost_code_send(roster, request.actor, where)
        else:
            authorize_cost_code_decision(roster, request.actor, verb, where)
        erp.require(self._settings.erp, erp.Capability.COST_CODE_REFRESH, self._settings.project)
        code = acceptance.check_code(request.code)
        categories = acceptance.check_categories(request.categories)
        sent = self._state.cost_codes_sent
        if verb == "send":
            self._job_id()
            job_codes = self._state.job.cost_codes if self._state.job else []
            acceptance.check_send(sent, job_codes, code, categories)
        else:
            acceptance.check_decision(sent, code, verb)
            if verb == "reject":
                acceptance.check_comment(request.comment)
        command = {"send": SEND_COST_CODE, "accept": ACCEPT_COST_CODE}.get(verb, REJECT_COST_CODE)
        self._check_signed(request.actor, request.signature, command, request)

    async def _accept_cost_code(self, actor: str, code: str) -> None:
        """The cost types sent (else the company's defaults for the code) added to the Sage
        job; Sage refuses a code not on its standard list, or inactive."""
        held = acceptance.check_decision(self._state.cost_codes_sent, code, "accept")
        defaults: dict[str, list[str]] = {}
        if not held.categories:
            defaults = await workflow.execute_activity(
                READ_DEFAULT_COST_TYPES_ACTIVITY,
                DefaultCostTypesRead(sage_company=self._settings.sage_company or ""),
                result_type=dict[str, list[str]],
                start_to_close_timeout=timedelta(seconds=30),
                schedule_to_close_timeout=timedelta(minutes=2),
                retry_policy=LINKS_RETRY,
                summary="read the default cost types",
            )
        categories = acceptance.categories_to_export(held, defaults)
        job_id = self._job_id()
        answer = await sage_gateway.request(
            "POST",
            sage_path("/v1/jobs", job_id, "cost_codes"),
            self._settings.sage_company,
            step=f"cost_code/{code}/sent{held.sends}",
            generation=0,
            body=acceptance.export_body(code, categories),
        )
        added = [
            str(entry.get("category"))
            for entry in answer.get("added", [])
            if isinstance(entry, dict) and entry.get("code") == code and entry.get("category")
        ]
        sent = acceptance.decided(
            self._state.cost_codes_sent,
            code,
            acceptance.CostCodeState.EXPORTED,
            actor,
            workflow.now(),
            exported=categories,
        )
        update: dict[str, Any] = {"cost_codes_sent": sent}
        with contextlib.suppress(ValueError):  # else the held job stays as last refreshed
            update["job"] = SageJob.model_validate(answer.get("job"))
        self._state = self._state.model_copy(update=update)
        new = ", ".join(added) if added else "none: the job had them all"
        self._record(
            actor,
            f"accept cost code {code}",
            f"exported to Sage job {job_id} with cost types {', '.join(categories)} (added: {new})",
        )
        self._publish()
        self._auto_add_to_budget(actor)

    def _scheduled_extras(self) -> list[tuple[str, Callable[[str], Awaitable[None]]]]:
        """What a sync does besides cost codes and job costs, when there is something to do:
        payments, once an invoice of the project was exported; direct costs, once synced."""
        extras: list[tuple[str, Callable[[str], Awaitable[None]]]] = []
        if any(link.kind is LinkKind.INVOICE for link in self._state.links.links):
            extras.append(("sync paid invoices", self._scheduled_paid_invoices))
        if self._state.direct_costs is not None:
            extras.append(("sync direct costs", self._sync_direct_costs))
        if extras and workflow.patched(SYNC_PAYMENTS_AND_DIRECT_COSTS_PATCH):
            return extras
        return []

    async def _scheduled_paid_invoices(self, actor: str) -> None:
        """The schedule's actor needs the paid invoices level too (checked now, not in
        `_check_sync`, which histories recorded before the patch replay unchanged)."""
        where = f"project {self._settings.project}"
        authorize_erp_action(self._settings.roster, actor, ErpAction.SYNC_PAID_INVOICES, where)
        await self._sync_paid_invoices(actor)

    # --- authority ---

    @workflow.update(name="settings")
    async def settings_update(self, request: SettingsRequest) -> ProjectRecord:
        """New project settings, from an ERP Admin of the roster this workflow holds."""
        await self._settings_command.update(request)
        return self.status()

    @settings_update.validator
    def _validate_settings(self, request: SettingsRequest) -> None:
        self._settings_command.validate(request)

    @workflow.signal(name="settings")
    async def settings_signal(self, *payload: Any) -> None:
        """The same as the update, from the UI's "Send Signal"; refusals recorded."""
        await self._settings_command.signal(payload)

    @workflow.update(name="schedule")
    async def schedule_update(self, request: ScheduleRequest) -> ProjectRecord:
        """An ERP Admin sets (or deletes) the sync schedule that then runs in their name."""
        async with self._lock:
            try:
                self._check_schedule(request)
            except Exception as err:
                raise self._refusal(request.actor, "schedule", err) from None
            self._remember(request.signature)
            self._state = self._state.model_copy(
                update={"schedule_actor": request.actor if request.every else None}
            )
            self._record(request.actor, "schedule", schedule_outcome(request))
            return self.status()

    @schedule_update.validator
    def _validate_schedule(self, request: ScheduleRequest) -> None:
        try:
            self._check_schedule(request)
        except Exception as err:
            raise refused_error(err) from None

    # --- the work ---

    async def _refresh(
        self, request: ProjectRequest, action: str, work: Callable[[str], Awaitable[None]]
    ) -> ProjectRecord:
        """An on-demand refresh: with the settings the request carries; a refusal recorded."""
        self._take_signed(request)
        async with self._lock:
            self._take_request_settings(request)
            try:
                await work(request.actor)
            except RECOVERABLE as err:
                raise self._refusal(request.actor, action, err) from None
            return self.status()

    async def _refresh_cost_codes(self, actor: str) -> None:
        job_id = self._job_id()
        erp.require(self._settings.erp, erp.Capability.COST_CODE_REFRESH, self._settings.project)
        job = SageJob.model_validate(await self._call("GET", sage_path("/v1/jobs", job_id)))
        before = self._state.job.cost_codes if self._state.job else []
        refresh = CostCodeRefresh.between(before, job.cost_codes)
        self._state = self._state.model_copy(
            update={
                "job": job,
                "last_refresh": refresh,
                "refreshed_at": workflow.now(),
                "origin": self._state.origin or _origin(job),
            }
        )
        self._record(actor, "refresh cost codes", "; ".join(refresh.lines()))
        self._publish()
        if self._state.budget is not None and workflow.patched(BUDGET_REFRESH_PATCH):
            # seeds/004: "Budgets can be refreshed by doing a Cost Code refresh"; an imported
            # budget only (none before this patch), a refusal recorded, never the refresh's
            try:
                await self._import_budget(actor, "refresh budget")
            except RECOVERABLE as err:
                self._refusal(actor, "refresh budget", err)

    async def _import_budget(self, actor: str, action: str) -> None:
        """The Sage job's estimate as the project's budget; refused (RECOVERABLE) when the
        budget was exported from Procore or Sage holds no posted one for the job."""
        erp.require(self._settings.erp, erp.Capability.BUDGET_IMPORT, self._settings.project)
        job_id = self._job_id()
        budget_import.check_import(self._state.links, self._settings.project)  # under the lock
        answer = await self._call("GET", sage_path("/v1/jobs", job_id, "estimate"))
        # and after Sage's answer: a budget export's link note may have come in meanwhile
        budget_import.check_import(self._state.links, self._settings.project)
        budget = budget_import.budget_from_sage(
            budget_import.SageJobEstimate.model_validate(answer),
            job_id,
            actor,
            workflow.now(),
            held=self._state.budget,
        )
        links = budget_import.import_link(self._state.links, budget)
        self._state = self._state.model_copy(update={"links": links, "budget": budget})
        self._record(actor, action, budget_import.describe(budget, self._settings.project))
        self._publish()
        self._auto_add_to_budget(actor)

    def _auto_add_to_budget(self, actor: str) -> None:
        """seeds/004 Configuration Settings, "Automatically add new cost code/cost type
        combinations ... to budgets on Sage 300 CRE® integrated projects": each combination of
        the job the imported budget lacks becomes a line. The imported budget is Sage's
        estimate, unlocked here: a new combination has no estimate amount yet, so $0."""
        budget, job = self._state.budget, self._state.job
        if budget is None or job is None or not self._settings.auto_add_cost_codes_to_budgets:
            return
        if self._settings.erp is not erp.Erp.SAGE300:
            return
        lines, added = acceptance.with_new_combinations(budget.lines, job.cost_codes, locked=False)
        if not added or not workflow.patched(AUTO_ADD_PATCH):
            return
        self._state = self._state.model_copy(
            update={"budget": budget.model_copy(update={"lines": lines})}
        )
        shown = ", ".join(f"{code}/{category}" for code, category in added)
        self._record(actor, "add cost codes to budget", f"new budget lines at $0.00: {shown}")
        self._publish()

    async def _sync_job_costs(self, actor: str) -> None:
        job_id = self._job_id()
        erp.require(self._settings.erp, erp.Capability.JOB_COSTS_SYNC, self._settings.project)
        answer = await self._call("GET", sage_path("/v1/jobs", job_id, "job_costs"))
        summary = JobCostSummary.from_sage(self._settings.project, answer)
        self._state = self._state.model_copy(update={"job_costs": summary})
        self._record(
            actor,
            "sync job costs",
            f"{len(summary.lines)} cost code/category lines as of {summary.as_of:%Y-%m-%d %H:%M}",
        )
        self._publish()

    async def _sync_direct_costs(self, actor: str) -> None:
        project = self._settings.project
        erp.require(self._settings.erp, erp.Capability.JOB_COST_TRANSACTION_SYNC, project)
        require_enabled(self._settings)
        job_id = self._job_id()
        answer = await self._call("GET", sage_path("/v1/jobs", job_id, "job_cost_transactions"))
        sub_jobs = {ln.sage_id for ln in self._state.links.links if ln.kind is LinkKind.SUB_JOB}
        outcome = sync_direct_costs(
            self._state.direct_costs,
            SageCostTransactions.model_validate(answer),
            job_id=job_id,
            project=project,
            cost_codes=self._state.job.cost_codes if self._state.job else None,
            sub_jobs=sub_jobs | {sub_job.code for sub_job in self._state.sub_jobs},
            at=workflow.now(),
        )
        self._state = self._state.model_copy(update={"direct_costs": outcome.direct_costs})
        self._record(actor, "sync direct costs", outcome.describe())
        self._publish()

    async def _sync_paid_invoices(self, actor: str) -> None:
        job_id = self._job_id()
        answer = await self._call("GET", sage_path("/v1/jobs", job_id, "ap_payments"))
        outcome = take_payments(
            self._state.invoice_payments,
            SagePayments.model_validate(answer),
            self._state.links,
            job_id=job_id,
            at=workflow.now(),
        )
        self._state = self._state.model_copy(update={"invoice_payments": outcome.payments})
        self._record(actor, "sync paid invoices", outcome.describe())

    def _job_id(self) -> str:
        if self._state.job is not None:
            return self._state.job.job_id
        linked = self._state.links.sage_id(LinkKind.JOB, self._settings.project)
        if linked:  # the project was exported as this job (the link registry)
            return linked
        if self._settings.sage_job_id:
            return self._settings.sage_job_id
        raise LookupError(
            f"project {self._settings.project} has no Sage job yet: export the project "
            "(a `project` item) or add a Sage job to Procore (starter.py jobs import)"
        )

    async def _call(
        self,
        method: Literal["GET", "PUT"],
        path: str,
        step: str | None = None,
        generation: int | None = None,
    ) -> Any:
        company = self._settings.sage_company
        return await sage_gateway.request(method, path, company, step, generation)

    def _take_request_settings(self, request: ProjectRequest) -> None:
        """Before HELD_AUTHORITY_PATCH a refresh took the settings its request carried; a
        history recorded then replays so, but never takes the roster: authority stays held."""
        if request.settings is None or self._state.origin == "imported":
            return
        if workflow.patched(HELD_AUTHORITY_PATCH):
            return
        held = self._settings
        carried = request.settings.model_copy(
            update={"roster": held.roster, "signing": held.signing, "groups": held.groups}
        )
        self._state = self._state.model_copy(update={"settings": carried})

    def _authorize(self, request: ProjectRequest, action: ErpAction) -> None:
        """A command's validator: the matrix's level, and the signature a key holder of the
        held roster must give (over this workflow's ID and the update's name)."""
        try:
            authorize_erp_action(
                self._settings.roster, request.actor, action, f"project {self._settings.project}"
            )
            command = workflow.current_update_info()
            assert command is not None  # only validators call this
            self._check_signed(request.actor, request.signature, command.name, request)
        except (NotPermitted, BadSignature) as err:
            raise ApplicationError(str(err), type=REFUSED) from None

    def _take_signed(self, request: ProjectRequest) -> None:
        """A command's handler, before anything else: its signature's nonce is spent (a
        second update carrying it, validated before this one ran, is refused here)."""
        signature = request.signature
        if signature is not None and signature.nonce in self._state.nonces:
            raise ApplicationError(
                f"{request.actor}: this signed command was taken already (a replay)", type=REFUSED
            )
        self._remember(signature)

    def _check_settings(self, request: SettingsRequest) -> None:
        """Refuse unless an ERP Admin of the held roster sends settings of this project, signed
        when the held roster gives them a key."""
        held = self._settings
        new = request.settings
        if new.project != held.project:
            raise NotPermitted(
                f"settings of project {new.project} do not apply to project {held.project}"
            )
        authorize_new_roster(held.roster, request.actor, new.roster, f"project {held.project}")
        self._check_signed(request.actor, request.signature, "settings", request)

    def _check_schedule(self, request: ScheduleRequest) -> None:
        where = f"project {self._settings.project}"
        authorize_erp_action(
            self._settings.roster, request.actor, ErpAction.CONFIGURE_SYNC_SCHEDULE, where
        )
        if request.every is not None and request.every < timedelta(seconds=1):
            raise ValueError("schedule: the interval must be at least one second")
        self._check_signed(request.actor, request.signature, "schedule", request)

    def _check_sync(self, request: SyncSignal) -> None:
        """The sync's two steps need their ERP levels; a scheduled run acts in the name of the
        admin who set the schedule, who must still hold those levels now."""
        where = f"project {self._settings.project}"
        for action in (ErpAction.REFRESH_COST_CODES, ErpAction.SYNC_JOB_COSTS):
            authorize_erp_action(self._settings.roster, request.actor, action, where)
        if request.schedule and request.signature is None:
            if request.actor != self._state.schedule_actor:
                raise NotPermitted(
                    f"sync: {request.actor} set no sync schedule for {where} "
                    "(starter.py schedule set PROJECT --every INTERVAL --as USER)"
                )
            return
        self._check_signed(request.actor, request.signature, "sync", request)

    def _check_signed(self, actor: str, signature: Any, command: str, request: Any) -> None:
        check_signature(
            self._settings.roster,
            self._settings.signing,
            actor,
            signature,
            command,
            request.signed_arguments(),
            self._state.nonces,
        )

    def _remember(self, signature: Any) -> None:
        nonces = remember_nonce(self._state.nonces, signature, self._settings.signing)
        self._state = self._state.model_copy(update={"nonces": nonces})

    def _take(self, request: SettingsRequest) -> None:
        """The checked settings, held from now on. A project imported from a Sage job keeps
        what the job decided: its ERP, its job and its Sage company."""
        self._remember(request.signature)
        held = self._settings
        new = request.settings
        if self._state.origin == "imported":
            new = new.model_copy(
                update={
                    "erp": held.erp,
                    "sage_job_id": held.sage_job_id,
                    "sage_company": held.sage_company,
                }
            )
        before, after = held.model_dump(mode="json"), new.model_dump(mode="json")
        changed = sorted(key for key, value in after.items() if before.get(key) != value)
        self._state = self._state.model_copy(update={"settings": new})
        self._record(request.actor, "settings", "changed: " + (", ".join(changed) or "nothing"))
        self._publish()

    def _refusal(self, actor: str, action: str, err: Exception) -> ApplicationError:
        return refusal(self._state.audit, actor, action, err)

    def _record(self, actor: str, action: str, outcome: str) -> None:
        record(self._state.audit, actor, action, outcome)

    def _publish(self) -> None:
        details = [f"Project {self._settings.project}"]
        if self._state.job is not None:
            details.append(
                f"Sage job {self._state.job.job_id} ({self._state.origin or 'synced'}), "
                f"{len(self._state.job.cost_codes)} cost codes"
            )
        if self._state.job_costs is not None:
            details.append(f"job costs as of {self._state.job_costs.as_of:%Y-%m-%d %H:%M} UTC")
        if self._state.direct_costs is not None:
            direct = self._state.direct_costs
            details.append(
                f"{len(direct.costs)} direct costs ({len(direct.unsyncable)} unsyncable) as of "
                f"{direct.as_of:%Y-%m-%d %H:%M} UTC"
            )
        if self._state.sub_jobs:
            details.append(f"{len(self._state.sub_jobs)} sub jobs imported from Sage extras")
        waiting = [
            entry.code
            for entry in self._state.cost_codes_sent
            if entry.state is acceptance.CostCodeState.SENT
        ]
        if waiting:
            details.append(f"cost codes waiting for acceptance: {', '.join(waiting)}")
        if self._state.budget is not None:
            budget = self._state.budget
            details.append(
                f"budget imported from Sage estimate {budget.estimate_id} "
                f"({len(budget.lines)} lines)"
            )
        workflow.set_current_details("\n\n".join(details))
        workflow.upsert_search_attributes([sa.PROJECT.value_set(self._settings.project)])


def _origin(job: SageJob) -> Literal["imported", "exported"]:
    return "exported" if job.origin == "procore" else "imported"
