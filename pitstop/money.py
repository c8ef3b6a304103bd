"""Money for people: the one helper behind every page, PDF, e-mail and admin
column. PITSTOP_CURRENCY names the currency; the active language (the
request's, or the store's in tasks and commands) says how to write it."""

from decimal import Decimal

from django.conf import settings
from django.utils import translation

from lambda_alert import l10n


def money(amount: Decimal | int | str) -> str:
    """R$ 1.234,56 in Portuguese, R$ 1,234.56 in English."""
    return l10n.money(
        Decimal(amount),
        currency=settings.PITSTOP_CURRENCY,
        lang=translation.get_language() or settings.LANGUAGE_CODE,
    )


def money_format() -> dict[str, str]:
    """How money() writes amounts in the active language, for a page's script
    that must write them alike: {"symbol", "thousands", "point"}."""
    lang = l10n.language(translation.get_language() or settings.LANGUAGE_CODE)
    thousands, point = l10n.SEPARATORS[lang]
    return {
        "symbol": l10n.symbol(settings.PITSTOP_CURRENCY),
        "thousands": thousands,
        "point": point,
    }
