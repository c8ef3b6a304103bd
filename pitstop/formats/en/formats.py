"""English pages keep ISO dates (2026-11-29) and 24-hour times: the store is
in Brazil, and "11/29" would read as a month 29 to its staff."""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
