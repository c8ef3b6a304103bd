"""A customer scans with the kiosk's camera. Chromium's fake camera plays a
video made here: an EAN-13 barcode, drawn bar by bar, of a product on the
shelf. Debian's chromium has no BarcodeDetector, so the vendored ZXing
decoder reads the frames, loaded only once the camera opens."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.test_kiosk_browser import enrolled
from tests.factories import ProductFactory

BARCODE = "7891000000014"
WIDTH, HEIGHT = 640, 480
MODULE = 4  # pixels per bar module

# EAN-13: the first digit picks the L/G pattern of the next six.
L_CODES = ["0001101", "0011001", "0010011", "0111101", "0100011",
           "0110001", "0101111", "0111011", "0110111", "0001011"]  # fmt: skip
R_CODES = ["".join("1" if bit == "0" else "0" for bit in code) for code in L_CODES]
G_CODES = [code[::-1] for code in R_CODES]
PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
          "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]  # fmt: skip


def ean13_modules(code: str) -> str:
    """The 95 modules of an EAN-13 barcode: 1 is a dark bar."""
    digits = [int(d) for d in code]
    left = "".join(
        (L_CODES if kind == "L" else G_CODES)[d]
        for kind, d in zip(PARITY[digits[0]], digits[1:7], strict=True)
    )
    right = "".join(R_CODES[d] for d in digits[7:])
    return "101" + left + "01010" + right + "101"


def barcode_video(path, code: str, frames: int = 5) -> None:
    """A y4m video (YUV 4:2:0) of the barcode, black on white, centred."""
    modules = ean13_modules(code)
    start = (WIDTH - len(modules) * MODULE) // 2
    row = bytearray(b"\xff" * WIDTH)
    for i, bit in enumerate(modules):
        if bit == "1":
            row[start + i * MODULE : start + (i + 1) * MODULE] = b"\x10" * MODULE
    white = bytes(b"\xff" * WIDTH)
    luma = b"".join(
        bytes(row) if HEIGHT // 5 <= y < HEIGHT * 4 // 5 else white
        for y in range(HEIGHT)
    )
    chroma = b"\x80" * (WIDTH // 2 * HEIGHT // 2 * 2)
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + luma + chroma)


@pytest.fixture(scope="module")
def camera_browser(browser, tmp_path_factory):
    """Chromium whose camera films the barcode, its permission given."""
    video = tmp_path_factory.mktemp("camera") / "barcode.y4m"
    barcode_video(video, BARCODE)
    camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    yield camera
    camera.close()


@pytest.fixture
def camera_page(camera_browser, live_server):
    context = camera_browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 800},
        locale="pt-BR",
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def shelf():
    return ProductFactory(
        sku="DRK-001",
        barcode=BARCODE,
        name="Coca-Cola lata 350ml",
        price=Decimal("5.50"),
        stock=20,
    )


def test_a_barcode_shown_to_the_camera_lands_in_the_cart(camera_page, kiosk, shelf):
    page = camera_page
    enrolled(page)
    native = page.evaluate("'BarcodeDetector' in window")
    assert page.evaluate("window.ZXing === undefined")  # not loaded before use

    page.get_by_role("button", name="Escanear com a câmera").click()

    cart = page.locator("#cart li")
    expect(cart).to_have_count(1)
    expect(cart.nth(0).locator(".name")).to_have_text("Coca-Cola lata 350ml")
    expect(page.locator("#total")).to_have_text("R$ 5,50")
    # One code, one item: the camera is off once it has read it.
    expect(page.locator("#camera")).to_be_hidden()
    assert page.evaluate("PitStopCamera.isOpen()") is False
    page.wait_for_timeout(500)
    expect(cart.nth(0).locator(".qty")).to_have_text("1")
    if not native:
        assert page.evaluate("typeof window.ZXing") == "object"


def test_without_a_camera_the_customer_is_told_and_the_scanner_still_works(
    page, kiosk, shelf
):
    page.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'mediaDevices', "
        "{get: () => undefined})"
    )
    enrolled(page)
    page.get_by_role("button", name="Escanear com a câmera").click()
    expect(page.locator("#message")).to_have_text(
        re.compile("A câmera não pode ser usada aqui")
    )
    expect(page.locator("#camera")).to_be_hidden()

    page.locator("#scan").focus()
    page.keyboard.type(BARCODE)
    page.keyboard.press("Enter")
    expect(page.locator("#cart li")).to_have_count(1)
