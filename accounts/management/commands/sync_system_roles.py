from django.core.management.base import BaseCommand

from companies.models import Company

from ...services import system_roles_sync


class Command(BaseCommand):
    help = (
        "Bring every company's system roles up to date with the codes the installed apps "
        "grant them (run after each deploy's migrate; safe to repeat)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", type=int, help="Only this company id.")

    def handle(self, *args, **options):
        companies = Company.objects.order_by("pk")
        if options["company"]:
            companies = companies.filter(pk=options["company"])
        count = 0
        for company in companies.iterator():
            system_roles_sync(company=company)
            count += 1
        self.stdout.write(f"system roles synced for {count} companies")
