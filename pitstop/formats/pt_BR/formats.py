"""Dates as Brazilians write them (29/11/2026), times on 24 hours.

Django's own pt_BR module spells the month out ("29 de novembro de 2026");
names not set here (separators, first day of week) still come from it."""

DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
