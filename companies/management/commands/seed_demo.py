from django.core.management.base import BaseCommand

from ...models import Company
from ...services import company_bootstrap

DEMO_EMAIL = "demo@example.com"


class Command(BaseCommand):
    help = "Create a demo company when the database has none, and print how to call the API."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000", help="Port shown in the example curl line.")

    def handle(self, *args, **options):
        if Company.objects.exists():
            self.stdout.write("The database already has companies; no demo company created.")
            return
        result = company_bootstrap(
            company_name="Demo store",
            currency="USD",
            timezone="UTC",
            admin_email=DEMO_EMAIL,
            admin_full_name="Demo admin",
        )
        company_id, user_id = result.company.pk, result.user.pk
        self.stdout.write(f"Demo company created: company_id={company_id} user_id={user_id}")
        self.stdout.write(
            f"Try: curl -H 'X-User-Id: {user_id}' -H 'X-Company-Id: {company_id}' "
            f"http://127.0.0.1:{options['port']}/api/v1/me"
        )
