"""Texts for people that are made before anyone knows who will read them.

An exception raised in a service is read by a clerk's page (in the request's
language), by the kiosk API (English `error` for machines, `message` in the
request's language) and by a command (the store's language): it carries a lazy
text, translated and filled in only when it is read."""

from django.utils.functional import Promise, lazy
from django.utils.translation import override


def _fill(message: str, params: dict) -> str:
    return str(message) % params


fill_lazy = lazy(_fill, str)
"""fill_lazy(gettext_lazy("... %(sku)s ..."), {"sku": sku}): translated when read."""


def in_english(text: str | Promise) -> str:
    """The English text of a lazy translation (for machine-facing fields)."""
    with override("en"):
        return str(text)
