import django_filters

from config.api.filters import DayFilter, FilterSet, IdFilter

from ..models import AuditEvent


class AuditEventFilter(FilterSet):
    action = django_filters.CharFilter()
    user = IdFilter(field_name="user_id")
    to = DayFilter(field_name="created_at", bound="to")

    class Meta:
        model = AuditEvent
        fields = ["action", "user"]


# `from` is a Python keyword, so it can't be declared in the class body.
AuditEventFilter.base_filters["from"] = DayFilter(field_name="created_at", bound="from")
