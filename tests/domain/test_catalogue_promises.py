"""The error catalogue drives what the orchestrator does, and its words promise only that:
a code whose solution says "this tool links an existing ..." is one the saga links, a code the
saga links says so, "not found" is what makes an undo already done, and a transient code is
retried by the activity."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from cli.main import build_parser
from domain.errors import (
    _ENTRIES,
    CATALOGUE,
    Remedy,
    StepOutcome,
    UndoOutcome,
    explain,
    means_absent,
    on_step_failure,
    on_undo_failure,
)
from domain.exports import KINDS

ROOT = Path(__file__).resolve().parents[2]
MOCK_SOURCE = "\n".join(p.read_text() for p in (ROOT / "sage_mock").rglob("*.py"))
PROMISE = re.compile(r"This tool links an (existing|earlier)")


@pytest.mark.parametrize("entry", _ENTRIES, ids=lambda e: e.code)
def test_a_link_is_promised_exactly_where_the_saga_links(entry) -> None:
    promised = bool(PROMISE.search(entry.solution))
    linked = on_step_failure(entry.code, content_matches=True) is StepOutcome.LINK
    assert promised == linked == (entry.remedy is Remedy.LINK), entry.code
    # a record that differs from what was sent is never linked
    assert on_step_failure(entry.code, content_matches=False) is StepOutcome.COMPENSATE


@pytest.mark.parametrize("code", [e.code for e in _ENTRIES if e.remedy is Remedy.LINK])
def test_every_linked_code_is_one_sage_answers_with_the_record_it_holds(code: str) -> None:
    """The mock (Sage's rules) answers it, so some export can meet it and link."""
    assert f'"{code}"' in MOCK_SOURCE


def test_not_found_makes_an_undo_already_done_and_a_lookup_empty() -> None:
    assert on_undo_failure("not_found") is UndoOutcome.DONE
    assert means_absent("not_found") and means_absent("unknown_company")
    assert on_undo_failure("record_locked") is UndoOutcome.LEFT_OVER
    assert on_undo_failure("no_such_code_at_all") is UndoOutcome.LEFT_OVER
    assert not means_absent("job_closed")


def test_transient_codes_are_the_retried_ones() -> None:
    for entry in CATALOGUE.values():
        assert entry.retryable == (entry.remedy is Remedy.RETRY), entry.code


# --- issue 20: every code ends in something the product does or offers as one command -------

PLACEHOLDERS = {
    "ITEM": "commitment:P-1001:SC-0044",
    "PROJECT": "P-1001",
    "USER": "acct.admin",
    "FILE": "examples/projects.json",
    "VENDOR": "V-100",
    "COMPANY": "C-100",
    "NEW_ID": "SC-0044A",
    "CONTRACT": "1001-PC",
}
LEAVES_LEFTOVERS = {"record_locked", "export_cancelled"}
"""Codes met on an undo: the failed export's steps stay in Sage, so retry is refused until a
reset undoes them (domain/commands.py: leftovers block retry)."""


def _argv(command: str) -> list[str]:
    words = shlex.split(command)
    assert words[0] == "starter.py", command
    return [PLACEHOLDERS.get(word, word) for word in words[1:]]


def _parsed(command: str):
    argv = _argv(command)
    argv = [re.sub(r"=(NEW_ID)$", "=X1", word) for word in argv]
    return build_parser().parse_args(argv)


def _entries_and_unknown() -> list:
    return [*_ENTRIES, explain("sage_on_fire", "Something odd.")]


@pytest.mark.parametrize("entry", _entries_and_unknown(), ids=lambda e: e.code)
def test_no_code_ends_at_contact_erp_support(entry) -> None:
    """Our solution never sends a person to support; the seed's words stay, quoted apart."""
    assert "support" not in entry.solution.lower(), entry.code
    assert entry.commands, f"{entry.code}: no command a person or the tool runs"
    if entry.remedy is not Remedy.RETRY:
        assert entry.person, f"{entry.code}: who acts next is not named"
        assert entry.person.split()[-1] in entry.solution.lower() or any(
            word in entry.solution.lower() for word in ("admin", "approver", "accountant")
        ), entry.code


@pytest.mark.parametrize("entry", _entries_and_unknown(), ids=lambda e: e.code)
def test_every_command_the_catalogue_names_is_one_starter_py_takes(entry) -> None:
    for command in entry.commands:
        assert command in entry.solution, (entry.code, command)
        args = _parsed(command)  # SystemExit(2) here: the command line does not take it
        assert callable(args.handler), command
    # a "starter.py ..." quoted in the text is one of the commands
    for quoted in _quoted_commands(entry.solution):
        assert quoted in entry.commands, (entry.code, quoted)


def _quoted_commands(text: str) -> list[str]:
    """Each "starter.py ... --as USER" the text spells out (a bare `starter.py doctor` too)."""
    found = []
    for start in [m.start() for m in re.finditer(r"starter\.py ", text)]:
        rest = text[start:]
        end = rest.find("--as USER")
        nxt = rest.find("starter.py ", 1)
        if end != -1 and (nxt == -1 or end < nxt):
            found.append(rest[: end + len("--as USER")])
        else:
            found.append(re.match(r"starter\.py [a-z-]+", rest).group(0))
    return found


EXPORT_FIELD_NAMES = {name for kind in KINDS.values() for name in kind.export_fields}


@pytest.mark.parametrize("entry", _entries_and_unknown(), ids=lambda e: e.code)
def test_a_field_the_catalogue_asks_for_is_an_export_field(entry) -> None:
    for command in entry.commands:
        for name in re.findall(r"--field ([a-z_]+)=", command):
            assert name in EXPORT_FIELD_NAMES, (entry.code, name)


@pytest.mark.parametrize("entry", _ENTRIES, ids=lambda e: e.code)
def test_retry_is_offered_only_where_retry_is_taken(entry) -> None:
    """`retry` is refused while a failed export's steps are in Sage: a code met on an undo
    offers `reset` instead; a transient code needs no retry at all (the activity retries)."""
    verbs = [_argv(command)[0] for command in entry.commands]
    if entry.code in LEAVES_LEFTOVERS:
        assert verbs == ["reset"], entry.code
    if entry.remedy is Remedy.RETRY:
        assert verbs == ["doctor"], entry.code
    if "retry" in verbs:
        assert entry.remedy in (Remedy.COMPENSATE, Remedy.WAIT_FOR_PERSON, Remedy.LINK)


def test_a_different_duplicate_offers_link_existing_and_export_as() -> None:
    """Commitment, CCO, invoice, job: Sage's record beside ours, and the ERP Admin chooses."""
    for code in ("commitment_exists", "commitment_change_order_exists", "invoice_exists"):
        verbs = {_argv(c)[0] for c in CATALOGUE[code].commands}
        assert {"link-existing", "export-as"} <= verbs, code
    verbs = {_argv(c)[0] for c in CATALOGUE["job_exists"].commands}
    assert {"link-existing", "export-as"} <= verbs


def test_what_the_tool_did_follows_the_remedy() -> None:
    assert "retried" in CATALOGUE["timeout"].what_this_tool_did
    assert "undid" in CATALOGUE["job_closed"].what_this_tool_did
    assert "linked" in CATALOGUE["commitment_exists"].what_this_tool_did
    for entry in _ENTRIES:
        assert entry.what_this_tool_did, entry.code


def test_the_seed_words_stay_beside_ours() -> None:
    """Where the seed's own advice was "Contact ERP Support", it is kept, quoted apart."""
    quoted = [e.code for e in _ENTRIES if "ERP Support" in e.seed_solution]
    assert len(quoted) >= 11, quoted


def test_the_readme_troubleshooting_table_has_every_code_and_its_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## When Sage says no (troubleshooting)", 1)[1].split("\n## ", 1)[0]
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in section.splitlines()
        if line.startswith("| `")
    }
    assert set(rows) == set(CATALOGUE), sorted(set(CATALOGUE) ^ set(rows))
    for code, entry in CATALOGUE.items():
        for command in entry.commands:
            if entry.remedy is not Remedy.RETRY:
                assert command.removeprefix("starter.py ") in rows[code], (code, command)
