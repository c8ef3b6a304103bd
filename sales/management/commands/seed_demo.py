from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

import inventory
from inventory.importing import products_import
from inventory.models import Product, Supplier
from pitstop.roles import CLERKS, MANAGERS

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
]


class Command(BaseCommand):
    help = "Load the demo store: suppliers, ~60 products, a manager and a clerk."

    @transaction.atomic
    def handle(self, *args, **options):
        if Product.objects.exists():
            self.stdout.write("The catalogue is already loaded; left as it is.")
        else:
            self._load_catalogue()
        User = get_user_model()
        for username, password, group, is_staff in USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": is_staff}
            )
            if created:
                user.set_password(password)
                user.save()
            user.groups.add(Group.objects.get(name=group))
            self.stdout.write(f"{group[:-1]}: {username} / {password}")

    def _load_catalogue(self) -> None:
        for name, email, phone, lead in SUPPLIERS:
            Supplier.objects.update_or_create(
                name=name,
                defaults={"email": email, "phone": phone, "lead_time_days": lead},
            )
        summary = products_import(data=CATALOGUE.read_bytes(), source="demo catalogue")
        self.stdout.write(f"Catalogue: {summary}")
