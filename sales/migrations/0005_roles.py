from django.db import migrations

from pitstop.roles import grant


def grant_roles(apps, schema_editor):
    grant(apps, "sales")


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0004_till"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
