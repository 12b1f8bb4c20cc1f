"""Misc Worksheet 1 and 2 transactions: a budget's cost forecast (seeds/004 "Cost Forecast
Data"). Sage creates two transaction types per budget line item; "When posted, these will update
the Msc cat amt 1 and Msc cat amt 2 fields on the Category record (Setup > Categories > MW and
Custom Total)."

The wire model of one import and Sage's rules for it, the same ones as for the job's other Job
Cost imports (an open job, each cost code and category on it). Pure, like job_cost.py.
"""

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from sage_mock.errors import CANT_BE_BLANK, SageError, invalid_request
from sage_mock.job_cost import _on_job, _open_job
from sage_mock.models import WireModel

KINDS = ("misc_worksheet_1", "misc_worksheet_2")


class MiscWorksheetTransaction(WireModel):
    """One transaction: the seven fields of the seed's mapping table, and its type."""

    transaction_type: Literal["misc_worksheet_1", "misc_worksheet_2"]
    job_id: str = Field(min_length=1)
    extra_id: str | None = Field(default=None, min_length=1)
    cost_code: str = Field(min_length=1)
    category: str = Field(min_length=1)
    date: dt.date
    amount: float = Field(allow_inf_nan=False)
    description: str = ""


class NewMiscWorksheetImport(WireModel):
    """One Job Cost import of a job's misc worksheet transactions."""

    job_id: str = Field(min_length=1)
    transactions: list[MiscWorksheetTransaction] = Field(default_factory=list)


def check_new_import(batch: NewMiscWorksheetImport, job: dict[str, Any] | None) -> None:
    """Raise the first rule the import breaks: an unknown job (404) or a closed one, no
    transactions, a transaction of another job (one import file is one job's), a cost code and
    category not on the job."""
    on_job = _open_job(job)
    if not batch.transactions:
        raise SageError(422, "cant_be_blank", CANT_BE_BLANK)
    for n, transaction in enumerate(batch.transactions):
        if transaction.job_id != batch.job_id:
            field = f"transactions.{n}.job_id"
            raise invalid_request(f"[{field}] is not the job of this import.", field)
        _on_job(on_job, transaction.cost_code, transaction.category)
