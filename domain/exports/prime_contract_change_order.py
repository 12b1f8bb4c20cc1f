"""Prime contract change orders (PCCOs) -> approved estimate changes and approved schedule
value changes in Sage 300 CRE.

Rules: seeds/004 "PRIME CONTRACT CHANGE ORDERS (PCCO)" (Things to Know). Mapping: the "Prime
Contract Change Orders" data mapping table: an approved estimate change per SOV line (the
PCCO number in Chg Mgt Ref 1), and approved schedule value changes on the contract items. A
new line makes the accounting approver assign a new contract item code at accept (note 1);
that item is created first, with no original contract amount.

The export is the classic saga: when Sage refuses the schedule value change, the estimate
changes are reversed and the created contract items deleted, so a `retry` starts clean.
Schedule value changes post automatically; the estimate changes wait for a person to post
their Job Cost batch.

The prime contract (seeds/004 "Prerequisites to sync": "If any changes have been made to the
Prime Contract in Sage 300 CRE®, ensure that those changes are synced to Procore"): at send
the PCCO names its prime contract by its Procore number and resolves it, and the contract
items its lines change, through the link registry its import wrote (domain/links.py; never
imported -> refused naming `starter.py prime-contract import`). Before each export attempt
the item workflow asks that prime contract's PrimeContractSync to run its `sync` in the
approving ERP Admin's name (workflows/item.py `_sync_prime_contract`), rather than this plan
reading Sage's contract: the sync is the one place that brings Sage's contract into Procore
(SOV, figures, readiness, the registry's contract item links) and it checks the re-import's
authority against the roster it holds, while a read step here would learn Sage's figures and
keep them nowhere (no step of this plan uses them). A sync the approver may not run is in the
audit trail and the export goes on with the contract as last imported.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.export_plan import ExportPlan, ExportStep, Posting, SageCall
from domain.exports.jobs import cost_code_refresh, job_rule, synced_job
from domain.items import ChangeOrderStatus, PrimeContractChangeOrder
from domain.sage_codes import sage_code_problem
from domain.sage_paths import Answer, sage_path
from domain.settings import ProjectSettings

TITLE_MAX = 255
NUMBER_MAX = 20
HH2 = "HH2"
"""'Automatically assigned as HH2' (seeds/004): the export's source marker."""

NEW_ITEMS_FIELD = "new_contract_items"
EXPORT_FIELDS = {
    NEW_ITEMS_FIELD: "Codes of the new contract items, one per new SOV line in the order of "
    "the lines, comma separated (only for a PCCO with new lines)",
}

TITLE_RULE = "Title. Must be 255 characters or less."
NUMBER_RULE = "Number (#). Must be two (20) characters or less."
STATUS_RULE = "Status. Must be in the Approved status."
LUMP_SUM_RULE = (
    "SOV lines. The project's SOV is controlled by Procore: each line must name the prime "
    "contract SOV line it changes (add a new line to the SOV first: starter.py prime-contract "
    "edit-sov)."
)

MARKUP_CODE_RULE = (
    "Markups. The project sends markups to the Approved Estimate Changes "
    "(pcco_markups_to_estimate_changes), so each markup needs the cost code and category its "
    "estimate change is recorded on: give them, or have an ERP Admin turn the setting off "
    "(the markups then reach only the Approved Scheduled Value changes)."
)
"""Ours: the seed says markups 'can be sent to the Approved Estimate Changes as well'; an
estimate change needs a cost code and category, which a percent markup does not carry."""


COST_CODE_REFRESH = "prime_contract_change_order-cost-code-refresh"
"""Patch ID: PCCOs exported before the refresh (issue 16) replay without it."""


def lump_sum(settings: ProjectSettings) -> bool:
    """SOV controlled by Procore (seeds/000): Sage only hears the rolled-up change amount."""
    return settings.sov_controlled_by == "procore"


def prerequisites(item: PrimeContractChangeOrder, settings: ProjectSettings) -> list[str]:
    broken = job_rule(settings)
    if len(item.title) > TITLE_MAX:
        broken.append(TITLE_RULE)
    if len(item.number) > NUMBER_MAX:
        broken.append(NUMBER_RULE)
    if item.status is not ChangeOrderStatus.APPROVED:
        broken.append(STATUS_RULE)
    if lump_sum(settings) and new_line_numbers(item):
        broken.append(LUMP_SUM_RULE)
    if settings.pcco_markups_to_estimate_changes and any(
        not (markup.cost_code and markup.category) for markup in item.markups
    ):
        broken.append(MARKUP_CODE_RULE)
    return broken


def estimate_change_lines(
    item: PrimeContractChangeOrder, settings: ProjectSettings
) -> list[dict[str, Any]]:
    """An approved estimate change per SOV line, at its own amount; with
    `pcco_markups_to_estimate_changes`, one more per markup on the markup's cost code."""
    lines: list[dict[str, Any]] = [
        {
            "cost_code": line.cost_code,
            "category": line.category,
            "description": line.description,
            "amount": float(line.amount),
        }
        for line in item.sov
    ]
    if settings.pcco_markups_to_estimate_changes:
        lines += [
            {
                "cost_code": markup.cost_code,
                "category": markup.category,
                "description": f"{markup.name} ({markup.percent}%)"[:200],
                "amount": float(dollars),
            }
            for markup, dollars in item.markup_amounts()
        ]
    return lines


def new_line_numbers(item: PrimeContractChangeOrder) -> list[int]:
    return [n for n, line in enumerate(item.sov, start=1) if line.is_new]


def default_fields(item: PrimeContractChangeOrder) -> dict[str, str]:
    return {NEW_ITEMS_FIELD: ""}


def new_contract_items(fields: dict[str, str]) -> list[str]:
    return [code.strip() for code in fields.get(NEW_ITEMS_FIELD, "").split(",") if code.strip()]


def check_fields(item: PrimeContractChangeOrder, fields: dict[str, str]) -> list[str]:
    new_lines = new_line_numbers(item)
    codes = new_contract_items(fields)
    if not new_lines:
        if codes:
            return [
                f"export field '{NEW_ITEMS_FIELD}': this PCCO has no new line, so it takes "
                "no new contract item code"
            ]
        return []
    if len(codes) != len(new_lines):
        lines = ", ".join(str(n) for n in new_lines)
        return [
            f"export field '{NEW_ITEMS_FIELD}': the accounting approver must assign a new "
            f"contract item code to each new line of the PCCO ({len(new_lines)} needed, for "
            f"SOV line {lines}; {len(codes)} given), e.g. --field {NEW_ITEMS_FIELD}="
            + ",".join(f"CODE{k}" for k in range(1, len(new_lines) + 1))
        ]
    problems = [
        f"export field '{NEW_ITEMS_FIELD}' {problem}"
        for code in codes
        if (problem := sage_code_problem(code)) is not None
    ]
    if len(set(codes)) != len(codes):
        problems.append(
            f"export field '{NEW_ITEMS_FIELD}': each new contract item needs its own code"
        )
    existing = {line.contract_item for line in item.sov if not line.is_new}
    problems += [
        f"export field '{NEW_ITEMS_FIELD}' {code!r}: SOV lines of this PCCO already change "
        f"contract item {code}; a new line needs a new code"
        for code in codes
        if code in existing
    ]
    return problems


def contract_item_key(k: int) -> str:
    return f"contract_item_{k}"


def plan(
    item: PrimeContractChangeOrder, settings: ProjectSettings, fields: dict[str, str], today: date
) -> ExportPlan:
    """The job's cost code refresh, new contract items, then the estimate changes, then the
    schedule value changes.

    With the SOV controlled by Procore no contract item is created: one schedule value change
    carries the PCCO's rolled-up amount to the single lump-sum contract item: the one its
    prime contract's import read from Sage, resolved at send (domain/links.py `lump_sum_item_of`)
    into `settings.lump_sum_contract_item`."""
    job = synced_job(settings)
    contract = item.prime_contract.sage_contract_id
    if not contract:  # resolved at send from the link registry (domain/links.py)
        raise ValueError(
            f"prime contract {item.prime_contract.number}: no Sage contract resolved at send"
        )
    codes = iter(new_contract_items(fields))
    item_codes = [line.contract_item or next(codes, "") for line in item.sov]
    if lump_sum(settings):
        item_codes = [settings.lump_sum_contract_item for _ in item.sov]
    items_path = sage_path("/v1/contracts", job, contract, "items")
    estimate_lines = estimate_change_lines(item, settings)
    lines = [(line["cost_code"], line["category"]) for line in estimate_lines]
    steps: list[ExportStep] = [cost_code_refresh(job, lines, "PCCO", COST_CODE_REFRESH)]
    new_lines = (
        []
        if lump_sum(settings)
        else [(line, code) for line, code in zip(item.sov, item_codes, strict=True) if line.is_new]
    )
    for k, (line, code) in enumerate(new_lines, start=1):
        steps.append(
            ExportStep(
                name=f"create_contract_item_{k}",
                summary=f"Create contract item {code} on contract {contract} (Sage job {job})",
                call=SageCall(
                    method="POST",
                    path=items_path,
                    body={
                        "item_code": code,
                        "description": line.description,
                        "cost_code": line.cost_code,
                        "original_amount": 0.0,  # note 1: no original contract amount
                    },
                ),
                undo=SageCall(
                    method="DELETE", path=sage_path("/v1/contracts", job, contract, "items", code)
                ),
                record="contract_item",
                remember={contract_item_key(k): "item_code"},
            )
        )
    header = {
        "job_id": job,
        "job_name": settings.name,
        "job_address": settings.address,
        "job_city": settings.city,
        "job_state": settings.state,
        "job_zip": settings.zip,
        "date": today.isoformat(),
        "chg_mgt_ref_1": item.number,
        "chg_mgt_ref_2": HH2,
    }
    estimate_changes = {
        **header,
        "lines": estimate_lines,
    }
    steps.append(
        ExportStep(
            name="post_estimate_changes",
            summary=f"Post approved estimate changes of PCCO {item.number} on Sage job {job}",
            call=SageCall(method="POST", path="/v1/estimate_changes", body=estimate_changes),
            undo=SageCall(
                method="DELETE",
                path=sage_path("/v1/estimate_changes", Answer("estimate_change_id")),
            ),
            record="estimate_change",
            remember={"estimate_change_id": "change_id"},
            batch="batch_id",
        )
    )
    schedule_value_changes = {
        "job_id": job,
        "contract_id": contract,
        "date": today.isoformat(),
        "chg_mgt_ref_1": item.number,
        "chg_mgt_ref_2": HH2,
        "lines": [  # markups included (seeds/004), spread over the lines
            {"contract_item": code, "description": line.description, "amount": float(amount)}
            for line, code, amount in zip(item.sov, item_codes, item.marked_up_lines(), strict=True)
        ],
    }
    if lump_sum(settings):
        schedule_value_changes["lines"] = [
            {
                "contract_item": settings.lump_sum_contract_item,
                "description": f"PCCO {item.number}"[:200],
                "amount": float(item.amount),
            }
        ]
    steps.append(
        ExportStep(
            name="post_schedule_value_changes",
            summary=f"Post approved schedule value changes of PCCO {item.number} on contract "
            f"{contract}",
            call=SageCall(
                method="POST", path="/v1/schedule_value_changes", body=schedule_value_changes
            ),
            undo=SageCall(
                method="DELETE",
                path=sage_path("/v1/schedule_value_changes", Answer("schedule_value_change_id")),
            ),
            record="schedule_value_change",
            remember={"schedule_value_change_id": "change_id"},
            batch="batch_id",
        )
    )
    return ExportPlan(steps=steps, posting=Posting.MANUAL)
