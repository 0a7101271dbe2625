from django.contrib import admin, messages
from django.utils import timezone

from .models import Alert


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["created_at", "company", "kind", "severity", "status", "title"]
    list_filter = ["status", "kind", "severity"]
    search_fields = ["title", "message", "company__name"]
    list_select_related = ["company"]
    readonly_fields = [f.name for f in Alert._meta.fields]
    actions = ["resolve"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Resolve the selected alerts", permissions=["change"])
    def resolve(self, request, queryset):
        count = queryset.filter(status=Alert.Status.OPEN).update(
            status=Alert.Status.RESOLVED, resolved_at=timezone.now(), resolved_by=request.user
        )
        self.message_user(request, f"{count} alerts resolved.", messages.SUCCESS)
