import pytest
from django.contrib.auth.models import Group

from pitstop.roles import PERMISSIONS

pytestmark = pytest.mark.django_db


def test_the_migrations_give_each_role_exactly_its_permissions():
    for role, by_app in PERMISSIONS.items():
        granted = set(
            Group.objects.get(name=role).permissions.values_list(
                "content_type__app_label", "codename"
            )
        )
        expected = {(app, code) for app, codes in by_app.items() for code in codes}
        assert granted == expected, role
