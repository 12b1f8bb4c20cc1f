"""Mistakes on the import-direction commands: one line, exit code 2 (or 1 for a refusal), and
decided before any connection to Temporal (none runs here)."""

from __future__ import annotations

import contextlib
import io

import pytest

import starter


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["cost-codes", "refresh", "P-1001"], 2, "cost-codes refresh needs --as USER"),
        (["job-costs", "P-1001", "--sync"], 2, "job-costs --sync needs --as USER"),
        (["job-costs", "P-9"], 2, "project 'P-9' is not in"),
        (["vendors", "refresh"], 2, "vendors refresh needs --as USER"),
        (["vendors", "link"], 2, "vendors link needs the Sage vendor ID"),
        # vendors insurance [import] VENDOR (seeds/004 "Company Insurance")
        (["vendors", "insurance"], 2, "vendors insurance needs the Sage vendor ID"),
        (
            ["vendors", "insurance", "import"],
            2,
            "needs the Sage vendor ID: vendors insurance import",
        ),
        (
            ["vendors", "insurance", "import", "V-100"],
            2,
            "vendors insurance import needs --as USER",
        ),
        (["vendors", "insurance", "import", "V-100", "--as", ""], 2, "needs --as USER"),
        (["vendors", "insurance", "import", "V-100", "--as", "x" * 101], 2, "--as: "),
        (["vendors", "insurance", "V-100", "C-ACME"], 2, "vendors insurance takes one VENDOR"),
        (
            ["vendors", "insurance", "import", "../V-100", "--as", "acct.admin"],
            1,
            "CRE: the Sage vendor ID '../V-100' is not a Sage code",
        ),
        (["vendors", "insurance", "V 100"], 1, "the Sage vendor ID 'V 100' is not a Sage code"),
        (
            ["vendors", "insurance", "import", "V" * 500, "--as", "acct.admin"],
            1,
            "is too long for a Sage code",
        ),
        (
            ["vendors", "insurance", "import", "V-100", "--company", "NOPE", "--as", "acct.admin"],
            2,
            "Sage company 'NOPE' is not in the account's sage_companies",
        ),
        (["standard-cost-codes", "refresh"], 2, "standard-cost-codes refresh needs --as USER"),
        (
            ["vendors", "list", "--company", "NOPE"],
            2,
            "Sage company 'NOPE' is not in the account's sage_companies (known: CRE, S100)",
        ),
        (
            ["jobs", "import", "3001", "--project", "P-3001", "--like", "P-9", "--as", "x"],
            2,
            "--like 'P-9': no such project",
        ),
        (
            ["jobs", "import", "3001", "--project", "P-3001", "--like", "P-1001"],
            2,
            "the following arguments are required: --as",
        ),
        (
            ["jobs", "import", "3001", "--project", "P-1001", "--like", "P-1001", "--as", "x"],
            1,
            "P-1001 exists in Procore already, synced to Sage job 1001. You must always add "
            "the job/project in one system and then add it to the other.",
        ),
        (
            [
                *("jobs", "import", "3001", "--project", "P-3001"),
                "--like",
                "P-1001",
                "--as",
                "pm.alex",
            ],
            1,
            "pm.alex cannot add an ERP job to Procore: needs Admin on the ERP Integrations tool",
        ),
        # every command that changes state or spends Sage quota names its actor
        (["settings", "apply", "examples/projects.json"], 2, "required: --as"),
        (["sync", "P-1001"], 2, "required: --as"),
        (["schedule", "set", "P-1001", "--every", "6h"], 2, "schedule set needs --as USER"),
        (["schedule", "delete", "P-1001"], 2, "schedule delete needs --as USER"),
        (
            ["prime-contract", "readiness", "P-1005", "2001-PC"],
            2,
            "prime-contract readiness needs --as USER",
        ),
        # sub-jobs import|list (seeds/004 matrix: "Import an ERP Sub Job to a Procore Project")
        (["sub-jobs", "import", "P-9", "EW-1", "--as", "acct.ana"], 2, "project 'P-9' is not in"),
        (["sub-jobs", "import", "P-1001", "EW-1"], 2, "required: --as"),
        (
            ["sub-jobs", "import", "P-1001", "--as", "acct.ana"],
            2,
            "sub-jobs import needs the Sage extra's code (EXTRA)",
        ),
        (
            ["sub-jobs", "import", "P-1001", "../1002/EW", "--as", "acct.ana"],
            1,
            "P-1001: import sub job: the extra code '../1002/EW' is not a Sage code",
        ),
        (
            ["sub-jobs", "import", "P-1001", "E" * 500, "--as", "acct.ana"],
            1,
            "is too long for a Sage code",
        ),
        (["sub-jobs", "list", "P-1001", "EW-1", "--as", "acct.ana"], 2, "takes no EXTRA"),
        (["sub-jobs", "import", "P-1001", "EW-1", "--as", ""], 2, "--as: "),
        (["sub-jobs", "import", "P-1001", "EW-1", "--as", "x" * 101], 2, "--as: "),
        (["sub-jobs", "P-1001", "--as", "acct.ana"], 2, "invalid choice: 'P-1001'"),
        # budgets import (seeds/004 matrix: "Import a Budget from ERP")
        (["budgets", "import", "P-1001"], 2, "required: --as"),
        (["budgets", "import", "../P-1001", "--as", "acct.ana"], 2, "project '../P-1001' is not"),
        (["budgets", "import", "P-1001\x1b[2J", "--as", "acct.ana"], 2, "is not in"),
        (["budgets", "import", "P-1001", "--as", ""], 2, "--as: "),
        (["budgets", "import", "P-1001", "--as", "x" * 101], 2, "--as: "),
        (["budgets", "P-1001", "--as", "acct.ana"], 2, "invalid choice: 'P-1001'"),
        (["budgets", "export", "P-1001", "--as", "acct.ana"], 2, "invalid choice: 'export'"),
        # direct-costs (seeds/004 matrix: "Sync Job Cost Transactions", "View an ERP
        # Unsyncable Direct Costs Report")
        (["direct-costs", "sync", "P-1001"], 2, "required: --as"),
        (["direct-costs", "sync", "../P-1001", "--as", "acct.admin"], 2, "is not in"),
        (["direct-costs", "list", "P-1001\x1b[2J", "--as", "pm.alex"], 2, "is not in"),
        (["direct-costs", "sync", "P-1001", "--as", ""], 2, "--as: "),
        (["direct-costs", "unsyncable", "P-1001", "--as", "x" * 101], 2, "--as: "),
        (["direct-costs", "delete", "P-1001", "--as", "acct.admin"], 2, "invalid choice"),
        (["direct-costs", "P-1001", "--as", "acct.admin"], 2, "invalid choice: 'P-1001'"),
        # paid-invoices (seeds/004 matrix: "Sync Paid Invoice Notifications from ERP")
        (["paid-invoices", "sync", "P-1001"], 2, "required: --as"),
        (["paid-invoices", "sync", "P-1001\x00", "--as", "acct.admin"], 2, "is not in"),
        (["paid-invoices", "list", "P-1001", "--as", ""], 2, "--as: "),
        (["paid-invoices", "pay", "P-1001", "--as", "acct.admin"], 2, "invalid choice"),
        (["company-account", "apply"], 2, "required: --as"),
        (
            ["company-account", "apply", "--company", "NOPE", "--as", "acct.admin"],
            2,
            "Sage company 'NOPE' is not in the account's sage_companies",
        ),
        # project cost codes sent for acceptance, default cost types (cli/cost_codes.py)
        (["cost-codes", "send", "P-1001", "--as", "pm.alex"], 2, "needs the cost code (CODE)"),
        (["cost-codes", "accept", "P-1001", "07-100"], 2, "cost-codes accept needs --as USER"),
        (["cost-codes", "send", "P-1001", "../1001", "--as", "pm.alex"], 1, "is not a Sage code"),
        (["cost-codes", "send", "P-1001", "X" * 41, "--as", "pm.alex"], 1, "is too long"),
        (["cost-codes", "send", "P-1001", "07 100", "--as", "pm.alex"], 1, "is not a Sage code"),
        (
            ["cost-codes", "send", "P-1001", "07-100", "--category", "L/M", "--as", "pm.alex"],
            1,
            "cost type: 'L/M' is not a Sage code",
        ),
        (["cost-codes", "send", "P-9", "07-100", "--as", "pm.alex"], 2, "project 'P-9' is not"),
        (["cost-codes", "send", "P-1001", "07-100", "--as", ""], 2, "send needs --as USER"),
        (["cost-codes", "send", "P-1001", "07-100", "--as", "x" * 101], 2, "--as: "),
        (
            ["cost-codes", "reject", "P-1001", "07-100", "--as", "acct.ana"],
            2,
            "cost-codes reject needs --comment TEXT",
        ),
        (
            ["cost-codes", "accept", "P-1001", "07-100", "--category", "L", "--as", "acct.ana"],
            2,
            "cost-codes accept takes no --category",
        ),
        (["cost-codes", "list", "P-1001", "07-100"], 2, "cost-codes list takes no CODE"),
        (["cost-codes", "refresh", "P-1001", "07-100", "--as", "x"], 2, "takes no CODE"),
        (
            ["standard-cost-codes", "default-types", "--as", "acct.ana"],
            2,
            "default-types needs the cost code (CODE)",
        ),
        (
            ["standard-cost-codes", "default-types", "07-100", "--company", "NOPE", "--as", "x"],
            2,
            "Sage company 'NOPE' is not in the account's sage_companies",
        ),
        (
            ["standard-cost-codes", "default-types", "07-100/..", "--as", "acct.ana"],
            1,
            "is not a Sage code",
        ),
    ],
)
def test_a_mistake_is_one_clear_line_before_any_connection(args, code, message):
    one_clear_line(args, code, message)


def one_clear_line(args: list[str], code: int, message: str) -> None:
    """`starter.py ARGS` ends with `code` and `message` on stderr, no traceback, and never
    tried to reach Temporal (none runs here)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            got = starter.main(args)
        except SystemExit as exit_:  # argparse's own usage errors
            got = exit_.code
    assert got == code, err.getvalue()
    assert message in err.getvalue()
    assert "Traceback" not in err.getvalue() and "cannot reach Temporal" not in err.getvalue()


def test_the_output_path_escapes_control_characters(capsys):
    """Actors, comments and details from callers never reach the terminal raw (issue 14 case 7):
    everything the command line prints goes through `cli.output`."""
    from cli.output import out

    out("acct.ana\x1b]0;owned\x07 said \x9b31mhi\x1b[0m", "\u202eevil\nnext line")
    assert capsys.readouterr().out == (
        "acct.ana\\x1b]0;owned\\x07 said \\x9b31mhi\\x1b[0m \\u202eevil\nnext line\n"
    )
