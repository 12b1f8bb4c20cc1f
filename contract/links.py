"""The link registry's contract: the names of its messages and activities, what they carry.

The registry lives in two long-lived workflows (domain/links.py says which kind where):
ErpProject (`erp_project:{project}`: the job, sub jobs, commitments and their items, CCOs,
invoices, budgets, PCCOs of that project) and ErpCompany (`erp_company:{sage company}`:
companies <-> vendors, beside the vendor links of its directory). Both answer the `links`
query; both take the `link` signal (an item whose export made or found a link) and the
`unlink` signal (an item a person unlinked), sent through the activities below, which
signal-with-start the home so a project exported before anything else still gets one.

A note is a claim, not a fact: before it changes the registry, the home asks the workflow the
note names what it holds (`links.verify`, answering that workflow's `links.made` query), and
takes only what that workflow made. The links a workflow made are decided by its own history
(an export Sage answered, an import), never by whoever sent the signal.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from contract import item, prime_contract_sync
from domain.links import Link, LinkKind, LinkRegistry
from domain.settings import ProjectSettings

LINKS_QUERY = "links"
LINK_SIGNAL = "link"
UNLINK_SIGNAL = "unlink_link"
READ_LINKS_ACTIVITY = "links.read"
RECORD_LINKS_ACTIVITY = "links.record"
END_LINK_ACTIVITY = "links.end"
VERIFY_LINKS_ACTIVITY = "links.verify"
MADE_LINKS_QUERY = "links.made"
"""An item's (and a prime contract sync's) query: the live links its own history made."""
LINK_MAKERS = frozenset({item.WORKFLOW_TYPE, prime_contract_sync.WORKFLOW_TYPE})
"""The workflow types whose links a home takes."""
UNLINK_COMMAND = "unlink"
"""The item's update and signal: a person ends the item's link (`starter.py unlink`)."""


class LinkNote(BaseModel):
    """An item tells its home: these links were made (or found) by my export."""

    model_config = ConfigDict(extra="forbid")

    item: str = Field(min_length=1, max_length=300)
    links: list[Link] = Field(max_length=500)


class UnlinkNote(BaseModel):
    """An item tells its home: a person unlinked me (permission checked by the item)."""

    model_config = ConfigDict(extra="forbid")

    item: str = Field(min_length=1, max_length=300)
    kind: LinkKind
    procore: str = Field(min_length=1, max_length=120)
    actor: str = Field(min_length=1, max_length=100)
    at: datetime


class LinksView(BaseModel):
    """The `links` query's answer: a home's live links (and the ones ended lately)."""

    home: str
    registry: LinkRegistry = Field(default_factory=LinkRegistry)
    directory_vendors: dict[str, str] = Field(
        default_factory=dict,
        description="ErpCompany only: company ID -> vendor, the directory's vendor links",
    )


class LinksRead(BaseModel):
    """What an item asks: its project's and its Sage company's links."""

    project: str
    sage_company: str | None = None


class LinksSnapshot(BaseModel):
    """Both homes' links as read at one send; a home that runs no workflow has none."""

    project: LinksView | None = None
    company: LinksView | None = None

    def lookup(self, kind: LinkKind, procore: str) -> str | None:
        if kind is LinkKind.VENDOR:
            if self.company is None:
                return None
            found = self.company.registry.sage_id(kind, procore)
            return found or self.company.directory_vendors.get(procore)
        return self.project.registry.sage_id(kind, procore) if self.project else None


class LinksRecord(BaseModel):
    """An item's links to write, with what each home needs to start if it runs no workflow."""

    project: ProjectSettings
    note: LinkNote


class LinkEnd(BaseModel):
    project: ProjectSettings
    note: UnlinkNote


class LinksMade(BaseModel):
    """The `links.made` query's answer: what a workflow's own history linked, and whose."""

    project: str
    sage_company: str | None = None
    links: list[Link] = Field(default_factory=list)

    def holds(self, link: Link) -> bool:
        """Whether this workflow made `link` (the same Procore record and Sage record)."""
        return any(
            made.kind is link.kind and made.procore == link.procore and made.sage_id == link.sage_id
            for made in self.links
        )


class LinksAsk(BaseModel):
    """What a home asks `links.verify`: the workflow a note names."""

    item: str = Field(min_length=1, max_length=300)


class LinksAnswer(BaseModel):
    """`links.verify`'s answer: the named workflow's links, or why there are none to take."""

    made: LinksMade | None = None
    refused: str | None = None
