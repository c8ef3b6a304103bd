"""The static Pix "copia e cola" code (BR Code) for an amount.

The payload is EMV QRCPS-MPM: fields of ID (2 digits), length (2 digits) and
value, ending with field 63, a CRC16-CCITT (polynomial 0x1021, initial 0xFFFF)
over everything before it, "6304" included. Layout from the Banco Central do
Brasil's BR Code manual (Manual de Padrões para Iniciação do Pix)."""

import unicodedata
from decimal import Decimal

import segno
from django.conf import settings

from sales.models import Payment, Sale

GUI = "br.gov.bcb.pix"
NAME_MAX = 25
CITY_MAX = 15
TXID_MAX = 25


def field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"Field {tag} is longer than 99 characters.")
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE, as the BR Code's field 63 asks."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def plain(text: str, limit: int) -> str:
    """ASCII without accents, cut to the field's limit (readers count bytes,
    and many do not take UTF-8)."""
    ascii_text = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    )
    return " ".join(ascii_text.split())[:limit]


def brcode(
    *,
    key: str,
    name: str,
    city: str,
    amount: Decimal | None = None,
    txid: str = "***",
) -> str:
    """The "copia e cola" text; txid "***" when there is none."""
    txid = "".join(c for c in txid if c.isascii() and c.isalnum())[:TXID_MAX] or "***"
    payload = "".join(
        [
            field("00", "01"),
            field("26", field("00", GUI) + field("01", key.strip())),
            field("52", "0000"),
            field("53", "986"),
            field("54", f"{amount:.2f}") if amount is not None else "",
            field("58", "BR"),
            field("59", plain(name, NAME_MAX)),
            field("60", plain(city, CITY_MAX)),
            field("62", field("05", txid)),
            "6304",
        ]
    )
    return payload + f"{crc16_ccitt(payload.encode('ascii')):04X}"


def sale_pix_code(sale: Sale) -> str | None:
    """The store's Pix code for a sale paid by Pix (and not voided): its
    amount, the sale number as txid. None when PITSTOP_PIX_KEY is unset."""
    if not settings.PITSTOP_PIX_KEY:
        return None
    if sale.payment != Payment.PIX or sale.status != Sale.Status.COMPLETED:
        return None
    return brcode(
        key=settings.PITSTOP_PIX_KEY,
        name=settings.PITSTOP_PIX_MERCHANT_NAME,
        city=settings.PITSTOP_PIX_MERCHANT_CITY,
        amount=sale.total,
        txid=str(sale.pk),
    )


def qr_svg_data_uri(text: str) -> str:
    """The QR code of text as an SVG data: URI (drawn here, no network)."""
    return segno.make(text, error="m", micro=False).svg_data_uri(scale=4, border=2)
