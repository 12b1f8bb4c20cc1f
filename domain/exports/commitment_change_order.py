"""Commitment change orders (CCOs) -> Sage 300 CRE commitment change orders.

Rules: seeds/004 "COMMITMENT CHANGE ORDERS (CCO)" (Things to Know), the CCO workflow ("Change
orders can only be created from synced commitments") and note 1 of the "Commitment Change
Orders" data mapping table (approved status only). Mapping: that table. A line on an existing
commitment line changes that commitment item; a new line is first created as a commitment item
(its own import, with no amount of its own), then changed by the CCO. Sage cannot modify one
commitment line more than once on a CCO, so several modifications of a line are summed into one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from domain.export_plan import ExportPlan, ExportStep, Posting, SageCall
from domain.exports.jobs import check_code, cost_code_refresh, job_rule, synced_job
from domain.items import ChangeOrderLine, ChangeOrderStatus, CommitmentChangeOrder
from domain.sage_paths import Answer, sage_path
from domain.settings import ProjectSettings

EXPORT_FIELDS = {
    "sage_id": "Sage 300 CRE ID of the commitment change order (default: the CCO number; "
    "commitment change order IDs need to be globally unique)",
}

SYNCED_COMMITMENT_RULE = (
    "Commitment. Change orders can only be created from synced commitments: export the "
    "commitment to Sage 300 CRE® first."
)
STATUS_RULE = (
    "Status. It is not possible to export a commitment change order with any other status "
    "than approved."
)
NEW_LINE_RULE = (
    "SOV line {n}: To add a Schedule of Values (SOV) line item to a CCO, it must be tied to an "
    "existing cost code and category."
)


def prerequisites(item: CommitmentChangeOrder, settings: ProjectSettings) -> list[str]:
    broken = job_rule(settings)
    if not (item.commitment.sage_id or "").strip():
        broken.append(SYNCED_COMMITMENT_RULE)
    if item.status is not ChangeOrderStatus.APPROVED:
        broken.append(STATUS_RULE)
    broken += [
        NEW_LINE_RULE.format(n=n)
        for n, line in enumerate(item.sov, start=1)
        if line.is_new and not (line.cost_code and line.category)
    ]
    return broken


def default_fields(item: CommitmentChangeOrder) -> dict[str, str]:
    return {"sage_id": item.number}


def check_fields(item: CommitmentChangeOrder, fields: dict[str, str]) -> list[str]:
    return check_code("sage_id", fields.get("sage_id", ""), "the commitment change order's ID")


@dataclass
class _SageLine:
    """One Sage CCO item: an existing commitment item (modifications summed) or a new one."""

    item_id: str
    amount: Decimal = Decimal(0)
    units: Decimal | None = None
    has_units: bool = True
    new: ChangeOrderLine | None = None
    sources: list[int] = field(default_factory=list)

    def add(self, n: int, line: ChangeOrderLine) -> None:
        self.amount += line.total
        self.sources.append(n)
        if line.qty is None:
            self.has_units = False
        elif self.has_units:
            self.units = (self.units or Decimal(0)) + line.qty

    def body(self) -> dict[str, Any]:
        units = float(self.units) if self.has_units and self.units is not None else None
        body: dict[str, Any] = {"item_id": self.item_id, "units": units}
        body["amount"] = float(self.amount)
        if self.new is not None:  # seeds/004 note 4: only for a new line item
            body |= {
                "description": self.new.description,
                "cost_code": self.new.cost_code,
                "category": self.new.category,
                "unit_cost": _float(self.new.unit_cost),
                "unit_description": self.new.units,
            }
        return body


def new_item_key(k: int) -> str:
    """The answer name of the k-th new commitment item's Sage item ID."""
    return f"new_item_{k}"


def sage_lines(item: CommitmentChangeOrder) -> list[_SageLine]:
    """The CCO's lines as Sage takes them: one per commitment line changed, in the order they
    first appear (several modifications of one line summed), and one per new line."""
    lines: list[_SageLine] = []
    existing: dict[int, _SageLine] = {}
    new_count = 0
    for n, line in enumerate(item.sov, start=1):
        if line.commitment_line is None:
            new_count += 1
            sage_line = _SageLine(item_id=f"{{{new_item_key(new_count)}}}", new=line)
            lines.append(sage_line)
        elif line.commitment_line in existing:
            sage_line = existing[line.commitment_line]
        else:
            sage_line = _SageLine(item_id=str(line.commitment_line))
            existing[line.commitment_line] = sage_line
            lines.append(sage_line)
        sage_line.add(n, line)
    return lines


def plan(
    item: CommitmentChangeOrder, settings: ProjectSettings, fields: dict[str, str], today: date
) -> ExportPlan:
    """A commitment item per new line (each undone by deleting it), then the CCO, which
    posts automatically."""
    job = synced_job(settings)
    commitment_id = item.commitment.sage_id
    change_order_id = fields["sage_id"]
    if not commitment_id:  # the send prerequisites refuse it first
        raise ValueError(SYNCED_COMMITMENT_RULE)
    items_path = sage_path("/v1/commitments", job, commitment_id, "items")
    lines = [(line.cost_code, line.category) for line in item.sov]
    steps: list[ExportStep] = [cost_code_refresh(job, lines, "change order", COST_CODE_REFRESH)]
    new_lines = [line for line in item.sov if line.is_new]
    for k, line in enumerate(new_lines, start=1):
        key = new_item_key(k)
        steps.append(
            ExportStep(
                name=f"create_commitment_item_{k}",
                summary=f"Add new line {k} ({line.cost_code}/{line.category}) to commitment "
                f"{commitment_id} on Sage job {job}",
                call=SageCall(
                    method="POST",
                    path=items_path,
                    body={
                        "description": line.description,
                        "cost_code": line.cost_code,
                        "category": line.category,
                        "units": None,
                        "unit_cost": _float(line.unit_cost),
                        "unit_description": line.units,
                        "amount": 0.0,
                    },
                ),
                undo=SageCall(
                    method="DELETE",
                    path=sage_path("/v1/commitments", job, commitment_id, "items", Answer(key)),
                ),
                record="commitment_item",
                remember={key: "item_id"},
            )
        )
    body = {
        "job_id": job,
        "commitment_id": commitment_id,
        "change_order_id": change_order_id,
        "description": item.title,
        "date": today.isoformat(),
        "status": "approved",  # seeds/004 note 1: always approved on the import file
        "items": [line.body() for line in sage_lines(item)],
    }
    steps.append(
        ExportStep(
            name="create_change_order",
            summary=f"Create commitment change order {change_order_id} on commitment "
            f"{commitment_id} (Sage job {job})",
            call=SageCall(method="POST", path="/v1/commitment_change_orders", body=body),
            undo=SageCall(
                method="DELETE", path=sage_path("/v1/commitment_change_orders", change_order_id)
            ),
            record="change_order",
            remember={"change_order_id": "change_order_id"},
            batch="batch_id",
        )
    )
    return ExportPlan(steps=steps, posting=Posting.AUTOMATIC)


COST_CODE_REFRESH = "commitment_change_order-cost-code-refresh"
"""Patch ID: CCOs exported before the refresh (issue 16) replay without it."""


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
