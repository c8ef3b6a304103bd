"""The alert function's copy of pitstop/csvsafe.py (it imports no app code;
tests/test_csvsafe.py holds both to the same cases): a text cell that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return (after any `'`) gets a
leading `'`, so a spreadsheet shows it instead of running it. Numbers stay
numbers.
"""

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """The value to write: text a spreadsheet would run gets a leading `'`."""
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """A csv.writer whose rows go through `cell`."""

    def __init__(self, out: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: Any, **kwargs: Any) -> SafeWriter:
    """Like csv.writer(out, **kwargs), every cell through `cell`."""
    return SafeWriter(out, **kwargs)
