"""Project settings: the roster, Direct Export modes and reminder periods of each project."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from domain.items import ItemTool, ItemType, describe_validation_error


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


class ProjectSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    project: str = Field(min_length=1)
    name: str = ""
    erp: Literal["sage300"] = "sage300"
    sage_job_id: str = Field(min_length=1, description="The Sage Job ID the project is synced to.")
    direct_export: dict[ItemType, DirectExportMode] = Field(default_factory=dict)
    roster: dict[str, RosterUser] = Field(default_factory=dict)
    reminder_period: timedelta = timedelta(days=2)

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
