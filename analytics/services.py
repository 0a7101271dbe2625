"""Running the alert rules and resolving alerts."""

import json
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from companies.locks import company_lock
from companies.models import Company
from config.api.errors import DomainError

from .models import Alert
from .rules import RULES

logger = logging.getLogger("pos.alerts")


@dataclass(frozen=True)
class AlertRun:
    created: int
    resolved: int


def _log_created(alert: Alert) -> None:
    """One JSON line per new alert, for any log shipper to forward."""
    logger.warning(
        json.dumps(
            {
                "event": "alert.created",
                "company": alert.company_id,
                "kind": alert.kind,
                "severity": alert.severity,
                "subject_type": alert.subject_type,
                "subject_id": alert.subject_id,
                "title": alert.title,
            },
            ensure_ascii=False,
        )
    )


@transaction.atomic
def alerts_run(*, company: Company, now=None) -> AlertRun:
    """Run every rule: open what is new, resolve what has cleared, leave the rest alone.

    Idempotent: an open alert is never duplicated (one open alert per kind and subject).
    """
    company_lock(company.pk)  # two runs for one company never interleave
    now = now or timezone.now()
    created, resolved = 0, 0
    for rule in RULES:
        findings = {(f.subject_type, f.subject_id): f for f in rule.findings(company, now)}
        open_alerts = {
            (a.subject_type, a.subject_id): a
            for a in Alert.objects.filter(company=company, kind=rule.kind, status=Alert.Status.OPEN)
        }
        new = [
            Alert(
                company=company,
                kind=rule.kind,
                severity=finding.severity,
                title=finding.title,
                message=finding.message,
                subject_type=finding.subject_type,
                subject_id=finding.subject_id,
                data=finding.data,
            )
            for subject, finding in findings.items()
            if subject not in open_alerts
        ]
        Alert.objects.bulk_create(new)
        for alert in new:
            _log_created(alert)
        cleared = [alert.pk for subject, alert in open_alerts.items() if subject not in findings]
        if cleared:
            Alert.objects.filter(pk__in=cleared).update(
                status=Alert.Status.RESOLVED, resolved_at=now
            )
        created += len(new)
        resolved += len(cleared)
    return AlertRun(created=created, resolved=resolved)


@transaction.atomic
def alert_resolve(*, actor: Membership, alert: Alert) -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == Alert.Status.RESOLVED:
        raise DomainError("alert_resolved", "The alert is already resolved.")
    alert.status = Alert.Status.RESOLVED
    alert.resolved_at = timezone.now()
    alert.resolved_by = actor.user
    alert.save(update_fields=["status", "resolved_at", "resolved_by"])
    return alert
