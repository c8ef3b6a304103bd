from django.db import migrations

from pitstop.roles import grant


def grant_roles(apps, schema_editor):
    # Creates the Kiosks group (pitstop.roles) with what it needs so far.
    grant(apps, "inventory")
    grant(apps, "sales")


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0006_kiosk_flags"),
        ("sales", "0003_translated_names"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
