from django.core.paginator import Page
from rest_framework import pagination
from rest_framework.exceptions import ErrorDetail, ValidationError

WHOLE_NUMBER = "A whole number of 1 or more, given once."
HUGE = 10**18


def _page_number(request, name: str) -> int | None:
    """The parameter as a whole number >= 1, None when absent; anything else is a 400."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    [value] = values if len(values) == 1 else [""]
    if not (value.isascii() and value.isdigit() and value.strip("0")):
        raise ValidationError({name: [ErrorDetail(WHOLE_NUMBER, code="invalid")]})
    # Past 18 digits any number is "more than there is"; int() of thousands of digits raises.
    return int(value) if len(value) <= 18 else HUGE


class PageNumberPagination(pagination.PageNumberPagination):
    """Page-number pages of at most 500 rows.

    The first page is read before counting: when it comes back short it is the whole result
    and needs no COUNT query, so a barcode lookup or a small list is one query. `page` and
    `page_size` are whole numbers >= 1 (a bad one is a 400, not silently the default); a page
    size above 500 is 500, a page past the last is 404.
    """

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        size = _page_number(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_page_number(self, request, paginator):
        return _page_number(request, self.page_query_param) or 1

    def paginate_queryset(self, queryset, request, view=None):
        page_size = self.get_page_size(request)
        if self.get_page_number(request, None) != 1:
            return super().paginate_queryset(queryset, request, view)
        rows = list(queryset[:page_size])
        paginator = self.django_paginator_class(queryset, page_size)
        if len(rows) < page_size:
            paginator.count = len(rows)
        self.request = request
        self.page = Page(rows, 1, paginator)
        return rows

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
