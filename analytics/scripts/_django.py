"""Standalone analysis scripts read the same database as the server (DATABASE_URL, or the
project's .env) through the project's own settings and report selectors, so their figures
are the API's figures."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def company_or_exit(company_id: int):
    from companies.models import Company

    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        sys.exit(f"No company {company_id}.")
    return company


def report_arguments(description: str):
    """The arguments every report script takes: the company and the days."""
    import argparse
    import datetime as dt

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--company", type=int, required=True, help="company id")
    parser.add_argument(
        "--from",
        dest="day_from",
        type=dt.date.fromisoformat,
        required=True,
        help="first day, YYYY-MM-DD (company time zone)",
    )
    parser.add_argument(
        "--to",
        dest="day_to",
        type=dt.date.fromisoformat,
        required=True,
        help="last day, YYYY-MM-DD (company time zone)",
    )
    return parser
