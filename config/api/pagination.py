from django.core.paginator import Page
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Page-number pages of at most 500 rows.

    The first page is read before counting: when it comes back short it is the whole result
    and needs no COUNT query, so a barcode lookup or a small list is one query.
    """

    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        page_size = self.get_page_size(request)
        if not page_size or request.query_params.get(self.page_query_param, "1") != "1":
            return super().paginate_queryset(queryset, request, view)
        rows = list(queryset[:page_size])
        paginator = self.django_paginator_class(queryset, page_size)
        if len(rows) < page_size:
            paginator.count = len(rows)
        self.request = request
        self.page = Page(rows, 1, paginator)
        return rows
