"""Items as Procore holds them: what an operator writes in an item file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

# Parts of the workflow ID: no ':' (the separator) and nothing a shell would mangle.
_CODE = r"^[A-Za-z0-9][A-Za-z0-9._/ -]*$"


class ItemType(StrEnum):
    PROJECT = "project"
    SUB_JOB = "sub_job"
    COMPANY = "company"
    BUDGET = "budget"
    BUDGET_MODIFICATION = "budget_modification"
    COMMITMENT = "commitment"
    COMMITMENT_CHANGE_ORDER = "commitment_change_order"
    PRIME_CONTRACT_CHANGE_ORDER = "prime_contract_change_order"
    SUBCONTRACTOR_INVOICE = "subcontractor_invoice"


class ItemTool(StrEnum):
    """The Procore tool an item lives in; admin rights on it let a user send the item."""

    ADMIN = "admin"
    DIRECTORY = "directory"
    BUDGET = "budget"
    COMMITMENTS = "commitments"
    CHANGE_ORDERS = "change_orders"
    PRIME_CONTRACTS = "prime_contracts"
    INVOICING = "invoicing"


TOOL_OF: dict[ItemType, ItemTool] = {
    ItemType.PROJECT: ItemTool.ADMIN,
    ItemType.SUB_JOB: ItemTool.ADMIN,
    ItemType.COMPANY: ItemTool.DIRECTORY,
    ItemType.BUDGET: ItemTool.BUDGET,
    ItemType.BUDGET_MODIFICATION: ItemTool.BUDGET,
    ItemType.COMMITMENT: ItemTool.COMMITMENTS,
    ItemType.COMMITMENT_CHANGE_ORDER: ItemTool.CHANGE_ORDERS,
    ItemType.PRIME_CONTRACT_CHANGE_ORDER: ItemTool.PRIME_CONTRACTS,
    ItemType.SUBCONTRACTOR_INVOICE: ItemTool.INVOICING,
}


class ItemBase(BaseModel):
    """What every item shares: its type, its project and its own number."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    LABEL: ClassVar[str] = "Item"

    type: ItemType
    project: str = Field(min_length=1, max_length=40, pattern=_CODE)
    number: str = Field(min_length=1, max_length=60, pattern=_CODE)

    @property
    def workflow_id(self) -> str:
        return workflow_id(self.type, self.project, self.number)

    @property
    def amount(self) -> Decimal:
        return Decimal(0)

    def summary(self) -> str:
        return f"{self.LABEL} {self.number} · project {self.project} · ${self.amount:,.2f}"


def workflow_id(item_type: str, project: str, number: str) -> str:
    return f"{item_type}:{project}:{number}"


class CommitmentType(StrEnum):
    SUBCONTRACT = "subcontract"
    PURCHASE_ORDER = "purchase_order"


class CommitmentStatus(StrEnum):
    DRAFT = "draft"
    OUT_FOR_BID = "out_for_bid"
    OUT_FOR_SIGNATURE = "out_for_signature"
    APPROVED = "approved"
    COMPLETE = "complete"
    TERMINATED = "terminated"
    VOID = "void"


class ContractCompany(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    sage_vendor_id: str | None = Field(
        default=None, description="The ERP Vendor ID of the synced Sage vendor, if any."
    )


class SovLine(BaseModel):
    """A schedule-of-values line. Purchase orders price a line by qty x unit cost."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(default="", max_length=200)
    cost_code: str | None = None
    category: str | None = None
    amount: Decimal | None = None
    qty: Decimal | None = None
    unit_cost: Decimal | None = None
    units: str | None = Field(default=None, max_length=20, description="Unit description")

    @model_validator(mode="after")
    def _priced(self) -> SovLine:
        if self.amount is None and (self.qty is None or self.unit_cost is None):
            raise ValueError("give an amount, or qty and unit_cost")
        return self

    @property
    def total(self) -> Decimal:
        if self.amount is not None:
            return self.amount
        assert self.qty is not None and self.unit_cost is not None
        return (self.qty * self.unit_cost).quantize(Decimal("0.01"))


class Commitment(ItemBase):
    """A subcontract or purchase order (Procore's Commitments tool)."""

    LABEL: ClassVar[str] = "Commitment"

    type: Literal[ItemType.COMMITMENT] = ItemType.COMMITMENT
    commitment_type: CommitmentType
    title: str = Field(min_length=1, max_length=255)
    status: CommitmentStatus
    contract_company: ContractCompany
    default_retainage_percent: Decimal = Field(default=Decimal(0), ge=0, le=100)
    date_created: date | None = None
    sov: list[SovLine] = Field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return sum((line.total for line in self.sov), Decimal(0))


Item = Commitment
"""Every item type the orchestrator knows (a union as types are added)."""

_ITEM_MODELS: dict[ItemType, type[ItemBase]] = {ItemType.COMMITMENT: Commitment}
SUPPORTED_TYPES = frozenset(_ITEM_MODELS)


class InvalidItem(ValueError):
    """An item file or payload that does not describe a valid item; the text says where."""


def parse_item(data: Any) -> ItemBase:
    """Validate raw JSON data as an item of the type it names."""
    if not isinstance(data, dict):
        raise InvalidItem("an item must be a JSON object")
    raw_type = data.get("type")
    try:
        item_type = ItemType(raw_type)
    except ValueError:
        known = ", ".join(t.value for t in ItemType)
        raise InvalidItem(f"field 'type': {raw_type!r} is not an item type ({known})") from None
    model = _ITEM_MODELS.get(item_type)
    if model is None:
        raise InvalidItem(f"field 'type': {item_type} items are not supported yet")
    try:
        return TypeAdapter(model).validate_python(data)
    except ValidationError as err:
        raise InvalidItem(describe_validation_error(err)) from None


def describe_validation_error(err: ValidationError) -> str:
    """One line per problem, each naming the field path, as a person reads it."""
    lines = []
    for problem in err.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "(item)"
        lines.append(f"field '{where}': {problem['msg']}")
    return "; ".join(lines)
