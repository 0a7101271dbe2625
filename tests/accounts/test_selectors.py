"""`active_membership` reads in one hand-written query what the ORM would read in two."""

from decimal import Decimal

from django.contrib.auth.models import Permission
from django.db.models import Model

from accounts.models import Membership
from accounts.selectors import active_membership, permission_codes
from companies.models import CompanySettings


def field_values(instance: Model) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def orm_membership(member: Membership) -> Membership:
    return Membership.objects.select_related("user", "company", "company__settings").get(
        pk=member.pk
    )


def test_reads_what_the_orm_reads_with_typed_values(tenant):
    CompanySettings.objects.filter(company=tenant.company).update(
        max_discount_percent=Decimal("12.50"), receipt_footer="¡Gracias!"
    )
    member = tenant.member("cashier", "manager")
    expected = orm_membership(member)

    found = active_membership(user_id=member.user_id, company_id=tenant.company.pk)

    for read, orm in [
        (found, expected),
        (found.user, expected.user),
        (found.company, expected.company),
        (found.company.settings, expected.company.settings),
    ]:
        assert type(read) is type(orm) and field_values(read) == field_values(orm)
        assert not read._state.adding
    assert found.company.settings.max_discount_percent == Decimal("12.50")
    assert found.user.date_joined.tzinfo is not None


def test_carries_its_relations_and_permission_codes(tenant, django_assert_num_queries):
    member = tenant.member("cashier", codes=["catalog.view_product", "sales.void_sale"])
    expected = set(permission_codes(Permission.objects.filter(roles__memberships=member)))

    with django_assert_num_queries(1):
        found = active_membership(user_id=member.user_id, company_id=tenant.company.pk)
        assert found.user.email == member.user.email
        assert found.company.settings.company_id == tenant.company.pk
        assert found.permission_codes == expected
    assert {"catalog.view_product", "sales.void_sale"} <= found.permission_codes


def test_a_member_without_roles_holds_no_code(tenant):
    member = tenant.member()
    found = active_membership(user_id=member.user_id, company_id=tenant.company.pk)
    assert found.pk == member.pk and found.permission_codes == frozenset()


def test_inactive_or_foreign_memberships_are_not_found(tenant, other_tenant):
    inactive = tenant.member("cashier")
    inactive.is_active = False
    inactive.save()
    gone = tenant.member("cashier")
    gone.user.is_active = False
    gone.user.save()
    member = tenant.member("cashier")

    assert active_membership(user_id=inactive.user_id, company_id=tenant.company.pk) is None
    assert active_membership(user_id=gone.user_id, company_id=tenant.company.pk) is None
    assert active_membership(user_id=member.user_id, company_id=other_tenant.company.pk) is None
