"""ErpProject's cost code acceptance on the time-skipping server, Sage faked behind the real
activity name: seeds/004 permissions matrix, "Accept or Reject Cost Codes for Export to ERP"
(an accounting approver) and "Send, Retrieve, or Resend Items ... requires 'Admin' level
permissions on the tool where the item is located" (a project's cost codes: its Admin tool),
decided against the roster the workflow holds; an accepted code reaches the Sage job once."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from contract import erp_company as ec
from contract import erp_project as ep
from contract.sage import SAGE_CALL_ACTIVITY, SageAnswer, SageFailure, SageRequest
from domain.settings import ProjectSettings
from domain.signing import load_private_key, new_key_pair, sign
from runtime.sandbox import RUNNER
from tests.workflows.test_budget_import import ESTIMATE_PATH, estimate
from tests.workflows.test_erp_company import FakeSage as CompanySage
from tests.workflows.test_erp_company import company_workflow
from tests.workflows.test_erp_project import erp_project as project_workflow
from tests.workflows.test_erp_project import update as project_update
from tests.workflows.test_item_workflow import project
from workflows.erp_company import CompanyRecord, CompanyRequest, ErpCompany
from workflows.erp_project import ErpProject

ADMIN, APPROVER, PM, VIEWER = "acct.admin", "acct.ana", "pm.alex", "viewer.vic"
STANDARD = {"01-100", "03-300", "07-100", "08-100"}
"""The fake company's standard list (07-100 and 08-100 are on no job yet)."""


@dataclass
class CostCodeSage:
    """Job 1001 and its cost codes; `POST .../cost_codes` adds what the job lacks from the
    standard list, a repeated idempotency key replays (as the mock does)."""

    codes: dict[str, list[str]] = field(
        default_factory=lambda: {"01-100": ["L", "M"], "03-300": ["L"]}
    )
    defaults: dict[str, list[str]] = field(default_factory=dict)
    estimate: dict[str, Any] | None = None
    """`GET /v1/jobs/1001/estimate` (tests/workflows/test_budget_import.py's shape)."""
    writes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    answers: dict[str, SageAnswer] = field(default_factory=dict)

    def job(self) -> dict[str, Any]:
        cost_codes = [
            {"code": code, "description": "", "categories": cats}
            for code, cats in sorted(self.codes.items())
        ]
        return {
            "job_id": "1001",
            "name": "Riverside Medical Center",
            "status": "open",
            "cost_codes": cost_codes,
        }

    def activities(self) -> list[Any]:
        @activity.defn(name=SAGE_CALL_ACTIVITY)
        async def call(request: SageRequest) -> SageAnswer:
            c = request.call
            if c.method == "GET" and c.path == "/v1/jobs/1001":
                return SageAnswer(status=200, body=self.job())
            if c.method == "GET" and c.path == ESTIMATE_PATH and self.estimate is not None:
                return SageAnswer(status=200, body=self.estimate)
            if c.method == "POST" and c.path == "/v1/jobs/1001/cost_codes":
                if request.idempotency_key in self.answers:
                    return self.answers[request.idempotency_key]
                self.writes.append((request.idempotency_key, dict(c.body or {})))
                [asked] = (c.body or {})["cost_codes"]
                if asked["code"] not in STANDARD:
                    f = SageFailure(
                        status=422,
                        code="cost_code_not_standard",
                        message=f"Cost code [{asked['code']}] is not on the standard cost code "
                        "list. New cost codes must be created in your ERP system.",
                    )
                    raise ApplicationError(
                        f.message, f.model_dump(), type=f.code, non_retryable=True
                    )
                have = self.codes.setdefault(asked["code"], [])
                added = [cat for cat in asked["categories"] if cat not in have]
                have.extend(added)
                body = {
                    "added": [{"code": asked["code"], "category": cat} for cat in added],
                    "job": self.job(),
                }
                self.answers[request.idempotency_key] = SageAnswer(status=200, body=body)
                return self.answers[request.idempotency_key]
            f = SageFailure(status=404, code="not_found", message="Entity with this ID not found.")
            raise ApplicationError(f.message, f.model_dump(), type=f.code, non_retryable=True)

        return [call]

    def workflow_activities(self) -> list[Any]:
        @activity.defn(name=ec.READ_DEFAULT_COST_TYPES_ACTIVITY)
        async def read(request: ec.DefaultCostTypesRead) -> dict[str, list[str]]:
            return self.defaults

        return [read]


def erp_project(
    env: WorkflowEnvironment, sage: CostCodeSage, settings: ProjectSettings | None = None
) -> AbstractAsyncContextManager[WorkflowHandle[Any, Any]]:
    """test_erp_project's ErpProject, reading the company's default cost types from `sage`."""
    return project_workflow(env, sage, settings or project(), sage.workflow_activities())


async def command(handle: WorkflowHandle[Any, Any], name: str, **request: Any) -> ep.ProjectRecord:
    return await handle.execute_update(
        name, ep.CostCodeRequest(**request), result_type=ep.ProjectRecord
    )


async def refusal(handle: WorkflowHandle[Any, Any], name: str, **request: Any) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await command(handle, name, **request)
    return str(failed.value.cause)


async def replays(handle: WorkflowHandle[Any, Any], workflow: type) -> None:
    """The run's history replays: its handlers are deterministic."""
    replayer = Replayer(
        workflows=[workflow], data_converter=pydantic_data_converter, workflow_runner=RUNNER
    )
    await replayer.replay_workflow(await handle.fetch_history())


def state_of(record: ep.ProjectRecord, code: str) -> str:
    return next(entry.state.value for entry in record.cost_codes_sent if entry.code == code)


async def test_a_sent_code_is_accepted_once_and_reaches_the_sage_job_once(time_skipping_env):
    sage = CostCodeSage()
    async with erp_project(time_skipping_env, sage) as handle:
        sent = await command(
            handle, ep.SEND_COST_CODE, actor=PM, code="07-100", categories=["L", "M"]
        )
        assert state_of(sent, "07-100") == "sent" and sage.writes == []  # nothing in Sage yet
        again = await refusal(handle, ep.SEND_COST_CODE, actor=PM, code="07-100")
        assert "waits for an accounting approver" in again

        accepted = await command(handle, ep.ACCEPT_COST_CODE, actor=APPROVER, code="07-100")
        assert state_of(accepted, "07-100") == "exported"
        assert sage.codes["07-100"] == ["L", "M"]
        job_codes = {c.code: c.categories for c in accepted.job.cost_codes}
        assert job_codes["07-100"] == ["L", "M"]  # the held job shows Sage's answer
        assert accepted.audit[-1].outcome == (
            "exported to Sage job 1001 with cost types L, M (added: L, M)"
        )
        twice = await refusal(handle, ep.ACCEPT_COST_CODE, actor=ADMIN, code="07-100")
        assert "accepted by acct.ana and exported already" in twice
        assert len(sage.writes) == 1  # the repeated accept never reached Sage
        # the job has the code with those cost types now: nothing to send
        on_job = await refusal(handle, ep.SEND_COST_CODE, actor=PM, code="07-100", categories=["L"])
        assert "on the Sage job already (L, M): nothing to send" in on_job
        await replays(handle, ErpProject)


async def test_a_rejected_code_reaches_nothing_and_may_be_sent_again(time_skipping_env):
    sage = CostCodeSage(defaults={"08-100": ["S"]})
    async with erp_project(time_skipping_env, sage) as handle:
        await command(handle, ep.SEND_COST_CODE, actor=PM, code="08-100")
        blank = await refusal(handle, ep.REJECT_COST_CODE, actor=APPROVER, code="08-100")
        assert "reject needs a comment" in blank
        rejected = await command(
            handle, ep.REJECT_COST_CODE, actor=APPROVER, code="08-100", comment="wrong phase"
        )
        assert state_of(rejected, "08-100") == "rejected" and sage.writes == []
        assert rejected.audit[-1].outcome == "rejected, nothing exported: wrong phase"
        late = await refusal(handle, ep.ACCEPT_COST_CODE, actor=ADMIN, code="08-100")
        assert "rejected by acct.ana: send it again first" in late

        # sent again with no cost type: the company's default cost types for 08-100
        await command(handle, ep.SEND_COST_CODE, actor=PM, code="08-100")
        done = await command(handle, ep.ACCEPT_COST_CODE, actor=ADMIN, code="08-100")
        assert state_of(done, "08-100") == "exported"
        assert sage.codes["08-100"] == ["S"]
        [(key, body)] = sage.writes
        assert key.endswith("/g0/cost_code/08-100/sent2")  # its own key per sending
        assert body["cost_codes"][0]["categories"] == ["S"]


async def test_refusals_come_from_the_held_roster_and_the_next_valid_command_works(
    time_skipping_env,
):
    sage = CostCodeSage()
    async with erp_project(time_skipping_env, sage) as handle:
        for actor, words in (
            (APPROVER, "acct.ana cannot send a cost code: needs Admin on the Admin tool"),
            ("mallory", "'mallory' is not on the roster of project P-1001"),
        ):
            assert words in await refusal(handle, ep.SEND_COST_CODE, actor=actor, code="07-100")
        for hostile, words in (
            ("../jobs/1001", "is not a Sage code"),
            ("", "can't be blank"),
            ("X" * 100, "is too long for a Sage code"),
            ("07 100", "is not a Sage code"),
        ):
            assert words in await refusal(handle, ep.SEND_COST_CODE, actor=PM, code=hostile)
        bad_type = await refusal(
            handle, ep.SEND_COST_CODE, actor=PM, code="07-100", categories=["L/../M"]
        )
        assert "cost type:" in bad_type and "is not a Sage code" in bad_type
        nothing = await refusal(handle, ep.ACCEPT_COST_CODE, actor=APPROVER, code="07-100")
        assert "was not sent for acceptance" in nothing

        await command(handle, ep.SEND_COST_CODE, actor=PM, code="07-100")
        for actor, words in (
            (
                PM,
                "pm.alex cannot accept a cost code: needs Standard or Admin on the ERP "
                "Integrations tool (has None) and the 'Can Push to Accounting' privilege",
            ),
            (VIEWER, "needs Standard or Admin on the ERP Integrations tool (has Read Only)"),
            ("mallory", "'mallory' is not on the roster of project P-1001"),
        ):
            assert words in await refusal(handle, ep.ACCEPT_COST_CODE, actor=actor, code="07-100")
        # no cost type sent and no default for 07-100: refused, nothing in Sage
        none = await refusal(handle, ep.ACCEPT_COST_CODE, actor=APPROVER, code="07-100")
        assert "has no default cost types" in none and sage.writes == []

        # a UI signal with a careless payload is recorded as refused, never a failed task
        await handle.signal(ep.ACCEPT_COST_CODE, {"actor": APPROVER, "code": 7})
        await handle.signal(ep.REJECT_COST_CODE, "reject it")
        await handle.signal(ep.REJECT_COST_CODE, {"actor": PM, "code": "07-100", "comment": "x"})
        await handle.signal(
            ep.REJECT_COST_CODE, {"actor": APPROVER, "code": "07-100", "comment": "needs a type"}
        )
        record = await handle.query("status", result_type=ep.ProjectRecord)
        outcomes = [line.outcome for line in record.audit[-4:]]
        assert [o.startswith("refused") for o in outcomes] == [True, True, True, False]
        assert state_of(record, "07-100") == "rejected"
        sent = await command(handle, ep.SEND_COST_CODE, actor=PM, code="07-100", categories=["E"])
        assert state_of(sent, "07-100") == "sent"
        await replays(handle, ErpProject)


async def test_a_user_with_a_key_must_sign(time_skipping_env):
    private, public = new_key_pair()
    held = project()
    pm = held.roster[PM].model_copy(update={"public_key": public})
    settings = held.model_copy(update={"roster": {**held.roster, PM: pm}})
    # Signatures are checked against the server's clock: it must not skip ahead meanwhile.
    with time_skipping_env.auto_time_skipping_disabled():
        async with erp_project(time_skipping_env, CostCodeSage(), settings) as handle:
            unsigned = ep.CostCodeRequest(actor=PM, code="07-100", categories=["L"])
            with pytest.raises(WorkflowUpdateFailedError) as failed:
                await handle.execute_update(
                    ep.SEND_COST_CODE, unsigned, result_type=ep.ProjectRecord
                )
            assert "must be signed" in str(failed.value.cause)
            now = await time_skipping_env.get_current_time()
            signature = sign(
                load_private_key(private),
                handle.id,
                ep.SEND_COST_CODE,
                unsigned.signed_arguments(),
                now,
            )
            signed = unsigned.model_copy(update={"signature": signature})
            record = await handle.execute_update(
                ep.SEND_COST_CODE, signed, result_type=ep.ProjectRecord
            )
            assert state_of(record, "07-100") == "sent"


async def test_sage_refusing_a_code_leaves_it_waiting(time_skipping_env):
    """seeds/004: "New cost codes must be created in your ERP system": Sage refuses a code
    not on its standard list; the code stays sent, for a rejection."""
    sage = CostCodeSage()
    async with erp_project(time_skipping_env, sage) as handle:
        await command(handle, ep.SEND_COST_CODE, actor=PM, code="99-999", categories=["L"])
        refused = await refusal(handle, ep.ACCEPT_COST_CODE, actor=APPROVER, code="99-999")
        assert "Sage refused: Cost code [99-999] is not on the standard cost code list" in refused
        record = await handle.query("status", result_type=ep.ProjectRecord)
        assert state_of(record, "99-999") == "sent"
        assert record.audit[-1].outcome.startswith("refused: Sage refused")


# --- ErpCompany: default cost types of standard cost codes ---


async def defaults(handle: WorkflowHandle[Any, Any], **request: Any) -> Any:
    return await handle.execute_update(
        ec.ASSIGN_DEFAULT_COST_TYPES,
        ec.DefaultCostTypesRequest(**request),
        result_type=CompanyRecord,
    )


async def defaults_refused(handle: WorkflowHandle[Any, Any], **request: Any) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await defaults(handle, **request)
    return str(failed.value.cause)


async def test_default_cost_types_are_assigned_by_standard_or_admin_to_active_standard_codes(
    time_skipping_env,
):
    """seeds/004 matrix, "Assign Default Cost Types To ERP Standard Cost Codes": Standard or
    Admin; "If a cost code has been deactivated, you cannot add it to a project unless you
    reactivate it first"."""
    sage = CompanySage()
    async with company_workflow(time_skipping_env, sage) as handle:
        first = await defaults_refused(handle, actor=APPROVER, code="01-100", categories=["L"])
        assert "no standard cost codes held yet: refresh them first" in first
        await handle.execute_update(
            "refresh_standard_cost_codes", CompanyRequest(actor=ADMIN), result_type=CompanyRecord
        )
        for actor, words in (
            (
                VIEWER,
                "viewer.vic cannot assign default cost types to ERP standard cost codes: "
                "needs Standard or Admin on the ERP Integrations tool (has Read Only)",
            ),
            ("mallory", "'mallory' is not on the roster of company account Demo Builders"),
        ):
            assert words in await defaults_refused(handle, actor=actor, code="01-100")
        for code, categories, words in (
            (
                "10-100",
                ["L"],
                "standard cost code 10-100 is inactive. If a cost code has been deactivated",
            ),
            ("99-999", ["L"], "cost code 99-999 is not on the standard cost code list"),
            ("01-100", ["Z"], "cost type Z is not a standard category (known: L)"),
            ("01-100", ["../L"], "is not a Sage code"),
            ("01/100", [], "is not a Sage code"),
        ):
            refused = await defaults_refused(
                handle, actor=APPROVER, code=code, categories=categories
            )
            assert words in refused
        await handle.signal(ec.ASSIGN_DEFAULT_COST_TYPES, {"actor": APPROVER, "code": ["x"]})
        record = await defaults(handle, actor=APPROVER, code="01-100", categories=["L", "L"])
        assert record.default_cost_types == {"01-100": ["L"]}
        assert record.audit[-2].outcome.startswith("refused")  # the careless signal
        assert record.audit[-1].outcome == "default cost types of standard cost code 01-100: L"
        shown = await handle.query(ec.DEFAULT_COST_TYPES_QUERY, result_type=dict[str, list[str]])
        assert shown == {"01-100": ["L"]}
        cleared = await defaults(handle, actor=ADMIN, code="01-100")
        assert cleared.default_cost_types == {}
        await replays(handle, ErpCompany)


# --- the setting 'Automatically add new cost code/cost type combinations to budgets' ---


async def test_new_combinations_of_the_job_become_lines_of_the_imported_budget(
    time_skipping_env,
):
    """seeds/004 Configuration Settings: "Mark this checkbox if you want Procore to
    automatically add the cost code/category combo as a new budget line item"; the imported
    budget is Sage's estimate (unlocked): a new combination has no estimate amount, $0."""
    sage = CostCodeSage(estimate=estimate(**{"01-100/L": 185000.0}))
    settings = project().model_copy(update={"auto_add_cost_codes_to_budgets": True})
    async with erp_project(time_skipping_env, sage, settings) as handle:
        imported = await project_update(handle, ep.IMPORT_BUDGET_UPDATE, actor=APPROVER)
        assert [(ln.cost_code, ln.category) for ln in imported.budget.lines] == [("01-100", "L")]
        # the refresh reads the job (01-100 L, M; 03-300 L), then the budget from the estimate
        refreshed = await project_update(handle, "refresh_cost_codes", actor=ADMIN)
        lines = {(ln.cost_code, ln.category): ln.original_budget for ln in refreshed.budget.lines}
        assert lines == {("01-100", "L"): 185000, ("01-100", "M"): 0, ("03-300", "L"): 0}
        assert refreshed.audit[-1].outcome == "new budget lines at $0.00: 01-100/M, 03-300/L"
        # an accepted cost code's new combination too
        await command(handle, ep.SEND_COST_CODE, actor=PM, code="07-100", categories=["S"])
        accepted = await command(handle, ep.ACCEPT_COST_CODE, actor=APPROVER, code="07-100")
        assert ("07-100", "S", 0) in [
            (ln.cost_code, ln.category, ln.original_budget) for ln in accepted.budget.lines
        ]
        await replays(handle, ErpProject)


async def test_without_the_setting_the_imported_budget_stays_sages_estimate(time_skipping_env):
    sage = CostCodeSage(estimate=estimate(**{"01-100/L": 185000.0}))
    async with erp_project(time_skipping_env, sage) as handle:
        await project_update(handle, ep.IMPORT_BUDGET_UPDATE, actor=APPROVER)
        refreshed = await project_update(handle, "refresh_cost_codes", actor=ADMIN)
        assert [(ln.cost_code, ln.category) for ln in refreshed.budget.lines] == [("01-100", "L")]
