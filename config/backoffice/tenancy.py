"""Which company a back-office (admin site) request acts in, and as which membership.

A member signs in with a membership whose roles grant `accounts.access_backoffice`; with
several, the header's switcher keeps the chosen company in the session. Superusers (platform
staff) may choose any company, or none to look across every company.

The chosen membership is attached to the user, as the API's authentication does, so that
`user.has_perm` answers from the same roles through the same backend.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import Membership, Role
from accounts.permissions import ACCESS_BACKOFFICE
from accounts.selectors import holdable_permissions, permission_codes
from companies.models import Company

SESSION_KEY = "backoffice_company_id"


@dataclass(frozen=True)
class BackOffice:
    companies: list[Company]  # those the user may choose
    company: Company | None  # None: a superuser looking across every company
    membership: Membership | None  # who the services see acting


NOBODY = BackOffice(companies=[], company=None, membership=None)


def backoffice_memberships(user) -> QuerySet[Membership]:
    """The user's active memberships whose roles grant back-office access."""
    app_label, codename = ACCESS_BACKOFFICE.split(".")
    granting = Role.objects.filter(
        memberships=OuterRef("pk"),
        permissions__codename=codename,
        permissions__content_type__app_label=app_label,
    )
    return (
        Membership.objects.filter(user=user, is_active=True)
        .filter(Exists(granting))
        .select_related("company", "company__settings")
        .order_by("company__name", "company_id")
    )


def platform_actor(user, company: Company) -> Membership:
    """A superuser acting in a company they need not belong to: an unsaved membership holding
    every code, so that services check and audit them as they do any member."""
    actor = Membership(user=user, company=company, is_active=True)
    actor.permission_codes = frozenset(permission_codes(holdable_permissions()))
    return actor


def _resolve(request) -> BackOffice:
    user = request.user
    if not user.is_active:
        return NOBODY
    chosen = request.session.get(SESSION_KEY)
    if user.is_superuser:
        companies = list(Company.objects.select_related("settings").order_by("name", "pk"))
        company = next((c for c in companies if c.pk == chosen), None)
        membership = platform_actor(user, company) if company is not None else None
        return BackOffice(companies=companies, company=company, membership=membership)
    memberships = list(backoffice_memberships(user))
    if not memberships:
        return NOBODY
    membership = next((m for m in memberships if m.company_id == chosen), memberships[0])
    return BackOffice(
        companies=[m.company for m in memberships],
        company=membership.company,
        membership=membership,
    )


def backoffice(request) -> BackOffice:
    """The request's company and acting membership, resolved once per request."""
    office = getattr(request, "_backoffice", None)
    if office is None:
        office = request._backoffice = _resolve(request)
        request.company = office.company
        request.membership = office.membership
        if office.membership is not None:
            request.user.membership = office.membership
    return office


def choose_company(request, company_id: int | None) -> bool:
    """Keep the choice in the session when the user may choose it (None: every company, for
    superusers only)."""
    office = backoffice(request)
    allowed = {c.pk for c in office.companies}
    if request.user.is_superuser:
        allowed.add(None)
    if company_id not in allowed:
        return False
    request.session[SESSION_KEY] = company_id
    return True
