from accounts.roles import MANAGER, STOCK_CLERK

VIEW_REPORTS = "analytics.view_reports"
VIEW_ALERT = "analytics.view_alert"
ADD_ALERT = "analytics.add_alert"  # run the alert rules now
CHANGE_ALERT = "analytics.change_alert"  # resolve an alert

DEFAULT_ROLE_GRANTS = {
    MANAGER: {VIEW_REPORTS, VIEW_ALERT, ADD_ALERT, CHANGE_ALERT},
    STOCK_CLERK: {VIEW_ALERT},
}
