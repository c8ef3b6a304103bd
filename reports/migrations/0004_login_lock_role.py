from django.db import migrations

from pitstop.roles import grant


def grant_roles(apps, schema_editor):
    grant(apps, "axes")


class Migration(migrations.Migration):
    """Managers may lift a login lock (django-axes); kept here, beside the
    other roles that name another project's models (django_celery_beat)."""

    dependencies = [
        ("reports", "0003_translated_names"),
        ("axes", "0010_accessattemptexpiration"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
