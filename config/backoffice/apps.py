from django.contrib.admin.apps import AdminConfig


class BackOfficeAdminConfig(AdminConfig):
    """Django's admin app, with the back office as its default site (`admin.site`)."""

    default_site = "config.backoffice.site.BackOfficeSite"
