"""Prime contracts imported from Sage 300 CRE: the mapping, the re-import guards, and the
lump-sum mode where Procore manages the schedule of values (SOV).

Mapping: seeds/004 "Prime Contract" (Data Mapping). Guards: seeds/001 and seeds/003 ("You
will not be able to sync a prime contract when ...") and seeds/004 "PRIME CONTRACTs" (the
Re-Import button is unavailable when ...). Lump-sum mode: seeds/000 (the feature request and
Kevin Hicks' steps): Sage holds one contract item with the contract value, the detailed SOV
lives here, never above the Sage total, and a pay application waits until the SOV total
equals the Sage revised total.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.errors import CATALOGUE
from domain.items import ItemTool
from domain.refusal import Refusal
from domain.settings import ErpPermission, ProjectSettings, RosterUser

UNAPPROVED = "The prime contract is in unapproved state."
NOT_SYNCED_JOB = "The prime contract does not belong to a synced job."
TWO_PROJECTS = (
    "The prime contract has inadvertently been added to two projects in your company's "
    "Procore account."
)
NOTHING_NEW = (
    "The prime contract has already been synced and there are no new un-synced line items."
)
"""The seeds' reasons, word for word (seeds/004 writes 'prime contact' in the last one)."""

JOB_LEVEL_CODE = "JOB"


class ImportRefused(Refusal):
    """A prime contract that cannot be imported or re-imported; the text says why."""


def refused_by_sage(code: str, message: str) -> ImportRefused:
    """Sage's refusal of an import's call, in Sage's words; where the error catalogue has a
    remedy for an import (a `prime-contract` command), who does what next follows them."""
    entry = CATALOGUE.get(code)
    if entry is None or not any(" prime-contract " in c for c in entry.commands):
        return ImportRefused(message)
    return ImportRefused(f"{message} ({code}) {entry.person}: {entry.solution}")


class BillingMethod(StrEnum):
    CONTRACTS = "contracts"  # "Use Contracts": the Contracts application
    QUICKBILL = "quickbill"  # "Use Quickbill": miscellaneous worksheets in Job Cost


class BillingLevel(StrEnum):
    JOB = "job"
    DIVISION = "division"
    SECTION = "section"


class SovControl(StrEnum):
    SAGE = "sage"
    PROCORE = "procore"


class SageContractItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    item_code: str
    description: str = ""
    cost_code: str | None = None
    original_amount: Decimal
    approved_changes: Decimal = Decimal(0)
    revised_amount: Decimal


class WorksheetAmount(BaseModel):
    """A schedule of value amount of a Quickbill job: the job, a division or a section."""

    model_config = ConfigDict(frozen=True)

    code: str
    description: str = ""
    amount: Decimal


class SageContract(BaseModel):
    """A prime contract as Sage's import API presents it (`GET /v1/prime_contracts`)."""

    model_config = ConfigDict(frozen=True)

    job_id: str
    contract_id: str
    billing_method: BillingMethod
    billing_level: BillingLevel | None = None
    description: str = ""
    status: Literal["approved", "unapproved"]
    work_started: date | None = None
    work_completed: date | None = None
    items: list[SageContractItem] = Field(default_factory=list)
    worksheet: list[WorksheetAmount] = Field(default_factory=list)
    linked_projects: list[str] = Field(default_factory=list)

    @property
    def original_total(self) -> Decimal:
        if self.billing_method is BillingMethod.QUICKBILL:
            return sum((w.amount for w in self.worksheet), Decimal(0))
        return sum((i.original_amount for i in self.items), Decimal(0))

    @property
    def revised_total(self) -> Decimal:
        if self.billing_method is BillingMethod.QUICKBILL:
            return self.original_total
        return sum((i.revised_amount for i in self.items), Decimal(0))


class SovItem(BaseModel):
    """One line of the prime contract's schedule of values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=40)
    description: str = Field(default="", max_length=200)
    cost_code: str | None = None
    amount: Decimal = Field(description="Contract Amount <- Original Contract Amount")
    sage_contract: str | None = Field(default=None, description="The Sage contract it came from")


class Header(BaseModel):
    """The prime contract's General tab, per billing method (seeds/004)."""

    model_config = ConfigDict(frozen=True)

    number: str
    title: str = ""
    description: str = ""
    status: str
    contract_start_date: date | None = None
    actual_completion_date: date | None = None
    date_created: date


def header(contract: SageContract, today: date) -> Header:
    if contract.billing_method is BillingMethod.QUICKBILL:
        # Contract # <- Job; Status automatically set to Approved
        return Header(number=contract.job_id, status="approved", date_created=today)
    return Header(
        number=contract.contract_id,
        title=contract.description,
        description=contract.description,
        status=contract.status,
        contract_start_date=contract.work_started,
        actual_completion_date=contract.work_completed,
        date_created=today,
    )


def sov_items(contract: SageContract) -> list[SovItem]:
    """One SOV item per contract item, per division or section amount, or one for the job."""
    source = contract.contract_id
    if contract.billing_method is BillingMethod.CONTRACTS:
        return [
            SovItem(
                code=i.item_code,
                description=i.description,
                cost_code=i.cost_code,
                amount=i.original_amount,
                sage_contract=source,
            )
            for i in contract.items
        ]
    if contract.billing_level is BillingLevel.JOB or contract.billing_level is None:
        return [
            SovItem(
                code=JOB_LEVEL_CODE,
                description=contract.description,
                amount=contract.original_total,
                sage_contract=source,
            )
        ]
    return [  # division or section: Cost Code <- Cost Code, Description
        SovItem(
            code=w.code,
            description=w.description,
            cost_code=w.code,
            amount=w.amount,
            sage_contract=source,
        )
        for w in contract.worksheet
        if w.amount != 0
    ]


def lump_sum_item(contract: SageContract) -> str:
    """The code of the one contract item Sage holds for a lump-sum contract (seeds/000 3a:
    "add only one contract item with the contract value"; a Quickbill job's one worksheet
    code): where its PCCOs' rolled-up amounts go (3e), read from Sage, never assumed."""
    lines = sov_items(contract)
    if len(lines) != 1:
        raise ImportRefused(
            f"contract {contract.contract_id} has {len(lines)} contract items: a lump-sum "
            "contract holds one"
        )
    return lines[0].code


def content(contract: SageContract) -> tuple[object, ...]:
    """What an import brings in: a re-import with the same content has nothing new."""
    return (
        header(contract, date(2000, 1, 1)).model_dump(exclude={"date_created"}),
        [item.model_dump() for item in sov_items(contract)],
    )


# --- guards ---


_LEVELS = {
    ErpPermission.NONE: "None",
    ErpPermission.READ_ONLY: "Read Only",
    ErpPermission.STANDARD: "Standard",
    ErpPermission.ADMIN: "Admin",
}


def _roster_user(settings: ProjectSettings, actor: str) -> RosterUser:
    user = settings.roster.get(actor)
    if user is None:
        raise ImportRefused(f"'{actor}' is not on the roster of project {settings.project}")
    return user


def authorize_import(settings: ProjectSettings, actor: str) -> None:
    """The first import: 'Standard' or 'Admin' on the ERP Integrations tool (the seeds'
    permissions matrix, "Import a Prime Contract from an Integrated ERP System into Procore")."""
    user = _roster_user(settings, actor)
    if user.erp not in (ErpPermission.STANDARD, ErpPermission.ADMIN):
        raise ImportRefused(
            f"{actor} cannot import prime contracts: needs Standard or Admin on the ERP "
            f"Integrations tool (has {_LEVELS[user.erp]})"
        )


def authorize_reimport(settings: ProjectSettings, actor: str) -> None:
    """A re-import (on demand, `sync`, or the sync schedule): "'Admin' level permission on the
    ERP Integrations tool. AND 'Admin' level permission on the Project level Prime Contract
    tool." (seeds/001, seeds/003)."""
    user = _roster_user(settings, actor)
    missing = []
    if user.erp is not ErpPermission.ADMIN:
        missing.append(f"Admin on the ERP Integrations tool (has {_LEVELS[user.erp]})")
    if ItemTool.PRIME_CONTRACTS not in user.tool_admin:
        missing.append("Admin on the Prime Contracts tool")
    if missing:
        raise ImportRefused(
            f"{actor} cannot re-import prime contracts: needs {' and '.join(missing)}"
        )


def authorize_readiness(settings: ProjectSettings, actor: str) -> None:
    """The pay-application check reads Sage (it spends quota): the project team that keeps the
    SOV (Admin on the Prime Contracts tool) or the accountants (Standard or Admin on ERP)."""
    user = _roster_user(settings, actor)
    if ItemTool.PRIME_CONTRACTS in user.tool_admin:
        return
    if user.erp in (ErpPermission.STANDARD, ErpPermission.ADMIN):
        return
    raise ImportRefused(
        f"{actor} cannot check the prime contract against Sage: needs Admin on the Prime "
        f"Contracts tool, or Standard or Admin on the ERP Integrations tool (has "
        f"{_LEVELS[user.erp]})"
    )


def choose(settings: ProjectSettings, contract_id: str, found: list[SageContract]) -> SageContract:
    """The contract on the project's synced job, or the seed's reason why there is none."""
    for contract in found:
        if settings.sage_job_id and contract.job_id == settings.sage_job_id:
            return contract
    if not found:
        raise LookupError(f"Sage has no prime contract {contract_id}")
    jobs = ", ".join(sorted({c.job_id for c in found}))
    synced = settings.sage_job_id or "none yet"
    raise ImportRefused(
        f"{NOT_SYNCED_JOB} (contract {contract_id} is on Sage job {jobs}; project "
        f"{settings.project} is synced to {synced})"
    )


def check_contract(settings: ProjectSettings, contract: SageContract) -> None:
    """The guards an import and a re-import share, in the seeds' order."""
    if settings.sage_job_id != contract.job_id:
        raise ImportRefused(
            f"{NOT_SYNCED_JOB} (contract {contract.contract_id} is on Sage job "
            f"{contract.job_id}; project {settings.project} is synced to "
            f"{settings.sage_job_id or 'none yet'})"
        )
    if contract.status != "approved":
        raise ImportRefused(f"{UNAPPROVED} (contract {contract.contract_id}: approve it in Sage)")
    others = [p for p in contract.linked_projects if p != settings.project]
    if others:
        raise ImportRefused(
            f"{TWO_PROJECTS} (contract {contract.contract_id} is also linked to "
            f"{', '.join(others)})"
        )
    if SovControl(settings.sov_controlled_by) is SovControl.PROCORE:
        lines = sov_items(contract)
        if len(lines) != 1:
            raise ImportRefused(
                f"the SOV of project {settings.project} is controlled by Procore: Sage must "
                f"hold one contract item carrying the contract value; contract "
                f"{contract.contract_id} has {len(lines)}"
            )


def check_reimport(
    settings: ProjectSettings, current: SageContract, imported: SageContract
) -> None:
    check_contract(settings, current)
    if content(current) == content(imported):
        raise ImportRefused(f"{NOTHING_NEW} (contract {current.contract_id})")


# --- the prime contract held by the sync workflow ---


class PrimeContract(BaseModel):
    """The project's prime contract: its header, the imported Sage contracts and the SOV."""

    model_config = ConfigDict(frozen=True)

    project: str
    header: Header
    sov_controlled_by: SovControl
    imported: dict[str, SageContract] = Field(
        default_factory=dict, description="Each Sage contract as it was last imported"
    )
    latest: dict[str, SageContract] = Field(
        default_factory=dict, description="Each Sage contract as it was last seen"
    )
    sov: list[SovItem] = Field(default_factory=list)

    @property
    def sage_original_total(self) -> Decimal:
        return sum((c.original_total for c in self.latest.values()), Decimal(0))

    @property
    def sage_revised_total(self) -> Decimal:
        return sum((c.revised_total for c in self.latest.values()), Decimal(0))

    @property
    def sov_total(self) -> Decimal:
        return sum((line.amount for line in self.sov), Decimal(0))


def import_contract(
    settings: ProjectSettings, contract: SageContract, today: date, into: PrimeContract | None
) -> PrimeContract:
    """A first import, or one more Sage contract of the same job into the prime contract."""
    check_contract(settings, contract)
    if into is None:
        return PrimeContract(
            project=settings.project,
            header=header(contract, today),
            sov_controlled_by=SovControl(settings.sov_controlled_by),
            imported={contract.contract_id: contract},
            latest={contract.contract_id: contract},
            sov=sov_items(contract),
        )
    if contract.contract_id in into.imported:
        raise ImportRefused(
            f"contract {contract.contract_id} is already imported: use reimport to bring in "
            "its changes"
        )
    if into.sov_controlled_by is SovControl.PROCORE:
        raise ImportRefused(
            "the SOV is controlled by Procore: the prime contract takes one Sage contract with "
            "one contract item"
        )
    return into.model_copy(
        update={
            "imported": {**into.imported, contract.contract_id: contract},
            "latest": {**into.latest, contract.contract_id: contract},
            "sov": [*into.sov, *sov_items(contract)],
        }
    )


def reimport(
    settings: ProjectSettings, prime: PrimeContract, contract: SageContract
) -> PrimeContract:
    """Bring one Sage contract's changes in. With the SOV controlled by Procore, only the
    contract value is refreshed; the detailed SOV stays as the project team keeps it."""
    check_reimport(settings, contract, prime.imported[contract.contract_id])
    imported = {**prime.imported, contract.contract_id: contract}
    latest = {**prime.latest, contract.contract_id: contract}
    changes: dict[str, object] = {"imported": imported, "latest": latest}
    if prime.sov_controlled_by is SovControl.SAGE:
        changes["sov"] = [line for c in imported.values() for line in sov_items(c)]
    if contract.contract_id == prime.header.number or contract.job_id == prime.header.number:
        changes["header"] = header(contract, prime.header.date_created)
    return prime.model_copy(update=changes)


def seen(prime: PrimeContract, contract: SageContract) -> PrimeContract:
    """Sage's figures as they are now (approved changes, revised totals), nothing imported."""
    return prime.model_copy(update={"latest": {**prime.latest, contract.contract_id: contract}})


def has_news(prime: PrimeContract, contract: SageContract) -> bool:
    imported = prime.imported.get(contract.contract_id)
    return imported is None or content(imported) != content(contract)


# --- lump-sum mode ---


class ProcoreContract(BaseModel):
    """A prime contract that already exists in Procore (seeds/000 3c), as the project team
    keeps it: its number, title and SOV. `link` joins it to its Sage contract."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._#-]{0,39}$")
    title: str = Field(default="", max_length=200)
    sov: list[SovItem] = Field(default_factory=list, max_length=500)


def link_existing(
    settings: ProjectSettings, contract: SageContract, existing: ProcoreContract, today: date
) -> PrimeContract:
    """3c "If Prime contract already exists in Procore, then user can easily link the existing
    Sage contract", and 3c.i "This process would verify the Procore Prime Contract does not
    exceed what is currently shown in Sage": the import's guards, then the Procore SOV total
    against Sage's revised total. The Procore number, title and SOV stay as they are; Sage
    gives the contract value."""
    check_contract(settings, contract)
    if SovControl(settings.sov_controlled_by) is not SovControl.PROCORE:
        raise ImportRefused(
            f"the SOV of project {settings.project} is controlled by Sage: linking an existing "
            "Procore prime contract is the lump-sum mode's (seeds/000 3c); import the Sage "
            "contract instead (its contract items become the SOV)"
        )
    check_lines(existing.sov)
    total = sum((line.amount for line in existing.sov), Decimal(0))
    limit = contract.revised_total
    if total > limit:
        raise ImportRefused(
            f"prime contract {existing.number} cannot be linked: its SOV total {money(total)} "
            f"exceeds what Sage shows for contract {contract.contract_id}, revised total "
            f"{money(limit)}, by {money(total - limit)}"
        )
    return PrimeContract(
        project=settings.project,
        header=Header(
            number=existing.number,
            title=existing.title,
            description=existing.title,
            status=contract.status,
            contract_start_date=contract.work_started,
            actual_completion_date=contract.work_completed,
            date_created=today,
        ),
        sov_controlled_by=SovControl.PROCORE,
        imported={contract.contract_id: contract},
        latest={contract.contract_id: contract},
        sov=list(existing.sov),
    )


class SovEdit(BaseModel):
    """The detailed SOV a project team keeps when Procore controls it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    actor: str = Field(min_length=1)
    lines: list[SovItem] = Field(min_length=1)


def check_sov_edit(settings: ProjectSettings, prime: PrimeContract, edit: SovEdit) -> None:
    authorize_sov(settings, edit.actor)
    if prime.sov_controlled_by is not SovControl.PROCORE:
        raise ImportRefused(
            "the SOV of this prime contract is controlled by Sage: change the contract items in "
            "Sage and reimport"
        )
    check_lines(edit.lines)
    total = sum((line.amount for line in edit.lines), Decimal(0))
    limit = prime.sage_revised_total
    if total > limit:
        raise ImportRefused(
            f"the SOV total {money(total)} would exceed the Sage contract total "
            f"{money(limit)} (original {money(prime.sage_original_total)}, revised "
            f"{money(limit)}) by {money(total - limit)}"
        )


def check_lines(lines: list[SovItem]) -> None:
    """An SOV the team keeps: each line its own code, no negative amount."""
    codes = [line.code for line in lines]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise ImportRefused(f"each SOV line needs its own code ({', '.join(twice)} twice)")
    negative = [line.code for line in lines if line.amount < 0]
    if negative:
        raise ImportRefused(f"SOV line {', '.join(negative)}: the amount can't be negative")


def authorize_sov(settings: ProjectSettings, actor: str) -> None:
    user = settings.roster.get(actor)
    if user is None:
        raise ImportRefused(f"'{actor}' is not on the roster of project {settings.project}")
    if ItemTool.PRIME_CONTRACTS not in user.tool_admin:
        raise ImportRefused(f"{actor} cannot edit the SOV: needs Admin on the Prime Contracts tool")


class Readiness(BaseModel):
    """May a pay application be created? Only when the SOV matches Sage's revised total."""

    ready: bool
    sov_total: Decimal
    sage_revised_total: Decimal
    difference: Decimal = Field(description="SOV total minus the Sage revised total")
    message: str


def readiness(prime: PrimeContract) -> Readiness:
    sov, sage = prime.sov_total, prime.sage_revised_total
    difference = sov - sage
    if prime.sov_controlled_by is SovControl.SAGE:
        changes = sum(
            (i.approved_changes for c in prime.latest.values() for i in c.items), Decimal(0)
        )
        sov += changes  # Sage's own SOV rolls its approved changes into its items
        difference = sov - sage
    if difference == 0:
        message = (
            f"ready for a pay application: the SOV total {money(sov)} equals the Sage revised total"
        )
    else:
        side = "below" if difference < 0 else "above"
        message = (
            f"not ready for a pay application: the SOV total {money(sov)} is "
            f"{money(abs(difference))} {side} the Sage revised total {money(sage)}"
        )
    return Readiness(
        ready=difference == 0,
        sov_total=sov,
        sage_revised_total=sage,
        difference=difference,
        message=message,
    )


def money(amount: Decimal) -> str:
    return f"{amount:,.2f}"
