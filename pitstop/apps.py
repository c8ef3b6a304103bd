from django.contrib.admin.apps import AdminConfig


class BackOfficeAdminConfig(AdminConfig):
    """Django's admin with the back office's site, whose home is the manager's
    dashboard (reports/site.py)."""

    default_site = "reports.site.BackOfficeSite"
