"""Job cost transaction detail synced from Sage into Procore's Direct Costs tool.

seeds/004 data mapping, "Job Cost Transaction Details": "Import from Sage 300 CRE® only. If this
feature is enabled, all posted cost transaction details from the Current.JCT file in Sage 300
CRE® are imported into the Direct Cost tool for each project." seeds/002 release note
08/11/2023: "Users can now sync job cost transaction data from Sage 100 Contractor® to
Procore's Direct Costs tool." The job cost *summary* (domain/job_costs.py) is the same costs
per cost code/category; this is each transaction.

Each Sage transaction becomes one direct cost, keyed on its Sage transaction ID, so a sync run
again updates what it made and never adds a second one. A transaction the project cannot take
(its sub job, cost code or category is not in the Procore project) is not synced: it is listed
with the reason and the fix, the matrix's "View an ERP Unsyncable Direct Costs Report". The
seeds name no reasons; these are the project records a direct cost line must point at
(seeds/004 footnote 6: "Project level cost codes must be added to the project from the Company
level ERP Standard Cost Code List"). Pure: the workflow passes Sage's answer and what the
project holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.cost_codes import JobCostCode
from domain.items import ItemTool
from domain.permissions import NotPermitted
from domain.prime_contract import money
from domain.sage_codes import SageCode
from domain.settings import ProjectSettings, RosterUser

_ZERO = Decimal(0)
_TEXT = 255
"""Longest description, vendor or invoice number kept (Sage's own fields are shorter)."""


class CostType(StrEnum):
    """Sage's "Cost Type" of a transaction: where in Sage it originated."""

    AP = "AP"
    PR = "PR"
    EQ = "EQ"
    IV = "IV"
    JC = "JC"


class DirectCostType(StrEnum):
    """Procore's "Direct Cost Type"."""

    INVOICE = "Invoice"
    SUBCONTRACTOR_INVOICE = "Subcontractor Invoice"
    PAYROLL = "Payroll"
    EXPENSE = "Expense"


class SageCostTransaction(BaseModel):
    """One posted transaction of `GET /v1/jobs/{job}/job_cost_transactions`."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    transaction_id: SageCode
    cost_type: CostType
    commitment_id: SageCode | None = None
    extra_id: SageCode | None = None
    cost_code: SageCode
    category: SageCode
    accounting_date: date
    description: str = Field(default="", max_length=_TEXT)
    vendor_id: SageCode | None = None
    invoice_id: str | None = Field(default=None, min_length=1, max_length=_TEXT)
    units: Decimal = Field(default=_ZERO, allow_inf_nan=False)
    unit_cost: Decimal = Field(default=_ZERO, allow_inf_nan=False)
    amount: Decimal = Field(allow_inf_nan=False)


class SageCostTransactions(BaseModel):
    """Sage's answer: the job's posted transactions as of `as_of`."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    job_id: SageCode
    as_of: datetime
    transactions: list[SageCostTransaction] = Field(default_factory=list)


def direct_cost_type(transaction: SageCostTransaction) -> DirectCostType:
    """seeds/004: Invoice <- AP Cost; Subcontractor Invoice <- AP Cost (with Commitment);
    Payroll <- PR Cost; Expense <- EQ, IV, JC Cost and AP Cost. The seed lists AP Cost twice
    (Invoice and Expense): an AP cost with an invoice number is an Invoice, one without is an
    Expense."""
    if transaction.cost_type is CostType.AP:
        if transaction.commitment_id:
            return DirectCostType.SUBCONTRACTOR_INVOICE
        return DirectCostType.INVOICE if transaction.invoice_id else DirectCostType.EXPENSE
    if transaction.cost_type is CostType.PR:
        return DirectCostType.PAYROLL
    return DirectCostType.EXPENSE


class DirectCost(BaseModel):
    """A line of Procore's Direct Costs tool, made from one Sage transaction."""

    model_config = ConfigDict(frozen=True)

    sage_transaction: str = Field(description="the key: the Sage transaction ID")
    type: DirectCostType = Field(description="Direct Cost Type <- Cost Type")
    item_date: date = Field(description="Item Date <- Accounting Date")
    status: Literal["Approved"] = Field(
        default="Approved", description="Status: automatically set to Approved"
    )
    description: str = Field(default="", description="Description <- Description")
    vendor: str | None = Field(default=None, description="Vendor <- Vendor (AP only)")
    invoice_number: str | None = Field(default=None, description="Invoice # <- Invoice (AP only)")
    qty: Decimal = Field(default=_ZERO, description="Qty <- Units")
    unit_cost: Decimal = Field(default=_ZERO, description="Unit Cost <- Unit Cost")
    amount: Decimal = Field(description="Amount <- Amount")
    cost_code: str
    category: str
    sub_job: str | None = None
    synced_at: datetime


def direct_cost(transaction: SageCostTransaction, at: datetime) -> DirectCost:
    """The seed's mapping table, Sage to Procore."""
    from_ap = transaction.cost_type is CostType.AP  # "Only for transactions that originate
    return DirectCost(  # from Accounts Payable"
        sage_transaction=transaction.transaction_id,
        type=direct_cost_type(transaction),
        item_date=transaction.accounting_date,
        description=transaction.description,
        vendor=transaction.vendor_id if from_ap else None,
        invoice_number=transaction.invoice_id if from_ap else None,
        qty=transaction.units,
        unit_cost=transaction.unit_cost,
        amount=transaction.amount,
        cost_code=transaction.cost_code,
        category=transaction.category,
        sub_job=transaction.extra_id,
        synced_at=at,
    )


class UnsyncableDirectCost(BaseModel):
    """A Sage transaction the project cannot take yet: why, and what makes it syncable."""

    model_config = ConfigDict(frozen=True)

    sage_transaction: str
    accounting_date: date
    description: str
    amount: Decimal
    cost_code: str
    category: str
    sub_job: str | None = None
    reason: str
    fix: str


class DirectCosts(BaseModel):
    """The project's direct costs synced from Sage, and the transactions left out."""

    model_config = ConfigDict(frozen=True)

    job_id: str
    as_of: datetime
    costs: list[DirectCost] = Field(default_factory=list)
    unsyncable: list[UnsyncableDirectCost] = Field(default_factory=list)
    syncs: int = 0


class SyncOutcome(BaseModel):
    """What one sync did: the project's direct costs, and how many it added or updated."""

    direct_costs: DirectCosts
    added: int
    updated: int

    def describe(self) -> str:
        costs = self.direct_costs
        return (
            f"{len(costs.costs)} direct costs ({self.added} new, {self.updated} updated), "
            f"{len(costs.unsyncable)} unsyncable, as of {costs.as_of:%Y-%m-%d %H:%M}"
        )


def unsyncable_reason(
    transaction: SageCostTransaction,
    project: str,
    cost_codes: Mapping[str, frozenset[str]],
    sub_jobs: frozenset[str],
) -> tuple[str, str] | None:
    """Why the project cannot take the transaction, and the fix; None when it can."""
    code, category = transaction.cost_code, transaction.category
    extra = transaction.extra_id
    if extra is not None and extra not in sub_jobs:
        return (
            f"sub job {extra} (Sage extra {extra}) is not in project {project}",
            f"import it: starter.py sub-jobs import {project} {extra} --as USER",
        )
    refresh = (
        f"starter.py cost-codes refresh {project} --as USER (project cost codes come from the "
        "company level ERP Standard Cost Code List; new ones are created in Sage)"
    )
    if code not in cost_codes:
        return (f"cost code {code} is not in project {project}", f"add it, then {refresh}")
    if category not in cost_codes[code]:
        return (
            f"category {category} of cost code {code} is not in project {project}",
            f"add the category to the cost code, then {refresh}",
        )
    return None


class DirectCostSyncRefused(ValueError):
    pass


def require_enabled(settings: ProjectSettings) -> None:
    """seeds/004 "Requirements for job cost transaction detail": "Enable job cost transaction
    syncing on your project in the project level Admin tool"."""
    if not settings.job_cost_transaction_sync:
        raise DirectCostSyncRefused(
            f"job cost transaction syncing is not enabled on project {settings.project} "
            "(seeds/004: 'Enable job cost transaction syncing on your project'): an ERP Admin "
            "sets job_cost_transaction_sync in its settings (starter.py settings apply)"
        )


def sync_direct_costs(
    held: DirectCosts | None,
    answer: SageCostTransactions,
    *,
    job_id: str,
    project: str,
    cost_codes: Iterable[JobCostCode] | None,
    sub_jobs: Iterable[str],
    at: datetime,
) -> SyncOutcome:
    """Every transaction of Sage's answer as a direct cost of the project, or unsyncable.

    Keyed on the Sage transaction ID: one synced before is updated in place (its first sync
    time kept), never added again; one Sage no longer lists stays (a posted transaction is
    not taken back by the sync). The unsyncable list is Sage's answer's, renewed each time:
    a fixed transaction syncs on the next run.
    """
    if answer.job_id != job_id:
        raise DirectCostSyncRefused(
            f"sync direct costs: Sage answered for job {answer.job_id}, not job {job_id}"
        )
    if cost_codes is None:
        raise DirectCostSyncRefused(
            f"project {project} holds no cost codes yet: refresh them first "
            f"(starter.py cost-codes refresh {project} --as USER)"
        )
    codes = {code.code: frozenset(code.categories) for code in cost_codes}
    extras = frozenset(sub_jobs)
    costs = {cost.sage_transaction: cost for cost in (held.costs if held else [])}
    added = updated = 0
    unsyncable: list[UnsyncableDirectCost] = []
    seen: set[str] = set()
    for transaction in answer.transactions:
        key = transaction.transaction_id
        if key in seen:  # Sage listed it twice: once is enough
            continue
        seen.add(key)
        why = unsyncable_reason(transaction, project, codes, extras)
        if why is not None and key not in costs:
            unsyncable.append(
                UnsyncableDirectCost(
                    sage_transaction=key,
                    accounting_date=transaction.accounting_date,
                    description=transaction.description,
                    amount=transaction.amount,
                    cost_code=transaction.cost_code,
                    category=transaction.category,
                    sub_job=transaction.extra_id,
                    reason=why[0],
                    fix=why[1],
                )
            )
            continue
        before = costs.get(key)
        if before is None:
            costs[key] = direct_cost(transaction, at)
            added += 1
            continue
        after = direct_cost(transaction, before.synced_at)
        if after != before:
            costs[key] = after
            updated += 1
    direct = DirectCosts(
        job_id=job_id,
        as_of=answer.as_of,
        costs=sorted(costs.values(), key=lambda c: (c.item_date, c.sage_transaction)),
        unsyncable=unsyncable,
        syncs=(held.syncs if held else 0) + 1,
    )
    return SyncOutcome(direct_costs=direct, added=added, updated=updated)


def authorize_direct_cost_view(
    roster: Mapping[str, RosterUser], actor: str, what: str, where: str
) -> None:
    """The matrix's "View an ERP Unsyncable Direct Costs Report": "Users do NOT require
    permissions to the ERP Integrations tool to view this report. They do require: 'Read-only'
    level permission and above on the project's Reports tool AND 'Admin' level permission on
    the project's Budgets tool OR 'Admin' level permission on the project's Prime Contract
    tool." The roster models no Reports tool level: the Budget or Prime Contracts admin
    decides. The seeds name no permission for viewing the direct costs themselves; the list
    asks the same."""
    user = roster.get(actor)
    if user is None:
        raise NotPermitted(f"'{actor}' is not on the roster of {where}")
    if not user.tool_admin & {ItemTool.BUDGET, ItemTool.PRIME_CONTRACTS}:
        raise NotPermitted(
            f"{actor} cannot {what}: needs Admin on the project's Budget tool or on its "
            "Prime Contracts tool"
        )


class DirectCostTable(BaseModel):
    """What `starter.py direct-costs list|unsyncable` draws."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    right: list[str]
    totals: list[str] | None = None


def _units(value: Decimal) -> str:
    text = f"{value.normalize():,f}"
    return "0" if text in ("-0", "") else text


def _where(code: str, category: str, sub_job: str | None) -> str:
    return f"{sub_job + ' · ' if sub_job else ''}{code}/{category}"


def direct_cost_table(project: str, costs: DirectCosts) -> DirectCostTable:
    """The Direct Costs tool's columns, the seed's Procore names."""
    headers = [
        "Item Date",
        "Type",
        "Status",
        "Cost Code/Cat.",
        "Description",
        "Vendor",
        "Invoice #",
        "Qty",
        "Unit Cost",
        "Amount",
        "Sage Transaction",
    ]
    rows = [
        [
            c.item_date.isoformat(),
            c.type.value,
            c.status,
            _where(c.cost_code, c.category, c.sub_job),
            c.description,
            c.vendor or "",
            c.invoice_number or "",
            _units(c.qty),
            money(c.unit_cost),
            money(c.amount),
            c.sage_transaction,
        ]
        for c in costs.costs
    ]
    total = sum((c.amount for c in costs.costs), _ZERO)
    return DirectCostTable(
        title=(
            f"Direct costs · project {project} · Sage job {costs.job_id} · "
            f"as of {costs.as_of.isoformat(timespec='seconds')}"
        ),
        headers=headers,
        rows=rows,
        right=["Qty", "Unit Cost", "Amount"],
        totals=["Total", *([""] * 8), money(total), ""],
    )


def unsyncable_table(project: str, costs: DirectCosts) -> DirectCostTable:
    """The ERP Unsyncable Direct Costs Report: each transaction, its reason and its fix."""
    return DirectCostTable(
        title=(
            f"ERP unsyncable direct costs · project {project} · Sage job {costs.job_id} · "
            f"as of {costs.as_of.isoformat(timespec='seconds')}"
        ),
        headers=["Sage Transaction", "Date", "Cost Code/Cat.", "Amount", "Reason", "Fix"],
        rows=[
            [
                u.sage_transaction,
                u.accounting_date.isoformat(),
                _where(u.cost_code, u.category, u.sub_job),
                money(u.amount),
                u.reason,
                u.fix,
            ]
            for u in costs.unsyncable
        ],
        right=["Amount"],
    )
