"""The clerk's form at the counter (/sales/new/) in headless Chromium: a clerk
logs in, scans items one by one as a keyboard-wedge scanner types them (code,
Enter), and finishes each cart with a payment button; timed from the browser's
side. Served by the same gunicorn as the sales step (bench.sales.Gunicorn).

Scan-to-line: from the scanner's Enter to the page that shows the new line
(the form posts, the server redirects, the browser loads the cart again).
Finish-to-receipt: from the payment button to the receipt page loaded."""

import re
import time

from bench import db, fixtures
from bench.config import VAR, Plan
from bench.sales import Gunicorn, snapshot, verify
from bench.stats import median, percentile

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [  # as tests/browser/conftest.py: no network to wait for
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TARGET_SCAN_P99_MS = 50.0
PASSWORD = "bench-clerk-form"


def step(plan: Plan, url: str, env: dict[str, str], workers: int, threads: int) -> dict:
    from playwright.sync_api import sync_playwright

    items, _hot = fixtures.sale_products_ensure(plan.sale_products)
    fixtures.restock_if_low(items)
    db.vacuum_analyze(url)
    clerk = fixtures.clerk_with_password(PASSWORD)
    scans: list[float] = []
    finishes: list[float] = []
    checks: list[dict] = []
    log = VAR / "gunicorn.log"
    with (
        Gunicorn(env, workers=workers, threads=threads, log=log) as server,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        page = browser.new_page(base_url=f"http://127.0.0.1:{server.port}", locale="en")
        page.set_default_timeout(30_000)
        page.goto("/accounts/login/?next=/sales/new/")
        page.locator("#id_username").fill(clerk.username)
        page.locator("#id_password").fill(PASSWORD)
        with page.expect_navigation():
            page.locator("#id_password").press("Enter")
        if not page.url.endswith("/sales/new/"):
            raise RuntimeError(f"the bench clerk could not log in: {page.url}")
        lines = page.locator("#lines tbody tr[data-sku]")
        pks = [i.pk for i in items]
        for cart in range(plan.clerk_form_carts):
            chosen = items[cart * plan.clerk_form_items :][: plan.clerk_form_items]
            with db.connect(url) as monitor:
                before = snapshot(monitor, pks)
                for n, item in enumerate(chosen, start=1):
                    page.locator("#id_code").fill(item.sku)
                    started = time.perf_counter()
                    with page.expect_navigation():
                        page.locator("#id_code").press("Enter")
                    scans.append(time.perf_counter() - started)
                    if lines.count() != n:
                        raise RuntimeError(f"scan {n} of cart {cart}: no new line")
                started = time.perf_counter()
                with page.expect_navigation(url=re.compile(r"/sales/\d+/$")):
                    page.locator("#finish-form button[value=debit]").click()
                finishes.append(time.perf_counter() - started)
                checks.append(verify(monitor, before, 1))
            page.goto("/sales/new/")
        browser.close()
    scan_ms = [s * 1000 for s in scans]
    finish_ms = [s * 1000 for s in finishes]
    result = {
        "carts": plan.clerk_form_carts,
        "items_per_cart": plan.clerk_form_items,
        "scan_p50_ms": median(scan_ms),
        "scan_p99_ms": percentile(scan_ms, 99),
        "scan_max_ms": max(scan_ms),
        "finish_ms": finish_ms,
        "finish_p50_ms": median(finish_ms),
        "checks_ok": all(c["ok"] for c in checks),
        "checks": checks,
    }
    print(
        f"  clerk_form scans={len(scan_ms)} p50={result['scan_p50_ms']:.1f}ms"
        f" p99={result['scan_p99_ms']:.1f}ms finish="
        + ", ".join(f"{f:.0f}" for f in finish_ms)
        + f"ms checks={'ok' if result['checks_ok'] else checks}",
        flush=True,
    )
    result["targets"] = [
        {
            "name": f"scan to line p99 < {TARGET_SCAN_P99_MS:.0f} ms",
            "value": result["scan_p99_ms"],
            "limit": TARGET_SCAN_P99_MS,
            "unit": "ms",
            "ok": result["scan_p99_ms"] < TARGET_SCAN_P99_MS,
        },
        {
            "name": "every cart: stock = initial - sold = ledger, none negative",
            "value": sum(not c["ok"] for c in checks),
            "limit": 0,
            "unit": "failed carts",
            "ok": result["checks_ok"],
        },
    ]
    return result
