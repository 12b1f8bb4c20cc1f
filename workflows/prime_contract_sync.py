"""One PrimeContractSync workflow per project and Sage prime contract: it imports the contract,
re-imports its changes (on demand or on the project's sync schedule), and in lump-sum mode
keeps the detailed SOV the project team manages. ProjectSync is what the schedule runs: it
asks every prime contract of the project to refresh itself.

Workflow ID: `prime_contract:{project}:{contract}`. Every command is an update whose refusal
(a guard in domain/prime_contract.py) reaches the caller at once; nothing fails the workflow.

Links: after every import, added contract and re-import that brought something in, the
workflow writes the prime contract and its contract items into its project's link registry
(ErpProject, through workflows/links.py as an item does: `domain.links.imported_by`), and
ends the links of contract items a re-import no longer brings (`ended_by`). Behind
PRIME_LINKS_PATCH; a note that cannot be delivered is in the audit trail, never a refusal.

Authority: every command is checked against the settings the workflow holds (its start input,
then what `settings` took): the first import is open to ERP Standard or Admin, a re-import (on
demand, `sync`, or the sync schedule) needs Admin on the ERP Integrations tool AND on the Prime
Contracts tool (seeds/001, seeds/003). New settings arrive only through the `settings` update
or signal, from an ERP Admin of the held roster, signed when that roster gives them a key.

Lump-sum mode (seeds/000): `link` joins a prime contract Procore already has to this Sage
contract (3c, the first import's authority, refused above Sage's revised total), and the
workflow holds the pay applications (3d): `pay_app_create` reads Sage's revised total and
refuses until the SOV equals it, a draft re-takes the SOV (`pay_app_resync`) or is deleted
(domain/pay_applications.py decides; Admin on the Prime Contracts tool of the held roster).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from contract import search_attributes as sa
    from contract.links import MADE_LINKS_QUERY, LinkNote, LinksMade, UnlinkNote
    from contract.prime_contract_sync import (
        LINK_UPDATE,
        NO_SUCH_CONTRACT,
        PAY_APP_CREATE,
        PAY_APP_DELETE,
        PAY_APP_RESYNC,
        PAY_APP_SUBMIT,
        REFUSED,
        WORKFLOW_TYPE,
        ImportRequest,
        LinkRequest,
        SyncStart,
        SyncStatus,
    )
    from contract.sync import (
        LIST_SYNCS_ACTIVITY,
        PROJECT_SYNC_WORKFLOW,
        AuditLine,
        ProjectSyncInput,
        ScheduleRequest,
        SyncSignal,
    )
    from domain import links
    from domain import pay_applications as pay
    from domain import prime_contract as pc
    from domain.commands import SettingsRequest
    from domain.export_plan import SageCall
    from domain.permissions import ErpAction, authorize_erp_action, authorize_new_roster
    from domain.refusal import Refusal
    from domain.sage_paths import sage_path, sage_search_path
    from domain.settings import ProjectSettings
    from domain.signing import Signature
    from workflows import policies, sage_gateway
    from workflows.links import end_link, record_links
    from workflows.sage_reads import (
        HELD_AUTHORITY_PATCH,
        SYNC_ACTOR_PATCH,
        check_signature,
        claimed_actor,
        parse_signal,
        remember_nonce,
        schedule_outcome,
    )

PRIME_LINKS_PATCH = "prime-contract-sync-links"
"""Before: an import wrote no link (the registry knew no prime contract)."""
LINK_NOTE_SIZE = 500
"""Links per note (contract.links.LinkNote's limit): a longer contract takes several notes."""


@workflow.defn(name=WORKFLOW_TYPE)
class PrimeContractSync:
    @workflow.init
    def __init__(self, start: SyncStart) -> None:
        self._project = start.project
        self._contract = start.contract
        self._settings = start.settings
        self._prime = start.prime
        self._audit = list(start.audit)
        self._schedule_actor = start.schedule_actor
        self._nonces = dict(start.nonces)
        self._pay_apps = list(start.pay_applications)
        self._closed = False
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, start: SyncStart) -> str:
        await workflow.wait_condition(
            lambda: self._closed or workflow.info().is_continue_as_new_suggested()
        )
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._closed:
            return "not imported"
        workflow.continue_as_new(
            SyncStart(
                project=self._project,
                contract=self._contract,
                settings=self._settings,
                prime=self._prime,
                audit=self._audit,
                schedule_actor=self._schedule_actor,
                nonces=self._nonces,
                pay_applications=self._pay_apps,
            )
        )

    # --- queries ---

    @workflow.query
    def status(self) -> SyncStatus:
        return SyncStatus(
            workflow_id=workflow.info().workflow_id,
            project=self._project,
            contract=self._contract,
            imported=self._prime is not None,
            prime=self._prime,
            readiness=pc.readiness(self._prime) if self._prime else None,
            audit=self._audit,
            pay_applications=self._pay_apps,
        )

    @workflow.query(name=MADE_LINKS_QUERY)
    def made_links(self) -> LinksMade:
        """The links the last import made, as a home checking this sync's note asks them."""
        made: list[links.Link] = []
        if self._prime is not None:
            with contextlib.suppress(links.Unnamable):  # never written: `_write_links` says so
                made = links.imported_by(self._prime, workflow.info().workflow_id, workflow.now())
        return LinksMade(
            project=self._project, sage_company=self._settings.sage_company, links=made
        )

    # --- updates ---

    @workflow.update(name="import")
    async def import_contract(self, request: ImportRequest) -> SyncStatus:
        async with self._lock:
            try:
                found = await self._search(self._contract)
                contract = pc.choose(self._settings, self._contract, found)
                pc.check_contract(self._settings, contract)
                await self._link(contract)
                self._prime = pc.import_contract(
                    self._settings, contract, workflow.now().date(), None
                )
            except (pc.ImportRefused, LookupError) as err:
                self._closed = True  # nothing imported: the workflow ends, the ID is free
                raise self._refusal(request.actor, "import", err) from None
            self._record(request.actor, "import", f"imported {self._summary(contract)}")
            await self._write_links(None, request.actor)
            self._publish()
            return self.status()

    @import_contract.validator
    def _validate_import(self, request: ImportRequest) -> None:
        pc.authorize_import(self._settings, request.actor)
        if self._prime is not None:
            raise pc.ImportRefused(
                f"prime contract {self._contract} is already imported into {self._project}: "
                "use reimport to bring in its changes"
            )

    @workflow.update
    async def add_contract(self, request: ImportRequest) -> SyncStatus:
        async with self._lock:
            assert self._prime is not None and request.contract is not None
            before = self._prime
            try:
                found = await self._search(request.contract)
                contract = pc.choose(self._settings, request.contract, found)
                pc.check_contract(self._settings, contract)
                self._prime = pc.import_contract(
                    self._settings, contract, workflow.now().date(), self._prime
                )
                await self._link(contract)
            except (pc.ImportRefused, LookupError) as err:
                raise self._refusal(request.actor, "add_contract", err) from None
            self._record(request.actor, "add_contract", f"imported {self._summary(contract)}")
            await self._write_links(before, request.actor)
            self._publish()
            return self.status()

    @add_contract.validator
    def _validate_add(self, request: ImportRequest) -> None:
        pc.authorize_import(self._settings, request.actor)  # one more Sage contract imported
        self._require_imported()
        if not request.contract:
            raise pc.ImportRefused("name the Sage contract to add")

    @workflow.update(name=LINK_UPDATE)
    async def link_existing(self, request: LinkRequest) -> SyncStatus:
        """seeds/000 3c: the Procore prime contract exists already; link it to this Sage
        contract, refused (3c.i) when its SOV exceeds what Sage shows. The first import's
        authority; refused, nothing is linked and the workflow ends as a refused import does."""
        async with self._lock:
            try:
                found = await self._search(self._contract)
                contract = pc.choose(self._settings, self._contract, found)
                prime = pc.link_existing(
                    self._settings, contract, request.prime, workflow.now().date()
                )
                await self._link(contract)
                self._prime = prime
            except (pc.ImportRefused, LookupError) as err:
                self._closed = True
                raise self._refusal(request.actor, "link", err) from None
            self._record(
                request.actor,
                "link",
                f"linked Procore prime contract {request.prime.number} to "
                f"{self._summary(contract)}",
            )
            await self._write_links(None, request.actor)
            self._publish()
            return self.status()

    @link_existing.validator
    def _validate_link(self, request: LinkRequest) -> None:
        self._validate_import(ImportRequest(actor=request.actor))

    @workflow.update
    async def reimport(self, request: ImportRequest) -> SyncStatus:
        async with self._lock:
            self._take_request_settings(request)
            before = self._prime
            try:
                changed = await self._reimport()
            except (pc.ImportRefused, LookupError) as err:
                raise self._refusal(request.actor, "reimport", err) from None
            self._record(request.actor, "reimport", f"re-imported {', '.join(changed)}")
            await self._write_links(before, request.actor)
            self._publish()
            return self.status()

    @reimport.validator
    def _validate_reimport(self, request: ImportRequest) -> None:
        pc.authorize_reimport(self._settings, request.actor)
        self._require_imported()

    @workflow.update
    async def edit_sov(self, edit: pc.SovEdit) -> SyncStatus:
        assert self._prime is not None
        self._prime = self._prime.model_copy(update={"sov": list(edit.lines)})
        total = pc.money(self._prime.sov_total)
        self._record(edit.actor, "edit_sov", f"SOV of {len(edit.lines)} line(s), total {total}")
        self._publish()
        return self.status()

    @edit_sov.validator
    def _validate_edit_sov(self, edit: pc.SovEdit) -> None:
        self._require_imported()
        assert self._prime is not None
        pc.check_sov_edit(self._settings, self._prime, edit)

    @workflow.update
    async def readiness(self, actor: str) -> pc.Readiness:
        """Sage's revised total at this point in time, against the SOV total."""
        async with self._lock:
            await self._see_sage()
            assert self._prime is not None
            answer = pc.readiness(self._prime)
            self._record(actor, "readiness", answer.message)
            return answer

    @readiness.validator
    def _validate_readiness(self, actor: str) -> None:
        pc.authorize_readiness(self._settings, actor)
        self._require_imported()

    # --- pay applications (seeds/000 3d and its validation notes; domain/pay_applications.py) ---

    @workflow.update(name=PAY_APP_CREATE)
    async def pay_app_create(self, request: pay.PayApplicationRequest) -> SyncStatus:
        """Validation 1: Sage's revised total is read now; the SOV must equal it."""
        async with self._lock:
            assert self._prime is not None
            try:  # again under the lock: a repeated create waited for the first one
                pay.check_create(self._settings, self._prime, self._pay_apps, request.actor)
                await self._see_sage()
                self._pay_apps = pay.create(
                    self._prime, self._pay_apps, request.actor, workflow.now()
                )
            except (Refusal, LookupError) as err:
                raise self._refusal(request.actor, "pay_app_create", err) from None
            made = self._pay_apps[-1]
            self._record(
                request.actor,
                "pay_app_create",
                f"pay application #{made.number}: draft of {len(made.sov)} SOV line(s), total "
                f"{pc.money(made.total)}",
            )
            return self.status()

    @pay_app_create.validator
    def _validate_pay_app_create(self, request: pay.PayApplicationRequest) -> None:
        self._require_imported()
        assert self._prime is not None
        pay.check_create(self._settings, self._prime, self._pay_apps, request.actor)

    @workflow.update(name=PAY_APP_RESYNC)
    async def pay_app_resync(self, request: pay.PayApplicationRequest) -> SyncStatus:
        """Validation 2: a draft re-takes the SOV, checked against Sage's revised total now."""
        async with self._lock:
            assert self._prime is not None
            try:
                self._check_draft(request, "resync")
                await self._see_sage()
                self._pay_apps = pay.resync(
                    self._prime, self._pay_apps, request.number, request.actor, workflow.now()
                )
            except (Refusal, LookupError) as err:
                raise self._refusal(request.actor, "pay_app_resync", err) from None
            taken = next(p for p in self._pay_apps if p.number == request.number)
            self._record(
                request.actor,
                "pay_app_resync",
                f"pay application #{taken.number} took the SOV again: {len(taken.sov)} "
                f"line(s), total {pc.money(taken.total)}",
            )
            return self.status()

    @pay_app_resync.validator
    def _validate_pay_app_resync(self, request: pay.PayApplicationRequest) -> None:
        self._check_draft(request, "resync")

    @workflow.update(name=PAY_APP_DELETE)
    async def pay_app_delete(self, request: pay.PayApplicationRequest) -> SyncStatus:
        async with self._lock:
            try:
                self._check_draft(request, "delete")
                self._pay_apps = pay.delete(self._pay_apps, request.number)
            except Refusal as err:
                raise self._refusal(request.actor, "pay_app_delete", err) from None
            self._record(
                request.actor, "pay_app_delete", f"pay application #{request.number} deleted"
            )
            return self.status()

    @pay_app_delete.validator
    def _validate_pay_app_delete(self, request: pay.PayApplicationRequest) -> None:
        self._check_draft(request, "delete")

    @workflow.update(name=PAY_APP_SUBMIT)
    async def pay_app_submit(self, request: pay.PayApplicationRequest) -> SyncStatus:
        async with self._lock:
            try:
                self._check_draft(request, "submit")
                self._pay_apps = pay.submit(self._pay_apps, request.number)
            except Refusal as err:
                raise self._refusal(request.actor, "pay_app_submit", err) from None
            self._record(
                request.actor,
                "pay_app_submit",
                f"pay application #{request.number} submitted: under review, its SOV fixed",
            )
            return self.status()

    @pay_app_submit.validator
    def _validate_pay_app_submit(self, request: pay.PayApplicationRequest) -> None:
        self._check_draft(request, "submit")

    def _check_draft(self, request: pay.PayApplicationRequest, action: str) -> None:
        self._require_imported()
        assert self._prime is not None
        pay.check_draft_command(
            self._settings, self._prime, self._pay_apps, request.actor, request.number, action
        )

    async def _see_sage(self) -> None:
        """Sage's figures at this point in time (the pay application's back check)."""
        assert self._prime is not None
        for contract in await self._fetch_imported():
            self._prime = pc.seen(self._prime, contract)

    @workflow.update(name="sync")
    async def sync(self, actor: str) -> str:
        """A refresh: Sage's figures are noted, and changes re-imported when the guards allow."""
        async with self._lock:
            before = self._prime
            try:
                changed = await self._reimport()
                outcome = f"re-imported {', '.join(changed)}"
            except (pc.ImportRefused, LookupError) as err:
                outcome = f"nothing re-imported: {err}"
                changed = []
            self._record(actor, "sync", outcome)
            if changed:
                await self._write_links(before, actor)
            self._publish()
            return outcome

    @sync.validator
    def _validate_sync(self, actor: str) -> None:
        pc.authorize_reimport(self._settings, actor)
        self._require_imported()

    @workflow.signal(name="sync")
    async def sync_signal(self, *payload: Any) -> None:
        """The schedule's (and the UI's) way in: `{"actor": USER}`, checked like `sync`;
        every refusal recorded, never raised.

        `*payload`: a signal with no input or several must not fail the workflow task.
        """
        legacy = len(payload) == 1 and isinstance(payload[0], str)
        if legacy and not workflow.patched(SYNC_ACTOR_PATCH):  # recorded before the check
            if self._prime is not None:
                try:
                    await self.sync(payload[0])
                except ApplicationError as err:
                    self._record(payload[0], "sync", f"refused: {err.message}")
            return
        actor = claimed_actor(payload)
        try:
            request = parse_signal(SyncSignal, payload, "sync")
            self._check_sync(request)
            self._remember(request.signature)
            await self.sync(request.actor)
        except Exception as err:  # whatever the payload or Sage's answer: noted, never raised
            self._record(actor, "sync", f"refused: {_message(err)}")

    # --- authority ---

    @workflow.update(name="settings")
    async def settings_update(self, request: SettingsRequest) -> SyncStatus:
        """New project settings, from an ERP Admin of the roster this workflow holds."""
        try:
            self._check_settings(request)
        except Exception as err:
            raise self._refusal(request.actor, "settings", err) from None
        self._take(request)
        return self.status()

    @settings_update.validator
    def _validate_settings(self, request: SettingsRequest) -> None:
        self._check_settings(request)

    @workflow.signal(name="settings")
    def settings_signal(self, *payload: Any) -> None:
        """The same as the update, from the UI's "Send Signal"; refusals recorded."""
        first = payload[0] if len(payload) == 1 else None
        legacy = isinstance(first, dict) and "actor" not in first and "settings" not in first
        if legacy and not workflow.patched(HELD_AUTHORITY_PATCH):
            self._legacy_settings(first)
            return
        try:
            request = parse_signal(SettingsRequest, payload, "settings")
            self._check_settings(request)
        except Exception as err:
            self._record(claimed_actor(payload), "settings", f"refused: {_message(err)}")
            return
        self._take(request)

    @workflow.update(name="schedule")
    async def schedule_update(self, request: ScheduleRequest) -> SyncStatus:
        """An ERP Admin who may re-import sets (or deletes) the sync schedule run in their name."""
        try:
            self._check_schedule(request)
        except Exception as err:
            raise self._refusal(request.actor, "schedule", err) from None
        self._remember(request.signature)
        self._schedule_actor = request.actor if request.every else None
        self._record(request.actor, "schedule", schedule_outcome(request))
        return self.status()

    @schedule_update.validator
    def _validate_schedule(self, request: ScheduleRequest) -> None:
        self._check_schedule(request)

    # --- authority helpers ---

    def _check_settings(self, request: SettingsRequest) -> None:
        new = request.settings
        if new.project != self._project:
            raise pc.ImportRefused(
                f"settings of project {new.project} do not apply to project {self._project}"
            )
        where = f"project {self._project}"
        authorize_new_roster(self._settings.roster, request.actor, new.roster, where)
        self._check_signed(request.actor, request.signature, "settings", request)

    def _check_schedule(self, request: ScheduleRequest) -> None:
        where = f"project {self._project}"
        authorize_erp_action(
            self._settings.roster, request.actor, ErpAction.CONFIGURE_SYNC_SCHEDULE, where
        )
        if request.every is not None:  # its runs re-import: the admin must be allowed to
            pc.authorize_reimport(self._settings, request.actor)
        self._check_signed(request.actor, request.signature, "schedule", request)

    def _check_sync(self, request: SyncSignal) -> None:
        pc.authorize_reimport(self._settings, request.actor)
        self._require_imported()
        if request.schedule and request.signature is None:
            if request.actor != self._schedule_actor:
                raise pc.ImportRefused(
                    f"sync: {request.actor} set no sync schedule for prime contract "
                    f"{self._contract} (starter.py schedule set PROJECT --every INTERVAL --as USER)"
                )
            return
        self._check_signed(request.actor, request.signature, "sync", request)

    def _check_signed(
        self, actor: str, signature: Signature | None, command: str, request: Any
    ) -> None:
        check_signature(
            self._settings.roster,
            self._settings.signing,
            actor,
            signature,
            command,
            request.signed_arguments(),
            self._nonces,
        )

    def _remember(self, signature: Signature | None) -> None:
        self._nonces = remember_nonce(self._nonces, signature, self._settings.signing)

    def _take(self, request: SettingsRequest) -> None:
        self._remember(request.signature)
        before = self._settings.model_dump(mode="json")
        after = request.settings.model_dump(mode="json")
        changed = sorted(key for key, value in after.items() if before.get(key) != value)
        self._settings = request.settings
        self._record(request.actor, "settings", "changed: " + (", ".join(changed) or "nothing"))

    def _take_request_settings(self, request: ImportRequest) -> None:
        """Before HELD_AUTHORITY_PATCH a reimport took the settings its request carried; a
        history recorded then replays so, but never takes the roster: authority stays held."""
        if request.settings is None or workflow.patched(HELD_AUTHORITY_PATCH):
            return
        held = self._settings
        self._settings = request.settings.model_copy(
            update={"roster": held.roster, "signing": held.signing, "groups": held.groups}
        )

    def _legacy_settings(self, data: Any) -> None:
        """The settings signal as histories recorded before HELD_AUTHORITY_PATCH took it: bare
        settings, their roster never taken."""
        try:
            settings = ProjectSettings.model_validate(data)
        except ValidationError as err:
            self._record("unknown", "settings", f"refused: {str(err).splitlines()[0]}")
            return
        if settings.project != self._project:
            self._record("unknown", "settings", f"refused: settings of {settings.project}")
            return
        held = self._settings
        self._settings = settings.model_copy(
            update={"roster": held.roster, "signing": held.signing, "groups": held.groups}
        )
        self._record("settings", "settings", "project settings applied")

    # --- helpers ---

    def _require_imported(self) -> None:
        if self._prime is None:
            raise pc.ImportRefused(f"prime contract {self._contract} is not imported yet")

    async def _reimport(self) -> list[str]:
        assert self._prime is not None
        fetched = await self._fetch_imported()
        for contract in fetched:
            pc.check_contract(self._settings, contract)
            self._prime = pc.seen(self._prime, contract)
        news = [c for c in fetched if pc.has_news(self._prime, c)]
        if not news:
            raise pc.ImportRefused(
                f"{pc.NOTHING_NEW} (contract {', '.join(c.contract_id for c in fetched)})"
            )
        for contract in news:
            self._prime = pc.reimport(self._settings, self._prime, contract)
        return [self._summary(c) for c in news]

    async def _fetch_imported(self) -> list[pc.SageContract]:
        assert self._prime is not None
        found = []
        for contract in self._prime.imported.values():
            path = sage_path("/v1/prime_contracts", contract.job_id, contract.contract_id)
            try:
                answer = await self._call(SageCall(method="GET", path=path))
            except LookupError:
                raise LookupError(
                    f"Sage has no prime contract {contract.contract_id} on job "
                    f"{contract.job_id} any more"
                ) from None
            found.append(pc.SageContract.model_validate(answer))
        return found

    async def _search(self, contract_id: str) -> list[pc.SageContract]:
        answer = await self._call(
            SageCall(
                method="GET",
                path=sage_search_path("/v1/prime_contracts", contract_id=contract_id),
            )
        )
        return [pc.SageContract.model_validate(c) for c in answer.get("contracts", [])]

    async def _link(self, contract: pc.SageContract) -> None:
        path = sage_path(
            "/v1/prime_contracts", contract.job_id, contract.contract_id, "links", self._project
        )
        await self._call(SageCall(method="PUT", path=path))

    async def _write_links(self, before: pc.PrimeContract | None, actor: str) -> None:
        """Tell the project's registry what this import linked: the links of contract items
        Sage no longer holds end first, then every link the contract makes now is written
        (the same pairs again change nothing: the registry decides, domain/links.py)."""
        if self._prime is None or not workflow.patched(PRIME_LINKS_PATCH):
            return
        item, at = workflow.info().workflow_id, workflow.now()
        try:  # whatever Sage named its records (too long for a link, say): noted, never raised
            made = links.imported_by(self._prime, item, at)
            gone = links.ended_by(links.imported_by(before, item, at) if before else [], made)
            for link in gone:
                ended = UnlinkNote(
                    item=item, kind=link.kind, procore=link.procore, actor=actor, at=at
                )
                await end_link(self._settings, ended)
            for start in range(0, len(made), LINK_NOTE_SIZE):
                note = LinkNote(item=item, links=made[start : start + LINK_NOTE_SIZE])
                await record_links(self._settings, note)
        except Exception as err:  # links are the registry's; the import stands
            cause = getattr(err, "cause", None) or err
            self._record("system", "link", f"links not recorded: {_message(cause)}")

    async def _call(self, call: SageCall) -> dict[str, Any]:
        """Sage's answer; LookupError when it has no such record, ImportRefused otherwise."""
        assert call.method in ("GET", "PUT")
        try:
            return await sage_gateway.request(call.method, call.path, call.company)
        except sage_gateway.SageRefused as err:
            raise pc.refused_by_sage(err.failure.code, err.failure.message) from None

    def _refusal(self, actor: str, action: str, err: Exception) -> ApplicationError:
        self._record(actor, action, f"refused: {err}")
        kind = NO_SUCH_CONTRACT if isinstance(err, LookupError) else REFUSED
        return ApplicationError(str(err), type=kind, non_retryable=True)

    def _record(self, actor: str, action: str, outcome: str) -> None:
        self._audit.append(
            AuditLine(at=workflow.now(), actor=actor, action=action, outcome=outcome)
        )

    def _summary(self, contract: pc.SageContract) -> str:
        return f"{contract.contract_id} (Sage job {contract.job_id})"

    def _publish(self) -> None:
        if self._prime is not None:
            workflow.upsert_search_attributes(
                [sa.AMOUNT.value_set(float(self._prime.sage_revised_total))]
            )


# --- the project's sync schedule ---


@workflow.defn(name=PROJECT_SYNC_WORKFLOW)
class ProjectSync:
    """What the project's schedule runs: every imported prime contract refreshes itself, and
    so do the project's cost codes and job costs (its ErpProject workflow, if it has one)."""

    @workflow.run
    async def run(self, request: ProjectSyncInput) -> list[str]:
        ids: list[str] = await workflow.execute_activity(
            LIST_SYNCS_ACTIVITY,
            request.project,
            result_type=list[str],
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=policies.SAGE_CALL_RETRY,
        )
        sync = SyncSignal(actor=request.actor or "schedule", schedule=True)
        for wf_id in ids:
            await workflow.get_external_workflow_handle(wf_id).signal(
                "sync", sync.model_dump(mode="json", exclude_none=True)
            )
        return ids


def _message(err: Exception) -> str:
    if isinstance(err, ApplicationError):
        return err.message
    if isinstance(err, ValidationError):
        return f"{err.error_count()} problem(s): {str(err).splitlines()[0]}"
    return str(err) or type(err).__name__
