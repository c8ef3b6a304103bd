"""CSV files that a spreadsheet opens as data, never as formulas.

Every CSV the app writes goes through `writer`: a text cell that starts with
`=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel,
LibreOffice and Google Sheets show it as text instead of running it
(OWASP "CSV injection"). Numbers stay numbers. A text cell that already starts
with `'` before one of those is prefixed too, so `unescape` gives back exactly
what was written (the product export reads back as an unchanged import).
lambda_alert/csvsafe.py is the alert function's copy (it may not import this).
"""

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(text: str) -> bool:
    return text.lstrip("'").startswith(FORMULA_STARTS)


def cell(value: Any) -> Any:
    """The value to write: text a spreadsheet would run gets a leading `'`."""
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value
    return value


def unescape(text: str) -> str:
    """The text `cell` was given, from what it wrote (for reading files back)."""
    if text.startswith("'") and _needs_quote(text[1:]):
        return text[1:]
    return text


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
