from django.db import migrations

from pitstop.roles import grant


def grant_roles(apps, schema_editor):
    grant(apps, "inventory")


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0010_lots"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
