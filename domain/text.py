"""Text from callers, made safe to print: actors, comments, details and titles reach a
terminal only with their control characters escaped (DESIGN.md "Trust").

A terminal takes C0 controls (ESC starts a sequence that can recolour, retitle or rewrite the
screen), DEL and the C1 controls (U+0080-U+009F, CSI among them) as commands. `printable`
shows each as its Python escape (`\\x1b`, `\\x9b`), so the text is still readable and nothing
in it acts on the terminal. Newline and tab are escaped too unless allowed: one audit line
stays one line. Unicode bidirectional overrides (U+202A-U+202E, U+2066-U+2069) are escaped as
well, since they reorder what a reader sees.
"""

from __future__ import annotations

_BIDI = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F or code in _BIDI


def printable(text: object, *, keep_newlines: bool = False) -> str:
    """`text` as it can be shown on a terminal: every control character escaped, a backslash
    left as it is. `keep_newlines` lets line breaks and tabs through (for multi-line text)."""
    value = text if isinstance(text, str) else str(text)
    if not any(is_control(char) for char in value):
        return value
    kept = "\n\t" if keep_newlines else ""
    return "".join(
        _escape(char) if is_control(char) and char not in kept else char for char in value
    )
