"""Project settings: the roster, Direct Export modes and reminder periods of each project."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)

from domain.approval import GROUP_PREFIX, ApprovalTemplate
from domain.erp import PROFILES, Capability, Erp
from domain.items import ItemTool, ItemType, describe_validation_error
from domain.sage_codes import SageCode
from domain.signing import SigningPolicy


class ErpPermission(StrEnum):
    """Permission on the company-level ERP Integrations tool, weakest first."""

    NONE = "none"
    READ_ONLY = "read_only"
    STANDARD = "standard"
    ADMIN = "admin"


class DirectExportMode(StrEnum):
    DISABLED = "disabled"
    ENABLED = "enabled"
    ENABLED_WITH_WORKFLOW = "enabled_with_workflow"


DIRECT_EXPORT_TYPES = frozenset(
    {ItemType.COMMITMENT, ItemType.COMMITMENT_CHANGE_ORDER, ItemType.SUBCONTRACTOR_INVOICE}
)
"""Procore offers Direct Export for commitments, CCOs and invoices only."""


class RosterUser(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    erp: ErpPermission = ErpPermission.NONE
    can_push_to_accounting: bool = False
    tool_admin: frozenset[ItemTool] = frozenset()
    public_key: str | None = Field(
        default=None, description="base64 Ed25519 public key that verifies this user's commands"
    )
    email: str | None = Field(
        default=None,
        max_length=254,
        pattern=r"^[^@\s<>,;]+@[^@\s<>,;]+$",
        description="Where notices go (an item waiting on this user); none: no notices",
    )

    @field_serializer("tool_admin")
    def _sorted(self, tools: frozenset[ItemTool]) -> list[ItemTool]:
        """In a stable order: a set's order varies from one process to the next, and a
        signature covers the settings byte for byte (settings apply)."""
        return sorted(tools)


class ProjectSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    project: str = Field(min_length=1)
    name: str = ""
    erp: Erp = Field(
        default=Erp.SAGE300, description="The ERP the project exports to (domain/erp.py)."
    )
    sage_company: SageCode | None = Field(
        default=None,
        description="The Sage company the project's job lives in, sent as X-Sage-Company; "
        "none: Sage's default company.",
    )
    sage_job_id: SageCode | None = Field(
        default=None,
        description="The Sage Job ID the project is synced to; none until the project is "
        "exported (its job ID is given at accept).",
    )
    address: str = Field(default="", description="Job header of estimate changes (seeds/004).")
    city: str = ""
    state: str = ""
    zip: str = ""
    direct_export: dict[ItemType, DirectExportMode] = Field(default_factory=dict)
    roster: dict[str, RosterUser] = Field(default_factory=dict)
    reminder_period: timedelta = timedelta(days=2)
    approval_templates: dict[ItemType, list[ApprovalTemplate]] = Field(
        default_factory=dict,
        description="For `enabled_with_workflow`: templates per item type, chosen by amount.",
    )
    groups: dict[str, list[str]] = Field(default_factory=dict)
    signing: SigningPolicy = Field(default_factory=SigningPolicy)
    escalation_approvers: list[str] = Field(
        default_factory=list, description="Who an item waiting too long is escalated to."
    )
    sov_controlled_by: Literal["sage", "procore"] = Field(
        default="sage",
        description="Who manages the prime contract's schedule of values (seeds/000): 'sage' "
        "imports every contract item; 'procore' keeps one lump-sum contract item in Sage and "
        "the detailed SOV here, and PCCOs send Sage only their rolled-up amount.",
    )
    lump_sum_contract_item: SageCode = Field(
        default="001",
        description="In 'procore' mode, only for a prime contract imported before its import "
        "recorded Sage's one contract item (the registry's lump_sum_item link): a PCCO rolls up "
        "into the item the import read from Sage, never into this default.",
    )
    commitment_sage_id_from_contract_number: bool = Field(
        default=True,
        description="seeds/004 COMMITMENTS: use the Procore Contract Number for an exported "
        "commitment's Sage ID (prefilled, still editable at accept); off: the accounting "
        "approver gives it. Changed only by `settings apply` from an ERP Admin ('Enabling "
        "this setting requires 'Admin' level permission on the ERP Integrations tool').",
    )
    consolidate_invoice_lines: bool = Field(
        default=True,
        description="seeds/004 release note of 08/05/2024: a subcontractor invoice's lines are "
        "sent as a single line per commitment line item; off ('can be turned off on "
        "request'): every invoice line is its own AP distribution.",
    )
    pcco_markups_to_estimate_changes: bool = Field(
        default=False,
        description="seeds/004 Prime Contract Change Orders: 'Markups used on a Prime Contract "
        "Change Order in Procore are included in the Approved Scheduled Value changes and can "
        "be sent to the Approved Estimate Changes as well.' Off: markups reach only the "
        "schedule value changes; on: each markup is also an approved estimate change on its "
        "own cost code and category. Changed only by `settings apply` from an ERP Admin.",
    )
    export_forecast_amounts: bool = Field(
        default=False,
        description="seeds/004 Cost Forecast Data: 'Export Forecast Amounts' (ERP Settings in "
        "the project Budget Configuration Settings), an optional setting, off unless enabled: "
        "each budget line item's Estimated Cost at Complete and Forecast to Complete go to Sage "
        "300 CRE® as Misc Worksheet 1 and 2 transactions whenever a budget or a budget "
        "modification is exported (domain/cost_forecast.py). Changed only by `settings apply` "
        "from an ERP Admin.",
    )
    auto_add_cost_codes_to_budgets: bool = Field(
        default=False,
        description="seeds/004 Configuration Settings: 'Automatically add new cost code/cost "
        "type combinations ... to budgets on Sage 300 CRE® integrated projects': each new "
        "combination on the job becomes a budget line (unlocked: the Sage estimate amount; "
        "locked: $0). Changed only by `settings apply` from an ERP Admin.",
    )
    job_cost_transaction_sync: bool = Field(
        default=False,
        description="seeds/004 DIRECT COSTS: 'Enable job cost transaction syncing on your "
        "project in the project level Admin tool': on, `direct-costs sync` brings the Sage "
        "job's cost transactions into Direct Costs; off (the default), it is refused.",
    )

    @field_validator("direct_export")
    @classmethod
    def _only_direct_export_types(
        cls, modes: dict[ItemType, DirectExportMode]
    ) -> dict[ItemType, DirectExportMode]:
        others = sorted(t.value for t in modes if t not in DIRECT_EXPORT_TYPES)
        if others:
            raise ValueError(
                "Direct Export applies to commitments, commitment change orders and "
                f"subcontractor invoices only, not {', '.join(others)}"
            )
        return modes

    @field_validator("reminder_period")
    @classmethod
    def _positive(cls, period: timedelta) -> timedelta:
        if period <= timedelta(0):
            raise ValueError("must be positive")
        return period

    @model_validator(mode="after")
    def _fits_its_erp(self) -> ProjectSettings:
        if self.erp is Erp.SAGE100 and self.sage_company is None:
            raise ValueError(
                "erp is sage100 but sage_company is not set: name the Sage 100 Contractor® "
                "company the project's job lives in"
            )
        if self.erp is Erp.SAGE100 and self.export_forecast_amounts:
            raise ValueError(
                "erp is sage100 but export_forecast_amounts is on: cost forecast data (Misc "
                "Worksheet 1 and 2) is a Sage 300 CRE® export (seeds/004 Cost Forecast Data)"
            )
        erp = PROFILES[self.erp]
        if self.sov_controlled_by == "procore" and not erp.has(Capability.PRIME_CONTRACT_IMPORT):
            raise ValueError(
                f"erp is {self.erp.value} but sov_controlled_by is procore: the lump-sum SOV "
                f"mode needs prime contract sync, which {erp.title} does not have"
            )
        return self

    @model_validator(mode="after")
    def _approval_workflows_are_complete(self) -> ProjectSettings:
        for item_type, mode in self.direct_export.items():
            if mode is DirectExportMode.ENABLED_WITH_WORKFLOW and not self.approval_templates.get(
                item_type
            ):
                raise ValueError(
                    f"direct_export.{item_type.value} is enabled_with_workflow but "
                    f"approval_templates.{item_type.value} has no template"
                )
        for templates in self.approval_templates.values():
            for template in templates:
                for step in template.steps:
                    for name in step.assignees:
                        group = name.removeprefix(GROUP_PREFIX)
                        known = group in self.groups if name != group else name in self.roster
                        if not known:
                            raise ValueError(
                                f"approval template {template.name!r}, step {step.name!r}: "
                                f"{name!r} is neither on the roster nor a group"
                            )
        return self

    def export_mode(self, item_type: ItemType) -> DirectExportMode:
        return self.direct_export.get(item_type, DirectExportMode.DISABLED)


class ProjectsFile(BaseModel):
    """The project settings file (`ERP_PROJECTS_FILE`): every project by its ID."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    projects: dict[str, ProjectSettings]


class InvalidSettings(ValueError):
    pass


def parse_projects(text: str) -> ProjectsFile:
    try:
        projects = ProjectsFile.model_validate_json(text)
    except ValidationError as err:
        raise InvalidSettings(describe_validation_error(err)) from None
    for key, settings in projects.projects.items():
        if key != settings.project:
            raise InvalidSettings(
                f"field 'projects.{key}.project': says {settings.project!r}, expected {key!r}"
            )
    return projects
