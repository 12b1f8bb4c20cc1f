"""A budget's cost forecast through the item workflow (issue 18, seeds/004 "Cost Forecast Data"):
with the project's Export Forecast Amounts on, the export ends with one Misc Worksheet import
(1 and 2 for each line item) in a batch of its own; off, Sage receives none. A careless command
is refused and the next valid one works."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from domain.commands import AcceptRequest, CommandRequest, EditRequest
from domain.lifecycle import State
from domain.status import Outcome
from tests.workflows.fake_sage import FakeSage
from tests.workflows.test_item_workflow import (
    ADMIN,
    APPROVER,
    EXAMPLES,
    command,
    item_workflow,
    project,
    refusal,
    status,
    until,
)


def budget(**changes: Any) -> dict[str, Any]:
    data = json.loads((EXAMPLES / "items" / "budget-BUD-1001.json").read_text())
    return {**data, **changes}


async def test_with_the_setting_on_each_line_item_sends_misc_worksheet_1_and_2(
    time_skipping_env,
):
    sage = FakeSage(posted=False)
    settings = project(export_forecast_amounts=True)
    async with item_workflow(time_skipping_env, sage, settings, item=budget()) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        exported = await until(handle, State.EXPORTED)
    assert len(sage.estimates) == 1
    [forecast] = sage.forecasts
    kinds = [t["transaction_type"] for t in forecast["transactions"]]
    assert kinds == ["misc_worksheet_1", "misc_worksheet_2"] * 5
    assert exported.sage_ids["forecast_id"] == "MW-000001"
    assert exported.batches == ["B-000001", "B-000002"]  # the estimate's and the forecast's
    assert exported.exports_forecast is True
    assert exported.forecast[0].startswith("01-100/L: Misc Worksheet 1")


async def test_with_the_setting_off_sage_receives_no_forecast(time_skipping_env):
    sage = FakeSage(posted=False)
    async with item_workflow(time_skipping_env, sage, item=budget()) as handle:
        await command(handle, "send", CommandRequest(actor=ADMIN))
        await command(handle, "accept", AcceptRequest(actor=APPROVER))
        exported = await until(handle, State.EXPORTED)
    assert sage.forecasts == [] and len(sage.estimates) == 1
    assert "forecast_id" not in exported.sage_ids
    assert exported.exports_forecast is False and len(exported.forecast) == 5


async def test_a_line_without_its_forecast_is_refused_at_send_and_a_valid_send_then_works(
    time_skipping_env,
):
    """The setting is on, one line item lacks its forecast: `send` is refused naming the line;
    an edit with a negative amount is refused naming the field, the same edit as a signal (NaN)
    is recorded as refused; the item stays draft, and a valid edit then send work."""
    item = budget()
    for key in ("estimated_cost_at_completion", "forecast_to_complete"):
        del item["lines"][1][key]
    settings = project(export_forecast_amounts=True)
    async with item_workflow(time_skipping_env, FakeSage(), settings, item=item) as handle:
        message = await refusal(handle, "send", CommandRequest(actor=ADMIN))
        assert "Line 2: Export Forecast Amounts is enabled" in message
        negative = budget()
        negative["lines"][1]["forecast_to_complete"] = "-5.00"
        message = await refusal(handle, "edit", EditRequest(actor=ADMIN, item=negative))
        assert "field 'lines.1.forecast_to_complete'" in message
        assert "greater than or equal to 0" in message
        nan = budget()
        nan["lines"][1]["estimated_cost_at_completion"] = "NaN"
        await handle.signal("edit", {"actor": ADMIN, "item": nan})
        for _ in range(100):
            audit = (await status(handle)).audit
            if audit and audit[-1].outcome is Outcome.REFUSED:
                break
            await asyncio.sleep(0.05)
        assert [e.outcome for e in audit] == [Outcome.REFUSED]
        assert (await status(handle)).state is State.DRAFT
        await command(handle, "edit", EditRequest(actor=ADMIN, item=budget()))
        sent = await command(handle, "send", CommandRequest(actor=ADMIN))
    assert sent.state is State.SENT
