"""The custom search attributes, defined once for workflow, starter, worker and tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from temporalio.common import (
    SearchAttributeIndexedValueType,
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
)

ITEM_TYPE = SearchAttributeKey.for_keyword("ErpItemType")
PROJECT = SearchAttributeKey.for_keyword("ErpProject")
STATE = SearchAttributeKey.for_keyword("ErpState")
EXPORT_MODE = SearchAttributeKey.for_keyword("ErpExportMode")
ERROR_CODE = SearchAttributeKey.for_keyword("ErpErrorCode")
ATTENTION = SearchAttributeKey.for_keyword("ErpAttention")
AMOUNT = SearchAttributeKey.for_float("ErpAmount")

ALL = (ITEM_TYPE, PROJECT, STATE, EXPORT_MODE, ERROR_CODE, ATTENTION, AMOUNT)
"""Every key, with its type: what `setup` and the dev server flags register."""

TYPE_NAMES = {
    SearchAttributeIndexedValueType.KEYWORD: "Keyword",
    SearchAttributeIndexedValueType.DOUBLE: "Double",
}
"""How the Temporal CLI and the compose init step spell each type."""


def item_values(
    *,
    item_type: str,
    project: str,
    state: str,
    export_mode: str,
    amount: float,
    error_code: str | None = None,
    attention: str | None = None,
) -> dict[str, Any]:
    """An item's search attributes by name (None: unset): the one set the item workflow
    publishes on every change and a starter gives it at start."""
    return {
        ITEM_TYPE.name: item_type,
        PROJECT.name: project,
        STATE.name: state,
        EXPORT_MODE.name: export_mode,
        ERROR_CODE.name: error_code,
        ATTENTION.name: attention,
        AMOUNT.name: float(amount),
    }


def typed(values: Mapping[str, Any]) -> TypedSearchAttributes:
    """`values` (by name, as `item_values` gives them) as a start's search attributes."""
    pairs: list[SearchAttributePair[Any]] = [
        SearchAttributePair(key, values[key.name])
        for key in ALL
        if values.get(key.name) is not None
    ]
    return TypedSearchAttributes(pairs)
