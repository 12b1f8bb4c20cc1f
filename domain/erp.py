"""ERP profiles as data: what each Sage system of the seeds can take, and the rules that differ.

A project targets one ERP (`ProjectSettings.erp`). Sage 300 CRE® is described by seeds/004
(with seeds/001 and seeds/003 for prime contracts), Sage 100 Contractor® by seeds/002. Every
entry of a profile carries the seed passage it rests on, so a reader can check it; a feature
the seed of an ERP does not describe is not in its profile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from domain.items import ItemType


class Erp(StrEnum):
    SAGE300 = "sage300"
    SAGE100 = "sage100"


class Capability(StrEnum):
    """A direction or feature beyond item exports (imports, links, syncs)."""

    description: str
    action: str

    def __new__(cls, value: str, description: str, action: str) -> Capability:
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        member.action = action
        return member

    JOB_IMPORT = ("job_import", "job import", "add a Sage job to Procore as a project")
    BUDGET_IMPORT = ("budget_import", "budget import", "import a job's budget from Sage")
    VENDOR_IMPORT = (
        "vendor_import",
        "vendor import",
        "import a Sage vendor into the company directory",
    )
    VENDOR_LINK = (
        "vendor_link",
        "vendor linking",
        "link a Sage vendor to an existing Procore company",
    )
    VENDOR_AUTO_UPDATE = (
        "vendor_auto_update",
        "automatic vendor updates ('Vendors will be automatically updated')",
        "update linked companies with Sage address and phone changes",
    )
    STANDARD_COST_CODE_SYNC = (
        "standard_cost_code_sync",
        "standard cost code and category sync",
        "sync the standard cost codes and categories",
    )
    COST_CODE_REFRESH = (
        "cost_code_refresh",
        "project cost code refresh (automatic before a budget export)",
        "refresh a project's cost codes",
    )
    JOB_COSTS_SYNC = (
        "job_costs_sync",
        "job costs sync",
        "sync job costs per cost code and category",
    )
    JOB_COST_TRANSACTION_SYNC = (
        "job_cost_transaction_sync",
        "job cost transaction detail sync",
        "sync job cost transactions into Direct Costs",
    )
    PRIME_CONTRACT_IMPORT = (
        "prime_contract_import",
        "prime contract import and re-import",
        "import or re-import a prime contract",
    )
    SUB_JOB_IMPORT = (
        "sub_job_import",
        "sub job import (Sage extras)",
        "import a Sage extra as a sub job",
    )
    VENDOR_INSURANCE_IMPORT = (
        "vendor_insurance_import",
        "company insurance import (AP Vendor Insurance)",
        "import a vendor's insurance into its synced company",
    )


ITEM_NAMES: Mapping[ItemType, tuple[str, str]] = MappingProxyType(
    {
        ItemType.PROJECT: ("a project", "projects as Sage jobs"),
        ItemType.SUB_JOB: ("a sub job", "sub jobs as Sage extras"),
        ItemType.COMPANY: ("a company", "companies as Sage vendors"),
        ItemType.BUDGET: ("a budget", "budgets"),
        ItemType.BUDGET_MODIFICATION: ("a budget modification", "budget modifications"),
        ItemType.COMMITMENT: ("a commitment", "commitments"),
        ItemType.COMMITMENT_CHANGE_ORDER: (
            "a commitment change order",
            "commitment change orders",
        ),
        ItemType.PRIME_CONTRACT_CHANGE_ORDER: (
            "a prime contract change order",
            "prime contract change orders",
        ),
        ItemType.SUBCONTRACTOR_INVOICE: ("a subcontractor invoice", "subcontractor invoices"),
        ItemType.OWNER_INVOICE: ("an owner invoice", "owner invoices"),
    }
)
"""How a refusal names an item type: (one of them, all of them)."""


@dataclass(frozen=True)
class ErpProfile:
    """What one ERP takes, each entry with its citation, and the rules that differ."""

    erp: Erp
    title: str
    source: str
    export_citations: Mapping[ItemType, str]
    capability_citations: Mapping[Capability, str]
    job_setup_rule: str
    """The seed's words: a job is added in one system, then to the other, never both."""
    budget_rule: str = ""
    commitment_rule: str = ""
    supported_versions: tuple[str, ...] = ()

    @property
    def exports(self) -> frozenset[ItemType]:
        return frozenset(self.export_citations)

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset(self.capability_citations)

    def can_export(self, item_type: ItemType) -> bool:
        return item_type in self.export_citations

    def has(self, capability: Capability) -> bool:
        return capability in self.capability_citations


SAGE_300_CRE = ErpProfile(
    erp=Erp.SAGE300,
    title="Sage 300 CRE®",
    source="seeds/004 (Sage 300 CRE® connector), seeds/001 and seeds/003 (prime contracts)",
    export_citations=MappingProxyType(
        {
            ItemType.PROJECT: "seeds/004 videos: 'Sync Procore Projects with Sage Jobs'",
            ItemType.SUB_JOB: "seeds/004 videos: 'Export Sub Jobs to Sage'",
            ItemType.COMPANY: "seeds/004 videos: 'Export Companies to Sage'",
            ItemType.BUDGET: "seeds/004 videos: 'Export a Procore Budget to Sage'",
            ItemType.BUDGET_MODIFICATION: "seeds/004 videos: 'Export Budget Modifications to Sage'",
            ItemType.COMMITMENT: "seeds/004 videos: 'Export a Procore Commitment to Sage'",
            ItemType.COMMITMENT_CHANGE_ORDER: "seeds/004 videos: 'Export a Procore CCO to Sage'",
            ItemType.PRIME_CONTRACT_CHANGE_ORDER: (
                "seeds/004 videos: 'Export Prime Contract Change Orders to Sage'"
            ),
            ItemType.SUBCONTRACTOR_INVOICE: (
                "seeds/004 videos: 'Export a Subcontractor Invoice to Sage'"
            ),
            ItemType.OWNER_INVOICE: (
                "seeds/004 permissions: 'Accept or Reject Owner Invoices for Export to ERP'; "
                "seeds/000: customers 'who produce owner invoices out of Procore'"
            ),
        }
    ),
    capability_citations=MappingProxyType(
        {
            Capability.JOB_IMPORT: (
                "seeds/004 Job Setup: 'two different ways to set up a Procore/Sage integrated job'"
            ),
            Capability.BUDGET_IMPORT: (
                "seeds/004 notes: 'Budget data can also be imported from Sage 300 CRE® "
                "into Procore'"
            ),
            Capability.VENDOR_IMPORT: "seeds/004 videos: 'Import Vendors from Sage'",
            Capability.VENDOR_LINK: (
                "seeds/004 companies: 'first try to link any Sage 300 CRE® vendors that "
                "already exist'"
            ),
            Capability.VENDOR_AUTO_UPDATE: (
                "seeds/004 companies: the 'Vendors will be automatically updated' setting"
            ),
            Capability.STANDARD_COST_CODE_SYNC: (
                "seeds/004 data mapping: 'Standard cost codes and categories from Sage 300 CRE® "
                "are automatically synced'"
            ),
            Capability.COST_CODE_REFRESH: (
                "seeds/004 release note 02/03/2025 and WBS: 'Any project level cost codes that "
                "are not synced will automatically sync with your ERP when exporting your budget'"
            ),
            Capability.JOB_COSTS_SYNC: "seeds/004 data mapping: 'Job Costs' (import only)",
            Capability.JOB_COST_TRANSACTION_SYNC: (
                "seeds/004 data mapping: 'Job Cost Transaction Details' (import only)"
            ),
            Capability.PRIME_CONTRACT_IMPORT: (
                "seeds/004: 'Prime contracts can only be imported to Procore from Sage 300 CRE®'; "
                "seeds/001 and seeds/003: re-import"
            ),
            Capability.SUB_JOB_IMPORT: (
                "seeds/004: 'If you want to add a Sage 'Extra' as a Procore 'Sub Job''"
            ),
            Capability.VENDOR_INSURANCE_IMPORT: (
                "seeds/004 Company Insurance: 'Company Insurance information is only imported "
                "into Procore from Sage 300 CRE® on synced companies'"
            ),
        }
    ),
    job_setup_rule=(
        "Jobs must be created in one location and pushed to the other, jobs CANNOT be created "
        "in both locations and linked together."
    ),
    budget_rule=(
        "After exporting a Procore budget to Sage 300 CRE®, you no longer be permitted to "
        "import Sage 300 CRE® budget or job data into Procore."
    ),
    commitment_rule=(
        "Commitments are now posted automatically during the transmission process "
        "(Sage 300 CRE® 23.2 or greater)."
    ),
    supported_versions=("v24.X", "v23.X", "v22.X"),
)
"""seeds/004 ("Sage 300 CRE®: Connects Procore to Sage 300 Construction & Real Estate")."""

SAGE_100_CONTRACTOR = ErpProfile(
    erp=Erp.SAGE100,
    title="Sage 100 Contractor®",
    source="seeds/002 (Project Financials + Sage 100 Contractor® Connector)",
    export_citations=MappingProxyType(
        {
            ItemType.PROJECT: (
                "seeds/002 Set Up a Job/Project: 'Send a Procore Project to ERP Integration "
                "for Acceptance'"
            ),
            ItemType.COMPANY: (
                "seeds/002 Create and Sync Vendors: 'Export a Vendor/Company to ERP Integration'"
            ),
            ItemType.BUDGET: "seeds/002 Set Up and Manage a Budget: 'BUDGET EXPORTED TO ERP'",
            ItemType.BUDGET_MODIFICATION: (
                "seeds/002 Update and Export a Budget: 'Create a Budget Modification'"
            ),
            ItemType.COMMITMENT: "seeds/002 Create and Export Commitments",
            ItemType.COMMITMENT_CHANGE_ORDER: "seeds/002 Create and Export CCOs",
            ItemType.SUBCONTRACTOR_INVOICE: "seeds/002 Export Subcontractor Invoices",
        }
    ),
    capability_citations=MappingProxyType(
        {
            Capability.JOB_IMPORT: (
                "seeds/002 Set Up a Job/Project: 'Add Sage 100 Contractor Job to Procore'"
            ),
            Capability.BUDGET_IMPORT: (
                "seeds/002 Set Up and Manage a Budget: 'set up the budget in one system and "
                "then import or export it to the other'"
            ),
            Capability.VENDOR_IMPORT: (
                "seeds/002 Create and Sync Vendors: 'Import a Vendor from ERP to Procore's "
                "Company Directory'"
            ),
            Capability.VENDOR_LINK: (
                "seeds/002 Create and Sync Vendors: 'Link Vendors in ERP to Matching Companies "
                "in Procore'"
            ),
            Capability.STANDARD_COST_CODE_SYNC: (
                "seeds/002 permissions: 'Assign Default Cost Types To ERP Standard Cost Codes'"
            ),
            Capability.COST_CODE_REFRESH: (
                "seeds/002 permissions: 'Refresh the Cost Codes on an ERP Integrated Project'; "
                "seeds/004 release note 02/03/2025 covers integrations with project exports"
            ),
            Capability.JOB_COSTS_SYNC: (
                "seeds/002 release note 08/11/2023: transaction data 'visible in summary format' "
                "per budget line"
            ),
            Capability.JOB_COST_TRANSACTION_SYNC: (
                "seeds/002 release note 08/11/2023: 'Job Cost transaction detail syncing now "
                "available!'"
            ),
        }
    ),
    job_setup_rule=(
        "You must always add the job/project in one system and then add it to the other. You "
        "cannot create a job in both systems and then sync them at a later time."
    ),
    budget_rule=(
        "You must always set up the budget in one system and then import or export it to the "
        "other. You cannot create a budget in both systems and then sync the budgets a later "
        "time. Once it is set up as desired, updates to the budget must be managed in the "
        "system in which it was created."
    ),
    commitment_rule=(
        "After a Procore project is synced with a Sage 100 Contractor® job, commitments must "
        "always be created in Procore. Do NOT create commitments directly in Sage 100 Contractor®."
    ),
)
"""seeds/002: no prime contracts, PCCOs or sub jobs (extras) in its workflows."""

PROFILES: Mapping[Erp, ErpProfile] = MappingProxyType(
    {Erp.SAGE300: SAGE_300_CRE, Erp.SAGE100: SAGE_100_CONTRACTOR}
)


def profile(erp: Erp | str) -> ErpProfile:
    return PROFILES[Erp(erp)]


class ErpRefused(ValueError):
    """The project's ERP cannot take this item or do this; the message is for an operator."""


def _who_has(erps: list[ErpProfile]) -> str:
    if not erps:
        return "no supported ERP has it"
    titles = [p.title for p in erps]
    if len(titles) == 1:
        return f"{titles[0]} has it"
    return f"{', '.join(titles[:-1])} and {titles[-1]} have it"


def require_export(erp: Erp | str, item_type: ItemType, project: str) -> None:
    """Refuse an item the project's ERP cannot take, before it is started or sent."""
    target = profile(erp)
    if target.can_export(item_type):
        return
    one, many = ITEM_NAMES[item_type]
    others = [p for p in PROFILES.values() if p.can_export(item_type)]
    raise ErpRefused(
        f"project {project} exports to {target.title}, which cannot take {one} "
        f"(missing capability: export of {many}; {_who_has(others)})"
    )


def require(erp: Erp | str, capability: Capability, project: str) -> None:
    """Refuse an import, link or sync the project's ERP does not offer."""
    target = profile(erp)
    if target.has(capability):
        return
    others = [p for p in PROFILES.values() if p.has(capability)]
    raise ErpRefused(
        f"project {project} exports to {target.title}, which cannot {capability.action} "
        f"(missing capability: {capability.description}; {_who_has(others)})"
    )
