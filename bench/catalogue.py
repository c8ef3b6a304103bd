"""3. Catalogue: import_products of a 50,000-row file (new products, then the
same file with every price and stock changed), and the admin product list,
search and low-stock filter before and after it (5k and 55k products):
queries per page (CaptureQueriesContext) and time per page.

The imported products are deleted after each round, with their ledger rows,
so every round starts from the same 5,000-product catalogue."""

import re
import time
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import db, fixtures
from bench.children_run import run_child
from bench.config import VAR, Plan
from bench.stats import median

TARGET_IMPORT_S = 30.0
PAGES = {
    "list": "/admin/inventory/product/",
    "search": "/admin/inventory/product/?q=cola",
    "low-stock filter": "/admin/inventory/product/?stock_level=low",
}
COUNT = re.compile(r"(\d+) products?\b")
IMPORTED = "SELECT id FROM inventory_product WHERE sku LIKE %s"
CLEANUP = [
    f"DELETE FROM inventory_lowstockalert WHERE product_id IN ({IMPORTED})",
    f"DELETE FROM inventory_stockmovement WHERE product_id IN ({IMPORTED})",
    "DELETE FROM inventory_product WHERE sku LIKE %s",
]


def base_ensure(plan: Plan) -> int:
    """Top the catalogue up to plan.catalogue_base products with filler ones
    (imported once), around the sales products."""
    from inventory.importing import products_import
    from inventory.models import Product

    fixtures.sale_products_ensure(plan.sale_products)
    others = Product.objects.exclude(sku__startswith=fixtures.FILLER_PREFIX)
    others = others.exclude(sku__startswith=fixtures.IMPORT_PREFIX).count()
    filler = max(plan.catalogue_base - others, 0)
    data = fixtures.catalogue_csv(fixtures.FILLER_PREFIX, filler)
    products_import(data=data, source="bench filler")
    return Product.objects.exclude(sku__startswith=fixtures.IMPORT_PREFIX).count()


def imported_remove(url: str) -> None:
    pattern = fixtures.IMPORT_PREFIX + "%"
    with db.connect(url) as conn, conn.transaction():
        for statement in CLEANUP:
            conn.execute(statement, [pattern])


def files_write(rows: int) -> tuple[Path, Path]:
    new = VAR / f"import-{rows}.csv"
    changed = VAR / f"import-{rows}-changed.csv"
    new.write_bytes(fixtures.catalogue_csv(fixtures.IMPORT_PREFIX, rows))
    changed.write_bytes(
        fixtures.catalogue_csv(fixtures.IMPORT_PREFIX, rows, update=True)
    )
    return new, changed


def admin_client() -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(fixtures.manager_ensure())
    return client


def page_measure(client: Client, url: str, gets: int) -> dict:
    client.get(url)  # templates and caches loaded once, as on a live server
    seconds, queries = [], []
    shown = None
    for _ in range(gets):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            seconds.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        queries.append(len(captured))
        found = COUNT.search(response.content.decode())
        shown = int(found[1]) if found else None
    return {"queries": max(queries), "ms": median(seconds) * 1000, "matches": shown}


def pages_measure(client: Client, gets: int) -> dict[str, dict]:
    return {name: page_measure(client, url, gets) for name, url in PAGES.items()}


def step(plan: Plan, url: str, env: dict[str, str]) -> dict:
    imported_remove(url)  # what an interrupted run may have left
    base = base_ensure(plan)
    new, changed = files_write(plan.import_rows)
    client = admin_client()
    rounds = []
    for _ in range(plan.repeats):
        db.vacuum_analyze(url)
        before = pages_measure(client, plan.admin_gets)
        create = run_child(env, "import", str(new))
        db.vacuum_analyze(url)
        update = run_child(env, "import", str(changed))
        db.vacuum_analyze(url)
        after = pages_measure(client, plan.admin_gets)
        imported_remove(url)
        rounds.append(
            {"before": before, "after": after, "create": create, "update": update}
        )
        _print_round(rounds[-1], base, plan)
    return _result(rounds, base, plan)


def _print_round(one: dict, base: int, plan: Plan) -> None:
    print(
        f"  import {plan.import_rows:,} rows: new {one['create']['seconds']:.1f} s"
        f" (peak {one['create']['peak_mb']:.0f} MB),"
        f" changed {one['update']['seconds']:.1f} s"
        f" (peak {one['update']['peak_mb']:.0f} MB)",
        flush=True,
    )
    for name in PAGES:
        b, a = one["before"][name], one["after"][name]
        print(
            f"  admin {name:16} {base:,} products: {b['queries']} queries"
            f" {b['ms']:.0f} ms | {base + plan.import_rows:,}: {a['queries']}"
            f" queries {a['ms']:.0f} ms",
            flush=True,
        )


def _result(rounds: list[dict], base: int, plan: Plan) -> dict:
    def med(path: tuple[str, ...]) -> float | None:
        values = []
        for one in rounds:
            value = one
            for key in path:
                value = value[key]
            values.append(value)
        return median(values)

    pages = {
        name: {
            str(size): {
                "queries": max(r[when][name]["queries"] for r in rounds),
                "ms": med((when, name, "ms")),
                "matches": rounds[-1][when][name]["matches"],
            }
            for size, when in ((base, "before"), (base + plan.import_rows, "after"))
        }
        for name in PAGES
    }
    imports = {
        kind: {
            "seconds": med((kind, "seconds")),
            "peak_mb": med((kind, "peak_mb")),
        }
        for kind in ("create", "update")
    }
    constant = all(len({v["queries"] for v in p.values()}) == 1 for p in pages.values())
    slowest = max(imports["create"]["seconds"], imports["update"]["seconds"])
    return {
        "rows": plan.import_rows,
        "products_before": base,
        "products_after": base + plan.import_rows,
        "imports": imports,
        "pages": pages,
        "targets": [
            {
                "name": f"import of {plan.import_rows:,} rows (new or changed) < 30 s",
                "value": slowest,
                "limit": TARGET_IMPORT_S,
                "unit": "s",
                "ok": slowest < TARGET_IMPORT_S,
            },
            {
                "name": "admin pages: same number of queries at both sizes",
                "value": "; ".join(
                    f"{name} {'/'.join(str(v['queries']) for v in p.values())}"
                    for name, p in pages.items()
                ),
                "limit": "equal",
                "unit": "",
                "ok": constant,
            },
        ],
    }
