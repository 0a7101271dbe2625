from django.contrib import admin, messages

from config.backoffice.options import CompanyScopedAdmin, actor

from . import services
from .api.views import AlertViewSet
from .dashboard import dashboard
from .models import Alert


@admin.register(Alert)
class AlertAdmin(CompanyScopedAdmin):
    """Read-only but for resolving, which the API's `resolve` permission allows."""

    api_viewset = AlertViewSet
    api_actions = {"view": "list", "resolve": "resolve"}
    list_display = ["created_at", "company", "kind", "severity", "status", "title"]
    list_filter = ["status", "kind", "severity"]
    search_fields = ["title", "message"]
    list_select_related = ["company"]
    readonly_fields = [f.name for f in Alert._meta.fields]
    actions = ["resolve"]

    def has_resolve_permission(self, request):
        return self.allows(request, "resolve")

    @admin.action(description="Resolve the selected alerts", permissions=["resolve"])
    def resolve(self, request, queryset):
        alerts = queryset.filter(status=Alert.Status.OPEN)
        for alert in alerts:
            services.alert_resolve(actor=actor(request), alert=alert)
        self.message_user(request, f"{len(alerts)} alerts resolved.", messages.SUCCESS)


admin.site.register_page("dashboard/", dashboard, name="dashboard")
