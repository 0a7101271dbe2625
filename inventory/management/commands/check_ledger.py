from django.core.management.base import BaseCommand, CommandError

from ...selectors import ledger_mismatches


class Command(BaseCommand):
    help = "Prove every stock level equals the sum of its movements; exit 1 naming any that differ."

    def add_arguments(self, parser):
        parser.add_argument("--company", type=int, help="Only this company id.")

    def handle(self, *args, **options):
        mismatches = ledger_mismatches(company_id=options["company"])
        for row in mismatches:
            self.stderr.write(
                f"company {row['company']} product {row['product']} location {row['location']}: "
                f"level {row['level'] if row['level'] is not None else 'missing'}, "
                f"movements sum to {row['ledger']}"
            )
        if mismatches:
            raise CommandError(f"{len(mismatches)} stock levels disagree with the ledger.")
        self.stdout.write("ledger ok: every stock level equals the sum of its movements")
