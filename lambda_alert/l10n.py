"""Money and dates as the store writes them, in Portuguese or English.

The one implementation: the alert function uses it directly and the Django
app through pitstop.money, so a page, the PDF, an e-mail and an SMS write
R$ 1.234,56 (pt-BR) or R$ 1,234.56 (en) alike. Standard library only.
"""

import datetime
from decimal import Decimal

PORTUGUESE, ENGLISH = "pt-br", "en"
# ISO 4217 code -> how people write it; any other code is written as is.
SYMBOLS = {"BRL": "R$", "USD": "US$", "EUR": "€"}
# (thousands, decimal) separators
SEPARATORS = {PORTUGUESE: (".", ","), ENGLISH: (",", ".")}
DATES = {PORTUGUESE: "%d/%m/%Y", ENGLISH: "%Y-%m-%d"}


def language(code: str | None) -> str:
    """PORTUGUESE or ENGLISH for a language code ("pt-br", "pt_BR", "en-us",
    ...); anything else is the store's own, Portuguese."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return ENGLISH if base == "en" else PORTUGUESE


def symbol(currency: str) -> str:
    return SYMBOLS.get(currency.upper(), currency.upper())


def money(amount: Decimal, *, currency: str, lang: str) -> str:
    """R$ 1.234,56 (pt-BR) or R$ 1,234.56 (en), from a Decimal (never a float);
    a negative amount reads -R$ 1,00."""
    thousands, point = SEPARATORS[language(lang)]
    digits = f"{abs(amount):,.2f}".translate({ord(","): thousands, ord("."): point})
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol(currency)} {digits}"


def date(day: datetime.date, *, lang: str) -> str:
    """29/11/2026 (pt-BR) or 2026-11-29 (en)."""
    return day.strftime(DATES[language(lang)])


def date_time(moment: datetime.datetime, *, lang: str) -> str:
    """29/11/2026 14:05 (pt-BR) or 2026-11-29 14:05 (en): 24-hour clock."""
    return f"{date(moment, lang=lang)} {moment:%H:%M}"
