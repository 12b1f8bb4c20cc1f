"""The one way the command line prints: lines, tables, a progress bar and the live `watch`.

Text from callers (actors, comments, details, titles, vendor names) never reaches the terminal
raw: control characters are shown escaped (`\\x1b`), and rich never reads markup in it (a
vendor named "[red]" prints as typed). Tables and bars are rich's; on a pipe or a file they are
plain text, as wide as their content (never wrapped at 80 columns), so scripts can read them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.progress import MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from domain.text import printable

PIPE_WIDTH = 10_000
"""How wide a console that is not a terminal may print: a table row is never folded."""


def console(stream: TextIO | None = None) -> Console:
    """A console on the current stdout (tests swap it), or `stream`; no colour off a terminal,
    never markup."""
    stream = stream or sys.stdout
    terminal = stream.isatty()
    return Console(
        file=stream,
        width=None if terminal else PIPE_WIDTH,
        highlight=False,
        markup=False,
        emoji=False,
        no_color=not terminal,
        soft_wrap=not terminal,
    )


def out(*parts: object, **kwargs: Any) -> None:
    """Print a line of text, each part made printable (newlines kept)."""
    print(*(printable(part, keep_newlines=True) for part in parts), **kwargs)


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title: str | None = None,
    right: Sequence[str] = (),
    indent: int = 0,
    totals: Sequence[object] | None = None,
    empty: str | None = None,
) -> None:
    """Print rows under their headers; columns named in `right` (amounts) are right-aligned;
    `totals` is a last row under a rule; `empty` the line said when there are no rows."""
    grid = Table(
        box=box.SIMPLE_HEAD,
        title=Text(printable(title)) if title else None,
        title_justify="left",
        show_edge=False,
        pad_edge=False,
        padding=(0, 2, 0, 0),
    )
    for header in headers:
        grid.add_column(header, justify="right" if header in right else "left", no_wrap=True)
    body = [[Text(printable("" if cell is None else cell)) for cell in row] for row in rows]
    if not body and empty:
        body = [[Text(printable(empty)), *(Text("") for _ in headers[1:])]]
    for number, cells in enumerate(body, start=1):
        grid.add_row(*cells, end_section=totals is not None and number == len(body))
    if totals is not None:
        grid.add_row(*(Text(printable(cell)) for cell in totals))
    screen = console()
    with screen.capture() as drawn:
        screen.print(Padding(grid, (0, 0, 0, indent), expand=False) if indent else grid)
    for line in drawn.get().splitlines():
        screen.file.write(line.rstrip() + "\n")


@contextmanager
def progress(total: int, description: str) -> Iterator[Callable[[], None]]:
    """A progress bar with its rate on stderr while a terminal watches (nothing on a pipe, or
    for one thing). Yields the function that counts one thing done."""
    screen = console(sys.stderr)
    if not screen.is_terminal or total < 2:
        yield lambda: None
        return
    columns = (*Progress.get_default_columns(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=screen) as bar:
        task = bar.add_task(description, total=total)
        yield lambda: bar.advance(task)


@contextmanager
def waiting(description: str) -> Iterator[Callable[[str], None]]:
    """A live spinner line while `watch` waits (on a terminal; nothing on a pipe). Yields the
    function that changes its text."""
    screen = console()
    if not screen.is_terminal:
        yield lambda _text: None
        return
    with screen.status(Text(printable(description))) as status:
        yield lambda text: status.update(Text(printable(text)))
