"""Status tables that stay readable in 80 columns, a pipe or a journal.

Rich shrinks every column to fit a narrow terminal, cutting the names an admin types back
(`jobs run NAME`) to "digests.…" and dates to "2026-06-…". Here only the last column (an error)
may wrap; when the others do not fit on one line, the caller prints a few lines per row instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.table import Table

MIN_LAST_WIDTH = 20  # narrower than this for the last column, the table gives way to lines


def fitting_table(title: str, headings: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> Table | None:
    """A table whose columns but the last never wrap, or None when it would not fit in ``width``."""
    columns = list(zip(headings, *rows, strict=True))  # each column: its heading, then its cells
    widths = [max(cell_len(text) for text in column) for column in columns[:-1]]
    if sum(widths) + MIN_LAST_WIDTH + 3 * len(columns) + 1 > width:  # + each border and padding
        return None
    table = Table(title=title)
    for head in headings[:-1]:
        table.add_column(head, no_wrap=True)
    table.add_column(headings[-1], overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table
