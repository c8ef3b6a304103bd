"""{{ amount|money }}: a template builtin (settings.TEMPLATES), see pitstop.money."""

from django import template

from pitstop import money as money_helper

register = template.Library()


@register.filter
def money(amount) -> str:
    """An amount as pitstop.money writes it; empty for no amount."""
    if amount is None or amount == "":
        return ""
    return money_helper.money(amount)
