"""One export kind per item type: its prerequisites, its export fields and its plan."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.exports import budget, budget_modification, commitment, company, project, sub_job
from domain.exports import commitment_change_order as cco
from domain.exports import prime_contract_change_order as pcco
from domain.exports import subcontractor_invoice as invoice
from domain.items import ItemBase, ItemType
from domain.saga import ExportPlan
from domain.settings import ProjectSettings


@dataclass(frozen=True)
class ExportKind:
    """How one item type reaches Sage. Adding an item type means adding one of these."""

    export_fields: Mapping[str, str]
    """Fields an approver may give at accept or retry: name -> what it means."""
    prerequisites: Callable[[Any, ProjectSettings], list[str]]
    """Rules an item must meet before `send`, each broken one in the seed's words."""
    default_fields: Callable[[Any], dict[str, str]]
    check_fields: Callable[[Any, dict[str, str]], list[str]]
    plan: Callable[[Any, ProjectSettings, dict[str, str], date], ExportPlan]


KINDS: dict[ItemType, ExportKind] = {
    ItemType.COMMITMENT: ExportKind(
        export_fields=commitment.EXPORT_FIELDS,
        prerequisites=commitment.prerequisites,
        default_fields=commitment.default_fields,
        check_fields=commitment.check_fields,
        plan=commitment.plan,
    ),
    ItemType.PROJECT: ExportKind(
        export_fields=project.EXPORT_FIELDS,
        prerequisites=project.prerequisites,
        default_fields=project.default_fields,
        check_fields=project.check_fields,
        plan=project.plan,
    ),
    ItemType.SUB_JOB: ExportKind(
        export_fields=sub_job.EXPORT_FIELDS,
        prerequisites=sub_job.prerequisites,
        default_fields=sub_job.default_fields,
        check_fields=sub_job.check_fields,
        plan=sub_job.plan,
    ),
    ItemType.COMPANY: ExportKind(
        export_fields=company.EXPORT_FIELDS,
        prerequisites=company.prerequisites,
        default_fields=company.default_fields,
        check_fields=company.check_fields,
        plan=company.plan,
    ),
    ItemType.BUDGET: ExportKind(
        export_fields=budget.EXPORT_FIELDS,
        prerequisites=budget.prerequisites,
        default_fields=budget.default_fields,
        check_fields=budget.check_fields,
        plan=budget.plan,
    ),
    ItemType.BUDGET_MODIFICATION: ExportKind(
        export_fields=budget_modification.EXPORT_FIELDS,
        prerequisites=budget_modification.prerequisites,
        default_fields=budget_modification.default_fields,
        check_fields=budget_modification.check_fields,
        plan=budget_modification.plan,
    ),
    ItemType.COMMITMENT_CHANGE_ORDER: ExportKind(
        export_fields=cco.EXPORT_FIELDS,
        prerequisites=cco.prerequisites,
        default_fields=cco.default_fields,
        check_fields=cco.check_fields,
        plan=cco.plan,
    ),
    ItemType.PRIME_CONTRACT_CHANGE_ORDER: ExportKind(
        export_fields=pcco.EXPORT_FIELDS,
        prerequisites=pcco.prerequisites,
        default_fields=pcco.default_fields,
        check_fields=pcco.check_fields,
        plan=pcco.plan,
    ),
    ItemType.SUBCONTRACTOR_INVOICE: ExportKind(
        export_fields=invoice.EXPORT_FIELDS,
        prerequisites=invoice.prerequisites,
        default_fields=invoice.default_fields,
        check_fields=invoice.check_fields,
        plan=invoice.plan,
    ),
}


def kind_of(item: ItemBase) -> ExportKind:
    return KINDS[item.type]
