"""Control characters from callers never reach the terminal raw (issue 14, case 7)."""

from __future__ import annotations

import pytest

from domain.text import printable


def test_plain_text_is_unchanged():
    assert printable("acct.ana accepted SC-0042 — 5% retainage, Größe ✓") == (
        "acct.ana accepted SC-0042 — 5% retainage, Größe ✓"
    )
    assert printable(r"C:\path") == r"C:\path"


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("\x1b[2J\x1b[Hfake", "\\x1b[2J\\x1b[Hfake"),  # clear screen, cursor home
        ("\x1b]0;owned\x07", "\\x1b]0;owned\\x07"),  # set the window title (OSC ... BEL)
        ("\x9b31m", "\\x9b31m"),  # C1 CSI
        ("a\x7fb", "a\\x7fb"),  # DEL
        ("a\x00b\x08c", "a\\x00b\\x08c"),  # NUL, backspace
        ("line\rover", "line\\x0dover"),  # carriage return rewrites the line
        ("two\nlines", "two\\x0alines"),
        ("\u202eevil", "\\u202eevil"),  # right-to-left override
        ("\x85next", "\\x85next"),  # C1 next line
    ],
)
def test_control_characters_are_escaped(raw: str, shown: str):
    assert printable(raw) == shown


def test_newlines_may_be_kept_for_multi_line_text():
    assert printable("a\nb\tc\x1b", keep_newlines=True) == "a\nb\tc\\x1b"


def test_anything_is_shown_as_text():
    assert printable(None) == "None"
    assert printable(12) == "12"
