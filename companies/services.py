"""Every write of companies, their settings, locations and registers, and bootstrap."""

from dataclasses import dataclass

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Round

from accounts.models import Membership, Role, User
from accounts.roles import ADMIN
from accounts.services import audit_record, system_roles_sync
from config.api.errors import DomainError

from .currencies import currency_decimals
from .locks import company_lock, register_lock
from .models import Company, CompanySettings, Location, Register

COMPANY_FIELDS = ("name", "currency", "timezone")


@dataclass(frozen=True)
class BootstrapResult:
    company: Company
    user: User
    location: Location
    register: Register
    roles: list[Role]


@transaction.atomic
def company_bootstrap(
    *,
    company_name: str,
    currency: str,
    timezone: str,
    admin_email: str,
    admin_full_name: str = "",
    admin_password: str | None = None,
) -> BootstrapResult:
    """A company ready to sell: settings, the system roles, its admin, one store, one register."""
    email = User.objects.normalize_email(admin_email)
    user_exists = DomainError("user_exists", "A user with this email already exists.")
    if User.objects.filter(email=email).exists():
        raise user_exists
    company = Company.objects.create(name=company_name, currency=currency, timezone=timezone)
    CompanySettings.objects.create(company=company)
    roles = system_roles_sync(company=company)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email, password=admin_password, full_name=admin_full_name
            )
    except IntegrityError:  # the same e-mail bootstrapped concurrently
        raise user_exists from None
    membership = Membership.objects.create(user=user, company=company)
    membership.roles.set([role for role in roles if role.name == ADMIN])
    location = Location.objects.create(company=company, name="Main store")
    register = Register.objects.create(
        company=company, location=location, name="Register 1", receipt_prefix="R1"
    )
    audit_record(
        company=company,
        user=user,
        action="company.bootstrap",
        obj=company,
        data={"name": company_name, "currency": currency, "timezone": timezone},
    )
    return BootstrapResult(company, user, location, register, roles)


def company_has_sales(company: Company) -> bool:
    if not apps.is_installed("sales"):
        return False
    return apps.get_model("sales", "Sale").objects.filter(company=company).exists()


def _refuse_currency_change(company: Company, currency: str) -> None:
    """Sales fix the currency; prices must be expressible in the new one's minor unit."""
    if company_has_sales(company):
        raise DomainError(
            "currency_locked", "The currency can't change once the company has sales."
        )
    places = currency_decimals(currency)
    Product = apps.get_model("catalog", "Product")
    misfits = Product.objects.filter(company=company).filter(
        ~Q(price=Round("price", places)) | ~Q(cost=Round("cost", places))
    )
    if misfits.exists():
        raise DomainError(
            "currency_decimals",
            f"Some prices or costs have more decimals than {currency} allows; change them first.",
        )


@transaction.atomic
def settings_update(*, actor: Membership, changes: dict) -> CompanySettings:
    company = company_lock(actor.company_id)
    settings = CompanySettings.objects.select_for_update().get(company=company)
    settings.company = company
    diff = {}
    for field, value in changes.items():
        target = company if field in COMPANY_FIELDS else settings
        old = getattr(target, field)
        if old != value:
            diff[field] = [old, value]
            setattr(target, field, value)
    if "currency" in diff:
        _refuse_currency_change(company, company.currency)
    if diff:
        company_changes = [field for field in COMPANY_FIELDS if field in diff]
        if company_changes:
            company.save(update_fields=company_changes)
        settings.save()
        audit_record(
            company=company, user=actor.user, action="settings.update", obj=settings, data=diff
        )
    return settings


def _free_receipt_prefix(company: Company) -> str:
    taken = set(Register.objects.filter(company=company).values_list("receipt_prefix", flat=True))
    number = len(taken) + 1
    while f"R{number}" in taken:
        number += 1
    return f"R{number}"


def _refuse_inactive_location(location: Location):
    if not location.is_active:
        raise DomainError(
            "location_inactive", "The location is inactive.", status=400, attr="location"
        )


@transaction.atomic
def register_create(
    *,
    actor: Membership,
    location: Location,
    name: str,
    receipt_prefix: str = "",
    is_active: bool = True,
) -> Register:
    company_lock(actor.company_id)
    _refuse_inactive_location(location)
    return Register.objects.create(
        company=actor.company,
        location=location,
        name=name,
        receipt_prefix=receipt_prefix or _free_receipt_prefix(actor.company),
        is_active=is_active,
    )


@transaction.atomic
def register_update(*, actor: Membership, register: Register, changes: dict) -> Register:
    """Change a register's details; its receipt counter belongs to sales and is not written."""
    if "location" in changes:
        _refuse_inactive_location(changes["location"])
    register = register_lock(register.pk)
    for field, value in changes.items():
        setattr(register, field, value)
    register.save(update_fields=list(changes))
    return register
