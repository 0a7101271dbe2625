from django.core.management.base import BaseCommand, CommandError

from companies.models import Company

from ...services import alerts_run


class Command(BaseCommand):
    help = "Run every alert rule for every company (or one); safe to repeat, cron-friendly."

    def add_arguments(self, parser):
        parser.add_argument("--company", type=int, help="Only this company id.")

    def handle(self, *args, **options):
        companies = Company.objects.order_by("pk")
        if options["company"]:
            companies = companies.filter(pk=options["company"])
            if not companies.exists():
                raise CommandError(f"No company {options['company']}.")
        created = resolved = failed = 0
        for company in companies.iterator():
            try:
                run = alerts_run(company=company)
            except Exception as exc:  # one company's failure must not stop the others
                failed += 1
                self.stderr.write(f"company {company.pk}: {exc!r}")
                continue
            created += run.created
            resolved += run.resolved
        summary = f"alerts: {created} created, {resolved} resolved, {failed} companies failed"
        if failed:
            raise CommandError(summary)
        self.stdout.write(summary)
