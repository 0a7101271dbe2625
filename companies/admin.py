from django.contrib import admin

from .models import Company, CompanySettings, Location, Register


class CompanySettingsInline(admin.StackedInline):
    model = CompanySettings
    can_delete = False


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "currency", "timezone", "created_at"]
    list_filter = ["currency"]
    search_fields = ["name"]
    inlines = [CompanySettingsInline]

    def has_add_permission(self, request):
        # A company comes with settings, roles and an admin: create it with bootstrap.
        return False


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "company", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "company__name"]
    list_select_related = ["company"]


@admin.register(Register)
class RegisterAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "company", "location", "receipt_prefix", "receipt_counter"]
    list_filter = ["is_active"]
    search_fields = ["name", "receipt_prefix", "company__name"]
    list_select_related = ["company", "location"]
    readonly_fields = ["receipt_counter"]
