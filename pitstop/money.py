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
