from django.contrib import admin

from config.backoffice.options import CompanyScopedAdmin, PlatformAdmin, ReadOnlyInline

from . import services
from .api.views import LocationViewSet, RegisterViewSet
from .models import Company, CompanySettings, Location, Register


class CompanySettingsInline(ReadOnlyInline):
    model = CompanySettings
    template = "admin/edit_inline/stacked.html"


@admin.register(Company)
class CompanyAdmin(PlatformAdmin):
    """Read-only: a company comes with bootstrap, and its settings change through the API's
    `PATCH /settings` (audited; the currency is locked once it has sales)."""

    list_display = ["id", "name", "currency", "timezone", "created_at"]
    list_filter = ["currency"]
    search_fields = ["name"]
    inlines = [CompanySettingsInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Location)
class LocationAdmin(CompanyScopedAdmin):
    api_viewset = LocationViewSet
    list_display = ["id", "name", "company", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    list_select_related = ["company"]


@admin.register(Register)
class RegisterAdmin(CompanyScopedAdmin):
    api_viewset = RegisterViewSet
    list_display = ["id", "name", "company", "location", "receipt_prefix", "receipt_counter"]
    list_filter = ["is_active"]
    search_fields = ["name", "receipt_prefix"]
    list_select_related = ["company", "location"]
    readonly_fields = ["receipt_counter"]

    def create_object(self, actor, values):
        return services.register_create(actor=actor, **values)

    def update_object(self, actor, obj, changes):
        return services.register_update(actor=actor, register=obj, changes=changes)
