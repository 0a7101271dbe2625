from django.core.management.base import BaseCommand, CommandError

from config.api.errors import DomainError

from ...api.bootstrap import BootstrapSerializer
from ...services import company_bootstrap


class Command(BaseCommand):
    help = "Create a company with its admin, system roles, settings, a store and a register."

    def add_arguments(self, parser):
        parser.add_argument("--company-name", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="")
        parser.add_argument("--admin-password", default=None)
        parser.add_argument("--currency", default="USD", help="ISO 4217 code (default USD)")
        parser.add_argument("--timezone", default="UTC", help="IANA zone (default UTC)")

    def handle(self, *args, **options):
        admin = {"email": options["admin_email"], "full_name": options["admin_name"]}
        if options["admin_password"]:
            admin["password"] = options["admin_password"]
        serializer = BootstrapSerializer(
            data={
                "company": {
                    "name": options["company_name"],
                    "currency": options["currency"],
                    "timezone": options["timezone"],
                },
                "admin": admin,
            }
        )
        if not serializer.is_valid():
            raise CommandError(f"invalid input: {serializer.errors}")
        try:
            result = company_bootstrap(**serializer.service_arguments())
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(f"company_id={result.company.pk} user_id={result.user.pk}")
