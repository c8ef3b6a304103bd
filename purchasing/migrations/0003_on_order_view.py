import django.db.models.deletion
from django.db import migrations, models

# Portable SQL (PostgreSQL and SQLite): CASE rather than GREATEST.
CREATE_VIEW = """
CREATE VIEW purchasing_onorder AS
SELECT line.product_id AS product_id,
       SUM(CASE WHEN line.ordered > line.received
                THEN line.ordered - line.received ELSE 0 END) AS units
FROM purchasing_purchaseorderline AS line
JOIN purchasing_purchaseorder AS po ON po.id = line.order_id
WHERE po.status IN ('sent', 'partial')
GROUP BY line.product_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0009_replenishment"),
        ("purchasing", "0002_roles"),
    ]

    operations = [
        migrations.RunSQL(CREATE_VIEW, "DROP VIEW purchasing_onorder"),
        migrations.CreateModel(
            name="OnOrder",
            fields=[
                (
                    "product",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="on_order_row",
                        serialize=False,
                        to="inventory.product",
                    ),
                ),
                ("units", models.IntegerField()),
            ],
            options={"db_table": "purchasing_onorder", "managed": False},
        ),
    ]
