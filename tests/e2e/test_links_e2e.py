"""Records link (issue 16) through the whole product: every export feeds the next through the
link registry, items name what they lean on by Procore number, and a synced commitment is
unlinked, edited and sent again without a second record in Sage.

Project P-1016 is a copy of the demo's P-1004 (no Sage job yet) in a settings file of this
test's own, so no other test's exports touch its registry. Numbers start with "L-".
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.e2e.conftest import ROOT, Stack
from tests.e2e.test_trust_authority_e2e import temporal_query, temporal_signal, wait_for

ADMIN, APPROVER, VIEWER = "pm.alex", "acct.ana", "viewer.vic"
ITEMS = ROOT / "examples" / "items"
PROJECT, JOB = "P-1016", "L-1016"
COMPANY, VENDOR = "L-C-16", "L-V-16"


def ok(done) -> str:
    assert done.returncode == 0, f"exit {done.returncode}: {done.stdout} {done.stderr}"
    return done.stdout


def refused(done, code: int, *words: str) -> str:
    assert done.returncode == code, f"exit {done.returncode}: {done.stdout} {done.stderr}"
    assert "Traceback" not in done.stderr
    for text in words:
        assert text in done.stderr, done.stderr
    return done.stderr


def write(folder: Path, example: str, **changes: Any) -> Path:
    data = json.loads((ITEMS / example).read_text(encoding="utf-8"))
    data.update(project=PROJECT, **changes)
    path = folder / f"{data['type']}-{data['number']}.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def settings_file(folder: Path) -> dict[str, str]:
    """P-1016: P-1004's settings (no sage_job_id), and never edited by this test."""
    projects = json.loads((ROOT / "examples" / "projects.json").read_text(encoding="utf-8"))
    projects["projects"] = {PROJECT: {**projects["projects"]["P-1004"], "project": PROJECT}}
    path = folder / "projects.json"
    path.write_text(json.dumps(projects))
    return {"ERP_PROJECTS_FILE": str(path)}


def records(stack: Stack, kind: str, key: str, value: str) -> list[dict[str, Any]]:
    return [r for r in stack.admin("GET", f"/admin/records/{kind}") if r.get(key) == value]


def post_batches(stack: Stack, item: str) -> None:
    """A person posts the item's batches in Sage; the item then reaches posted."""
    for batch in stack.wait_for_state(item, "exported", "posted")["batches"]:
        stack.admin("POST", f"/admin/batches/{batch}/post")
    stack.wait_for_state(item, "posted", timeout=120)


def links(stack: Stack, name: str, env: dict[str, str]) -> dict[str, str]:
    view = json.loads(ok(stack.starter("links", name, "--json", env=env)))
    return {f"{ln['kind']}:{ln['procore']}": ln["sage_id"] for ln in view["registry"]["links"]}


def wait_for_link(stack: Stack, name: str, key: str, env: dict[str, str]) -> dict[str, str]:
    deadline = time.monotonic() + 60
    while True:
        found = (
            links(stack, name, env) if stack.starter("links", name, env=env).returncode == 0 else {}
        )
        if key in found:
            return found
        assert time.monotonic() < deadline, f"{key} never linked: {found}"
        time.sleep(0.5)


def export(stack: Stack, env: dict[str, str], path: Path, item: str, *fields: str) -> None:
    ok(stack.starter("start", str(path), "--send", "--as", ADMIN, env=env))
    accept = ["accept", item, "--as", APPROVER]
    for field in fields:
        accept += ["--field", field]
    ok(stack.starter(*accept, env=env))


def test_every_export_feeds_the_next_and_a_commitment_is_unlinked_and_sent_again(
    stack: Stack, tmp_path: Path
):
    env = settings_file(tmp_path)

    # the project: exported with a Sage Job ID at accept; the registry then knows its job
    project = f"project:{PROJECT}:L-1016"
    export(stack, env, write(tmp_path, "project-1004.json", number="L-1016"), project,
           f"sage_job_id={JOB}")  # fmt: skip
    stack.wait_for_state(project, "posted")
    assert wait_for_link(stack, PROJECT, f"job:{PROJECT}", env)[f"job:{PROJECT}"] == JOB

    # the project is synced now: exporting it again is refused at send
    again = write(tmp_path, "project-1004.json", number="L-1016-B")
    ok(stack.starter("start", str(again), env=env))
    refused(
        stack.starter("send", f"project:{PROJECT}:L-1016-B", "--as", ADMIN, env=env),
        1,
        f"already synced with Sage 300 CRE® job {JOB}",
    )

    # a company exported in the same run: its vendor link lives with the Sage company
    company = f"company:{PROJECT}:{COMPANY}"
    export(stack, env, write(tmp_path, "company-C-5001.json", number=COMPANY), company,
           f"erp_company_id={VENDOR}")  # fmt: skip
    stack.wait_for_state(company, "posted")
    assert wait_for_link(stack, "CRE", f"vendor:{COMPANY}", env)[f"vendor:{COMPANY}"] == VENDOR
    # the directory knows it too: a refresh says synced, an import of the vendor is refused
    refreshed = ok(stack.starter("vendors", "refresh", "--as", "acct.admin", env=env))
    assert f"synced {VENDOR} with company {COMPANY} (exported)" in refreshed
    refused(
        stack.starter("vendors", "import", VENDOR, "--as", "acct.admin", env=env),
        1,
        f"vendor {VENDOR} is synced with company {COMPANY} already",
    )

    # its budget: no sage_job_id anywhere in the settings file
    budget = f"budget:{PROJECT}:L-BUD-16"
    export(stack, env, write(tmp_path, "budget-BUD-1001.json", number="L-BUD-16"), budget)
    post_batches(stack, budget)
    assert [e["job_id"] for e in records(stack, "estimates", "job_id", JOB)] == [JOB]

    # a commitment naming the company by its Procore number
    commitment = f"commitment:{PROJECT}:L-SC-16"
    path = write(
        tmp_path,
        "commitment-SC-0042.json",
        number="L-SC-16",
        contract_company={"name": "Northside Glazing", "number": COMPANY},
    )
    export(stack, env, path, commitment)
    posted = stack.wait_for_state(commitment, "posted", timeout=120)
    assert posted["links"] == {"job": JOB, "vendor": VENDOR}
    held = records(stack, "commitments", "commitment_id", "L-SC-16")
    assert [(c["job_id"], c["vendor_id"]) for c in held] == [(JOB, VENDOR)]
    wait_for_link(stack, PROJECT, "commitment:L-SC-16", env)

    # its CCO and its invoice, naming the commitment by number
    cco = f"commitment_change_order:{PROJECT}:L-SC-16-01"
    path = write(
        tmp_path,
        "commitment_change_order-SC-0042-01.json",
        number="L-SC-16-01",
        commitment={"number": "L-SC-16"},
    )
    export(stack, env, path, cco)
    stack.wait_for_state(cco, "posted", timeout=120)
    invoice = f"subcontractor_invoice:{PROJECT}:L-INV-16"
    path = write(
        tmp_path,
        "subcontractor_invoice-INV-0042-01.json",
        number="L-INV-16",
        commitment={"number": "L-SC-16"},
        contract_company={"number": COMPANY},
    )
    export(stack, env, path, invoice)
    post_batches(stack, invoice)
    assert len(records(stack, "commitment_change_orders", "change_order_id", "L-SC-16-01")) == 1
    invoices = records(stack, "ap_invoices", "invoice_id", "L-INV-16")
    assert [(i["vendor_id"], i["distributions"][0]["commitment_id"]) for i in invoices] == [
        (VENDOR, "L-SC-16")
    ]
    status = ok(stack.starter("status", invoice, env=env))
    assert f"links: job={JOB}, vendor={VENDOR}, commitment=L-SC-16" in status

    # a CCO on a commitment never exported: refused at send, naming what is not synced
    never = f"commitment_change_order:{PROJECT}:L-NEVER-01"
    path = write(
        tmp_path,
        "commitment_change_order-SC-0042-01.json",
        number="L-NEVER-01",
        commitment={"number": "L-NEVER"},
    )
    ok(stack.starter("start", str(path), env=env))
    refused(
        stack.starter("send", never, "--as", ADMIN, env=env),
        1,
        "Change orders can only be created from synced commitments",
        "Not synced: commitment L-NEVER.",
    )
    assert stack.status(never)["state"] == "draft"

    # a file whose Sage ID the registry contradicts: refused naming both IDs
    path = write(
        tmp_path,
        "commitment_change_order-SC-0042-01.json",
        number="L-SC-16-02",
        commitment={"number": "L-SC-16", "sage_id": "SC-0042"},
    )
    ok(stack.starter("start", str(path), env=env))
    refused(
        stack.starter(
            "send", f"commitment_change_order:{PROJECT}:L-SC-16-02", "--as", ADMIN, env=env
        ),
        1,
        "SC-0042",
        "L-SC-16",
    )

    # hostile unlinks: read-only, someone off the roster, unknown item, a budget
    refused(stack.starter("unlink", commitment, "--as", VIEWER, env=env), 1, "Standard or Admin")
    refused(stack.starter("unlink", commitment, "--as", "mallory", env=env), 1)
    refused(stack.starter("unlink", f"commitment:{PROJECT}:L-NONE", "--as", APPROVER, env=env), 3)
    refused(stack.starter("unlink", budget, "--as", APPROVER, env=env), 1, "finished")

    # forged notes and signals: recorded as refused, nothing changes, the next command works
    registry = links(stack, PROJECT, env)
    home = f"erp_project:{PROJECT}"
    temporal_signal(stack, home, "link", "not a note")
    forged = {
        "item": "commitment:P-9999:X",
        "links": [
            {
                "kind": "commitment",
                "procore": "L-SC-16",
                "sage_id": "EVIL",
                "at": "2026-12-01T00:00:00Z",
            }
        ],
    }
    temporal_signal(stack, f"erp_project:{PROJECT}", "link", forged)
    temporal_signal(stack, f"erp_project:{PROJECT}", "unlink_link", {"actor": "mallory"})
    temporal_signal(stack, commitment, "unlink", {"actor": "mallory"})
    temporal_signal(stack, commitment, "unlink", [1, 2])
    # well-formed notes in the real item's name: the home asks the item, which made neither
    at = "2026-12-01T00:00:00Z"
    claimed = {"kind": "commitment_item", "procore": "L-SC-16/99", "sage_id": "99", "at": at}
    temporal_signal(stack, home, "link", {"item": commitment, "links": [claimed]})
    unlink = {"item": commitment, "kind": "commitment", "procore": "L-SC-16", "at": at}
    temporal_signal(stack, home, "unlink_link", {**unlink, "actor": "mallory"})

    def asked_and_refused() -> list[str]:
        audit = temporal_query(stack, home)["audit"]
        outcomes = [line["outcome"] for line in audit if line["actor"] in (commitment, "mallory")]
        wanted = [
            f"refused: 1 link(s) {commitment} did not make",
            f"refused: {commitment} still holds that link",
        ]
        found = [w for w in wanted if any(o.startswith(w) for o in outcomes)]
        return found if len(found) == len(wanted) else []

    wait_for(asked_and_refused, "the project's home never refused the notes in the item's name")
    assert links(stack, PROJECT, env) == registry
    assert stack.status(commitment)["state"] == "posted"
    refusals = [e for e in stack.status(commitment)["audit"] if e["action"] == "unlink"]
    assert [e["outcome"] for e in refusals] == ["refused", "refused"]

    # unlink: the link ends, Sage keeps its record, the item is editable again
    out = ok(stack.starter("unlink", commitment, "--as", APPROVER, env=env))
    assert "now draft" in out
    refused(stack.starter("unlink", commitment, "--as", APPROVER, env=env), 1, "only a synced")
    assert "commitment:L-SC-16" not in links(stack, PROJECT, env)
    assert "commitment_change_order:L-SC-16-01" in links(stack, PROJECT, env)  # dependants stay
    assert len(records(stack, "commitments", "commitment_id", "L-SC-16")) == 1
    audit = stack.status(commitment)["audit"]
    assert audit[-1]["action"] == "unlink" and audit[-1]["actor"] == APPROVER

    # while unlinked, a new CCO on it is refused at send as not synced
    path = write(
        tmp_path,
        "commitment_change_order-SC-0042-01.json",
        number="L-SC-16-03",
        commitment={"number": "L-SC-16"},
    )
    ok(stack.starter("start", str(path), env=env))
    refused(
        stack.starter(
            "send", f"commitment_change_order:{PROJECT}:L-SC-16-03", "--as", ADMIN, env=env
        ),
        1,
        "Not synced: commitment L-SC-16.",
    )

    # Sage's commitment changed since (the CCO added an item): edit, resend, accept is refused
    # with the seed's words, and Sage still holds one record
    changed = write(
        tmp_path,
        "commitment-SC-0042.json",
        number="L-SC-16",
        title="Another title",
        contract_company={"name": "Northside Glazing", "number": COMPANY},
    )
    ok(stack.starter("edit", commitment, str(changed), "--as", ADMIN, env=env))
    ok(stack.starter("send", commitment, "--as", ADMIN, env=env))
    ok(stack.starter("accept", commitment, "--as", APPROVER, env=env))
    failed = stack.wait_for_state(commitment, "export_failed", timeout=120)
    assert "A commitment with code [L-SC-16] already exists" in failed["last_error"]["message"]
    assert len(records(stack, "commitments", "commitment_id", "L-SC-16")) == 1

    # a commitment Sage holds as it was sent: unlink, edit (a field Sage does not hold),
    # resend, accept: linked again, exported once, one record
    other = f"commitment:{PROJECT}:L-SC-17"
    body = {"number": "L-SC-17", "contract_company": {"name": "N", "number": COMPANY}}
    export(stack, env, write(tmp_path, "commitment-SC-0042.json", **body), other)
    stack.wait_for_state(other, "posted", timeout=120)
    ok(stack.starter("unlink", other, "--as", APPROVER, env=env))
    edited = write(tmp_path, "commitment-SC-0042.json", status="complete", **body)
    ok(stack.starter("edit", other, str(edited), "--as", ADMIN, env=env))
    ok(stack.starter("send", other, "--as", ADMIN, env=env))
    ok(stack.starter("accept", other, "--as", APPROVER, env=env))
    relinked = stack.wait_for_state(other, "posted", timeout=120)
    assert relinked["export_generation"] == 2
    assert len(records(stack, "commitments", "commitment_id", "L-SC-17")) == 1
    wait_for_link(stack, PROJECT, "commitment:L-SC-17", env)

    # the registry survives a worker kill and a dev server restart
    before_project, before_company = links(stack, PROJECT, env), links(stack, "CRE", env)
    stack.kill("worker")
    stack.stop("temporal")
    time.sleep(2)
    stack.start_temporal()
    stack.start_worker()
    assert links(stack, PROJECT, env) == before_project
    assert links(stack, "CRE", env) == before_company
    assert before_project[f"job:{PROJECT}"] == JOB and before_company[f"vendor:{COMPANY}"] == VENDOR


def test_links_of_nothing_and_bad_usage_are_refused_cleanly(stack: Stack):
    refused(stack.starter("links", "P-NOTHING-HERE"), 3, "no links for")
    refused(stack.starter("links"), 2)
    refused(stack.starter("unlink", "commitment:P-1001:NOPE"), 2)  # no --as
