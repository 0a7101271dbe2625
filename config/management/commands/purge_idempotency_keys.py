from django.core.management.base import BaseCommand

from config.idempotency import purge_expired_keys


class Command(BaseCommand):
    help = "Delete idempotency keys older than IDEMPOTENCY_KEY_TTL_HOURS (cron-friendly)."

    def handle(self, *args, **options):
        self.stdout.write(f"purged {purge_expired_keys()} idempotency keys")
