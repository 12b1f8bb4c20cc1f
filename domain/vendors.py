"""Procore's company directory and Sage vendors: matching, linking, archiving, importing.

seeds/004 "companies": link Sage vendors to companies that already exist before adding new
ones; archive the vendors you will not use; a linked company follows its vendor's address and
phone changes only when 'Vendors will be automatically updated' is on (the Sage address is a
billing address, which may differ from the one the project team writes to).

Matching, decided here:
- Names are compared normalised: casefolded, '&' read as 'and', punctuation and repeated
  spaces away, and trailing legal forms (Inc, LLC, Co, Corp, Ltd, ...) dropped, so "Steel
  Works, Inc." and "Steel Works Inc" and "STEEL WORKS" are one name. The legal form says
  nothing about which business it is; the address check keeps look-alikes apart.
- Addresses are compared as street + city + 5-digit ZIP, normalised the same way, with the
  usual street words abbreviated ("Road" = "Rd"). An empty street matches nothing.
- Candidates of a vendor: the companies with its name OR its address.
- exact: one candidate, equal in name and address, linked to no other vendor, and no other
  vendor matches it exactly. Only an exact match links on its own.
- ambiguous: anything else with a candidate; a person reviews it.
- none: no candidate; import the vendor or archive it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_LEGAL_FORMS = frozenset(
    {
        "inc",
        "incorporated",
        "llc",
        "llp",
        "lp",
        "ltd",
        "limited",
        "co",
        "company",
        "corp",
        "corporation",
        "pc",
        "plc",
    }
)
_STREET_WORDS = {
    "street": "st",
    "road": "rd",
    "avenue": "ave",
    "av": "ave",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "highway": "hwy",
    "parkway": "pkwy",
    "suite": "ste",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
}
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def _words(text: str) -> list[str]:
    folded = text.casefold().replace("&", " and ").replace("l.l.c.", "llc")
    return [word for word in _NOT_WORD.sub(" ", folded).split() if word]


def normalise_name(name: str) -> str:
    """A business name as compared: see the module docstring."""
    words = _words(name)
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def normalise_address(street: str, city: str, zip_code: str) -> tuple[str, str, str] | None:
    """(street, city, zip5) as compared, or None when there is no street to compare."""
    street_words = [_STREET_WORDS.get(word, word) for word in _words(street)]
    if not street_words:
        return None
    digits = re.sub(r"[^0-9]", "", zip_code)[:5]
    return (" ".join(street_words), " ".join(_words(city)), digits)


class SageVendor(BaseModel):
    """An AP vendor as `GET /v1/vendors` lists it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    vendor_id: str = Field(min_length=1)
    name: str
    status: Literal["active", "inactive"] = "active"
    address: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    telephone: str = ""
    fax: str = ""

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def name_key(self) -> str:
        return normalise_name(self.name)

    @property
    def address_key(self) -> tuple[str, str, str] | None:
        return normalise_address(self.address, self.city, self.zip)


class Company(BaseModel):
    """A company of Procore's company directory; `vendor_id` is the Sage vendor it is linked to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    company_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    address: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    phone: str = ""
    fax: str = ""
    vendor_id: str | None = None

    @property
    def name_key(self) -> str:
        return normalise_name(self.name)

    @property
    def address_key(self) -> tuple[str, str, str] | None:
        return normalise_address(self.address, self.city, self.zip)


class MatchKind(StrEnum):
    EXACT = "exact"
    AMBIGUOUS = "ambiguous"
    NONE = "none"


class VendorMatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    vendor_id: str
    kind: MatchKind
    candidates: list[str] = Field(default_factory=list, description="company IDs, sorted")
    reason: str


def _how(vendor: SageVendor, company: Company) -> tuple[bool, bool]:
    same_name = vendor.name_key == company.name_key
    key = vendor.address_key
    return same_name, key is not None and key == company.address_key


def match(vendor: SageVendor, companies: Iterable[Company]) -> VendorMatch:
    """The companies a vendor could be, and whether it links on its own."""
    found: list[tuple[Company, bool, bool]] = []
    for company in companies:
        same_name, same_address = _how(vendor, company)
        if same_name or same_address:
            found.append((company, same_name, same_address))
    found.sort(key=lambda entry: entry[0].company_id)
    ids = [company.company_id for company, _, _ in found]
    if not found:
        return VendorMatch(
            vendor_id=vendor.vendor_id,
            kind=MatchKind.NONE,
            reason=f"no company has the name {vendor.name!r} or the vendor's address",
        )
    if len(found) > 1:
        return VendorMatch(
            vendor_id=vendor.vendor_id,
            kind=MatchKind.AMBIGUOUS,
            candidates=ids,
            reason=f"{len(found)} companies match by name or address: {', '.join(ids)}",
        )
    company, same_name, same_address = found[0]
    if not same_address:
        reason = f"company {company.company_id} has the same name but another address"
    elif not same_name:
        reason = f"company {company.company_id} has the same address but another name"
    elif company.vendor_id not in (None, vendor.vendor_id):
        reason = (
            f"company {company.company_id} matches but is already linked to vendor "
            f"{company.vendor_id}"
        )
    else:
        return VendorMatch(
            vendor_id=vendor.vendor_id,
            kind=MatchKind.EXACT,
            candidates=ids,
            reason=f"company {company.company_id} has the same name and address",
        )
    return VendorMatch(
        vendor_id=vendor.vendor_id, kind=MatchKind.AMBIGUOUS, candidates=ids, reason=reason
    )


def match_all(
    vendors: Iterable[SageVendor], companies: Iterable[Company]
) -> dict[str, VendorMatch]:
    """Every vendor's match; vendors that exactly match one same company are all ambiguous."""
    companies = list(companies)
    matches = {vendor.vendor_id: match(vendor, companies) for vendor in vendors}
    exact_by_company: dict[str, list[str]] = defaultdict(list)
    for vendor_id, found in matches.items():
        if found.kind is MatchKind.EXACT:
            exact_by_company[found.candidates[0]].append(vendor_id)
    for company_id, vendor_ids in exact_by_company.items():
        if len(vendor_ids) < 2:
            continue
        listed = " and ".join(sorted(vendor_ids))
        for vendor_id in vendor_ids:
            matches[vendor_id] = matches[vendor_id].model_copy(
                update={
                    "kind": MatchKind.AMBIGUOUS,
                    "reason": f"vendors {listed} all match company {company_id} exactly",
                }
            )
    return dict(sorted(matches.items()))


class VendorRefused(ValueError):
    """A link, unlink, archive or import that cannot be done; the message says why."""


AUTO_UPDATE_OFF = "not synced: 'Vendors will be automatically updated' is off"

# Sage vendor field -> Procore company field that follows it (seeds/004: address or phone).
_FOLLOWED = {
    "address": "address",
    "city": "city",
    "state": "state",
    "zip": "zip",
    "telephone": "phone",
    "fax": "fax",
}


class VendorChange(BaseModel):
    """A linked vendor's address or phone changed in Sage."""

    model_config = ConfigDict(frozen=True)

    vendor_id: str
    company_id: str
    changes: dict[str, tuple[str, str]] = Field(description="company field -> (was, now)")
    applied: bool

    def describe(self) -> str:
        what = ", ".join(
            f"{field} {was!r} -> {now!r}" for field, (was, now) in self.changes.items()
        )
        note = "applied" if self.applied else AUTO_UPDATE_OFF
        return f"vendor {self.vendor_id} (company {self.company_id}): {what}; {note}"


class RefreshReport(BaseModel):
    """What a refresh of the vendor list did and what it leaves to a person."""

    model_config = ConfigDict(frozen=True)

    directory: VendorDirectory
    linked: dict[str, str] = Field(default_factory=dict, description="vendor -> company, new")
    review: list[VendorMatch] = Field(default_factory=list)
    unmatched: list[str] = Field(default_factory=list)
    inactive: list[str] = Field(default_factory=list, description="unlinked inactive vendors")
    updated: list[VendorChange] = Field(default_factory=list)
    not_synced: list[VendorChange] = Field(default_factory=list)
    gone: list[str] = Field(default_factory=list, description="linked vendors Sage no longer lists")
    exported: dict[str, str] = Field(
        default_factory=dict,
        description="vendor -> company: synced because the company was exported as the vendor "
        "(the link registry), so neither matched nor offered for import",
    )

    def lines(self) -> list[str]:
        out = [f"linked {v} to company {c} (exact match)" for v, c in self.linked.items()]
        out += [f"synced {v} with company {c} (exported)" for v, c in self.exported.items()]
        out += [
            f"review {m.vendor_id}: {m.reason} (candidates {', '.join(m.candidates)})"
            for m in self.review
        ]
        out += [f"unmatched {v}: import it or archive it" for v in self.unmatched]
        out += [f"inactive {v}: not matched while inactive in Sage" for v in self.inactive]
        out += [change.describe() for change in self.updated + self.not_synced]
        out += [f"gone {v}: linked, but Sage no longer lists it" for v in self.gone]
        return out


class VendorDirectory(BaseModel):
    """The company directory with its vendor links, archived vendors and vendors last seen.

    Immutable: every operation returns a new directory (or refuses).
    """

    model_config = ConfigDict(frozen=True)

    companies: dict[str, Company] = Field(default_factory=dict)
    archived: frozenset[str] = frozenset()
    vendors: dict[str, SageVendor] = Field(default_factory=dict, description="last seen in Sage")
    declined: frozenset[tuple[str, str]] = Field(
        default=frozenset(),
        description="(vendor, company) pairs a person unlinked: a refresh never links them "
        "again on its own, however exactly they match; a person may.",
    )

    @property
    def links(self) -> dict[str, str]:
        """vendor_id -> company_id."""
        return {
            company.vendor_id: company.company_id
            for company in self.companies.values()
            if company.vendor_id is not None
        }

    def company_of(self, vendor_id: str) -> Company | None:
        company_id = self.links.get(vendor_id)
        return None if company_id is None else self.companies[company_id]

    def _with_company(self, company: Company) -> VendorDirectory:
        return self.model_copy(
            update={"companies": {**self.companies, company.company_id: company}}
        )

    def add_company(self, company: Company) -> VendorDirectory:
        if company.company_id in self.companies:
            raise VendorRefused(f"company {company.company_id} is already in the directory")
        if company.vendor_id is not None and company.vendor_id in self.links:
            raise VendorRefused(
                f"vendor {company.vendor_id} is already linked to company "
                f"{self.links[company.vendor_id]}"
            )
        return self._with_company(company)

    # --- refusals shared by link and import ---

    def _usable_vendor(self, vendor_id: str) -> SageVendor:
        vendor = self.vendors.get(vendor_id)
        if vendor is None:
            raise VendorRefused(
                f"vendor {vendor_id} is not among the vendors last read from Sage; "
                "refresh the vendor list first"
            )
        if vendor_id in self.archived:
            raise VendorRefused(f"vendor {vendor_id} is archived; unarchive it first")
        if not vendor.active:
            raise VendorRefused(
                f"vendor {vendor_id} is inactive in Sage; make it active there and refresh"
            )
        linked_to = self.links.get(vendor_id)
        if linked_to is not None:
            raise VendorRefused(
                f"vendor {vendor_id} is already linked to company {linked_to}; unlink it first"
            )
        return vendor

    def link(
        self, vendor_id: str, company_id: str, exported: Mapping[str, str] | None = None
    ) -> VendorDirectory:
        """A person links a vendor to a company (after review, or without a match); never a
        vendor a company was exported as (`exported`, vendor -> company: the link registry)."""
        if self.links.get(vendor_id) == company_id:
            return self
        _not_exported(vendor_id, exported, but=company_id)
        self._usable_vendor(vendor_id)
        company = self.companies.get(company_id)
        if company is None:
            raise VendorRefused(f"company {company_id} is not in the company directory")
        if company.vendor_id is not None:
            raise VendorRefused(
                f"company {company_id} is already linked to vendor {company.vendor_id}; "
                "unlink it first"
            )
        linked = self._with_company(company.model_copy(update={"vendor_id": vendor_id}))
        return linked.model_copy(update={"declined": self.declined - {(vendor_id, company_id)}})

    def unlink(self, vendor_id: str) -> VendorDirectory:
        company = self.company_of(vendor_id)
        if company is None:
            raise VendorRefused(f"vendor {vendor_id} is not linked to any company")
        unlinked = self._with_company(company.model_copy(update={"vendor_id": None}))
        declined = self.declined | {(vendor_id, company.company_id)}
        return unlinked.model_copy(update={"declined": declined})

    def archive(self, vendor_id: str) -> VendorDirectory:
        """A vendor that will not be used in Procore: no longer offered for matching."""
        if vendor_id not in self.vendors:
            raise VendorRefused(
                f"vendor {vendor_id} is not among the vendors last read from Sage; "
                "refresh the vendor list first"
            )
        linked_to = self.links.get(vendor_id)
        if linked_to is not None:
            raise VendorRefused(
                f"vendor {vendor_id} is linked to company {linked_to}; unlink it before "
                "archiving it"
            )
        return self.model_copy(update={"archived": self.archived | {vendor_id}})

    def unarchive(self, vendor_id: str) -> VendorDirectory:
        if vendor_id not in self.archived:
            raise VendorRefused(f"vendor {vendor_id} is not archived")
        return self.model_copy(update={"archived": self.archived - {vendor_id}})

    def import_vendor(
        self,
        vendor_id: str,
        company_id: str | None = None,
        exported: Mapping[str, str] | None = None,
    ) -> VendorDirectory:
        """Add a company from a Sage vendor and link them; refused when a company could be it,
        or is it already (a company exported as the vendor: `exported`, the link registry)."""
        _not_exported(vendor_id, exported)
        vendor = self._usable_vendor(vendor_id)
        found = match(vendor, self.companies.values())
        if found.kind is not MatchKind.NONE:
            raise VendorRefused(
                f"vendor {vendor_id} may already be in the directory ({found.reason}); "
                f"link it instead"
            )
        new_id = company_id or f"C-{vendor_id}"
        if new_id in self.companies:
            raise VendorRefused(f"company {new_id} is already in the directory")
        return self._with_company(
            Company(
                company_id=new_id,
                name=vendor.name,
                address=vendor.address,
                city=vendor.city,
                state=vendor.state,
                zip=vendor.zip,
                phone=vendor.telephone,
                fax=vendor.fax,
                vendor_id=vendor_id,
            )
        )

    def refresh(
        self,
        vendors: Iterable[SageVendor],
        auto_update: bool,
        exported: Mapping[str, str] | None = None,
    ) -> RefreshReport:
        """Read Sage's vendor list: follow linked vendors' changes, link exact matches. A
        vendor a company was exported as (`exported`, the link registry) is synced already:
        never matched to another company nor offered for import."""
        exported = exported or {}
        seen = {vendor.vendor_id: vendor for vendor in vendors}
        directory = self.model_copy(update={"vendors": dict(sorted(seen.items()))})
        links = self.links
        updated: list[VendorChange] = []
        not_synced: list[VendorChange] = []
        for vendor_id, company_id in sorted(links.items()):
            vendor = seen.get(vendor_id)
            if vendor is None:
                continue
            company = directory.companies[company_id]
            before = self.vendors.get(vendor_id)
            changes = {}
            for sage_field, company_field in _FOLLOWED.items():
                now = getattr(vendor, sage_field)
                was = getattr(company, company_field)
                sage_was = getattr(before, sage_field) if before is not None else was
                if now != sage_was and now != was:
                    changes[company_field] = (was, now)
            if not changes:
                continue
            change = VendorChange(
                vendor_id=vendor_id, company_id=company_id, changes=changes, applied=auto_update
            )
            if auto_update:
                applied = {field: now for field, (_, now) in changes.items()}
                directory = directory._with_company(company.model_copy(update=applied))
                updated.append(change)
            else:
                not_synced.append(change)

        open_vendors = [
            vendor
            for vendor_id, vendor in sorted(seen.items())
            if vendor_id not in links
            and vendor_id not in self.archived
            and vendor_id not in exported
        ]
        inactive = [vendor.vendor_id for vendor in open_vendors if not vendor.active]
        matches = match_all(
            (vendor for vendor in open_vendors if vendor.active), directory.companies.values()
        )
        linked: dict[str, str] = {}
        review: list[VendorMatch] = []
        unmatched: list[str] = []
        for vendor_id, found in matches.items():
            if found.kind is MatchKind.EXACT and (vendor_id, found.candidates[0]) in self.declined:
                reason = f"{found.reason}; a person unlinked them, so only a person links them"
                review.append(found.model_copy(update={"reason": reason}))
            elif found.kind is MatchKind.EXACT:
                directory = directory.link(vendor_id, found.candidates[0])
                linked[vendor_id] = found.candidates[0]
            elif found.kind is MatchKind.AMBIGUOUS:
                review.append(found)
            else:
                unmatched.append(vendor_id)
        return RefreshReport(
            directory=directory,
            linked=linked,
            review=review,
            unmatched=unmatched,
            inactive=inactive,
            updated=updated,
            not_synced=not_synced,
            gone=sorted(vendor_id for vendor_id in links if vendor_id not in seen),
            exported={v: c for v, c in sorted(exported.items()) if v in seen and v not in links},
        )


def _not_exported(vendor_id: str, exported: Mapping[str, str] | None, but: str = "") -> None:
    """Refused when a company (other than `but`) was exported as the vendor: one vendor is
    one Procore company (seeds/004 "Contract Company. Must be linked to a synced ... vendor")."""
    company = (exported or {}).get(vendor_id)
    if company is not None and company != but:
        raise VendorRefused(
            f"vendor {vendor_id} is synced with company {company} already (the company was "
            f"exported as it; starter.py links COMPANY shows it)"
        )


RefreshReport.model_rebuild()
