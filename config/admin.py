from django.contrib import admin

from .backoffice.options import PlatformAdmin
from .models import IdempotencyKey


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(PlatformAdmin):
    """Platform plumbing, read-only: keys are written by the idempotency layer and purged by
    its command (or deleted here)."""

    list_display = ["created_at", "company", "key", "state", "response_status"]
    list_filter = ["state"]
    search_fields = ["key"]
    list_select_related = ["company"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
