"""Items as Procore holds them: what an operator writes in an item file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from domain.sage_codes import LinkedSageCode, SageCode

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
    OWNER_INVOICE = "owner_invoice"


class ItemTool(StrEnum):
    """The Procore tool an item lives in; admin rights on it let a user send the item."""

    ADMIN = "admin"
    DIRECTORY = "directory"
    BUDGET = "budget"
    COMMITMENTS = "commitments"
    CHANGE_ORDERS = "change_orders"
    PRIME_CONTRACTS = "prime_contracts"
    INVOICING = "invoicing"
    """Kept so that older settings files still parse; no item type lives here any more."""


TOOL_OF: dict[ItemType, ItemTool] = {
    ItemType.PROJECT: ItemTool.ADMIN,
    ItemType.SUB_JOB: ItemTool.ADMIN,
    ItemType.COMPANY: ItemTool.DIRECTORY,
    ItemType.BUDGET: ItemTool.BUDGET,
    ItemType.BUDGET_MODIFICATION: ItemTool.BUDGET,
    ItemType.COMMITMENT: ItemTool.COMMITMENTS,
    ItemType.COMMITMENT_CHANGE_ORDER: ItemTool.CHANGE_ORDERS,
    ItemType.PRIME_CONTRACT_CHANGE_ORDER: ItemTool.PRIME_CONTRACTS,
    # seeds/004: "Before you can send an invoice from the Commitments tool to the ERP
    # Integrations tool" (the invoice is the commitment's: Admin on Commitments sends it).
    ItemType.SUBCONTRACTOR_INVOICE: ItemTool.COMMITMENTS,
    # Ours (the seeds are silent): an owner invoice is billed on the prime contract, so it
    # lives in the Prime Contracts tool, whose Admin sends it.
    ItemType.OWNER_INVOICE: ItemTool.PRIME_CONTRACTS,
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
    """The company a commitment or an invoice is with. Items speak Procore: `number` is the
    company's Procore number (a company item's `number`, a directory company ID), resolved to
    its Sage vendor through the link registry at send (domain/links.py). `sage_vendor_id` is
    what older files carry: still taken, and checked against the registry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(default="", max_length=200)
    number: str | None = Field(
        default=None, min_length=1, max_length=60, pattern=_CODE, description="Procore number"
    )
    sage_vendor_id: LinkedSageCode = Field(
        default=None, description="The ERP Vendor ID of the synced Sage vendor, if any."
    )

    @model_validator(mode="after")
    def _named(self) -> ContractCompany:
        if not (self.name or self.number):
            raise ValueError("name the contract company by its Procore number (or its name)")
        return self


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


class AccountingMethod(StrEnum):
    """A commitment's accounting method (Procore: Amount Based or Unit/Quantity Based).
    seeds/004 subcontractor invoices: "For purchase orders and subcontracts with an
    amount-based accounting method, Procore sends the dollar amount for each line item to Sage
    300 CRE®. For purchase orders and subcontracts with a Unit/Qty accounting method, Procore
    sends the quantity invoiced for each line item to Sage 300 CRE®." """

    AMOUNT = "amount"
    UNIT_QTY = "unit_qty"


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
    accounting_method: AccountingMethod = AccountingMethod.AMOUNT
    sov: list[SovLine] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unit_lines_priced_by_unit(self) -> Commitment:
        if self.accounting_method is AccountingMethod.UNIT_QTY:
            unpriced = [
                str(n)
                for n, line in enumerate(self.sov, start=1)
                if line.qty is None or line.unit_cost is None
            ]
            if unpriced:
                raise ValueError(
                    "a Unit/Qty commitment prices every SOV line by qty and unit_cost "
                    f"(line {', '.join(unpriced)} has none)"
                )
        return self

    @property
    def amount(self) -> Decimal:
        return sum((line.total for line in self.sov), Decimal(0))


# --- Project setup and budgets (seeds/004 data mapping: Projects/Jobs, Sub Jobs, Companies,
# Budgets, Budget Modifications). Rules and plans: domain/exports/<type>.py.


class CostCode(BaseModel):
    """A project cost code with its cost types (Sage: a cost code with its categories)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=40)
    description: str = Field(default="", max_length=200)
    cost_types: list[str] = Field(default_factory=list, description="Sage category IDs")


def _unique_codes(codes: list[CostCode]) -> list[CostCode]:
    seen: set[str] = set()
    for code in codes:
        if code.code in seen:
            raise ValueError(f"cost code {code.code} is listed twice")
        seen.add(code.code)
    return codes


class Project(ItemBase):
    """A Procore project exported as a Sage job; `number` is the Procore project number."""

    LABEL: ClassVar[str] = "Project"

    type: Literal[ItemType.PROJECT] = ItemType.PROJECT
    name: str = Field(min_length=1, max_length=255)
    address: str = Field(default="", max_length=255)
    city: str = Field(default="", max_length=100)
    state: str = Field(default="", max_length=40)
    zip: str = Field(default="", max_length=40)
    existing_before_integration: bool = Field(
        default=False,
        description="In progress or created before the ERP integration was connected.",
    )
    cost_codes: list[CostCode] = Field(default_factory=list)

    @field_validator("cost_codes")
    @classmethod
    def _each_code_once(cls, codes: list[CostCode]) -> list[CostCode]:
        return _unique_codes(codes)


class SubJob(ItemBase):
    """A sub job of a synced project, exported as a Sage extra; `number` is its code."""

    LABEL: ClassVar[str] = "Sub job"

    type: Literal[ItemType.SUB_JOB] = ItemType.SUB_JOB
    name: str = Field(min_length=1, max_length=255)
    cost_codes: list[CostCode] = Field(default_factory=list)

    @field_validator("cost_codes")
    @classmethod
    def _each_code_once(cls, codes: list[CostCode]) -> list[CostCode]:
        return _unique_codes(codes)


class Company(ItemBase):
    """A company of the Procore directory, exported as a Sage AP vendor."""

    LABEL: ClassVar[str] = "Company"

    type: Literal[ItemType.COMPANY] = ItemType.COMPANY
    name: str = Field(min_length=1, max_length=255)
    address: str = Field(default="", max_length=255)
    city: str = Field(default="", max_length=100)
    state: str = Field(default="", max_length=40)
    zip: str = Field(default="", max_length=40)
    business_phone: str = Field(default="", max_length=40)
    business_fax: str = Field(default="", max_length=40)
    sage_vendor_id: LinkedSageCode = Field(
        default=None, description="The Sage vendor the company is already linked to, if any."
    )


FORECAST_MAX = Decimal("999999999999.99")
"""The largest forecast amount taken: cents stay exact in the JSON number Sage receives."""

ForecastAmount = Annotated[
    Decimal,
    Field(
        ge=0,
        le=FORECAST_MAX,
        decimal_places=2,
        description="Dollars and cents; a cost still to come or a total cost, never below zero",
    ),
]
"""Estimated Cost at Completion or Forecast to Complete of a budget line item (seeds/004 "Cost
Forecast Data"). The seed gives no sign rule; a cost forecast below zero has no meaning in the
Budget tool's columns, so a careless minus sign is refused at file load, not sent to Sage."""


class ForecastAmounts(BaseModel):
    """The Budget tool's forecast of one budget line item: exported as Misc Worksheet 1 and 2
    transactions when the project exports forecast amounts (domain/cost_forecast.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    estimated_cost_at_completion: ForecastAmount | None = Field(
        default=None, description="Budget column 'Estimated Cost at Completion'"
    )
    forecast_to_complete: ForecastAmount | None = Field(
        default=None, description="Budget column 'Forecast to Complete'"
    )
    sub_job: SageCode | None = Field(
        default=None,
        description="The Sage extra (Procore: Sage Sub Job ID) of the line item, if any: the "
        "Extra of its forecast transactions",
    )

    @model_validator(mode="after")
    def _both_or_neither(self) -> ForecastAmounts:
        given = (self.estimated_cost_at_completion, self.forecast_to_complete)
        if given.count(None) == 1:
            raise ValueError(
                "give both estimated_cost_at_completion and forecast_to_complete, or neither: "
                "Sage receives the two as a pair (Misc Worksheet 1 and 2)"
            )
        return self

    @property
    def has_forecast(self) -> bool:
        return self.estimated_cost_at_completion is not None


class BudgetLine(ForecastAmounts):
    """One budget line item. Units are Procore's own: the Sage sync is amount-based only."""

    cost_code: str = Field(min_length=1, max_length=40)
    category: str = Field(min_length=1, max_length=20)
    original_budget: Decimal
    unit_qty: Decimal | None = None
    uom: str | None = Field(default=None, max_length=20)


class Budget(ItemBase):
    """A project's budget (original budget per cost code and category)."""

    LABEL: ClassVar[str] = "Budget"

    type: Literal[ItemType.BUDGET] = ItemType.BUDGET
    locked: bool = False
    lines: list[BudgetLine] = Field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return sum((line.original_budget for line in self.lines), Decimal(0))


class BudgetModificationLine(ForecastAmounts):
    """Money moved out of (`from`) or into (`to`) one budget line item, with that line item's
    forecast after the change (optional)."""

    direction: Literal["from", "to"]
    cost_code: str = Field(min_length=1, max_length=40)
    category: str = Field(min_length=1, max_length=20)
    category_description: str = Field(default="", max_length=60)
    amount: Decimal = Field(gt=0)


class BudgetModification(ItemBase):
    """A budget modification: a transfer between budget line items."""

    LABEL: ClassVar[str] = "Budget modification"

    type: Literal[ItemType.BUDGET_MODIFICATION] = ItemType.BUDGET_MODIFICATION
    description: str = Field(default="", max_length=255)
    lines: list[BudgetModificationLine] = Field(default_factory=list)

    def total(self, direction: str) -> Decimal:
        return sum((ln.amount for ln in self.lines if ln.direction == direction), Decimal(0))

    @property
    def amount(self) -> Decimal:
        return self.total("to")


# --- Change orders and invoices (seeds/004 data mapping: Commitment Change Orders, Prime
# Contract Change Orders, Subcontractor Invoices). Rules and plans: domain/exports/<type>.py.


class ChangeOrderStatus(StrEnum):
    """Procore's change order statuses; only `approved` ones reach Sage."""

    DRAFT = "draft"
    PENDING_IN_REVIEW = "pending_in_review"
    PENDING_REVISE_AND_RESUBMIT = "pending_revise_and_resubmit"
    PENDING_PRICING = "pending_pricing"
    PENDING_NOT_PRICING = "pending_not_pricing"
    PENDING_PROCEEDING = "pending_proceeding"
    PENDING_NOT_PROCEEDING = "pending_not_proceeding"
    APPROVED = "approved"
    NO_CHARGE = "no_charge"
    REJECTED = "rejected"
    VOID = "void"


class CommitmentLink(BaseModel):
    """The commitment a change order or an invoice belongs to, as Procore links it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: str = Field(min_length=1, max_length=60, description="the commitment's Procore number")
    sage_id: LinkedSageCode = Field(
        default=None,
        description="The Sage 300 CRE® ID the commitment was exported with, as older files "
        "carry it; none needed: the link registry resolves `number` at send.",
    )


class ChangeOrderLine(SovLine):
    """A CCO schedule-of-values line: a change to an existing commitment line, or a new line."""

    commitment_line: int | None = Field(
        default=None,
        ge=1,
        description="The commitment SOV line it changes (its Sage commitment item ID); "
        "none for a new line, which Sage gets as a new commitment item.",
    )

    @property
    def is_new(self) -> bool:
        return self.commitment_line is None


class CommitmentChangeOrder(ItemBase):
    """A commitment change order (CCO) on a synced subcontract or purchase order."""

    LABEL: ClassVar[str] = "Commitment change order"

    type: Literal[ItemType.COMMITMENT_CHANGE_ORDER] = ItemType.COMMITMENT_CHANGE_ORDER
    title: str = Field(min_length=1, max_length=255)
    status: ChangeOrderStatus
    commitment: CommitmentLink
    sov: list[ChangeOrderLine] = Field(min_length=1)

    @property
    def amount(self) -> Decimal:
        return sum((line.total for line in self.sov), Decimal(0))


class PrimeContractLink(BaseModel):
    """The prime contract a PCCO changes; prime contracts are only ever imported from Sage."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: str = Field(
        min_length=1,
        max_length=60,
        description="The prime contract's Procore number (after its import from Sage: the Sage "
        "contract's number; a Quickbill job's: the job)",
    )
    sage_contract_id: SageCode | None = Field(
        default=None,
        description="Sage Contract ID; none: the one the prime contract was imported from "
        "(the link registry's, checked against it when given)",
    )


class PrimeChangeOrderLine(BaseModel):
    """A PCCO schedule-of-values line, on an existing contract item or a new one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    contract_item: SageCode | None = Field(
        default=None,
        description="Code of the prime contract's SOV line in Sage; none for a new line, "
        "whose contract item code the approver gives at accept.",
    )
    description: str = Field(default="", max_length=200)
    cost_code: str = Field(min_length=1, max_length=40)
    category: str = Field(min_length=1, max_length=20)
    amount: Decimal

    @property
    def is_new(self) -> bool:
        return self.contract_item is None


class ChangeOrderMarkup(BaseModel):
    """A financial markup of a PCCO (a fee, insurance, a bond): a percent of its SOV lines.

    seeds/004 "Prime Contract Change Orders": "Markups used on a Prime Contract Change Order
    in Procore are included in the Approved Scheduled Value changes and can be sent to the
    Approved Estimate Changes as well." Each markup is a percent of the lines' subtotal (ours:
    markups here do not compound). `cost_code` and `category` are the budget code the
    markup's estimate change is recorded on, needed only when the project sends markups to
    the estimate changes (`pcco_markups_to_estimate_changes`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100)
    percent: Decimal = Field(ge=0, le=100)
    cost_code: str | None = Field(default=None, min_length=1, max_length=40)
    category: str | None = Field(default=None, min_length=1, max_length=20)


class PrimeContractChangeOrder(ItemBase):
    """A prime contract change order (PCCO): estimate and schedule-value changes in Sage."""

    LABEL: ClassVar[str] = "Prime contract change order"

    type: Literal[ItemType.PRIME_CONTRACT_CHANGE_ORDER] = ItemType.PRIME_CONTRACT_CHANGE_ORDER
    title: str = Field(min_length=1, max_length=2000)
    status: ChangeOrderStatus
    prime_contract: PrimeContractLink
    sov: list[PrimeChangeOrderLine] = Field(min_length=1)
    markups: list[ChangeOrderMarkup] = Field(default_factory=list, max_length=20)

    @property
    def subtotal(self) -> Decimal:
        """The SOV lines' sum, before markups."""
        return sum((line.amount for line in self.sov), Decimal(0))

    def markup_amounts(self) -> list[tuple[ChangeOrderMarkup, Decimal]]:
        """Each markup's dollars: its percent of the subtotal, to the cent."""
        return [
            (markup, (self.subtotal * markup.percent / 100).quantize(Decimal("0.01")))
            for markup in self.markups
        ]

    @property
    def amount(self) -> Decimal:
        """The PCCO's grand total: its lines and their markups."""
        return self.subtotal + sum((dollars for _, dollars in self.markup_amounts()), Decimal(0))

    def marked_up_lines(self) -> list[Decimal]:
        """Each SOV line's schedule value change with its share of the markups: the markups
        spread over the lines in proportion to their amounts, the cents left by rounding on
        the last line, so the lines always sum to `amount`."""
        markup = self.amount - self.subtotal
        if markup == 0 or self.subtotal == 0:
            return [line.amount for line in self.sov]
        shares = [
            (line.amount * markup / self.subtotal).quantize(Decimal("0.01"))
            for line in self.sov[:-1]
        ]
        shares.append(markup - sum(shares, Decimal(0)))
        return [line.amount + share for line, share in zip(self.sov, shares, strict=True)]


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    UNDER_REVIEW = "under_review"
    REVISE_AND_RESUBMIT = "revise_and_resubmit"
    PENDING_OWNER_APPROVAL = "pending_owner_approval"
    APPROVED = "approved"
    APPROVED_AS_NOTED = "approved_as_noted"


class InvoiceLine(BaseModel):
    """One line of a subcontractor invoice (SOV or SSOV detail), this period's billing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    commitment_line: int = Field(
        ge=1, description="The commitment or CCO SOV line billed: its Sage commitment item ID."
    )
    description: str = Field(default="", max_length=200, description="Description of Work")
    cost_code: str = Field(min_length=1, max_length=40)
    category: str = Field(min_length=1, max_length=20)
    sub_job: SageCode | None = Field(default=None, description="Sage extra, if any")
    work_completed_this_period: Decimal = Decimal(0)
    materials_stored_this_period: Decimal = Decimal(0)
    quantity_this_period: Decimal | None = Field(
        default=None, description="Quantity invoiced: only on a Unit/Qty commitment's invoice"
    )
    work_retainage_this_period: Decimal = Decimal(0)
    materials_retainage_this_period: Decimal = Decimal(0)

    @property
    def billed(self) -> Decimal:
        return self.work_completed_this_period + self.materials_stored_this_period

    @property
    def retainage(self) -> Decimal:
        return self.work_retainage_this_period + self.materials_retainage_this_period


class SubcontractorInvoice(ItemBase):
    """A subcontractor invoice (requisition) on a synced commitment; `number` is its number."""

    LABEL: ClassVar[str] = "Subcontractor invoice"

    type: Literal[ItemType.SUBCONTRACTOR_INVOICE] = ItemType.SUBCONTRACTOR_INVOICE
    status: InvoiceStatus
    commitment: CommitmentLink
    contract_company: ContractCompany
    billing_date: date
    accounting_method: AccountingMethod = Field(
        default=AccountingMethod.AMOUNT, description="Its commitment's accounting method"
    )
    lines: list[InvoiceLine] = Field(min_length=1)

    @model_validator(mode="after")
    def _quantities_follow_the_method(self) -> SubcontractorInvoice:
        unit = self.accounting_method is AccountingMethod.UNIT_QTY
        wrong = [
            str(n)
            for n, line in enumerate(self.lines, start=1)
            if (line.quantity_this_period is None) == unit
        ]
        if wrong and unit:
            raise ValueError(
                "an invoice on a Unit/Qty commitment gives the quantity invoiced of every line "
                f"(quantity_this_period; line {', '.join(wrong)} has none)"
            )
        if wrong:
            raise ValueError(
                "quantity_this_period is for an invoice on a Unit/Qty commitment "
                f"(accounting_method unit_qty); line {', '.join(wrong)} of this amount-based "
                "invoice has one"
            )
        return self

    @property
    def amount(self) -> Decimal:
        return sum((line.billed for line in self.lines), Decimal(0))

    @property
    def retainage(self) -> Decimal:
        return sum((line.retainage for line in self.lines), Decimal(0))


class OwnerInvoiceLine(BaseModel):
    """One schedule-of-values line of an owner invoice (payment application), this period's
    billing. seeds/000: "Sage only needs to know how much was invoiced and how much was
    retained, not the linebyline detail": the amount billed and the amount retained."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    contract_item: SageCode | None = Field(
        default=None,
        description="The prime contract SOV line billed (its Sage contract item code); none "
        "when the SOV is controlled by Procore (Sage hears the lump sum).",
    )
    description: str = Field(default="", max_length=200, description="Description of Work")
    work_completed_this_period: Decimal = Decimal(0)
    materials_stored_this_period: Decimal = Decimal(0)
    retainage_this_period: Decimal = Decimal(0)

    @property
    def billed(self) -> Decimal:
        return self.work_completed_this_period + self.materials_stored_this_period


class OwnerInvoice(ItemBase):
    """An owner invoice (payment application) billing the owner against the project's prime
    contract, for customers who produce owner invoices out of Procore (seeds/000)."""

    LABEL: ClassVar[str] = "Owner invoice"

    type: Literal[ItemType.OWNER_INVOICE] = ItemType.OWNER_INVOICE
    status: InvoiceStatus
    prime_contract: PrimeContractLink
    billing_date: date
    period_end: date | None = Field(default=None, description="Billing period end")
    lines: list[OwnerInvoiceLine] = Field(min_length=1, max_length=500)

    @property
    def amount(self) -> Decimal:
        return sum((line.billed for line in self.lines), Decimal(0))

    @property
    def retainage(self) -> Decimal:
        return sum((line.retainage_this_period for line in self.lines), Decimal(0))


_ITEM_MODELS: dict[ItemType, type[ItemBase]] = {
    ItemType.COMMITMENT: Commitment,
    ItemType.PROJECT: Project,
    ItemType.SUB_JOB: SubJob,
    ItemType.COMPANY: Company,
    ItemType.BUDGET: Budget,
    ItemType.BUDGET_MODIFICATION: BudgetModification,
    ItemType.COMMITMENT_CHANGE_ORDER: CommitmentChangeOrder,
    ItemType.PRIME_CONTRACT_CHANGE_ORDER: PrimeContractChangeOrder,
    ItemType.SUBCONTRACTOR_INVOICE: SubcontractorInvoice,
    ItemType.OWNER_INVOICE: OwnerInvoice,
}


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
        shown = _shown(repr(raw_type))
        raise InvalidItem(f"field 'type': {shown} is not an item type ({known})") from None
    model = _ITEM_MODELS[item_type]
    try:
        return TypeAdapter(model).validate_python(data)
    except ValidationError as err:
        raise InvalidItem(describe_validation_error(err)) from None


_PROBLEMS_SHOWN = 10


def describe_validation_error(err: ValidationError) -> str:
    """One line per problem, each naming the field path, as a person reads it."""
    problems = err.errors()
    lines = []
    for problem in problems[:_PROBLEMS_SHOWN]:
        where = ".".join(_shown(str(part)) for part in problem["loc"]) or "(item)"
        lines.append(f"field '{where}': {problem['msg']}")
    if len(problems) > _PROBLEMS_SHOWN:
        lines.append(f"and {len(problems) - _PROBLEMS_SHOWN} more problems")
    return "; ".join(lines)


def _shown(name: str, limit: int = 60) -> str:
    """A field name from the user's file, safe to print: control characters escaped (no
    terminal tricks), and cut short."""
    safe = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in name)
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"
