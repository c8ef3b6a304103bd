import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.models import LowStockAlert
from sales.services import sale_create
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:sales_sale_changelist")


@pytest.fixture
def sale(clerk):
    ProductFactory(sku="COLA", stock=5, reorder_point=3)
    sale, _ = sale_create(clerk=clerk, lines=[("COLA", 2)])
    return sale


def test_the_manager_reads_sales_with_their_lines(manager_client, sale):
    day = timezone.localdate(sale.created_at)
    assert manager_client.get(CHANGELIST).status_code == 200
    for params in (
        {"status__exact": "completed"},
        {"channel__exact": "counter"},
        {"clerk__id__exact": sale.clerk_id},
        {
            "created_at__year": day.year,
            "created_at__month": day.month,
            "created_at__day": day.day,
        },
    ):
        response = manager_client.get(CHANGELIST, params)
        assert [s.pk for s in response.context["cl"].result_list] == [sale.pk]
    page = manager_client.get(reverse("admin:sales_sale_change", args=[sale.pk]))
    assert b"COLA" in page.content


def test_the_manager_voids_a_sale_with_a_reason(manager_client, sale):
    ask = manager_client.post(
        CHANGELIST, {"action": "void_sales", "_selected_action": [sale.pk]}
    )
    assert b"reason" in ask.content

    done = manager_client.post(
        CHANGELIST,
        {"action": "void_sales", "_selected_action": [sale.pk], "reason": "wrong item"},
    )

    assert done.status_code == 302
    sale.refresh_from_db()
    assert (sale.status, sale.void_reason) == ("voided", "wrong item")
    assert sale.lines.get().product.stock == 5


def test_the_low_stock_alerts_are_listed(manager_client, sale):
    assert LowStockAlert.objects.count() == 1
    response = manager_client.get(reverse("admin:inventory_lowstockalert_changelist"))

    assert response.status_code == 200
    assert b"COLA" in response.content


def test_a_clerk_gets_no_sales_admin(clerk_client, sale):
    assert clerk_client.get(CHANGELIST).status_code == 302
