import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.models import User
from companies.models import Company
from config.api.errors import DomainError, DomainValidationError

from ...services import products_import


class Command(BaseCommand):
    help = "Upsert a company's products by SKU from a CSV file (the API's import format)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--company", type=int, required=True, help="Company id.")
        parser.add_argument("--user", help="E-mail of the user the audit trail names.")

    def handle(self, *args, **options):
        company = Company.objects.filter(pk=options["company"]).first()
        if company is None:
            raise CommandError(f"No company {options['company']}.")
        user = None
        if options["user"]:
            user = User.objects.filter(email=options["user"].lower()).first()
            if user is None:
                raise CommandError(f"No user {options['user']}.")
        try:
            raw = options["file"].read_bytes()
        except OSError as exc:
            raise CommandError(f"Can't read {options['file']}: {exc}") from exc
        # The bar shows on a terminal only; tqdm writes it to stderr.
        with tqdm(desc="rows", unit="row", disable=not sys.stderr.isatty()) as bar:
            try:
                result = products_import(company=company, user=user, raw=raw, progress=bar.update)
            except DomainValidationError as exc:
                for _attr, _code, detail in exc.errors:
                    self.stderr.write(detail)
                raise CommandError(f"{len(exc.errors)} problems; nothing was imported.") from exc
            except DomainError as exc:
                raise CommandError(exc.detail) from exc
        self.stdout.write(f"created {result.created}, updated {result.updated}")
