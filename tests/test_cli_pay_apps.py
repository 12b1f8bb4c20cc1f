"""Mistakes on `pay-app` and `prime-contract link` (seeds/000 3c, 3d): one line, exit code 2
(1 for a refusal), decided before any connection to Temporal (none runs here)."""

from __future__ import annotations

import json

import pytest

from tests.test_cli_usage import one_clear_line


@pytest.fixture(scope="module", autouse=True)
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("link")
    (folder / "bad.json").write_text("{not json")
    (folder / "slash.json").write_text(json.dumps({"number": "PC/7", "sov": []}))
    (folder / "extra.json").write_text(json.dumps({"number": "PC-7", "owner": "x"}))
    return folder


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["pay-app", "create", "P-1005", "2001-PC"], 2, "pay-app create needs --as USER"),
        (["pay-app", "create", "P-1005", "2001-PC", "--as", ""], 2, "needs --as USER"),
        (["pay-app", "create", "P-1005", "2001-PC", "--as", "x" * 101], 2, "--as: "),
        (["pay-app", "create", "P-1005", "2001-PC", "3", "--as", "pm.alex"], 2, "takes no NUMBER"),
        (["pay-app", "resync", "P-1005", "2001-PC", "--as", "pm.alex"], 2, "needs the pay"),
        (["pay-app", "delete", "P-1005", "2001-PC", "0", "--as", "pm.alex"], 2, "number is 1 to"),
        (["pay-app", "delete", "P-1005", "2001-PC", "abc", "--as", "pm.alex"], 2, "'abc'"),
        (["pay-app", "submit", "P-1005", "2001-PC", "\u0663", "--as", "pm.alex"], 2, "1 to"),
        (["pay-app", "submit", "P-1005", "2001-PC", "9" * 30, "--as", "pm.alex"], 2, "1 to"),
        (["pay-app", "list", "P-1005", "2001-PC", "1"], 2, "pay-app list takes no NUMBER"),
        (["pay-app", "create", "P-9", "2001-PC", "--as", "pm.alex"], 2, "project 'P-9' is not"),
        (["pay-app", "approve", "P-1005", "2001-PC"], 2, "invalid choice: 'approve'"),
        (["prime-contract", "link", "P-1005", "2001-PC"], 2, "prime-contract link needs --as"),
        (
            ["prime-contract", "link", "P-1005", "2001-PC", "--as", "acct.admin"],
            2,
            "prime-contract link needs the Procore prime contract's file",
        ),
        (["prime-contract", "link", "P-1005", "2001-PC", "{bad}", "--as", "x"], 2, "not valid"),
        (["prime-contract", "link", "P-1005", "2001-PC", "{slash}", "--as", "x"], 2, "number"),
        (["prime-contract", "link", "P-1005", "2001-PC", "{extra}", "--as", "x"], 2, "owner"),
        (["prime-contract", "link", "P-1005", "2001-PC", "{missing}", "--as", "x"], 2, "cannot"),
    ],
)
def test_a_mistake_is_one_clear_line_before_any_connection(args, code, message, files):
    names = {"bad": "bad.json", "slash": "slash.json", "extra": "extra.json", "missing": "no.json"}
    one_clear_line(
        [str(files / names[a[1:-1]]) if a[1:-1] in names else a for a in args], code, message
    )
