"""One export kind per item type: its prerequisites, its export fields and its plan."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from types import ModuleType
from typing import Any

from domain.export_plan import ExportPlan
from domain.exports import (
    budget,
    budget_modification,
    commitment,
    company,
    owner_invoice,
    project,
    sub_job,
)
from domain.exports import commitment_change_order as cco
from domain.exports import prime_contract_change_order as pcco
from domain.exports import subcontractor_invoice as invoice
from domain.items import ItemBase, ItemType
from domain.settings import ProjectSettings


@dataclass(frozen=True)
class ExportKind:
    """How one item type reaches Sage. Adding an item type means adding one of these."""

    export_fields: Mapping[str, str]
    """Fields an approver may give at accept or retry: name -> what it means."""
    prerequisites: Callable[[Any, ProjectSettings], list[str]]
    """Rules an item must meet before `send`, each broken one in the seed's words."""
    default_fields: Callable[[Any], dict[str, str]]
    project_defaults: Callable[[Any, ProjectSettings], dict[str, str]]
    """The defaults as the project's settings make them (an approver's accept)."""
    check_fields: Callable[[Any, dict[str, str]], list[str]]
    plan: Callable[[Any, ProjectSettings, dict[str, str], date], ExportPlan]
    warnings: Callable[[Any], list[str]]
    """What an approver should know before accepting, in the seed's words; blocks nothing."""


def no_warnings(item: Any) -> list[str]:
    return []


def _kind(module: ModuleType) -> ExportKind:
    """An item type's module holds EXPORT_FIELDS, prerequisites, default_fields, check_fields
    and plan (and may hold warnings and project_defaults); this is the one place that reads
    them."""
    return ExportKind(
        export_fields=module.EXPORT_FIELDS,
        prerequisites=module.prerequisites,
        default_fields=module.default_fields,
        check_fields=module.check_fields,
        plan=module.plan,
        warnings=getattr(module, "warnings", no_warnings),
        project_defaults=getattr(
            module, "project_defaults", lambda item, settings: module.default_fields(item)
        ),
    )


KINDS: dict[ItemType, ExportKind] = {
    ItemType.COMMITMENT: _kind(commitment),
    ItemType.PROJECT: _kind(project),
    ItemType.SUB_JOB: _kind(sub_job),
    ItemType.COMPANY: _kind(company),
    ItemType.BUDGET: _kind(budget),
    ItemType.BUDGET_MODIFICATION: _kind(budget_modification),
    ItemType.COMMITMENT_CHANGE_ORDER: _kind(cco),
    ItemType.PRIME_CONTRACT_CHANGE_ORDER: _kind(pcco),
    ItemType.SUBCONTRACTOR_INVOICE: _kind(invoice),
    ItemType.OWNER_INVOICE: _kind(owner_invoice),
}


def kind_of(item: ItemBase) -> ExportKind:
    return KINDS[item.type]
