import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from accounts.models import Membership
from companies.models import Company, Register
from companies.services import company_bootstrap

from ...demo import demo_history

DEMO_EMAIL = "demo@example.com"


class Command(BaseCommand):
    help = (
        "Create a demo company when the database has none and print how to call the API; "
        "with --days, also fill the demo company with that many days of trading."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000", help="Port shown in the example curl line.")
        parser.add_argument("--days", type=int, default=0, help="Days of sales history to add.")

    def handle(self, *args, **options):
        if not Company.objects.exists():
            result = company_bootstrap(
                company_name="Demo store",
                currency="MXN",
                timezone="America/Mexico_City",
                admin_email=DEMO_EMAIL,
                admin_full_name="Demo admin",
            )
            company_id, user_id = result.company.pk, result.user.pk
            self.stdout.write(f"Demo company created: company_id={company_id} user_id={user_id}")
            self.stdout.write(
                f"Try: curl -H 'X-User-Id: {user_id}' -H 'X-Company-Id: {company_id}' "
                f"http://127.0.0.1:{options['port']}/api/v1/me"
            )
        elif not options["days"]:
            self.stdout.write("The database already has companies; no demo company created.")
            return
        if options["days"]:
            self._history(options["days"])

    def _history(self, days: int) -> None:
        admin = (
            Membership.objects.select_related("company", "company__settings", "user")
            .filter(user__email=DEMO_EMAIL)
            .first()
        )
        if admin is None:
            self.stderr.write(f"No demo company (admin {DEMO_EMAIL}); history not added.")
            return
        admin.user.membership = admin
        register = Register.objects.filter(company=admin.company, is_active=True).first()
        with tqdm(total=days, desc="days", unit="day", disable=not sys.stderr.isatty()) as bar:
            sales = demo_history(admin=admin, register=register, days=days, progress=bar.update)
        self.stdout.write(
            f"{days} days of history added to company {admin.company_id}: {sales} sales"
        )
