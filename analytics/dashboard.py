"""The back office's dashboard page: figures from the reports, a chart drawn as inline SVG
(no script, nothing fetched from elsewhere)."""

import zoneinfo
from decimal import Decimal

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone

from config.api.permissions import user_meets
from config.backoffice.tenancy import backoffice
from inventory.models import StockLevel
from inventory.selectors import low_stock

from .api.views import AlertViewSet, SalesReportView
from .models import Alert
from .selectors import dashboard as dashboard_figures

OPEN_ALERTS_SHOWN = 10
CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM = 720, 220, 12, 24


def _label_place(index: int, count: int, slot: float) -> tuple[float, str]:
    """Where a day's label goes; the first and last stay inside the chart."""
    if index == 0:
        return 0.0, "start"
    if index == count - 1:
        return float(CHART_WIDTH), "end"
    return round(index * slot + slot / 2, 1), "middle"


def chart_bars(daily: list[dict]) -> list[dict]:
    """One bar per day, scaled to the best day; negative days (refunds) stay at zero height."""
    best = max((row["net_total"] for row in daily), default=Decimal(0))
    slot = CHART_WIDTH / len(daily)
    plot = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    bars = []
    for index, row in enumerate(daily):
        height = float(max(row["net_total"], 0) / best) * plot if best > 0 else 0.0
        label_x, anchor = _label_place(index, len(daily), slot)
        bars.append(
            {
                "x": round(index * slot + 1, 1),
                "y": round(CHART_HEIGHT - CHART_BOTTOM - height, 1),
                "width": round(slot - 2, 1),
                "height": round(height, 1),
                "day": row["day"],
                "net_total": row["net_total"],
                "labelled": index % 5 == 0 or index == len(daily) - 1,
                "label_x": label_x,
                "anchor": anchor,
            }
        )
    return bars


def dashboard(request):
    office = backoffice(request)
    context = {**admin.site.each_context(request), "title": "Dashboard"}
    if office.company is None:
        context["choose_company"] = True
        return TemplateResponse(request, "admin/dashboard.html", context)
    if not user_meets(request.user, SalesReportView.permissions_by_action["get"]):
        raise PermissionDenied
    company = office.company
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(company.timezone)).date()
    figures = dashboard_figures(company=company, today=today)
    if user_meets(request.user, AlertViewSet.permissions_by_action["list"]):
        alerts = Alert.objects.filter(company=company, status=Alert.Status.OPEN)
        context["open_alerts"] = list(alerts[:OPEN_ALERTS_SHOWN])
        context["open_alerts_count"] = alerts.count()
    context.update(
        company=company,
        figures=figures,
        bars=chart_bars(figures["daily"]),
        chart={"width": CHART_WIDTH, "height": CHART_HEIGHT, "base": CHART_HEIGHT - CHART_BOTTOM},
        low_stock_count=low_stock(StockLevel.objects.filter(company=company), company).count(),
    )
    return TemplateResponse(request, "admin/dashboard.html", context)
