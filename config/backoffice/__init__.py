"""The admin site as a company-scoped back office for shop staff."""
