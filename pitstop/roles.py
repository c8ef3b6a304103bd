"""The roles, Managers, Clerks and Kiosks (self-checkout devices), as groups
with their permissions.

Each app's data migration calls grant(apps, "<app>"), which grants what exists
at that point of the migrations; a model added later gets its permissions from
a later migration calling grant() again (it only adds). A test checks that the
migrated groups hold exactly PERMISSIONS. Managers also need `is_staff` on
their user to reach the admin.
"""

from django.contrib.auth.management import create_permissions

MANAGERS = "Managers"
CLERKS = "Clerks"
KIOSKS = "Kiosks"

_MANAGE = ("add", "change", "delete", "view")

PERMISSIONS: dict[str, dict[str, list[str]]] = {
    MANAGERS: {
        "inventory": [
            f"{action}_{model}"
            for model in ("category", "supplier", "product")
            for action in _MANAGE
        ]
        + ["view_stockmovement", "view_lowstockalert", "change_lowstockalert"]
        # Dating an "expiry unknown" lot and writing units off change a lot.
        + ["view_lot", "change_lot", "view_lotmovement"],
        "sales": [
            "add_sale",
            "view_sale",
            "void_sale",
            "return_sale",
            "view_saleline",
            "view_shift",
            "view_return",
            "view_returnline",
            # Lifting a kiosk's lock on the attendant's PIN.
            "view_attendantpinfailure",
            "delete_attendantpinfailure",
        ],
        "purchasing": [
            f"{action}_{model}"
            for model in ("purchaseorder", "purchaseorderline")
            for action in _MANAGE
        ]
        + ["add_receipt", "view_receipt"],
        "reports": ["view_report", "change_report"],
        "alerts": [f"{action}_recipient" for action in _MANAGE]
        + ["view_delivery", "change_delivery"],
        # Lifting a login lock (django-axes) is deleting its access attempt.
        "axes": ["view_accessattempt", "delete_accessattempt"],
        "kiosk": ["view_kiosk"],
        "django_celery_beat": [
            "view_periodictask",
            "change_periodictask",
            "view_crontabschedule",
            "add_crontabschedule",
            "change_crontabschedule",
        ],
    },
    CLERKS: {
        "inventory": ["view_product"],
        "sales": ["add_sale", "view_sale", "view_saleline"],
    },
    # A kiosk sells (API, channel kiosk), reads the catalogue and its own
    # sales (their payment status); a manager enrols a device by adding its
    # user to this group in the admin.
    KIOSKS: {
        "inventory": ["view_product"],
        "sales": ["add_sale", "view_sale"],
    },
}


def grant(apps, app_label: str) -> None:
    """Give each role its permissions on app_label that exist by now, creating
    the groups as needed.

    Django creates permissions after the last migration; a data migration that
    needs them creates them first."""
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, by_app in PERMISSIONS.items():
        codenames = by_app.get(app_label, [])
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
        group.permissions.add(*permissions)
