"""What a Sage ID may look like: the one rule for every code that reaches Sage.

Job IDs, extras, vendor IDs, commitment and change order IDs, contract IDs and contract
items, invoice codes and Sage companies all come from people (item files, the export fields
an approver types at accept or retry, the project settings file) and end up in Sage URL
paths or headers. Sage 300 CRE® and Sage 100 Contractor® codes are short runs of letters
and digits with a few separators ("1001", "1001-PC", "V-100", "SC-0042", "42-CO1", "001",
"S100"), so a Sage code here is:

- 1 to 40 characters (Sage's own limits are shorter and are checked with Sage's own words
  where the seeds give them, e.g. a commitment ID's 12);
- ASCII letters, digits, '-', '.' and '_' only, starting with a letter or a digit;
- never two dots in a row.

No spaces (inner or outer), no '/', '\\', '?', '#', '%', no control characters and no look-alike
Unicode ('／'): nothing that could change what a URL path means. Paths are percent-encoded
as well (domain/sage_paths.py); this rule is the first line.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

SAGE_CODE_MAX = 40
_SAGE_CODE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]|\.(?!\.))*")
# [A-Za-z0-9] are explicit ASCII ranges: no Unicode digit or letter matches them.

SAGE_CODE_RULE = (
    f"a Sage code is 1 to {SAGE_CODE_MAX} characters; use letters, digits, '-', '.' and '_' "
    "only, starting with a letter or digit (no spaces, slashes, '?', '#', '%' or '..')"
)
"""What a Sage code may contain, in the words every refusal uses."""

_SHOWN_MAX = 40


def shown(value: str) -> str:
    """A caller's value, safe to print: quoted, control and non-ASCII characters escaped,
    cut short."""
    cut = value if len(value) <= _SHOWN_MAX else value[:_SHOWN_MAX]
    text = ascii(cut)
    return text if cut is value else f"{text}… ({len(value)} characters)"


def sage_code_problem(value: object) -> str | None:
    """Why `value` is not a Sage code, in plain words; None when it is one."""
    if not isinstance(value, str):
        return f"a Sage code must be text, not {type(value).__name__}"
    if not value.strip():
        return f"can't be blank: {SAGE_CODE_RULE}"
    if not _SAGE_CODE.fullmatch(value):
        return f"{shown(value)} is not a Sage code: {SAGE_CODE_RULE}"
    if len(value) > SAGE_CODE_MAX:
        return f"{shown(value)} is too long for a Sage code: {SAGE_CODE_RULE}"
    return None


def is_sage_code(value: object) -> bool:
    return sage_code_problem(value) is None


def check_sage_code(name: str, value: str, what: str = "") -> list[str]:
    """An export field holding a Sage code: its problems, each naming the field."""
    if not value.strip():
        help_text = f": {what}" if what else ""
        return [f"export field '{name}' can't be blank{help_text}"]
    problem = sage_code_problem(value)
    if problem is not None:
        return [f"export field '{name}' {problem}"]
    return []


def _sage_code(value: str) -> str:
    problem = sage_code_problem(value)
    if problem is not None:
        raise PydanticCustomError("sage_code", "{problem}", {"problem": problem})
    return value


SageCode = Annotated[str, AfterValidator(_sage_code)]
"""A Sage ID in a pydantic model: refused with what a Sage code may contain."""


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _optional_sage_code(value: str | None) -> str | None:
    return None if value is None else _sage_code(value)


LinkedSageCode = Annotated[
    str | None, BeforeValidator(_blank_is_none), AfterValidator(_optional_sage_code)
]
"""The Sage ID an item says it is linked to: blank means not linked yet (None, which the
send prerequisites refuse in Sage's words); anything else must be a Sage code."""
