import datetime
import math
import random
from decimal import Decimal
from pathlib import Path

from django.conf import settings
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
from inventory.models import LowStockAlert, Product, StockMovement
from inventory.perishables import lot_write_off
from inventory.selectors import with_replenishment
from inventory.services import stock_receive
from inventory.suppliers_import import suppliers_import
from pitstop.clock import store_today
from pitstop.money import money
from pitstop.roles import CLERKS, KIOSKS, MANAGERS
from sales.models import Payment, Return, Sale, Shift
from sales.payments import sale_payment_confirm
from sales.returns import sale_return
from sales.selectors import store_midnight
from sales.services import sale_create
from sales.shifts import shift_cash, shift_close, shift_open

CATALOGUE = Path(inventory.__file__).parent / "demo" / "products.csv"
SUPPLIERS = Path(inventory.__file__).parent / "demo" / "suppliers.csv"
# Demo credentials, printed by the command and the README's run command.
USERS = [
    ("manager", "pitstop-manager", MANAGERS, True),
    ("clerk", "pitstop-clerk", CLERKS, False),
    # A self-checkout device, enrolled as a manager would: a user in Kiosks.
    ("kiosk", "pitstop-kiosk", KIOSKS, False),
]
HISTORY_DAYS = 28  # the window of the replenishment rule's velocity
# Sales per hour of a store day: a morning coffee rush, lunch, the drive home.
HOURLY = {6: 3, 7: 6, 8: 5, 9: 3, 10: 2, 11: 3, 12: 5, 13: 4, 14: 2, 15: 2}
HOURLY |= {16: 3, 17: 5, 18: 6, 19: 4, 20: 3, 21: 2, 22: 1}
# The till came in TILL_DAYS days ago: before, sales have no method ("other").
TILL_DAYS = 2
PAYMENTS = {
    Payment.CASH: 30,
    Payment.DEBIT: 25,
    Payment.CREDIT: 20,
    Payment.PIX: 20,
    Payment.VOUCHER: 5,
}
# The perishables' lots (products that track expiry in the catalogue), as
# (sku, units, days from today to the expiry date, days ago received): one
# lot expires tomorrow, so the first morning digest says so; one expired
# two days ago, partly written off yesterday (yesterday's report shows the
# waste), the rest for the manager to write off.
LOTS = [
    ("DAI-002", 6, -2, 8),
    ("DAI-001", 10, 8, 2),
    ("SND-001", 5, 1, 1),
    ("DAI-002", 12, 12, 1),
    ("SND-001", 8, 3, 0),
    ("SND-002", 6, 2, 0),
    ("DAI-001", 6, 20, 0),
]
WASTED = 2  # units of the expired lot written off yesterday evening
FLOAT = Decimal("150.00")
# The last shift's drawer is short by this much at the cash-up.
SHORT = Decimal("5.00")


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse wants a str: translated when asked for
        return _(
            "Load the demo store once: suppliers, ~60 products, a manager, a "
            "clerk and a kiosk, an alert recipient, and four weeks of sales and "
            "deliveries, today's up to now; the last two days and today at the "
            "till, with payment methods, a return each day, two closed shifts "
            "(the last one 5,00 short) and today's still open; sandwiches, "
            "milk and yoghurt in lots, one expiring tomorrow."
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
            self._lots(manager=users["manager"])
            demo_kiosk_sales(kiosk=users["kiosk"])
            self.stdout.write(_("Kiosk: 3 sales today, one still pending"))
        roles = {MANAGERS: _("Manager"), CLERKS: _("Clerk"), KIOSKS: _("Kiosk")}
        for username, password, group, _staff in USERS:
            self.stdout.write(f"{roles[group]}: {username} / {password}")
        if settings.PITSTOP_ATTENDANT_PIN:
            self.stdout.write(
                _("Kiosk: attendant's PIN %(pin)s; Pix %(pix)s")
                % {
                    "pin": settings.PITSTOP_ATTENDANT_PIN,
                    "pix": settings.PITSTOP_PIX_KEY or _("off (PITSTOP_PIX_KEY)"),
                }
            )

    def _load_catalogue(self) -> None:
        suppliers = suppliers_import(data=SUPPLIERS.read_bytes())
        self.stdout.write(_("Suppliers: %(summary)s") % {"summary": suppliers})
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
        # Perishables have their own lots (_lots), dated from today.
        products = list(Product.objects.filter(tracks_expiry=False).order_by("pk"))
        weights = [8 if p.category.name in ("Café", "Bebidas") else 2 for p in products]
        now = timezone.now()
        today = timezone.localdate(now)
        sales = 0
        for days_ago in range(HISTORY_DAYS, -1, -1):
            day = today - datetime.timedelta(days=days_ago)
            at_till = days_ago <= TILL_DAYS
            shift = shift_open(clerk=clerk, opening_float=FLOAT) if at_till else None
            cash_sales = []
            opening = _at(day, 6, 0)
            # The morning delivery: what the replenishment rule orders.
            low = dict(
                with_replenishment(day=day)
                .filter(needs_ordering=True, suggested_qty__gt=0, tracks_expiry=False)
                .values_list("pk", "suggested_qty")
            )
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
                    payment = Payment.OTHER
                    if at_till:
                        payment = rng.choices(list(PAYMENTS), list(PAYMENTS.values()))[
                            0
                        ]
                    total = sum(
                        p.price * q for p, (_sku, q) in zip(picks, lines, strict=True)
                    )
                    try:
                        sale, _created = sale_create(
                            clerk=clerk,
                            lines=lines,
                            payment=payment,
                            # Customers hand over a round amount.
                            cash_tendered=_round_up(total)
                            if payment == Payment.CASH
                            else None,
                            shift_id=shift and shift.pk,
                        )
                    except InsufficientStock:  # the customer takes something else
                        continue
                    Sale.objects.filter(pk=sale.pk).update(created_at=at)
                    _backdate(
                        StockMovement.objects.filter(reason="sale", ref=str(sale.pk)),
                        at,
                    )
                    sales += 1
                    if payment == Payment.CASH:
                        cash_sales.append((sale, at))
            if shift is not None and days_ago:
                self._cash_up(
                    shift=shift,
                    day=day,
                    cash_sales=cash_sales,
                    clerk=clerk,
                    manager=manager,
                    short=SHORT if days_ago == 1 else Decimal(0),
                )
            elif shift is not None:  # today's shift: the clerk is still at it
                Shift.objects.filter(pk=shift.pk).update(opened_at=min(opening, now))
        self.stdout.write(
            _("History: %(sales)s sales over the last %(days)s days and today")
            % {"sales": sales, "days": HISTORY_DAYS}
        )

    def _lots(self, *, manager) -> None:
        """The perishables' deliveries (LOTS) through the receipt service,
        each dated, then moved back to the morning it came; yesterday
        evening's write-off of expired yoghurt."""
        today = store_today()
        products = dict(
            Product.objects.filter(tracks_expiry=True).values_list("sku", "pk")
        )
        for sku, units, expires_in, received_ago in LOTS:
            day = today - datetime.timedelta(days=received_ago)
            moves = stock_receive(
                supplier=None,
                quantities={products[sku]: units},
                expires_on={products[sku]: today + datetime.timedelta(days=expires_in)},
                # A delivery of the past whose date has passed since.
                allow_past_expiry=True,
                reference=_("delivery %(day)s") % {"day": day},
                user=manager,
            )
            _backdate(moves, min(_at(day, 6, 0), timezone.now()))
        expired = (
            Product.objects.get(sku=LOTS[0][0]).lots.filter(expires_on__lt=today).get()
        )
        moves = lot_write_off(
            lots={expired.pk: WASTED}, reason=_("Expired"), user=manager
        )
        _backdate(moves, _at(today - datetime.timedelta(days=1), 21, 0))
        self.stdout.write(
            _("Perishables: %(lots)s lots, one expiring tomorrow") % {"lots": len(LOTS)}
        )

    def _cash_up(self, *, shift, day, cash_sales, clerk, manager, short) -> None:
        """A customer brings one unit back in the afternoon (cash refund,
        back on the shelf), then the clerk closes the shift at 23:00."""
        sale, at = next(
            ((s, at) for s, at in cash_sales if s.lines.filter(quantity__gte=2)),
            (None, None),
        )
        if sale is not None:
            line = sale.lines.filter(quantity__gte=2).select_related("product")[0]
            back, _created = sale_return(
                sale_id=sale.pk,
                user=clerk,
                approved_by=manager,
                lines=[(line.product.sku, 1)],
                restock=True,
                reason="damaged packaging",
            )
            when = at + datetime.timedelta(hours=2)
            Return.objects.filter(pk=back.pk).update(created_at=when)
            _backdate(StockMovement.objects.filter(ref=f"return {back.pk}"), when)
        expected = shift_cash(shift).expected
        closed = shift_close(shift_id=shift.pk, user=clerk, counted=expected - short)
        Shift.objects.filter(pk=shift.pk).update(
            opened_at=_at(day, 6, 0), closed_at=_at(day, 23, 0)
        )
        self.stdout.write(
            _(
                "Shift %(day)s: expected %(expected)s, counted %(counted)s, "
                "difference %(difference)s"
            )
            % {
                "day": day,
                "expected": money(closed.expected_cash),
                "counted": money(closed.counted_cash),
                "difference": money(closed.difference),
            }
        )


def demo_kiosk_sales(*, kiosk) -> None:
    """Today at the self-checkout: a Pix paid through the payment
    service's webhook, a debit card the attendant confirmed, and a cash
    sale still pending (confirm it in the admin, Sales)."""
    now = timezone.now()
    done = [
        (Payment.PIX, Sale.ConfirmedBy.SERVICE, "E2E-DEMO-0001"),
        (Payment.DEBIT, Sale.ConfirmedBy.ATTENDANT, ""),
        (Payment.CASH, None, ""),
    ]
    drinks = Product.objects.filter(category__name="Bebidas", stock__gte=5)
    for step, (product, (payment, by, reference)) in enumerate(
        zip(drinks.order_by("pk")[:3], done, strict=False), start=1
    ):
        sale, _created = sale_create(
            clerk=kiosk,
            lines=[(product.sku, 1)],
            channel=Sale.Channel.KIOSK,
            payment=payment,
            unattended=True,
        )
        if by is not None:
            sale_payment_confirm(sale_id=sale.pk, by=by, reference=reference)
        at = max(
            now - datetime.timedelta(minutes=10 * step),
            _at(timezone.localdate(now), 0, 0),
        )
        Sale.objects.filter(pk=sale.pk).update(created_at=at)
        _backdate(StockMovement.objects.filter(reason="sale", ref=str(sale.pk)), at)


def _at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return store_midnight(day) + datetime.timedelta(hours=hour, minutes=minute)


def _round_up(total: Decimal) -> Decimal:
    """The note a customer hands over: the next multiple of R$ 10 (or 50)."""
    step = 10 if total < 50 else 50
    return Decimal(math.ceil(total / step) * step)


def _backdate(moves, at: datetime.datetime) -> None:
    """Demo only: put what the services just wrote at its place in the past."""
    ids = [m.pk for m in moves]
    StockMovement.objects.filter(pk__in=ids).update(created_at=at)
    LowStockAlert.objects.filter(movement_id__in=ids).update(opened_at=at)
    closed_by_these = {m.created_at for m in moves}
    LowStockAlert.objects.filter(closed_at__in=closed_by_these).update(closed_at=at)
