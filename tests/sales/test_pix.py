"""The static Pix code (BR Code, "copia e cola") against the Banco Central's
published layout and its manual's example."""

from decimal import Decimal

import pytest
import segno
from django.urls import reverse

from sales.pix import brcode, crc16_ccitt
from sales.services import sale_create
from tests.factories import ProductFactory

# The BR Code manual's static example: key, name, city, no amount, no txid.
MANUAL_EXAMPLE = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
    "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)


def fields(payload: str) -> dict[str, str]:
    """Split an EMV payload into {id: value}, checking every length."""
    out, i = {}, 0
    while i < len(payload):
        tag, size = payload[i : i + 2], int(payload[i + 2 : i + 4])
        out[tag] = payload[i + 4 : i + 4 + size]
        assert len(out[tag]) == size
        i += 4 + size
    return out


def test_the_manuals_example_is_reproduced_to_the_last_character():
    assert (
        brcode(
            key="123e4567-e12b-12d1-a456-426655440000",
            name="Fulano de Tal",
            city="BRASILIA",
        )
        == MANUAL_EXAMPLE
    )


def test_the_crc_is_crc16_ccitt_false():
    # The standard check value of CRC-16/CCITT-FALSE.
    assert crc16_ccitt(b"123456789") == 0x29B1
    assert f"{crc16_ccitt(MANUAL_EXAMPLE[:-4].encode()):04X}" == "1D3D"


def test_a_sales_code_carries_the_amount_the_merchant_and_the_sale_number():
    payload = brcode(
        key="pix@pitstop.example",
        name="Pit Stop Conveniência Rodovia Sul",
        city="São José dos Campos",
        amount=Decimal("22.90"),
        txid="1234",
    )

    f = fields(payload)
    assert list(f) == ["00", "26", "52", "53", "54", "58", "59", "60", "62", "63"]
    assert f["00"] == "01"
    assert fields(f["26"]) == {"00": "br.gov.bcb.pix", "01": "pix@pitstop.example"}
    assert (f["52"], f["53"], f["54"], f["58"]) == ("0000", "986", "22.90", "BR")
    assert f["59"] == "Pit Stop Conveniencia Rod"  # ASCII, at most 25
    assert f["60"] == "Sao Jose dos Ca"  # at most 15
    assert fields(f["62"]) == {"05": "1234"}
    assert f["63"] == f"{crc16_ccitt(payload[:-4].encode()):04X}"


@pytest.fixture
def pix_sale(db, clerk):
    ProductFactory(sku="COLA", price=Decimal("5.50"), stock=10)
    sale, _ = sale_create(clerk=clerk, lines=[("COLA", 2)], payment="pix")
    return sale


def test_with_a_pix_key_the_receipt_and_the_api_offer_the_code_and_its_qr(
    settings, clerk_client, pix_sale
):
    settings.PITSTOP_PIX_KEY = "12345678000195"
    settings.PITSTOP_PIX_MERCHANT_NAME = "Pit Stop"
    settings.PITSTOP_PIX_MERCHANT_CITY = "Campinas"
    expected = brcode(
        key="12345678000195",
        name="Pit Stop",
        city="Campinas",
        amount=Decimal("11.00"),
        txid=str(pix_sale.pk),
    )

    receipt = clerk_client.get(reverse("sales:receipt", args=[pix_sale.pk]))
    assert f'<code id="pix-code">{expected}</code>'.encode() in receipt.content
    assert b'src="data:image/svg+xml' in receipt.content

    body = clerk_client.get(f"/api/sales/{pix_sale.pk}/").json()
    assert body["pix"]["code"] == expected
    assert body["pix"]["qr"] == segno.make(expected, error="m").svg_data_uri(
        scale=4, border=2
    )


def test_without_a_pix_key_or_for_another_method_no_code_is_offered(
    settings, clerk_client, clerk, pix_sale
):
    settings.PITSTOP_PIX_KEY = ""
    assert clerk_client.get(f"/api/sales/{pix_sale.pk}/").json()["pix"] is None
    assert b'id="pix"' not in clerk_client.get(f"/sales/{pix_sale.pk}/").content

    settings.PITSTOP_PIX_KEY = "12345678000195"
    card, _ = sale_create(clerk=clerk, lines=[("COLA", 1)], payment="credit")
    assert clerk_client.get(f"/api/sales/{card.pk}/").json()["pix"] is None
