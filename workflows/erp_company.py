"""One ErpCompany workflow per Sage company: the company-level side of the ERP Integrations tool.

It holds the vendor directory (Procore's companies with their Sage vendor links, archived
vendors, the vendors last read from Sage; domain/vendors.py) and the company's standard cost
codes and categories. `starter.py vendors ...` and `standard-cost-codes ...` start it on first
use; the signal `sync` refreshes both (refusals are recorded, never raised). Every command is
an update: a refusal reaches the caller at once and nothing Sage answers fails the workflow.
The workflow holds the company account (domain/company_account.py) it started with: its roster
decides who may act. A new account (new people, new companies for the directory, 'Vendors will
be automatically updated' turned on) arrives only through the `settings` update (or signal of
that name) from an ERP Admin of the held roster, signed when that roster gives them a key; an
account a request carries for another purpose is ignored. The `sync` signal names its actor
(`{"actor": USER}`), checked against the held roster like any command.

Workflow ID: `erp_company:{sage company}`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from contract.erp_company import (
        ASSIGN_DEFAULT_COST_TYPES,
        DEFAULT_COST_TYPES_QUERY,
        IMPORT_INSURANCE_UPDATE,
        WORKFLOW_TYPE,
        CompanyRecord,
        CompanyRequest,
        CompanyStart,
        DefaultCostTypesRequest,
    )
    from contract.links import LINK_SIGNAL, LINKS_QUERY, UNLINK_SIGNAL, LinksMade, LinksView
    from contract.sync import SyncSignal
    from domain import cost_code_acceptance as acceptance
    from domain import erp
    from domain.company_account import (
        DEFAULT_SAGE_COMPANY,
        AccountRequest,
        CompanyAccount,
        VendorState,
        vendor_rows,
        with_account_companies,
    )
    from domain.cost_codes import StandardCategory, StandardCostCode
    from domain.insurance import (
        SageVendorInsurance,
        check_enabled,
        check_vendor_code,
        company_insurance,
        synced_company,
    )
    from domain.insurance import changes as insurance_changes
    from domain.links import Link, LinkKind, LinkRegistry
    from domain.permissions import (
        ErpAction,
        NotPermitted,
        authorize_erp_action,
        authorize_new_roster,
    )
    from domain.sage_paths import sage_path
    from domain.signing import Signature, SigningPolicy
    from domain.vendors import SageVendor, VendorDirectory, VendorRefused
    from workflows import sage_gateway
    from workflows.links import LinkNotes
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
        remember_nonce,
        run_each,
        schedule_actor,
    )

SIGNING = SigningPolicy()
"""The company account has no signing rules of its own: a user with a key signs, a user
without one may act unsigned, a signature is good for five minutes."""


_VENDOR_ACTIONS: dict[str, tuple[ErpAction, erp.Capability]] = {
    "link": (ErpAction.LINK_COMPANIES, erp.Capability.VENDOR_LINK),
    "unlink": (ErpAction.UNLINK_COMPANY, erp.Capability.VENDOR_LINK),
    "archive": (ErpAction.ARCHIVE_ERP_COMPANY, erp.Capability.VENDOR_LINK),
    "unarchive": (ErpAction.ARCHIVE_ERP_COMPANY, erp.Capability.VENDOR_LINK),
    "import": (ErpAction.ADD_ERP_COMPANY, erp.Capability.VENDOR_IMPORT),
}
"""Who may take each vendor action (seeds' permissions matrix) and what the ERP must offer."""


EXPORTED_VENDORS_PATCH = "vendor-directory-sees-exported-companies"
"""Before: a vendor a company was exported as (the link registry) was matched, linked or
imported by the directory as if no company were synced with it."""


@workflow.defn(name=WORKFLOW_TYPE)
class ErpCompany:
    @workflow.init
    def __init__(self, start: CompanyStart) -> None:
        directory, _ = with_account_companies(start.directory, start.account)
        self._state = start.model_copy(update={"audit": list(start.audit), "directory": directory})
        self._lock = asyncio.Lock()
        self._notes = self._link_notes()
        self._account_command = HeldCommand(
            "settings",
            AccountRequest,
            check=self._check_account,
            take=self._take,
            audit=lambda: self._state.audit,
            lock=self._lock,
        )
        self._default_types_command = HeldCommand(
            ASSIGN_DEFAULT_COST_TYPES,
            DefaultCostTypesRequest,
            check=self._check_default_types,
            take=self._take_default_types,
            audit=lambda: self._state.audit,
            lock=self._lock,
        )

    @workflow.run
    async def run(self, start: CompanyStart) -> str:
        await workflow.wait_condition(lambda: workflow.info().is_continue_as_new_suggested())
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(self._state)

    @workflow.query
    def status(self) -> CompanyRecord:
        try:
            flavour: erp.Erp | None = self._state.account.erp_of(self._company)
        except LookupError:
            flavour = None
        return CompanyRecord(
            **self._state.model_dump(),
            workflow_id=workflow.info().workflow_id,
            erp=flavour,
            vendors=vendor_rows(self._state.directory, self._exported()),
        )

    @property
    def _company(self) -> str:
        return self._state.sage_company

    # --- the link registry's company side: companies <-> vendors ---

    @workflow.query(name=LINKS_QUERY)
    def links(self) -> LinksView:
        """Companies exported as vendors, and the directory's vendor links (company -> vendor)."""
        directory = {company: vendor for vendor, company in self._state.directory.links.items()}
        return LinksView(
            home=workflow.info().workflow_id,
            registry=self._state.links,
            directory_vendors=directory,
        )

    @workflow.signal(name=LINK_SIGNAL)
    async def link_signal(self, *payload: Any) -> None:
        """A company item exported as a vendor, or linked to an identical one."""
        await self._notes.link(payload)

    @workflow.signal(name=UNLINK_SIGNAL)
    async def unlink_signal(self, *payload: Any) -> None:
        """A company item a person unlinked (the item checked who may)."""
        await self._notes.unlink(payload)

    def _link_notes(self) -> LinkNotes:
        def belongs(link: Link) -> bool:
            return link.kind is LinkKind.VENDOR

        def foreign(made: LinksMade) -> str | None:
            company, ours = made.sage_company or DEFAULT_SAGE_COMPANY, self._state.sage_company
            return None if company == ours else f"of Sage company {company}, not {ours}"

        return LinkNotes(
            get=lambda: self._state.links,
            put=lambda links: self._set_links(links),
            audit=lambda: self._state.audit,
            belongs=belongs,
            foreign=foreign,
        )

    def _set_links(self, links: LinkRegistry) -> None:
        self._state = self._state.model_copy(update={"links": links})

    # --- vendors ---

    @workflow.update
    async def refresh_vendors(self, request: CompanyRequest) -> CompanyRecord:
        return await self._refresh(request, "refresh vendors", self._refresh_vendors)

    @refresh_vendors.validator
    def _validate_refresh_vendors(self, request: CompanyRequest) -> None:
        self._authorize(request, ErpAction.REFRESH_COMPANIES)

    @workflow.update
    async def link(self, request: CompanyRequest) -> CompanyRecord:
        return await self._vendor_action("link", request)

    @link.validator
    def _validate_link(self, request: CompanyRequest) -> None:
        self._check_vendor_action("link", request)

    @workflow.update
    async def unlink(self, request: CompanyRequest) -> CompanyRecord:
        return await self._vendor_action("unlink", request)

    @unlink.validator
    def _validate_unlink(self, request: CompanyRequest) -> None:
        self._check_vendor_action("unlink", request)

    @workflow.update
    async def archive(self, request: CompanyRequest) -> CompanyRecord:
        return await self._vendor_action("archive", request)

    @archive.validator
    def _validate_archive(self, request: CompanyRequest) -> None:
        self._check_vendor_action("archive", request)

    @workflow.update
    async def unarchive(self, request: CompanyRequest) -> CompanyRecord:
        return await self._vendor_action("unarchive", request)

    @unarchive.validator
    def _validate_unarchive(self, request: CompanyRequest) -> None:
        self._check_vendor_action("unarchive", request)

    @workflow.update
    async def import_vendor(self, request: CompanyRequest) -> CompanyRecord:
        return await self._vendor_action("import", request)

    @import_vendor.validator
    def _validate_import_vendor(self, request: CompanyRequest) -> None:
        self._check_vendor_action("import", request)

    # --- company insurance ---

    @workflow.update(name=IMPORT_INSURANCE_UPDATE)
    async def import_insurance(self, request: CompanyRequest) -> CompanyRecord:
        """A synced company's insurance from its Sage vendor's AP Vendor Insurance (Global
        Level; domain/insurance.py); a re-import replaces what the company held."""
        async with self._lock:
            action = f"import insurance {request.vendor_id}"
            try:
                vendor, company = self._insurance_target(request)  # again: the lock was waited
                answer = await self._call("GET", sage_path("/v1/vendors", vendor, "insurance"))
                listed = answer.get("value")
                if not isinstance(listed, list):
                    raise ValueError("Sage answered something unexpected (no insurance list)")
                records = [SageVendorInsurance.model_validate(entry) for entry in listed]
                result = company_insurance(records, vendor, company, request.actor, workflow.now())
            except RECOVERABLE as err:
                raise self._refusal(request.actor, action, err) from None
            before = self._state.insurance.get(company)
            insurance = {**self._state.insurance, company: result}
            self._state = self._state.model_copy(update={"insurance": insurance})
            self._record(request.actor, action, insurance_changes(before, result))
            return self.status()

    @import_insurance.validator
    def _validate_import_insurance(self, request: CompanyRequest) -> None:
        # The seeds' matrix has no row for the insurance import; it reads Sage's vendor data
        # into synced companies as "Refresh the Companies List for ERP" does (Admin).
        self._authorize(request, ErpAction.REFRESH_COMPANIES)
        try:
            self._insurance_target(request)
        except RECOVERABLE as err:
            raise ApplicationError(str(err), type=REFUSED) from None

    def _insurance_target(self, request: CompanyRequest) -> tuple[str, str]:
        """(vendor, its synced company), or the refusal: a careless vendor ID, the setting
        off, an ERP without it, a vendor synced with no company."""
        vendor = check_vendor_code(request.vendor_id)
        check_enabled(self._state.account.vendor_insurance_sync)
        self._require(erp.Capability.VENDOR_INSURANCE_IMPORT)
        company = synced_company(self._state.directory.links, self._state.links, vendor)
        return vendor, company

    # --- standard cost codes ---

    @workflow.update
    async def refresh_standard_cost_codes(self, request: CompanyRequest) -> CompanyRecord:
        return await self._refresh(request, "refresh standard cost codes", self._refresh_standard)

    @refresh_standard_cost_codes.validator
    def _validate_refresh_standard(self, request: CompanyRequest) -> None:
        # The seeds' matrix has no row for this on-demand sync; the nearest is "Refresh the
        # Cost Codes on an ERP Integrated Project" (Admin), so Admin it is.
        self._authorize(request, ErpAction.REFRESH_COST_CODES)

    # --- default cost types of standard cost codes (domain/cost_code_acceptance.py) ---

    @workflow.update(name=ASSIGN_DEFAULT_COST_TYPES)
    async def assign_default_cost_types(self, request: DefaultCostTypesRequest) -> CompanyRecord:
        """The matrix's "Assign Default Cost Types To ERP Standard Cost Codes" (Standard or
        Admin): what a project cost code sent with no cost type takes at acceptance. A new
        handler: no history recorded before it calls it, so no patch."""
        await self._default_types_command.update(request)
        return self.status()

    @assign_default_cost_types.validator
    def _validate_default_types(self, request: DefaultCostTypesRequest) -> None:
        self._default_types_command.validate(request)

    @workflow.signal(name=ASSIGN_DEFAULT_COST_TYPES)
    async def assign_default_cost_types_signal(self, *payload: Any) -> None:
        """The same as the update, from the UI's "Send Signal"; refusals recorded."""
        await self._default_types_command.signal(payload)

    @workflow.query(name=DEFAULT_COST_TYPES_QUERY)
    def default_cost_types(self) -> dict[str, list[str]]:
        return dict(self._state.default_cost_types)

    def _check_default_types(self, request: DefaultCostTypesRequest) -> None:
        """The held roster's level, the ERP, then the standard lists this workflow holds."""
        self._authorize_actor(request.actor, ErpAction.ASSIGN_DEFAULT_COST_TYPES)
        self._require(erp.Capability.STANDARD_COST_CODE_SYNC)
        code = acceptance.check_code(request.code)
        categories = acceptance.check_categories(request.categories)
        acceptance.check_default_types(
            self._state.standard_cost_codes, self._state.standard_categories, code, categories
        )
        self._check_signed(request.actor, request.signature, ASSIGN_DEFAULT_COST_TYPES, request)

    def _take_default_types(self, request: DefaultCostTypesRequest) -> None:
        self._remember(request.signature)
        categories = acceptance.check_categories(request.categories)
        defaults = acceptance.with_default_types(
            self._state.default_cost_types, request.code, categories
        )
        self._state = self._state.model_copy(update={"default_cost_types": defaults})
        self._record(
            request.actor,
            f"default cost types {request.code}",
            acceptance.describe_defaults(request.code, categories),
        )

    @workflow.signal(name="sync")
    async def sync_signal(self, *payload: Any) -> None:
        """Refresh vendors and standard cost codes: `{"actor": USER}`, checked like any
        command; every refusal recorded, never raised."""
        async with self._lock:
            steps = [
                ("refresh vendors", self._refresh_vendors),
                ("refresh standard cost codes", self._refresh_standard),
            ]
            legacy = len(payload) == 1 and isinstance(payload[0], str)
            if legacy and not workflow.patched(SYNC_ACTOR_PATCH):  # recorded before the check
                await run_each(self._state.audit, schedule_actor(payload), steps)
                return
            try:
                request = parse_signal(SyncSignal, payload, "sync")
                for action in (ErpAction.REFRESH_COMPANIES, ErpAction.REFRESH_COST_CODES):
                    self._authorize_actor(request.actor, action)
                self._check_signed(request.actor, request.signature, "sync", request)
                self._remember(request.signature)
            except Exception as err:  # whatever the payload, a refusal, never a failed task
                self._refusal(claimed_actor(payload), "sync", err)
                return
            await run_each(self._state.audit, request.actor, steps)

    # --- authority ---

    @workflow.update(name="settings")
    async def settings_update(self, request: AccountRequest) -> CompanyRecord:
        """A new company account, from an ERP Admin of the account's roster held here."""
        await self._account_command.update(request)
        return self.status()

    @settings_update.validator
    def _validate_settings(self, request: AccountRequest) -> None:
        self._account_command.validate(request)

    @workflow.signal(name="settings")
    async def settings_signal(self, *payload: Any) -> None:
        """The same as the update, from the UI's "Send Signal"; refusals recorded."""
        await self._account_command.signal(payload)

    # --- the work ---

    async def _refresh(
        self, request: CompanyRequest, action: str, work: Callable[[str], Awaitable[None]]
    ) -> CompanyRecord:
        """An on-demand refresh: with the account the request carries; a refusal recorded."""
        async with self._lock:
            self._take_account(request)
            try:
                await work(request.actor)
            except RECOVERABLE as err:
                raise self._refusal(request.actor, action, err) from None
            return self.status()

    async def _refresh_vendors(self, actor: str) -> None:
        flavour = self._require(erp.Capability.VENDOR_LINK)
        auto_update = self._state.account.vendors_auto_update
        notes: list[str] = []
        if auto_update and not erp.profile(flavour).has(erp.Capability.VENDOR_AUTO_UPDATE):
            auto_update = False
            notes.append(self._cannot(flavour, erp.Capability.VENDOR_AUTO_UPDATE) + ": not applied")
        answer = await self._call("GET", "/v1/vendors")
        listed = answer.get("value")
        if not isinstance(listed, list):
            raise ValueError("Sage answered something unexpected (no vendor list)")
        vendors = [SageVendor.model_validate(vendor) for vendor in listed]
        exported = self._exported() if workflow.patched(EXPORTED_VENDORS_PATCH) else {}
        report = self._state.directory.refresh(vendors, auto_update, exported)
        self._state = self._state.model_copy(
            update={
                "directory": report.directory,
                "last_report": report.model_copy(update={"directory": VendorDirectory()}),
                "vendors_refreshed_at": workflow.now(),
            }
        )
        lines = [f"read {len(vendors)} vendors", *report.lines(), *notes]
        self._record(actor, "refresh vendors", "; ".join(lines))
        self._publish()

    async def _vendor_action(self, action: str, request: CompanyRequest) -> CompanyRecord:
        async with self._lock:
            self._take_account(request)
            try:
                exported = self._exported() if workflow.patched(EXPORTED_VENDORS_PATCH) else {}
                directory = self._apply(action, request, self._state.directory, exported)
            except (VendorRefused, erp.ErpRefused, LookupError) as err:
                raise self._refusal(request.actor, f"{action} {request.vendor_id}", err) from None
            self._state = self._state.model_copy(update={"directory": directory})
            self._record(
                request.actor, f"{action} {request.vendor_id}", self._done(action, request)
            )
            self._publish()
            return self.status()

    def _exported(self) -> dict[str, str]:
        """Vendor -> company, for each company exported as a vendor (the link registry)."""
        return self._state.links.procore_of(LinkKind.VENDOR)

    def _apply(
        self,
        action: str,
        request: CompanyRequest,
        directory: VendorDirectory,
        exported: dict[str, str],
    ) -> VendorDirectory:
        self._require(_VENDOR_ACTIONS[action][1])
        vendor = request.vendor_id or ""
        if action == "link":
            return directory.link(vendor, request.company_id or "", exported)
        if action == "unlink":
            return directory.unlink(vendor)
        if action == "archive":
            return directory.archive(vendor)
        if action == "unarchive":
            return directory.unarchive(vendor)
        return directory.import_vendor(vendor, request.company_id, exported)

    def _done(self, action: str, request: CompanyRequest) -> str:
        vendor = request.vendor_id
        company = self._state.directory.links.get(vendor or "")
        if action == "link":
            return f"vendor {vendor} linked to company {company}"
        if action == "import":
            return f"vendor {vendor} added to the company directory as company {company}"
        return f"vendor {vendor} {action}d" if action != "unlink" else f"vendor {vendor} unlinked"

    def _check_vendor_action(self, action: str, request: CompanyRequest) -> None:
        """Refuse before anything is recorded: permission, the ERP, the directory's rules."""
        self._authorize(request, _VENDOR_ACTIONS[action][0])
        if not request.vendor_id:
            raise ApplicationError(f"{action} needs the Sage vendor ID", type=REFUSED)
        if action == "link" and not request.company_id:
            raise ApplicationError("link needs the Procore company ID", type=REFUSED)
        try:
            self._apply(action, request, self._state.directory, self._exported())
        except (VendorRefused, erp.ErpRefused, LookupError) as err:
            raise ApplicationError(str(err), type=REFUSED) from None

    async def _refresh_standard(self, actor: str) -> None:
        self._require(erp.Capability.STANDARD_COST_CODE_SYNC)
        codes_answer = await self._call("GET", "/v1/standard_cost_codes")
        categories_answer = await self._call("GET", "/v1/standard_categories")
        codes_listed, categories_listed = codes_answer.get("value"), categories_answer.get("value")
        if not isinstance(codes_listed, list) or not isinstance(categories_listed, list):
            raise ValueError("Sage answered something unexpected (no standard list)")
        codes = [StandardCostCode.model_validate(code) for code in codes_listed]
        categories = [StandardCategory.model_validate(c) for c in categories_listed]
        before = {code.code: code for code in self._state.standard_cost_codes}
        now = {code.code: code for code in codes}
        changes = [f"added {code}" for code in sorted(now.keys() - before.keys())]
        changes += [f"removed {code}" for code in sorted(before.keys() - now.keys())]
        changes += [
            f"{code} {'reactivated' if now[code].active else 'deactivated'}"
            for code in sorted(now.keys() & before.keys())
            if now[code].active != before[code].active
        ]
        had = {category.category for category in self._state.standard_categories}
        changes += [f"added category {c.category}" for c in categories if c.category not in had]
        gone = had - {category.category for category in categories}
        changes += [f"removed category {category}" for category in sorted(gone)]
        inactive = sum(1 for code in codes if not code.active)
        first = self._state.standard_refreshed_at is None
        self._state = self._state.model_copy(
            update={
                "standard_cost_codes": codes,
                "standard_categories": categories,
                "standard_refreshed_at": workflow.now(),
            }
        )
        summary = f"{len(codes)} cost codes ({inactive} inactive), {len(categories)} categories"
        if not first:
            summary += ": " + ("; ".join(changes) if changes else "no change")
        self._record(actor, "refresh standard cost codes", summary)
        self._publish()

    # --- helpers ---

    def _take_account(self, request: CompanyRequest) -> None:
        """Before HELD_AUTHORITY_PATCH a request's account was taken; a history recorded then
        replays so, but never takes its roster: authority stays with the held account."""
        if request.account is None or workflow.patched(HELD_AUTHORITY_PATCH):
            return
        carried = request.account.model_copy(update={"roster": self._state.account.roster})
        self._hold(request.actor, carried)

    def _hold(self, actor: str, account: CompanyAccount) -> None:
        directory, skipped = with_account_companies(self._state.directory, account)
        self._state = self._state.model_copy(update={"account": account, "directory": directory})
        for note in skipped:
            self._record(actor, "company directory", note)

    def _check_account(self, request: AccountRequest) -> None:
        held = self._state.account
        authorize_new_roster(
            held.roster, request.actor, request.account.roster, f"company account {held.name}"
        )
        request.account.erp_of(self._company)  # LookupError: the account lost this company
        self._check_signed(request.actor, request.signature, "settings", request)

    def _take(self, request: AccountRequest) -> None:
        self._remember(request.signature)
        before = self._state.account.model_dump(mode="json")
        after = request.account.model_dump(mode="json")
        changed = sorted(key for key, value in after.items() if before.get(key) != value)
        self._hold(request.actor, request.account)
        self._record(request.actor, "settings", "changed: " + (", ".join(changed) or "nothing"))
        self._publish()

    def _check_signed(
        self, actor: str, signature: Signature | None, command: str, request: Any
    ) -> None:
        check_signature(
            self._state.account.roster,
            SIGNING,
            actor,
            signature,
            command,
            request.signed_arguments(),
            self._state.nonces,
        )

    def _remember(self, signature: Signature | None) -> None:
        nonces = remember_nonce(self._state.nonces, signature, SIGNING)
        self._state = self._state.model_copy(update={"nonces": nonces})

    def _require(self, capability: erp.Capability) -> erp.Erp:
        """The company's ERP, if it offers `capability`; ErpRefused (or LookupError) if not."""
        flavour = self._state.account.erp_of(self._company)
        if not erp.profile(flavour).has(capability):
            raise erp.ErpRefused(self._cannot(flavour, capability))
        return flavour

    def _cannot(self, flavour: erp.Erp, capability: erp.Capability) -> str:
        target = erp.profile(flavour)
        return (
            f"Sage company {self._company} is {target.title}, which cannot {capability.action} "
            f"(missing capability: {capability.description})"
        )

    async def _call(self, method: Literal["GET"], path: str) -> Any:
        return await sage_gateway.request(method, path, self._company)

    def _authorize(self, request: CompanyRequest, action: ErpAction) -> None:
        try:
            self._authorize_actor(request.actor, action)
        except NotPermitted as err:
            raise ApplicationError(str(err), type=REFUSED) from None

    def _authorize_actor(self, actor: str, action: ErpAction) -> None:
        account = self._state.account
        authorize_erp_action(account.roster, actor, action, f"company account {account.name}")

    def _refusal(self, actor: str, action: str, err: Exception) -> ApplicationError:
        return refusal(self._state.audit, actor, action, err)

    def _record(self, actor: str, action: str, outcome: str) -> None:
        record(self._state.audit, actor, action, outcome)

    def _publish(self) -> None:
        rows = vendor_rows(self._state.directory, self._exported())
        counts = {state: sum(1 for row in rows if row.state is state) for state in VendorState}
        shown = ", ".join(f"{count} {state.value}" for state, count in counts.items() if count)
        details = [f"Sage company {self._company}: {len(rows)} vendors ({shown or 'none read'})"]
        if self._state.standard_refreshed_at is not None:
            details.append(
                f"{len(self._state.standard_cost_codes)} standard cost codes and "
                f"{len(self._state.standard_categories)} categories as of "
                f"{self._state.standard_refreshed_at:%Y-%m-%d %H:%M} UTC"
            )
        workflow.set_current_details("\n\n".join(details))
