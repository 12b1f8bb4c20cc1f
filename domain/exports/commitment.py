"""Commitments (subcontracts and purchase orders) -> Sage 300 CRE commitments.

Prerequisites are seeds/004 "COMMITMENTS"; the mapping is its "Commitments" data mapping table.
"""

from __future__ import annotations

from datetime import date

from domain.export_plan import ExportPlan, ExportStep, Posting, SageCall
from domain.exports.jobs import check_code, cost_code_refresh, job_rule, synced_job
from domain.items import Commitment, CommitmentStatus, CommitmentType
from domain.sage_paths import sage_path
from domain.settings import ProjectSettings

SAGE_ID_MAX = 12
TITLE_MAX = 30

EXPORT_FIELDS = {
    "sage_id": f"Sage 300 CRE ID of the commitment (default: the commitment number; "
    f"at most {SAGE_ID_MAX} characters)",
}

ID_RULE = "ID Number. Must be 12 characters or less. This is a Sage 300 CRE® limitation."
TITLE_RULE = "Title. The title must be 30 characters or less."
COMPANY_RULE = "Contract Company. Must be linked to a synced Sage 300 CRE® vendor."
PO_STATUS_RULE = "Status. For purchase orders, the status must be set to 'Approved'."
SC_STATUS_RULE = "Status. For subcontracts, the status must be set to 'Approved' or 'Complete.'"
SOV_RULE = (
    "Schedule of Values (SOV). Must include at least one (1) line item with a Sage 300 CRE® "
    "cost code."
)
LINE_CODED_RULE = (
    "SOV line {n}: you can only add a line item to the commitment's SOV if its linked to an "
    "existing cost code and category."
)

_SENDABLE_STATUS = {
    CommitmentType.PURCHASE_ORDER: ({CommitmentStatus.APPROVED}, PO_STATUS_RULE),
    CommitmentType.SUBCONTRACT: (
        {CommitmentStatus.APPROVED, CommitmentStatus.COMPLETE},
        SC_STATUS_RULE,
    ),
}


def prerequisites(item: Commitment, settings: ProjectSettings) -> list[str]:
    broken = job_rule(settings)
    if len(item.number) > SAGE_ID_MAX:
        broken.append(ID_RULE)
    if len(item.title) > TITLE_MAX:
        broken.append(TITLE_RULE)
    if not item.contract_company.sage_vendor_id:
        broken.append(COMPANY_RULE)
    allowed, rule = _SENDABLE_STATUS[item.commitment_type]
    if item.status not in allowed:
        broken.append(rule)
    if not any(line.cost_code for line in item.sov):
        broken.append(SOV_RULE)
    else:
        broken += [
            LINE_CODED_RULE.format(n=n)
            for n, line in enumerate(item.sov, start=1)
            if not (line.cost_code and line.category)
        ]
    return broken


SAGE_ID_GIVEN_RULE = (
    "export field 'sage_id': this project does not use the Procore Contract Number for an "
    "exported commitment's Sage ID (setting commitment_sage_id_from_contract_number), so the "
    "accounting approver gives it: --field sage_id=ID"
)


def default_fields(item: Commitment) -> dict[str, str]:
    return {"sage_id": item.number}


def project_defaults(item: Commitment, settings: ProjectSettings) -> dict[str, str]:
    """seeds/004 COMMITMENTS: "If desired, you can configure your default settings to use your
    Procore Contract Number for an exported commitment's Sage ID field. If enabled, the Sage ID
    will auto-populate with the Procore Contract Number, however, the value can still be
    edited." Not enabled: nothing is prefilled."""
    if settings.commitment_sage_id_from_contract_number:
        return default_fields(item)
    return {}


def check_fields(item: Commitment, fields: dict[str, str]) -> list[str]:
    if "sage_id" not in fields:
        return [SAGE_ID_GIVEN_RULE]
    sage_id = fields["sage_id"]
    problems = check_code("sage_id", sage_id, "the commitment's Sage 300 CRE® ID")
    if not problems and len(sage_id) > SAGE_ID_MAX:
        return [f"export field 'sage_id' {sage_id!r}: {ID_RULE}"]
    return problems


def plan(
    item: Commitment, settings: ProjectSettings, fields: dict[str, str], today: date
) -> ExportPlan:
    """One call: the commitment header and its items go in one import, posted automatically."""
    job = synced_job(settings)
    sage_id = fields["sage_id"]
    body = {
        "job_id": job,
        "commitment_id": sage_id,
        "commitment_type": item.commitment_type.value,
        "description": item.title,
        "vendor_id": item.contract_company.sage_vendor_id,
        "date": (item.date_created or today).isoformat(),
        "retainage_percent": float(item.default_retainage_percent),
        "items": [
            {
                "item_id": str(n),
                "description": line.description,
                "cost_code": line.cost_code,
                "category": line.category,
                "units": float(line.qty) if line.qty is not None else None,
                "unit_cost": float(line.unit_cost) if line.unit_cost is not None else None,
                "unit_description": line.units,
                "amount": float(line.total),
            }
            for n, line in enumerate(item.sov, start=1)
        ],
    }
    create = ExportStep(
        name="create_commitment",
        summary=f"Create commitment {sage_id} on Sage job {job}",
        call=SageCall(method="POST", path="/v1/commitments", body=body),
        undo=SageCall(method="DELETE", path=sage_path("/v1/commitments", job, sage_id)),
        record="commitment",
        remember={"commitment_id": "commitment_id"},
        batch="batch_id",
    )
    lines = [(line.cost_code, line.category) for line in item.sov]
    refresh = cost_code_refresh(job, lines, "commitment", COST_CODE_REFRESH)
    return ExportPlan(steps=[refresh, create], posting=Posting.AUTOMATIC)


COST_CODE_REFRESH = "commitment-cost-code-refresh"
"""Patch ID: commitments exported before the refresh (issue 16) replay without it."""
