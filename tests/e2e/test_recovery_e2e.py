"""Recovery without a support ticket (issue 20), through the real dev server, mock Sage and
starter.py: the mock is driven into each seed answer (a real condition, or the admin fault
`refusals` for the answers no rule reaches), and the product does what the catalogue says:
`status` names the code, what the tool did and the command left; running that command ends
the item in Sage exactly once.

Item numbers start with "R-" so no other test's items or Sage records collide with these.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client

from client.items import item_status
from domain.errors import CATALOGUE
from runtime.codec import data_converter
from sage_mock.errors import SCRIPTED_ANSWERS
from tests.e2e.conftest import ROOT, Stack, write_item

TOOL_ADMIN, APPROVER, ERP_ADMIN = "pm.alex", "acct.ana", "acct.admin"
DIRECT = "P-1002"  # Direct Export enabled: a send goes straight to Sage
LINE = [{"description": "Lobby", "cost_code": "16-100", "category": "S", "amount": "900"}]


def ok(done) -> str:
    assert done.returncode == 0, f"exit {done.returncode}: {done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture(autouse=True)
def well_behaved_sage(stack: Stack):
    """Each test leaves Sage as it found it: no faults."""
    stack.admin("PUT", "/admin/faults", json={})
    yield
    stack.admin("PUT", "/admin/faults", json={})


def wait_state(stack: Stack, item: str, *states: str, timeout: float = 60) -> dict[str, Any]:
    """The item's status once it is in one of `states` (asked in-process: the test waits on
    the condition; the commands themselves go through starter.py)."""

    async def poll() -> dict[str, Any]:
        client = await Client.connect(
            stack.env["TEMPORAL_ADDRESS"], data_converter=data_converter(None)
        )
        deadline = time.monotonic() + timeout
        while True:
            status = (await item_status(client, item)).model_dump(mode="json")
            if status["state"] in states:
                return status
            assert time.monotonic() < deadline, f"{item} stayed {status['state']}"
            await asyncio.sleep(0.2)

    return asyncio.run(poll())


def signal(stack: Stack, item: str, name: str, *payload: Any) -> None:
    """A signal as the Temporal UI sends it (any payload, or none)."""

    async def send() -> None:
        client = await Client.connect(
            stack.env["TEMPORAL_ADDRESS"], data_converter=data_converter(None)
        )
        await client.get_workflow_handle(item).signal(name, args=list(payload))

    asyncio.run(send())


def refuse(stack: Stack, code: str, path: str, method: str = "POST") -> None:
    refusal = {"code": code, "method": method, "path": path, "times": 1}
    stack.admin("PUT", "/admin/faults", json={"refusals": [refusal]})


def live(stack: Stack, kind: str, key: str, value: str) -> list[dict[str, Any]]:
    return [
        r
        for r in stack.admin("GET", f"/admin/records/{kind}")
        if r.get(key) == value and not r.get("deleted")
    ]


def run_catalogue_command(
    stack: Stack, code: str, verb: str, env: dict[str, str] | None = None, **values: str
) -> str:
    """Run the catalogue's own command for `code` whose verb is `verb`, as a person would."""
    [command] = [c for c in CATALOGUE[code].commands if shlex.split(c)[1] == verb]
    argv = []
    for word in shlex.split(command)[1:]:
        for name, value in values.items():
            word = word.replace(name, value)
        argv.append(word)
    return ok(stack.starter(*argv, env=env))


def start_direct(stack: Stack, folder: Path, number: str) -> str:
    path = write_item(folder, project=DIRECT, number=number, sov=LINE)
    ok(stack.starter("start", str(path), "--send", "--as", TOOL_ADMIN))
    return f"commitment:{DIRECT}:{number}"


def failed_as_the_catalogue_says(
    stack: Stack, item: str, code: str, *, shown: bool = True
) -> dict[str, Any]:
    failed = wait_state(stack, item, "export_failed")
    entry = CATALOGUE[code]
    assert failed["last_error"]["code"] == code
    assert failed["last_error"]["solution"] == entry.solution
    assert failed["next_action"] == f"{entry.person}: {entry.solution}"
    if shown:  # what a person reads in `starter.py status`
        text = ok(stack.starter("status", item))
        assert f"solution: {entry.solution}" in text
        assert f"this tool: {entry.what_this_tool_did}" in text
    return failed


SCRIPTED = [
    # code, the catalogue commands a person runs (verbs, in order), the new Sage ID if any
    ("change_order_number_exists", ["retry"], "R-0101B"),
    ("change_order_commitment_exists", ["retry"], "R-0102B"),
    ("commitment_id_exists", ["retry"], "R-0103B"),
    ("invalid_expense_account", ["retry"], None),
    ("job_sync_failed", ["doctor", "cost-codes", "retry"], None),
    ("category_not_found", ["cost-codes", "retry"], None),
    ("code_change_not_allowed", ["reset"], None),
    ("unauthorized", ["doctor", "retry"], None),
    ("idempotency_conflict", ["retry"], None),
    ("cant_be_blank", ["reject", "edit", "resend"], None),
    ("no_items", ["reject", "edit", "resend"], None),
    ("invalid_request", ["reject", "edit", "resend"], None),
    ("line_modified_twice", ["reject", "edit", "resend"], None),
    ("commitment_archived", ["retry"], None),
    ("cost_code_not_standard", ["standard-cost-codes", "retry"], None),
    ("unknown_company", ["doctor", "retry"], None),
    ("job_in_both_systems", ["reject"], None),
    ("not_supported", ["reject"], None),
    ("field_too_long", ["reject", "edit", "resend"], None),
]
ENDS_REJECTED = {"job_in_both_systems", "not_supported"}
"""The item cannot go to this Sage (the job is another project's, the ERP has no such thing):
the catalogue's one command is to reject it, and nothing reaches Sage."""
PERSON = {
    "retry": APPROVER,
    "reject": APPROVER,
    "cost-codes": ERP_ADMIN,
    "standard-cost-codes": ERP_ADMIN,
    "reset": ERP_ADMIN,
    "edit": TOOL_ADMIN,
    "resend": TOOL_ADMIN,
}


def answered(stack: Stack) -> None:
    """Wait until Sage has given every scripted answer (the export reached it)."""
    deadline = time.monotonic() + 30
    while stack.admin("GET", "/admin/faults")["refusals"]:
        assert time.monotonic() < deadline, stack.admin("GET", "/admin/faults")
        time.sleep(0.1)


def test_each_seed_answer_ends_in_the_catalogues_commands(stack: Stack, tmp_path: Path):
    """The seed answers no rule of the mock reaches (and the mock's own access answers), one
    item each: `status` says what the catalogue says, and the catalogue's commands, run as
    written, end the item posted with one record in Sage."""
    # one item per answer, started together: Sage gives each export one answer, in the order
    # the exports reach it, so which item met which answer is read from the item afterwards
    folder = tmp_path / "scripted"
    folder.mkdir()
    numbers = [f"R-{101 + index:04d}" for index in range(len(SCRIPTED))]
    for number in numbers:
        write_item(folder, project=DIRECT, number=number, sov=LINE)
    refusals = [{"code": code, "path": "/v1/commitments"} for code, _, _ in SCRIPTED]
    stack.admin("PUT", "/admin/faults", json={"refusals": refusals})
    ok(stack.starter("start", str(folder), "--send", "--as", TOOL_ADMIN))
    answered(stack)
    items = {}
    for number in numbers:
        item = f"commitment:{DIRECT}:{number}"
        items[wait_state(stack, item, "export_failed")["last_error"]["code"]] = (item, number)
    assert set(items) == {code for code, _, _ in SCRIPTED}  # each answer met exactly once

    # a failing Sage: retried on its own, nobody acts
    transient = "/v1/commitments"
    transients = ("server_error", "unavailable", "rate_limited")
    refusals = [{"code": c, "path": transient, "times": 1} for c in transients]
    stack.admin("PUT", "/admin/faults", json={"refusals": refusals})
    retried = start_direct(stack, tmp_path, "R-0199")
    answered(stack)

    for index, (code, (item, number)) in enumerate(items.items()):
        failed = failed_as_the_catalogue_says(stack, item, code, shown=index < 2)
        assert failed["last_error"]["message"] == SCRIPTED_ANSWERS[code][1]  # Sage's words
        assert live(stack, "commitments", "commitment_id", number) == []  # nothing written

    def recover(code: str, verbs: list[str], new_id: str | None) -> None:
        item, number = items[code]
        for verb in verbs:
            values = {"ITEM": item, "USER": PERSON.get(verb, APPROVER), "PROJECT": DIRECT}
            if new_id:
                values["NEW_ID"] = new_id
            if verb == "edit":
                edited = write_item(
                    tmp_path, project=DIRECT, number=number, sov=LINE, title="Fixed"
                )
                values["FILE"] = str(edited)
            run_catalogue_command(stack, code, verb, **values)
            if verb == "reject":
                wait_state(stack, item, "rejected")
        if verbs == ["reset"]:  # back in sent: the approver accepts it again, as the text says
            wait_state(stack, item, "sent")
            ok(stack.starter("accept", item, "--as", APPROVER))

    # the people act on their items at the same time, as they would
    with ThreadPoolExecutor(max_workers=4) as people:
        for done in [people.submit(recover, *case) for case in SCRIPTED]:
            done.result()
    finals = {code: new_id or items[code][1] for code, _, new_id in SCRIPTED}

    for code, (item, number) in items.items():
        if code in ENDS_REJECTED:
            wait_state(stack, item, "rejected")
            assert live(stack, "commitments", "commitment_id", number) == [], code
            continue
        done = wait_state(stack, item, "posted", timeout=90)
        assert done["sage_ids"]["commitment_id"] == finals[code]
        assert len(live(stack, "commitments", "commitment_id", finals[code])) == 1, code
        if finals[code] != number:
            assert live(stack, "commitments", "commitment_id", number) == [], code
    done = wait_state(stack, retried, "posted")
    assert "export_failed" not in [e["state_after"] for e in done["audit"]]
    assert len(live(stack, "commitments", "commitment_id", "R-0199")) == 1


def test_a_project_whose_job_id_sage_refuses_exports_under_an_unused_one(
    stack: Stack, tmp_path: Path
):
    # a project of its own (a copy of P-1004, not yet synced), so no other test's job is its
    projects = json.loads((ROOT / "examples" / "projects.json").read_text())
    projects["projects"]["P-2020"] = {**projects["projects"]["P-1004"], "project": "P-2020"}
    settings = tmp_path / "projects.json"
    settings.write_text(json.dumps(projects))
    env = {"ERP_PROJECTS_FILE": str(settings)}
    data = json.loads((ROOT / "examples" / "items" / "project-1004.json").read_text())
    data.update(project="P-2020", number="R-1004")
    path = tmp_path / "project-R-1004.json"
    path.write_text(json.dumps(data))
    item = "project:P-2020:R-1004"
    ok(stack.starter("start", str(path), "--send", "--as", TOOL_ADMIN, env=env))
    refuse(stack, "job_id_exists", "/v1/jobs")
    ok(stack.starter("accept", item, "--as", APPROVER, "--field", "sage_job_id=R-J1", env=env))
    failed_as_the_catalogue_says(stack, item, "job_id_exists")

    values = {"ITEM": item, "USER": APPROVER, "NEW_ID": "R-J2"}
    run_catalogue_command(stack, "job_id_exists", "retry", env=env, **values)
    assert wait_state(stack, item, "posted")["sage_ids"] == {"job_id": "R-J2"}
    assert len(live(stack, "jobs", "job_id", "R-J2")) == 1
    assert live(stack, "jobs", "job_id", "R-J1") == []


def test_what_only_sage_can_change_is_named_and_retry_then_succeeds(stack: Stack, tmp_path: Path):
    """A closed job, an inactive vendor: a person changes it in Sage, then one retry."""
    job_item = start_direct_after(stack, tmp_path, "R-0201", ("PUT", "/admin/jobs/1002", "closed"))
    failed_as_the_catalogue_says(stack, job_item, "job_closed")
    stack.admin("PUT", "/admin/jobs/1002", json={"status": "open"})
    run_catalogue_command(stack, "job_closed", "retry", ITEM=job_item, USER=APPROVER)

    vendor_item = start_direct_after(
        stack, tmp_path, "R-0202", ("PUT", "/admin/vendors/V-100", "inactive")
    )
    try:
        failed_as_the_catalogue_says(stack, vendor_item, "vendor_inactive")
    finally:
        stack.admin("PUT", "/admin/vendors/V-100", json={"status": "active"})
    run_catalogue_command(stack, "vendor_inactive", "retry", ITEM=vendor_item, USER=APPROVER)

    for item, number in ((job_item, "R-0201"), (vendor_item, "R-0202")):
        assert wait_state(stack, item, "posted")["sage_ids"]["commitment_id"] == number
        assert len(live(stack, "commitments", "commitment_id", number)) == 1


def start_direct_after(stack: Stack, folder: Path, number: str, change: tuple[str, str, str]):
    method, path, status = change
    stack.admin(method, path, json={"status": status})
    try:
        return start_direct(stack, folder, number)
    except AssertionError:
        stack.admin(method, path, json={"status": "open" if "jobs" in path else "active"})
        raise


def in_sage_already(stack: Stack, number: str, description: str) -> None:
    """Someone created a commitment under our code directly in Sage, with other content."""
    body = {
        "job_id": "1002",
        "commitment_id": number,
        "commitment_type": "subcontract",
        "description": description,
        "vendor_id": "V-100",
        "date": "2026-11-21",
        "retainage_percent": 0.0,
        "items": [
            {
                "item_id": "1",
                "description": "Other",
                "cost_code": "16-100",
                "category": "S",
                "units": None,
                "unit_cost": None,
                "unit_description": None,
                "amount": 111.0,
            }
        ],
    }
    stack.sage("POST", "/v1/commitments", json=body)


def test_a_duplicate_that_differs_shows_both_and_an_erp_admin_links_or_exports_anew(
    stack: Stack, tmp_path: Path
):
    in_sage_already(stack, "R-0301", "Made in Sage")
    in_sage_already(stack, "R-0302", "Made in Sage")
    linked, renamed = (
        start_direct(stack, tmp_path, "R-0301"),
        start_direct(stack, tmp_path, "R-0302"),
    )
    for item in (linked, renamed):
        failed = failed_as_the_catalogue_says(stack, item, "commitment_exists")
        fields = {row[0] for row in _differences(failed)}
        assert "description" in fields
        shown = ok(stack.starter("status", item))
        assert "Sage already holds a different record (commitment_exists" in shown
        assert "Made in Sage" in shown
        assert f"starter.py link-existing {item} --as USER" in shown

    # hostile and unauthorised: a clear refusal, nothing changes
    refused = stack.starter("link-existing", linked, "--as", APPROVER)
    assert refused.returncode == 1 and "needs Admin on the ERP Integrations tool" in refused.stderr
    assert stack.starter("export-as", renamed, "../R-0302", "--as", ERP_ADMIN).returncode == 2
    assert stack.starter("export-as", renamed, "R-0302", "--as", ERP_ADMIN).returncode == 1
    assert (
        stack.starter("link-existing", "commitment:P-1002:R-NOPE", "--as", ERP_ADMIN).returncode
        == 3
    )
    assert stack.status(renamed)["state"] == "export_failed"
    assert stack.starter("link-existing").returncode == 2

    # hostile signals (the UI's "Send Signal"): refused in the audit trail, the task never fails
    signal(stack, renamed, "export-as", {"actor": ERP_ADMIN, "new_id": "../R-0302"})
    signal(stack, renamed, "export-as", "not an object")
    signal(stack, renamed, "link-existing", {"actor": APPROVER})
    signal(stack, renamed, "link-existing")
    deadline = time.monotonic() + 30
    while len(refused_signals := _refused(wait_state(stack, renamed, "export_failed"))) < 4:
        assert time.monotonic() < deadline, refused_signals
        time.sleep(0.2)
    assert all(
        "(signal)" in (entry["detail"] or "") or entry["actor"] == APPROVER
        for entry in refused_signals
    )

    ok(stack.starter("link-existing", linked, "--as", ERP_ADMIN, "--comment", "same job"))
    ok(stack.starter("export-as", renamed, "R-0302B", "--as", ERP_ADMIN))
    done = wait_state(stack, linked, "posted")
    assert done["sage_ids"]["commitment_id"] == "R-0301" and done["duplicate"] is None
    assert [r["description"] for r in live(stack, "commitments", "commitment_id", "R-0301")] == [
        "Made in Sage"
    ]  # linked, not written again
    assert wait_state(stack, renamed, "posted")["export_fields"] == {"sage_id": "R-0302B"}
    assert len(live(stack, "commitments", "commitment_id", "R-0302")) == 1  # Sage's own
    assert len(live(stack, "commitments", "commitment_id", "R-0302B")) == 1  # ours
    actions = [(e["actor"], e["action"]) for e in done["audit"]]
    assert (ERP_ADMIN, "link-existing") in actions


def _refused(status: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        e
        for e in status["audit"]
        if e["action"] in ("link-existing", "export-as") and e["outcome"] == "refused"
    ]


def _differences(status: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    duplicate = status["duplicate"]
    return [
        (k, v, duplicate["sage"].get(k))
        for k, v in duplicate["ours"].items()
        if duplicate["sage"].get(k) != v
    ]


def test_doctor_passes_on_the_stack_and_each_failure_prints_its_fix(stack: Stack, tmp_path: Path):
    shown = ok(stack.starter("doctor"))
    assert "FAIL" not in shown and "checks pass" in shown

    projects = json.loads((ROOT / "examples" / "projects.json").read_text())
    projects["projects"]["P-1001"]["sage_job_id"] = "9999"
    missing_job = tmp_path / "projects.json"
    missing_job.write_text(json.dumps(projects))
    broken = tmp_path / "broken.json"
    broken.write_text('{"projects": {"P-1": {"sage_job_id": "../x"')
    cases = [
        ({"SAGE_API_KEY": "not-the-key"}, "sage key", "set SAGE_API_KEY"),
        ({"SAGE_API_URL": "http://127.0.0.1:9"}, "sage", "correct SAGE_API_URL"),
        ({"SAGE_API_URL": "ht!tp://::"}, "sage", "SAGE_API_URL"),
        ({"ERP_PROJECTS_FILE": str(missing_job)}, "settings P-1001", "set sage_job_id of P-1001"),
        ({"ERP_PROJECTS_FILE": str(broken)}, "settings", f"correct {broken}"),
        ({"SAGE_RATE_LIMIT_PER_HOUR": "10000000"}, "sage quota", "SAGE_RATE_LIMIT_PER_HOUR"),
    ]
    for env, check, fix in cases:
        done = stack.starter("doctor", env=env)
        assert done.returncode == 1, (env, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        lines = done.stdout.splitlines()
        failing = [i for i, line in enumerate(lines) if line.startswith(f"FAIL {check}:")]
        assert failing, (env, done.stdout)
        assert fix in lines[failing[0] + 1] and lines[failing[0] + 1].strip().startswith("fix:")
    assert stack.starter("doctor", "--bogus").returncode == 2
    as_json = json.loads(ok(stack.starter("doctor", "--json")))
    assert {check["name"] for check in as_json} >= {"temporal", "sage", "sage key", "sage quota"}


def _invoice(folder: Path, number: str, amount: str, commitment: str) -> Path:
    data = json.loads(
        (ROOT / "examples" / "items" / "subcontractor_invoice-INV-0042-01.json").read_text()
    )
    line = {"commitment_line": 1, "description": "Lobby", "cost_code": "16-100", "category": "S"}
    data.update(
        project=DIRECT,
        number=number,
        commitment={"number": commitment, "sage_id": commitment},
        lines=[{**line, "work_completed_this_period": amount}],
    )
    path = folder / f"subcontractor_invoice-{number}.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def test_an_invoice_sage_holds_differently_and_one_sage_finds_no_distributions_in(
    stack: Stack, tmp_path: Path
):
    """invoice_exists (a real duplicate: the vendor's code taken by another invoice) shows both
    and an ERP Admin exports under a new code; no_distributions (scripted) ends in the
    catalogue's reject, edit and resend."""
    commitment = start_direct(stack, tmp_path, "R-0401")
    wait_state(stack, commitment, "posted")

    def send(number: str, amount: str, *accept: str) -> str:
        item = f"subcontractor_invoice:{DIRECT}:{number}"
        path = _invoice(tmp_path, number, amount, "R-0401")
        ok(stack.starter("start", str(path), "--send", "--as", TOOL_ADMIN))
        ok(stack.starter("accept", item, "--as", APPROVER, *accept))
        return item

    first = send("R-INV-41", "100")
    wait_state(stack, first, "exported")
    twin = send("R-INV-42", "200", "--field", "erp_id=R-INV-41")
    failed_as_the_catalogue_says(stack, twin, "invoice_exists")
    shown = ok(stack.starter("status", twin))
    assert "Sage already holds a different record (invoice_exists" in shown
    assert f"starter.py link-existing {twin} --as USER" in shown
    run_catalogue_command(
        stack, "invoice_exists", "export-as", ITEM=twin, USER=ERP_ADMIN, NEW_ID="R-INV-42"
    )
    assert wait_state(stack, twin, "exported")["export_fields"]["erp_id"] == "R-INV-42"
    for number, amount in (("R-INV-41", 100.0), ("R-INV-42", 200.0)):
        [invoice] = live(stack, "ap_invoices", "invoice_id", number)
        assert invoice["original_amount"] == amount

    refuse(stack, "no_distributions", "/v1/ap_invoices")
    empty = send("R-INV-43", "300")
    failed = failed_as_the_catalogue_says(stack, empty, "no_distributions")
    assert failed["last_error"]["message"] == SCRIPTED_ANSWERS["no_distributions"][1]
    assert live(stack, "ap_invoices", "invoice_id", "R-INV-43") == []
    for verb in ("reject", "edit", "resend"):
        values = {"ITEM": empty, "USER": PERSON[verb]}
        if verb == "edit":
            values["FILE"] = str(_invoice(tmp_path, "R-INV-43", "350", "R-0401"))
        run_catalogue_command(stack, "no_distributions", verb, **values)
        if verb == "reject":
            wait_state(stack, empty, "rejected")
    wait_state(stack, empty, "sent")
    ok(stack.starter("accept", empty, "--as", APPROVER))
    wait_state(stack, empty, "exported")
    [invoice] = live(stack, "ap_invoices", "invoice_id", "R-INV-43")
    assert invoice["original_amount"] == 350.0


def test_a_sub_job_whose_code_sage_holds_for_another_exports_under_an_unused_one(
    stack: Stack, tmp_path: Path
):
    """extra_exists: the SubJob ID is another sub job's on the job; an accounting approver
    retries under an unused one, as the catalogue says."""
    data = json.loads((ROOT / "examples" / "items" / "sub_job-SJ-01.json").read_text())

    def send(number: str, name: str, extra: str) -> str:
        path = tmp_path / f"sub_job-{number}.json"
        path.write_text(json.dumps({**data, "number": number, "name": name}))
        item = f"sub_job:{data['project']}:{number}"
        ok(stack.starter("start", str(path), "--send", "--as", TOOL_ADMIN))
        ok(stack.starter("accept", item, "--as", APPROVER, "--field", f"sub_job_id={extra}"))
        return item

    east = send("R-SJ-1", "East Wing", "R-EW")
    assert wait_state(stack, east, "posted")["sage_ids"] == {"extra_id": "R-EW"}
    west = send("R-SJ-2", "West Wing", "R-EW")
    failed_as_the_catalogue_says(stack, west, "extra_exists")
    run_catalogue_command(stack, "extra_exists", "retry", ITEM=west, USER=APPROVER, NEW_ID="R-WW")
    assert wait_state(stack, west, "posted")["sage_ids"] == {"extra_id": "R-WW"}
    names = {e["extra_id"]: e["description"] for e in live(stack, "extras", "job_id", "1001")}
    assert (names.get("R-EW"), names.get("R-WW")) == ("East Wing", "West Wing")
    assert len([e for e in live(stack, "extras", "job_id", "1001") if e["extra_id"] == "R-WW"]) == 1


def test_a_sage_that_answers_too_late_is_asked_again_and_writes_once(stack: Stack, tmp_path: Path):
    """timeout: Sage answers the commitment's create after the worker's 10 s; the tool asks
    again under the same idempotency key on its own (Temporal shows the time-out as the call's
    last failure, and the history keeps it), nobody acts, and Sage holds one record."""
    slow = {"latency_ms": 10_500, "latency_paths": ["/v1/commitments"]}
    stack.admin("PUT", "/admin/faults", json=slow)
    item = start_direct(stack, tmp_path, "R-0601")
    deadline = time.monotonic() + 30
    while "timeout" not in _failures(stack, item, pending=True):  # the first call timed out
        assert time.monotonic() < deadline, "the create never timed out"
        time.sleep(0.2)
    # what the Temporal UI shows: one short failure naming the time-out, not "Failure
    # exceeds size limit." (httpx's exception chain stays out of it)
    [(message, size)] = _pending_failures(stack, item)
    assert message.startswith("Sage did not answer POST /v1/commitments within"), message
    assert size < 2048, size
    stack.admin("PUT", "/admin/faults", json={})  # Sage answers in time again
    done = wait_state(stack, item, "posted")
    assert "export_failed" not in [e["state_after"] for e in done["audit"]]
    assert done["last_error"] is None
    assert len(live(stack, "commitments", "commitment_id", "R-0601")) == 1
    assert "timeout" in _failures(stack, item, pending=False)


def test_an_id_in_sages_answer_that_would_change_a_path_is_refused_and_retry_asks_again(
    stack: Stack, tmp_path: Path
):
    """invalid_path: Sage answers a commitment's create with a batch ID holding '/' and '..'
    (mock fault `odd_answers`). The tool puts it in no path (the mock sees no call that walks
    up or hides a '/'), undoes the commitment it wrote, and `status` says the catalogue's
    words; the catalogue's plain retry asks Sage again and the item ends posted, one record."""
    odd_id = "1001/../jobs"
    unsafe_before = stack.admin("GET", "/admin/stats")["unsafe_paths"]
    odd = {"path": "/v1/commitments", "field": "commitment.batch_id", "value": odd_id}
    stack.admin("PUT", "/admin/faults", json={"odd_answers": [odd]})
    item = start_direct(stack, tmp_path, "R-0801")
    failed = failed_as_the_catalogue_says(stack, item, "invalid_path")
    assert ascii(odd_id) in failed["last_error"]["message"]
    assert "nothing was sent with it" in failed["last_error"]["message"]
    assert failed["leftovers"] == []
    written = [
        r
        for r in stack.admin("GET", "/admin/records/commitments")
        if r["commitment_id"] == "R-0801"
    ]
    assert [r["deleted"] for r in written] == [True]  # written once, undone by the tool
    stats = stack.admin("GET", "/admin/stats")
    assert stats["unsafe_paths"] == unsafe_before
    assert not [b for b in stats["batch_reads_by_batch"] if "/" in b or ".." in b]

    assert "starter.py retry ITEM --as USER" in CATALOGUE["invalid_path"].commands
    ok(stack.starter("retry", item, "--as", APPROVER))
    done = wait_state(stack, item, "posted")
    assert done["sage_ids"]["commitment_id"] == "R-0801" and done["last_error"] is None
    assert len(live(stack, "commitments", "commitment_id", "R-0801")) == 1
    assert stack.admin("GET", "/admin/stats")["unsafe_paths"] == unsafe_before


def _failures(stack: Stack, item: str, *, pending: bool) -> list[str]:
    """The failure types `item`'s Sage calls were retried after: of the calls still pending
    (what the Temporal UI shows), or of the retried calls in its history."""

    async def read() -> list[str]:
        client = await Client.connect(
            stack.env["TEMPORAL_ADDRESS"], data_converter=data_converter(None)
        )
        handle = client.get_workflow_handle(item)
        if pending:
            described = await handle.describe()
            failures = [a.last_failure for a in described.raw_description.pending_activities]
        else:
            history = await handle.fetch_history()
            failures = [
                started.last_failure
                for event in history.events
                if (started := event.activity_task_started_event_attributes).attempt > 1
            ]
        return [kind for failure in failures for kind in _types(failure)]

    return asyncio.run(read())


def _pending_failures(stack: Stack, item: str) -> list[tuple[str, int]]:
    """The message and serialized size of each pending Sage call's last failure."""

    async def read() -> list[tuple[str, int]]:
        client = await Client.connect(
            stack.env["TEMPORAL_ADDRESS"], data_converter=data_converter(None)
        )
        described = await client.get_workflow_handle(item).describe()
        return [
            (a.last_failure.message, a.last_failure.ByteSize())
            for a in described.raw_description.pending_activities
            if a.HasField("last_failure")
        ]

    return asyncio.run(read())


def _types(failure: Any) -> list[str]:
    """The failure's types down its causes (Temporal wraps a failure it finds too large, its
    stack traces included, in "Failure exceeds size limit." and keeps the original as cause)."""
    kinds = []
    while failure is not None and failure.ByteSize():
        kinds.append(failure.application_failure_info.type)
        failure = failure.cause if failure.HasField("cause") else None
    return kinds


def _cco(
    folder: Path, number: str, commitment: str, title: str = "Lobby extras", new_line: bool = True
) -> Path:
    data = json.loads(
        (ROOT / "examples" / "items" / "commitment_change_order-SC-0042-01.json").read_text()
    )
    data.update(
        project=DIRECT,
        number=number,
        title=title,
        commitment={"number": commitment, "sage_id": commitment},
        sov=[{"commitment_line": 1, "description": "More lobby", "amount": "100.00"}],
    )
    if new_line:
        line = {"description": "Lobby lights", "cost_code": "16-100", "category": "S"}
        data["sov"].append({**line, "amount": "200.00"})
    path = folder / f"commitment_change_order-{number}.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def test_an_undo_refused_while_the_record_is_open_is_named_and_a_reset_clears_it(
    stack: Stack, tmp_path: Path
):
    """record_locked: a CCO's change order is refused after its new commitment line was added;
    the undo of that line is refused too (someone has the record open in Sage: `locked_rate`).
    The history names record_locked; a reset while the record is still open is refused and
    `status` shows the catalogue's words; once it is closed, the reset clears the leftover and
    the item ends posted with one change order and one new line."""
    wait_state(stack, start_direct(stack, tmp_path, "R-0501"), "posted")
    item = f"commitment_change_order:{DIRECT}:R-0501-01"
    ok(
        stack.starter(
            "start", str(_cco(tmp_path, "R-0501-01", "R-0501")), "--send", "--as", TOOL_ADMIN
        )
    )
    refusal = {"code": "cant_be_blank", "path": "/v1/commitment_change_orders"}
    stack.admin("PUT", "/admin/faults", json={"refusals": [refusal], "locked_rate": 1.0})
    ok(stack.starter("accept", item, "--as", APPROVER))
    failed = wait_state(stack, item, "export_failed")
    assert failed["leftovers"]
    [undo] = [e for e in failed["audit"] if e["action"].startswith("undo ")]
    assert undo["outcome"] == "refused" and undo["detail"].startswith("record_locked: ")

    run_catalogue_command(stack, "record_locked", "reset", ITEM=item, USER=ERP_ADMIN)
    deadline = time.monotonic() + 30
    while wait_state(stack, item, "export_failed")["last_error"]["code"] != "record_locked":
        assert time.monotonic() < deadline, "the refused reset did not name record_locked"
        time.sleep(0.2)
    failed_as_the_catalogue_says(stack, item, "record_locked")

    stack.admin("PUT", "/admin/faults", json={})  # the person in Sage closes the record
    run_catalogue_command(stack, "record_locked", "reset", ITEM=item, USER=ERP_ADMIN)
    wait_state(stack, item, "sent")
    ok(stack.starter("accept", item, "--as", APPROVER))
    wait_state(stack, item, "posted")
    assert len(live(stack, "commitment_change_orders", "change_order_id", "R-0501-01")) == 1
    lines = stack.sage("GET", "/v1/commitments/1002/R-0501")["items"]
    assert [i["description"] for i in lines].count("Lobby lights") == 1


def test_a_cco_sage_holds_differently_shows_both_and_an_erp_admin_links_or_exports_anew(
    stack: Stack, tmp_path: Path
):
    """commitment_change_order_exists with other content: `status` shows ours beside Sage's
    and an ERP Admin's two commands; link-existing takes Sage's, export-as writes ours anew."""
    wait_state(stack, start_direct(stack, tmp_path, "R-0701"), "posted")

    def send(number: str, title: str, *accept: str) -> str:
        item = f"commitment_change_order:{DIRECT}:{number}"
        path = _cco(tmp_path, number, "R-0701", title, new_line=False)
        ok(stack.starter("start", str(path), "--send", "--as", TOOL_ADMIN))
        ok(stack.starter("accept", item, "--as", APPROVER, *accept))
        return item

    wait_state(stack, send("R-0701-01", "Made first"), "posted")
    code = "commitment_change_order_exists"
    twins = [
        send(n, "Other extras", "--field", "sage_id=R-0701-01") for n in ("R-0701-02", "R-0701-03")
    ]
    for twin in twins:
        failed = failed_as_the_catalogue_says(stack, twin, code)
        assert "description" in {row[0] for row in _differences(failed)}
        shown = ok(stack.starter("status", twin))
        assert f"Sage already holds a different record ({code}" in shown
        assert "Made first" in shown and "Other extras" in shown
        assert f"starter.py link-existing {twin} --as USER" in shown
    linked, renamed = twins
    run_catalogue_command(stack, code, "link-existing", ITEM=linked, USER=ERP_ADMIN)
    run_catalogue_command(
        stack, code, "export-as", ITEM=renamed, USER=ERP_ADMIN, NEW_ID="R-0701-03"
    )
    done = wait_state(stack, linked, "posted")
    assert done["sage_ids"]["change_order_id"] == "R-0701-01" and done["duplicate"] is None
    assert wait_state(stack, renamed, "posted")["export_fields"] == {"sage_id": "R-0701-03"}
    ccos = {
        n: [c["description"] for c in live(stack, "commitment_change_orders", "change_order_id", n)]
        for n in ("R-0701-01", "R-0701-03")
    }
    assert ccos == {"R-0701-01": ["Made first"], "R-0701-03": ["Other extras"]}


def test_a_contract_another_project_linked_first_is_imported_into_that_one(
    stack: Stack, tmp_path: Path
):
    """linked_to_another_project: Sage refuses the import's link (another project linked the
    contract after the import looked); the refusal says Sage's words and the catalogue's
    command, and that command, run for the project the contract belongs to, imports it."""
    projects = json.loads((ROOT / "examples" / "projects.json").read_text())
    projects["projects"]["P-2030"] = {**projects["projects"]["P-1002"], "project": "P-2030"}
    settings = tmp_path / "projects.json"
    settings.write_text(json.dumps(projects))
    env = {"ERP_PROJECTS_FILE": str(settings)}
    code = "linked_to_another_project"
    refuse(stack, code, "/v1/prime_contracts/1002/1002-PC/links", method="PUT")
    refused = stack.starter(
        "prime-contract", "import", "P-2030", "1002-PC", "--as", ERP_ADMIN, env=env
    )
    entry = CATALOGUE[code]
    assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
    assert SCRIPTED_ANSWERS[code][1] in refused.stderr and entry.solution in refused.stderr
    shown = ok(stack.starter("prime-contract", "status", "P-2030", "1002-PC", env=env))
    assert "not imported" in shown and entry.solution in shown

    values = {"PROJECT": "P-1002", "CONTRACT": "1002-PC", "USER": ERP_ADMIN}
    assert "imported" in run_catalogue_command(stack, code, "prime-contract", env=env, **values)
    assert "imported" in ok(stack.starter("prime-contract", "status", "P-1002", "1002-PC"))
