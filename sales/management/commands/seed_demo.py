import datetime
import random
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import inventory
from alerts.models import Recipient
from inventory.exceptions import InsufficientStock
from inventory.importing import products_import
from inventory.models import LowStockAlert, Product, StockMovement, Supplier
from inventory.services import stock_receive
from pitstop.roles import CLERKS, KIOSKS, MANAGERS
from sales.models import Sale
from sales.selectors import store_midnight
from sales.services import sale_create

CATALOGUE = Path(inventory.__file__).parent / "demo" / "products.csv"
SUPPLIERS = [
    # name, e-mail, phone, lead time in days
    ("Distribuidora Bebidas Sul", "pedidos@bebidassul.example", "+55 11 4000-1001", 2),
    ("Cervejaria Estrada", "vendas@cervejariaestrada.example", "+55 11 4000-1002", 3),
    ("Café Serra Alta", "contato@serraalta.example", "+55 35 4000-1003", 5),
    ("Lanches Rodovia", "cozinha@lanchesrodovia.example", "+55 11 4000-1004", 1),
    ("Atacado Central", "compras@atacadocentral.example", "+55 11 4000-1005", 2),
    ("Sorvetes Polar", "pedidos@sorvetespolar.example", "+55 11 4000-1006", 3),
    ("AutoPeças Norte", "vendas@autopecasnorte.example", "+55 11 4000-1007", 4),
    ("Eletrônicos Via Rápida", "b2b@viarapida.example", "+55 11 4000-1008", 7),
]
# Demo credentials, printed by the command and the README's run command.
USERS = [
    ("manager", "pitstop-manager", MANAGERS, True),
    ("clerk", "pitstop-clerk", CLERKS, False),
    # A self-checkout device, enrolled as a manager would: a user in Kiosks.
    ("kiosk", "pitstop-kiosk", KIOSKS, False),
]
HISTORY_DAYS = 28
# Sales per hour of a store day: a morning coffee rush, lunch, the drive home.
HOURLY = {6: 3, 7: 6, 8: 5, 9: 3, 10: 2, 11: 3, 12: 5, 13: 4, 14: 2, 15: 2}
HOURLY |= {16: 3, 17: 5, 18: 6, 19: 4, 20: 3, 21: 2, 22: 1}


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse wants a str: translated when asked for
        return _(
            "Load the demo store once: suppliers, ~60 products, a manager, a "
            "clerk and a kiosk, an alert recipient, and four weeks of sales and "
            "deliveries, today's up to now."
        )

    def handle(self, *args, **options):
        if Product.objects.exists():
            self.stdout.write(_("The demo store is already loaded; left as it is."))
        else:
            with transaction.atomic():
                self._load_catalogue()
        users = self._users()
        Recipient.objects.get_or_create(
            name=_("Store manager"),
            defaults={"email": "manager@pitstop.example", "phone": "+5511900000000"},
        )
        if not Sale.objects.exists():
            self._history(clerk=users["clerk"], manager=users["manager"])
        roles = {MANAGERS: _("Manager"), CLERKS: _("Clerk"), KIOSKS: _("Kiosk")}
        for username, password, group, _staff in USERS:
            self.stdout.write(f"{roles[group]}: {username} / {password}")

    def _load_catalogue(self) -> None:
        for name, email, phone, lead in SUPPLIERS:
            Supplier.objects.update_or_create(
                name=name,
                defaults={"email": email, "phone": phone, "lead_time_days": lead},
            )
        summary = products_import(data=CATALOGUE.read_bytes(), source="demo catalogue")
        self.stdout.write(_("Catalogue: %(summary)s") % {"summary": summary})

    def _users(self) -> dict:
        users = {}
        for username, password, group, is_staff in USERS:
            user, created = get_user_model().objects.get_or_create(
                username=username, defaults={"is_staff": is_staff}
            )
            if created:
                user.set_password(password)
                user.save()
            user.groups.add(Group.objects.get(name=group))
            users[username] = user
        return users

    def _history(self, *, clerk, manager) -> None:
        """Four weeks of store days and today so far, made through the real
        services, then moved back in time: deliveries each morning for what
        ran low, sales through the day weighted towards coffee and cold
        drinks."""
        rng = random.Random(2026)
        products = list(Product.objects.order_by("pk"))
        weights = [8 if p.category.name in ("Café", "Bebidas") else 2 for p in products]
        now = timezone.now()
        today = timezone.localdate(now)
        sales = 0
        for days_ago in range(HISTORY_DAYS, -1, -1):
            day = today - datetime.timedelta(days=days_ago)
            opening = _at(day, 6, 0)
            low = {p.pk: p.par_level - p.stock for p in _refresh(products) if p.is_low}
            if low and opening <= now:
                moves = stock_receive(
                    supplier=None,
                    quantities=low,
                    reference=_("delivery %(day)s") % {"day": day},
                    user=manager,
                )
                _backdate(moves, opening)
            for hour, count in HOURLY.items():
                for _sale in range(count + rng.randint(0, 2)):
                    at = _at(day, hour, rng.randint(0, 59))
                    if at > now:  # today's sales stop at the present
                        continue
                    picks = rng.choices(products, weights, k=rng.randint(1, 3))
                    lines = [(p.sku, rng.choice([1, 1, 1, 2])) for p in picks]
                    try:
                        sale, _created = sale_create(clerk=clerk, lines=lines)
                    except InsufficientStock:  # the customer takes something else
                        continue
                    Sale.objects.filter(pk=sale.pk).update(created_at=at)
                    _backdate(
                        StockMovement.objects.filter(reason="sale", ref=str(sale.pk)),
                        at,
                    )
                    sales += 1
        self.stdout.write(
            _("History: %(sales)s sales over the last %(days)s days and today")
            % {"sales": sales, "days": HISTORY_DAYS}
        )


def _at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return store_midnight(day) + datetime.timedelta(hours=hour, minutes=minute)


def _refresh(products: list[Product]) -> list[Product]:
    for product in products:
        product.refresh_from_db(fields=["stock"])
    return products


def _backdate(moves, at: datetime.datetime) -> None:
    """Demo only: put what the services just wrote at its place in the past."""
    ids = [m.pk for m in moves]
    StockMovement.objects.filter(pk__in=ids).update(created_at=at)
    LowStockAlert.objects.filter(movement_id__in=ids).update(opened_at=at)
    closed_by_these = {m.created_at for m in moves}
    LowStockAlert.objects.filter(closed_at__in=closed_by_these).update(closed_at=at)
