import django_filters

from config.timezones import company_day_start

from ..models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    """`from` and `to` are dates (YYYY-MM-DD) in the company's time zone, both inclusive."""

    action = django_filters.CharFilter()
    user = django_filters.NumberFilter(field_name="user_id")
    to = django_filters.DateFilter(method="filter_to", help_text="Last day, inclusive.")

    class Meta:
        model = AuditEvent
        fields = ["action", "user"]

    def filter_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=company_day_start(self.request.company, value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(
            created_at__lt=company_day_start(self.request.company, value, days=1)
        )


# `from` is a Python keyword, so it can't be declared in the class body.
AuditEventFilter.base_filters["from"] = django_filters.DateFilter(
    method="filter_from", help_text="First day, inclusive."
)
