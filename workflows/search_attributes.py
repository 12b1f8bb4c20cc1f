"""The custom search attributes, defined once for workflow, starter, worker and tests."""

from temporalio.common import SearchAttributeIndexedValueType, SearchAttributeKey

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
