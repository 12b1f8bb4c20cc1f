"""The link registry: which Procore record is synced with which Sage record, per Sage company.

In Procore's ERP tool an exported project is *synced* with its Sage job, a company with its
vendor, a commitment with its Sage commitment, and every later item leans on those links
(seeds/004: "Contract Company. Must be linked to a synced Sage 300 CRE® vendor"; CCOs and
invoices only on synced commitments; budgets only on synced projects). This module holds the
pure rules:

- `LinkRegistry`: the links of one home (a project's ErpProject, a Sage company's ErpCompany),
  written only by the workflow that made or found the link (an export that succeeded or
  linked an identical record, a job import, a vendor link), ended by `unlink`;
- `needs`: what an item must find synced before it is sent, each with the seed's rule;
- `resolve`: those needs against the links. Not synced -> the rule, naming what is not
  synced; a file that still carries a Sage ID keeps working, but a Sage ID the registry
  contradicts is refused naming both IDs. A PCCO's prime contract is only ever linked by its
  import (`IMPORTED_ONLY`), and the contract items its lines change are checked against the
  ones that import linked (`contract_items_named`);
- `resolved`: the item and settings with the registry's Sage IDs filled in, which is what the
  planners read (domain/exports/*.py), so every Sage ID in a call comes from the links;
- `made_by`: the links a successful export makes; `imported_by`: the links a prime
  contract's import (or re-import) makes, and `ended_by` those a re-import ends;
- unlink: which items may be unlinked, by whom (seeds/004 permissions matrix), and what it
  does to dependants (nothing: see `UNLINK_DEPENDANTS`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.exports import budget as budget_export
from domain.exports import commitment as commitment_export
from domain.exports import commitment_change_order as cco_export
from domain.exports import company as company_export
from domain.exports import owner_invoice as owner_invoice_export
from domain.exports import prime_contract_change_order as pcco_export
from domain.exports import project as project_export
from domain.exports import subcontractor_invoice as invoice_export
from domain.exports.jobs import JOB_RULE
from domain.items import (
    Commitment,
    CommitmentChangeOrder,
    ItemBase,
    ItemType,
    OwnerInvoice,
    PrimeContractChangeOrder,
    SubcontractorInvoice,
)
from domain.lifecycle import State
from domain.prime_contract import PrimeContract, SovControl, lump_sum_item, sov_items
from domain.refusal import Refusal
from domain.settings import ErpPermission, ProjectSettings, RosterUser


class LinkKind(StrEnum):
    """A kind of synced pair; `procore` is the Procore record's number in its kind."""

    JOB = "job"
    """project number (the settings' project) <-> Sage job"""
    SUB_JOB = "sub_job"
    VENDOR = "vendor"
    """company number (the company item's `number`, a directory company ID) <-> vendor"""
    COMMITMENT = "commitment"
    COMMITMENT_ITEM = "commitment_item"
    """`{commitment number}/{line}` <-> the Sage commitment item ID"""
    CHANGE_ORDER = "commitment_change_order"
    INVOICE = "subcontractor_invoice"
    BUDGET = "budget"
    BUDGET_MODIFICATION = "budget_modification"
    PRIME_CONTRACT = "prime_contract"
    """the prime contract's number <-> the Sage contract imported into it (a Sage contract
    added to it later: `{number}/{contract}`)"""
    PRIME_CONTRACT_CHANGE_ORDER = "prime_contract_change_order"
    OWNER_INVOICE = "owner_invoice"
    CONTRACT_ITEM = "contract_item"
    """`{prime contract number}/{code}` (an added contract's: `{number}/{contract}/{code}`)
    <-> the Sage contract item code its SOV line was imported from"""
    LUMP_SUM_ITEM = "lump_sum_item"
    """the prime contract's number <-> the one Sage contract item (a Quickbill job's one
    worksheet code) its PCCOs roll up into, when Procore controls the SOV (seeds/000 3a, 3e):
    the code Sage has, as the import read it"""


COMPANY_KINDS = frozenset({LinkKind.VENDOR})
"""Kinds whose home is the Sage company's ErpCompany; every other kind lives in the
project's ErpProject."""


class LinkOrigin(StrEnum):
    EXPORTED = "exported"
    """the export created the Sage record"""
    LINKED = "linked"
    """Sage held an identical record already; the export linked it"""
    IMPORTED = "imported"
    """a Sage record imported into Procore: a job as this project, an extra as a sub job, a
    prime contract and its contract items"""
    VENDOR_LINK = "vendor link"
    """a person (or an exact refresh match) linked the vendor to the company"""


NAME_LIMIT = 120
"""The longest Procore or Sage name a link holds (`Link.procore`, `Link.sage_id`)."""


class Link(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: LinkKind
    procore: str = Field(min_length=1, max_length=NAME_LIMIT)
    sage_id: str = Field(min_length=1, max_length=NAME_LIMIT)
    item: str | None = Field(default=None, max_length=300, description="the item's workflow ID")
    parent: str | None = Field(
        default=None, max_length=120, description="the commitment a CCO or an invoice is on"
    )
    origin: LinkOrigin = LinkOrigin.EXPORTED
    at: datetime
    generation: int = 0

    def describe(self) -> str:
        on = f" on commitment {self.parent}" if self.parent else ""
        return f"{self.kind.value} {self.procore}{on} <-> Sage {self.sage_id} ({self.origin.value})"


class EndedLink(Link):
    ended_at: datetime
    ended_by: str


ENDED_KEPT = 200
"""Ended links a registry remembers (newest kept): for people, never for decisions."""


class Unnamable(Refusal):
    """A record whose name (Sage's, or the one made for it) is longer than a link holds."""


class LinkConflict(Refusal):
    """A link that would contradict a live one: the Procore record is synced already."""


class NotLinked(Refusal):
    """An unlink of a record the registry holds no live link for."""


class LinkRegistry(BaseModel):
    """The live links of one home, and the ones ended lately. Immutable: every change returns
    a new registry (or refuses)."""

    model_config = ConfigDict(frozen=True)

    links: list[Link] = Field(default_factory=list)
    ended: list[EndedLink] = Field(default_factory=list)

    def find(self, kind: LinkKind, procore: str) -> Link | None:
        return next((ln for ln in self.links if ln.kind is kind and ln.procore == procore), None)

    def sage_id(self, kind: LinkKind, procore: str) -> str | None:
        link = self.find(kind, procore)
        return link.sage_id if link else None

    def procore_of(self, kind: LinkKind) -> dict[str, str]:
        """Sage ID -> Procore record, for each live link of `kind` (a vendor's company, say)."""
        return {link.sage_id: link.procore for link in self.links if link.kind is kind}

    def with_link(self, link: Link) -> LinkRegistry:
        """The registry with `link`; the same pair again changes nothing (a retried note).
        A Procore record synced with another Sage record is refused: unlink it first."""
        held = self.find(link.kind, link.procore)
        if held is not None:
            if held.sage_id == link.sage_id:
                return self
            raise LinkConflict(
                f"{link.kind.value} {link.procore} is synced with Sage {held.sage_id} already, "
                f"not {link.sage_id} (unlink it first)"
            )
        return self.model_copy(update={"links": [*self.links, link]})

    def without(self, kind: LinkKind, procore: str, at: datetime, by: str) -> LinkRegistry:
        """The registry with the link of `procore` ended (Sage is not touched)."""
        held = self.find(kind, procore)
        if held is None:
            raise NotLinked(f"{kind.value} {procore} is not synced with Sage: nothing to unlink")
        ended = EndedLink(**held.model_dump(), ended_at=at, ended_by=by)
        return self.model_copy(
            update={
                "links": [ln for ln in self.links if ln is not held],
                "ended": [*self.ended, ended][-ENDED_KEPT:],
            }
        )

    def dependants(self, kind: LinkKind, procore: str) -> list[Link]:
        """Live links that lean on this one (a commitment's CCOs, invoices and items)."""
        if kind is not LinkKind.COMMITMENT:
            return []
        return [
            ln
            for ln in self.links
            if ln.parent == procore
            or (ln.kind is LinkKind.COMMITMENT_ITEM and ln.procore.startswith(f"{procore}/"))
        ]

    def lines(self) -> list[str]:
        return [link.describe() for link in self.links]


# --- what an item needs synced before it is sent ---


@dataclass(frozen=True)
class Need:
    """A Procore record an item leans on: it must be synced with Sage (`kind`, `procore`).
    `given` is the Sage ID the item's file (or the settings file) still carries, if any."""

    kind: LinkKind
    procore: str | None
    given: str | None
    rule: str
    what: str
    slot: str
    """where the resolved Sage ID goes: 'job', 'vendor', 'commitment' or 'contract'"""


@dataclass(frozen=True)
class MustNotBeSynced:
    """A record the item would create in Sage: synced already means refused."""

    kind: LinkKind
    procore: str
    rule: str


JOB_BOUND = frozenset(
    {
        ItemType.SUB_JOB,
        ItemType.BUDGET,
        ItemType.BUDGET_MODIFICATION,
        ItemType.COMMITMENT,
        ItemType.COMMITMENT_CHANGE_ORDER,
        ItemType.SUBCONTRACTOR_INVOICE,
    }
)
"""Items that land on the project's Sage job. PCCOs name their Sage contract (imported from
Sage with its job) and keep the settings' job; so do owner invoices, billed on that contract."""

PRIME_CONTRACT_RULE = (
    "Prime contracts can only be imported to Procore from Sage 300 CRE®: a PCCO changes an "
    "imported prime contract (starter.py prime-contract import {project} {contract} --as USER)."
)
CONTRACT_ITEM_RULE = (
    "A PCCO line changes a contract item of its prime contract as imported from Sage 300 CRE® "
    "(Sage changed the contract? starter.py prime-contract reimport {project} {contract} "
    "--as USER)."
)

OWNER_INVOICE_ITEM_RULE = (
    "An owner invoice bills contract items of its prime contract as imported from Sage 300 "
    "CRE® (Sage changed the contract? starter.py prime-contract reimport {project} {contract} "
    "--as USER)."
)


IMPORTED_ONLY = frozenset({LinkKind.PRIME_CONTRACT})
"""Kinds only an import links ("Prime contracts can only be imported to Procore from Sage"):
a file's Sage ID without the link is not synced, where other kinds' IDs keep working."""


def _prime_contract_need(
    item: PrimeContractChangeOrder | OwnerInvoice, settings: ProjectSettings
) -> Need:
    """A PCCO (or an owner invoice) leans on its prime contract, named by its Procore number
    (the import gives it the Sage contract's number, a Quickbill job's the job's)."""
    prime = item.prime_contract
    template = PRIME_CONTRACT_RULE
    if isinstance(item, OwnerInvoice):
        template = template.replace("a PCCO changes", "an owner invoice bills")
    rule = template.format(project=settings.project, contract=prime.sage_contract_id or "CONTRACT")
    return Need(
        LinkKind.PRIME_CONTRACT,
        prime.number,
        prime.sage_contract_id,
        rule,
        f"prime contract {prime.number}",
        "contract",
    )


def contract_items_named(
    item: PrimeContractChangeOrder | OwnerInvoice,
    settings: ProjectSettings,
    lump_sum_item: str | None = None,
) -> list[str]:
    """The Sage contract item codes the PCCO's lines change: each existing line's, or in
    lump-sum mode the one item Sage hears the rolled-up amount on (`lump_sum_item`, the code
    the import read from Sage; see `lump_sum_item_of`). A new line names none (its code is the
    approver's, at accept). An owner invoice's: the items its lines bill (lump sum: that one)."""
    if isinstance(item, OwnerInvoice) and not pcco_export.lump_sum(settings):
        return owner_invoice_export.contract_items_named(item, settings)
    if pcco_export.lump_sum(settings):
        return [lump_sum_item or settings.lump_sum_contract_item]
    codes = [line.contract_item for line in item.sov if line.contract_item]
    return list(dict.fromkeys(codes))


def needs(item: ItemBase, settings: ProjectSettings) -> list[Need]:
    """What `item` must find synced at send, in the order the seed lists the rules."""
    found: list[Need] = []
    if item.type in JOB_BOUND:
        found.append(
            Need(
                LinkKind.JOB,
                settings.project,
                settings.sage_job_id,
                JOB_RULE,
                f"project {settings.project}",
                "job",
            )
        )
    if isinstance(item, Commitment | SubcontractorInvoice):
        company = item.contract_company
        found.append(
            Need(
                LinkKind.VENDOR,
                company.number,
                company.sage_vendor_id,
                commitment_export.COMPANY_RULE,
                f"company {company.number or company.name}",
                "vendor",
            )
        )
    if isinstance(item, PrimeContractChangeOrder | OwnerInvoice):
        found.append(_prime_contract_need(item, settings))
    if isinstance(item, CommitmentChangeOrder | SubcontractorInvoice):
        rule = (
            cco_export.SYNCED_COMMITMENT_RULE
            if isinstance(item, CommitmentChangeOrder)
            else invoice_export.SYNCED_COMMITMENT_RULE
        )
        found.append(
            Need(
                LinkKind.COMMITMENT,
                item.commitment.number,
                item.commitment.sage_id,
                rule,
                f"commitment {item.commitment.number}",
                "commitment",
            )
        )
    return found


def must_not_be_synced(item: ItemBase) -> list[MustNotBeSynced]:
    """A project synced with a job, or a company linked to a vendor, is not exported again;
    a budget is not exported once the project's budget was imported from Sage (seeds/002: set
    up in one system, then imported or exported; domain/budget_import.py)."""
    if item.type is ItemType.BUDGET:
        return [
            MustNotBeSynced(
                LinkKind.BUDGET, budget_export.IMPORTED_BUDGET, budget_export.IMPORTED_RULE
            ),
        ]
    if item.type is ItemType.PROJECT:
        return [
            MustNotBeSynced(LinkKind.JOB, item.project, project_export.ALREADY_SYNCED_RULE),
        ]
    if item.type is ItemType.COMPANY:
        return [
            MustNotBeSynced(LinkKind.VENDOR, item.number, company_export.ALREADY_LINKED_RULE),
        ]
    return []


Lookup = Callable[[LinkKind, str], str | None]
"""(kind, Procore number) -> the Sage ID it is synced with, or None."""


@dataclass
class Resolution:
    """The Sage IDs an item's needs resolved to (slot -> ID) and the rules it breaks."""

    ids: dict[str, str] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken


def resolve(item: ItemBase, settings: ProjectSettings, lookup: Lookup) -> Resolution:
    """Every need of `item` against the links; see the module docstring."""
    result = Resolution()
    for need in needs(item, settings):
        linked = lookup(need.kind, need.procore) if need.procore else None
        if need.kind is LinkKind.PRIME_CONTRACT and linked and need.given != linked:
            linked = _added_contract(need, lookup) or linked
        if linked and need.given and linked != need.given:
            result.broken.append(
                f"{need.what}: the file names Sage {need.kind.value} {need.given}, but "
                f"{need.what} is synced with Sage {need.kind.value} {linked} "
                f"(starter.py links {settings.project})"
            )
        elif linked or (need.given and need.kind not in IMPORTED_ONLY):
            result.ids[need.slot] = linked or need.given or ""
        else:
            result.broken.append(f"{need.rule} Not synced: {need.what}.")
    if isinstance(item, PrimeContractChangeOrder | OwnerInvoice) and "contract" in result.ids:
        code = None
        if pcco_export.lump_sum(settings):
            code = lump_sum_item_of(item, result.ids["contract"], lookup, settings)
            result.ids["contract_item"] = code
        result.broken += _contract_items(item, settings, result.ids["contract"], lookup, code)
    for forbidden in must_not_be_synced(item):
        held = lookup(forbidden.kind, forbidden.procore)
        if held:
            key = "job" if forbidden.kind is LinkKind.JOB else "vendor"
            result.broken.append(forbidden.rule.format(**{key: held, "sage_id": held}))
    return result


def _added_contract(need: Need, lookup: Lookup) -> str | None:
    """The file's Sage contract when it is one added later to the prime contract
    (`{number}/{contract}`, domain/links.py `imported_by`), else None."""
    if not need.given or not need.procore:
        return None
    return need.given if lookup(need.kind, f"{need.procore}/{need.given}") == need.given else None


def _contract_prefix(
    item: PrimeContractChangeOrder | OwnerInvoice, contract: str, lookup: Lookup
) -> str:
    """The name the import gave `contract` inside the PCCO's prime contract (`imported_by`)."""
    number = item.prime_contract.number
    first = lookup(LinkKind.PRIME_CONTRACT, number)
    return number if contract == first else f"{number}/{contract}"


def lump_sum_item_of(
    item: PrimeContractChangeOrder | OwnerInvoice,
    contract: str,
    lookup: Lookup,
    settings: ProjectSettings,
) -> str:
    """The Sage contract item a lump-sum PCCO rolls up into: the one the prime contract's
    import read from Sage (its `lump_sum_item` link), never assumed. A prime contract imported
    before the import wrote that link falls back to the settings' `lump_sum_contract_item`,
    which `_contract_items` still checks against the contract items the import linked."""
    found = lookup(LinkKind.LUMP_SUM_ITEM, _contract_prefix(item, contract, lookup))
    return found or settings.lump_sum_contract_item


def _contract_items(
    item: PrimeContractChangeOrder | OwnerInvoice,
    settings: ProjectSettings,
    contract: str,
    lookup: Lookup,
    lump_sum_item: str | None = None,
) -> list[str]:
    """The contract items the PCCO names, against the ones its prime contract's import
    linked: not imported -> the rule, naming the item; a code the registry holds as another
    Sage item -> both named."""
    number = item.prime_contract.number
    prefix = _contract_prefix(item, contract, lookup)
    rule = (
        OWNER_INVOICE_ITEM_RULE if isinstance(item, OwnerInvoice) else CONTRACT_ITEM_RULE
    ).format(project=settings.project, contract=contract)
    broken: list[str] = []
    for code in contract_items_named(item, settings, lump_sum_item):
        what = f"contract item {code} of prime contract {number}"
        linked = lookup(LinkKind.CONTRACT_ITEM, f"{prefix}/{code}")
        if linked is None:
            broken.append(f"{rule} Not synced: {what} (Sage contract {contract}).")
        elif linked != code:
            broken.append(
                f"{what}: the file names Sage contract item {code}, but it is synced with Sage "
                f"contract item {linked} (starter.py links {settings.project})"
            )
    return broken


def resolved(
    item: ItemBase, settings: ProjectSettings, ids: Mapping[str, str]
) -> tuple[ItemBase, ProjectSettings]:
    """`item` and `settings` with the resolved Sage IDs in the fields the planners read."""
    if "job" in ids:
        settings = settings.model_copy(update={"sage_job_id": ids["job"]})
    if isinstance(item, Commitment | SubcontractorInvoice) and "vendor" in ids:
        company = item.contract_company.model_copy(update={"sage_vendor_id": ids["vendor"]})
        item = item.model_copy(update={"contract_company": company})
    if isinstance(item, CommitmentChangeOrder | SubcontractorInvoice) and "commitment" in ids:
        link = item.commitment.model_copy(update={"sage_id": ids["commitment"]})
        item = item.model_copy(update={"commitment": link})
    if isinstance(item, PrimeContractChangeOrder | OwnerInvoice) and "contract" in ids:
        prime = item.prime_contract.model_copy(update={"sage_contract_id": ids["contract"]})
        item = item.model_copy(update={"prime_contract": prime})
    if "contract_item" in ids:  # lump-sum: the one item Sage has, as its import read it
        settings = settings.model_copy(update={"lump_sum_contract_item": ids["contract_item"]})
    return item, settings


PROVISIONAL = "(synced)"
"""The Sage ID a send validator assumes for a need it cannot read yet (a validator cannot
read another workflow): the send handler reads the registry and decides those rules."""


def provisional(item: ItemBase, settings: ProjectSettings) -> tuple[ItemBase, ProjectSettings]:
    """`item` as the send validator judges it: every need assumed synced (decided later)."""
    ids = {need.slot: need.given or PROVISIONAL for need in needs(item, settings)}
    return resolved(item, settings, ids)


# --- what an export links ---

_MADE: dict[ItemType, tuple[LinkKind, str]] = {
    ItemType.PROJECT: (LinkKind.JOB, "sage_job_id"),
    ItemType.SUB_JOB: (LinkKind.SUB_JOB, "sub_job_id"),
    ItemType.COMPANY: (LinkKind.VENDOR, "erp_company_id"),
    ItemType.COMMITMENT: (LinkKind.COMMITMENT, "sage_id"),
    ItemType.COMMITMENT_CHANGE_ORDER: (LinkKind.CHANGE_ORDER, "sage_id"),
    ItemType.SUBCONTRACTOR_INVOICE: (LinkKind.INVOICE, "erp_id"),
    ItemType.OWNER_INVOICE: (LinkKind.OWNER_INVOICE, "erp_id"),
}
"""Item type -> (the link it makes, the export field holding the Sage ID)."""

_ANSWERED: dict[ItemType, tuple[LinkKind, str]] = {
    ItemType.BUDGET: (LinkKind.BUDGET, "estimate_id"),
    ItemType.BUDGET_MODIFICATION: (LinkKind.BUDGET_MODIFICATION, "transfer_id"),
    ItemType.PRIME_CONTRACT_CHANGE_ORDER: (
        LinkKind.PRIME_CONTRACT_CHANGE_ORDER,
        "estimate_change_id",
    ),
}
"""Item types whose Sage ID is Sage's answer (no export field names it)."""


def made_by(
    item: ItemBase,
    fields: Mapping[str, str],
    answers: Mapping[str, str],
    at: datetime,
    generation: int,
    linked: bool = False,
) -> list[Link]:
    """The links a successful export of `item` makes (its record, and a commitment's items)."""
    origin = LinkOrigin.LINKED if linked else LinkOrigin.EXPORTED
    common = {"item": item.workflow_id, "origin": origin, "at": at, "generation": generation}
    procore = item.project if item.type is ItemType.PROJECT else item.number
    sage_id: str | None = None
    if item.type in _MADE:
        kind, name = _MADE[item.type]
        sage_id = fields.get(name) or answers.get(name)
    elif item.type in _ANSWERED:
        kind, name = _ANSWERED[item.type]
        sage_id = answers.get(name)
    if not sage_id:
        return []
    parent = None
    if isinstance(item, CommitmentChangeOrder | SubcontractorInvoice):
        parent = item.commitment.number
    made = [Link(kind=kind, procore=procore, sage_id=sage_id, parent=parent, **common)]
    if isinstance(item, Commitment):
        made += [
            Link(
                kind=LinkKind.COMMITMENT_ITEM,
                procore=f"{item.number}/{n}",
                sage_id=str(n),
                **common,
            )
            for n in range(1, len(item.sov) + 1)
        ]
    return made


def imported_by(prime: PrimeContract, item: str, at: datetime) -> list[Link]:
    """The links an import of `prime` makes: the prime contract with each Sage contract
    imported into it, and each contract item its SOV lines came from, as Sage holds them now
    (`prime.imported`; in lump-sum mode Sage's one item, which PCCOs roll up into, whatever
    detailed SOV the project team keeps). The first Sage contract is the one the prime
    contract's header came from; a contract added later is named inside the prime contract's
    number, as its lines are, so two contracts' equal item codes never collide."""
    number = prime.header.number
    common = {"item": item, "origin": LinkOrigin.IMPORTED, "at": at}

    def link(kind: LinkKind, procore: str, sage_id: str) -> Link:
        for name in (procore, sage_id):
            if len(name) > NAME_LIMIT:
                raise Unnamable(
                    f"{kind.value} {procore[:40]}... <-> Sage {sage_id[:40]}...: a name longer "
                    f"than {NAME_LIMIT} characters cannot be linked"
                )
        return Link(kind=kind, procore=procore, sage_id=sage_id, **common)

    made: list[Link] = []
    for n, contract in enumerate(prime.imported.values()):
        name = number if n == 0 else f"{number}/{contract.contract_id}"
        made.append(link(LinkKind.PRIME_CONTRACT, name, contract.contract_id))
        made += [
            link(LinkKind.CONTRACT_ITEM, f"{name}/{line.code}", line.code)
            for line in sov_items(contract)
        ]
        if prime.sov_controlled_by is SovControl.PROCORE:
            made.append(link(LinkKind.LUMP_SUM_ITEM, name, lump_sum_item(contract)))
    return made


def ended_by(before: list[Link], after: list[Link]) -> list[Link]:
    """The links of `before` a re-import no longer makes (a contract item gone from Sage):
    they end; the ones it makes again are the same pairs, which the registry takes as no
    change (`LinkRegistry.with_link`)."""
    kept = {(ln.kind, ln.procore, ln.sage_id) for ln in after}
    return [ln for ln in before if (ln.kind, ln.procore, ln.sage_id) not in kept]


def home_of(kind: LinkKind) -> str:
    """'company' for the kinds the Sage company's ErpCompany holds, else 'project'."""
    return "company" if kind in COMPANY_KINDS else "project"


# --- unlink (seeds/004 permissions matrix: "Unlink ... Synced with ERP", Standard or Admin) ---

UNLINKABLE: dict[ItemType, str] = {
    ItemType.COMMITMENT: "Unlink Commitments Synced with ERP",
    ItemType.COMMITMENT_CHANGE_ORDER: "Unlink CCOs Synced with ERP",
    ItemType.PRIME_CONTRACT_CHANGE_ORDER: "Unlink PCCOs Synced with ERP",
    ItemType.SUBCONTRACTOR_INVOICE: "Unlink Subcontractor Invoices Synced with ERP",
    ItemType.OWNER_INVOICE: "Unlink Owner Invoices Synced with ERP",
    ItemType.COMPANY: "Unlink a Company Synced with ERP",
}
UNLINK_LEVELS = frozenset({ErpPermission.STANDARD, ErpPermission.ADMIN})
UNLINKABLE_STATES = frozenset({State.POSTED})
"""Only a synced item is unlinked: one Sage has posted (an export still waiting for Sage to
post is left to finish first)."""
UNLINK_WINDOW = timedelta(days=30)
"""How long a posted item that may be unlinked keeps its run open for `unlink` (its workflow
ends after that, as every posted item's did before)."""
UNLINKED_STATE = State.DRAFT
"""After unlink the item is editable and sendable again; its next accept is a new export
generation (new idempotency keys)."""

UNLINK_DEPENDANTS = (
    "Unlink ends one link and touches nothing else: not Sage (the record stays there), not "
    "the records that lean on it. A CCO or invoice of an unlinked commitment keeps its own "
    "link (an approved CCO cannot be deleted, seeds/004), but no new CCO or invoice can be "
    "sent on that commitment until it is synced again (a resend links it back when its "
    "content matches)."
)


class UnlinkRefused(Refusal):
    """An unlink the item's type, state or the actor's permissions do not allow."""


def decide_unlink(item: ItemBase, state: State, user: RosterUser | None, actor: str) -> None:
    """Refuse (UnlinkRefused, naming what is missing) unless `actor` may unlink `item` now."""
    row = UNLINKABLE.get(item.type)
    if row is None:
        kinds = ", ".join(t.value for t in UNLINKABLE)
        raise UnlinkRefused(
            f"unlink: a {item.type.value} cannot be unlinked (seeds/004 unlinks only {kinds})"
        )
    if user is None:
        raise UnlinkRefused(f"unlink: {actor} is not on the project's roster")
    if user.erp not in UNLINK_LEVELS:
        raise UnlinkRefused(
            f"unlink: {actor} needs Standard or Admin on the ERP Integrations tool "
            f"('{row}'; has {user.erp.value})"
        )
    if state not in UNLINKABLE_STATES:
        raise UnlinkRefused(
            f"unlink: the item is {state.value}; only a synced (posted) item can be unlinked"
        )


def unlink_target(item: ItemBase) -> tuple[LinkKind, str] | None:
    """The link an unlink of `item` ends."""
    kinds = {**_MADE, **_ANSWERED}
    if item.type not in kinds:
        return None
    return kinds[item.type][0], item.number


def recorded(registry: LinkRegistry, links: list[Link]) -> tuple[LinkRegistry, list[str]]:
    """`registry` with every link it can take, and what it took or refused, line by line."""
    lines: list[str] = []
    for link in links:
        try:
            after = registry.with_link(link)
        except LinkConflict as err:
            lines.append(f"refused: {err}")
            continue
        if after is not registry:
            lines.append(f"linked {link.describe()}")
        registry = after
    return registry, lines
