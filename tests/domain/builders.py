"""Items, settings and people the domain tests share: the demo's own, read from examples/."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from domain.items import Commitment, parse_item
from domain.settings import ProjectSettings, parse_projects

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# The demo roster (DESIGN.md "Permissions"), as examples/projects.json holds it.
TOOL_ADMIN = "pm.alex"
APPROVER = "acct.ana"
ERP_ADMIN = "acct.admin"
VIEWER = "viewer.vic"

_SUBCONTRACT: dict[str, Any] = {
    "type": "commitment",
    "project": "P-1001",
    "number": "SC-0042",
    "commitment_type": "subcontract",
    "title": "Foundations and slabs",
    "status": "approved",
    "contract_company": {"name": "ACME Concrete", "sage_vendor_id": "V-100"},
    "default_retainage_percent": "10",
    "date_created": "2026-11-02",
    "sov": [
        {"description": "Footings", "cost_code": "03-300", "category": "S", "amount": "82500.00"},
        {"description": "Slab", "cost_code": "03-300", "category": "M", "amount": "42500.00"},
    ],
}


def commitment_data(**changes: Any) -> dict[str, Any]:
    """A sendable subcontract as an item file holds it, with `changes` on top."""
    data = copy.deepcopy(_SUBCONTRACT)
    data.update(copy.deepcopy(changes))
    return data


def commitment(**changes: Any) -> Commitment:
    item = parse_item(commitment_data(**changes))
    assert isinstance(item, Commitment)
    return item


def demo_settings(project: str = "P-1001") -> ProjectSettings:
    text = (EXAMPLES / "projects.json").read_text(encoding="utf-8")
    return parse_projects(text).projects[project]


def settings(**changes: Any) -> ProjectSettings:
    """P-1001's settings with some fields replaced (validated like a settings file)."""
    data = demo_settings().model_dump(mode="json")
    data.update(changes)
    return ProjectSettings.model_validate(data)
