"""One export kind per item type: its prerequisites, its export fields and its plan."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.exports import commitment
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
}


def kind_of(item: ItemBase) -> ExportKind:
    return KINDS[item.type]
