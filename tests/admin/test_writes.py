"""Allowed writes, with their effect: through the API's services, rules included."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages

from accounts.models import AuditEvent, Membership, Role
from analytics.models import Alert
from analytics.services import alerts_run
from catalog.models import Category, Product, TaxRate
from companies.models import Location, Register
from inventory.services import StockLine, stock_receive
from tests.factories import PASSWORD, UserFactory

from .conftest import admin_url, backoffice_client

pytestmark = pytest.mark.django_db


def url_of(model, page, *args):
    return admin_url(admin.site._registry[model], page, *args)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def product(tenant):
    return Product.objects.create(company=tenant.company, sku="P1", name="Coffee", price=10)


def product_form(product, **changes):
    data = {
        "company": product.company_id,
        "sku": product.sku,
        "barcode": product.barcode,
        "name": product.name,
        "category": "",
        "tax_rate": "",
        "price": product.price,
        "cost": product.cost,
        "track_inventory": "on",
        "is_active": "on",
        "reorder_point": "0",
        "unit": product.unit,
        "stock_levels-TOTAL_FORMS": "0",
        "stock_levels-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_a_manager_edits_a_price_and_the_change_is_audited(tenant, product):
    manager = tenant.member("manager")
    response = backoffice_client(manager).post(
        url_of(Product, "change", product.pk), product_form(product, price="12.50")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    product.refresh_from_db()
    assert product.price == Decimal("12.50")
    event = AuditEvent.objects.get(action="product.price_change")
    assert (event.user, event.company, event.object_id) == (
        manager.user,
        tenant.company,
        str(product.pk),
    )
    assert event.data == {"price": ["10.00", "12.50"]}


def test_a_price_with_more_decimals_than_the_currency_is_refused(tenant, product):
    response = backoffice_client(tenant.member("manager")).post(
        url_of(Product, "change", product.pk), product_form(product, price="12.505")
    )
    assert response.status_code == 200
    assert "price" in response.context["adminform"].form.errors
    product.refresh_from_db()
    assert product.price == 10


def test_a_product_added_is_the_chosen_companys_whatever_is_posted(tenant, other_tenant):
    data = product_form(Product(sku="N1", name="New", price=5), company=other_tenant.company.pk)
    response = backoffice_client(tenant.member("manager")).post(url_of(Product, "add"), data)
    assert response.status_code == 302
    assert Product.objects.get(sku="N1").company == tenant.company


def test_another_companys_category_is_not_a_choice(tenant, other_tenant, product):
    foreign = Category.objects.create(company=other_tenant.company, name="Theirs")
    response = backoffice_client(tenant.member("manager")).post(
        url_of(Product, "change", product.pk), product_form(product, category=foreign.pk)
    )
    assert "category" in response.context["adminform"].form.errors
    product.refresh_from_db()
    assert product.category is None


def test_a_duplicate_name_is_a_form_error_not_a_crash(tenant):
    TaxRate.objects.create(company=tenant.company, name="VAT", rate=16)
    response = backoffice_client(tenant.admin).post(
        url_of(TaxRate, "add"), {"company": tenant.company.pk, "name": "VAT", "rate": "8"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert TaxRate.objects.filter(company=tenant.company).count() == 1


def test_a_tax_rate_in_use_is_not_deleted(tenant, product):
    rate = TaxRate.objects.create(company=tenant.company, name="VAT", rate=16)
    product.tax_rate = rate
    product.save()
    response = backoffice_client(tenant.admin).post(
        url_of(TaxRate, "delete", rate.pk), {"post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert TaxRate.objects.filter(pk=rate.pk).exists()


def test_a_category_cycle_is_refused_with_the_services_message(tenant):
    parent = Category.objects.create(company=tenant.company, name="Drinks")
    child = Category.objects.create(company=tenant.company, name="Hot", parent=parent)
    response = backoffice_client(tenant.admin).post(
        url_of(Category, "change", parent.pk),
        {"company": tenant.company.pk, "name": "Drinks", "parent": child.pk},
    )
    assert response.status_code == 302
    assert any("under itself" in m for m in messages_of(response))
    parent.refresh_from_db()
    assert parent.parent is None


def test_a_register_added_goes_through_its_service(tenant):
    response = backoffice_client(tenant.admin).post(
        url_of(Register, "add"),
        {
            "company": tenant.company.pk,
            "location": tenant.location.pk,
            "name": "Register 2",
            "receipt_prefix": "R2",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    register = Register.objects.get(name="Register 2")
    assert (register.company, register.receipt_counter) == (tenant.company, 0)


def test_a_register_cant_move_to_an_inactive_location(tenant):
    closed = Location.objects.create(company=tenant.company, name="Closed", is_active=False)
    register = tenant.register
    response = backoffice_client(tenant.admin).post(
        url_of(Register, "change", register.pk),
        {
            "company": tenant.company.pk,
            "location": closed.pk,
            "name": register.name,
            "receipt_prefix": register.receipt_prefix,
            "is_active": "on",
        },
    )
    assert any("inactive" in m for m in messages_of(response))
    register.refresh_from_db()
    assert register.location == tenant.location


def test_nobody_grants_a_permission_they_dont_hold(tenant):
    role_manager = tenant.member(
        codes=["accounts.access_backoffice", "accounts.view_role", "accounts.add_role"]
    )
    void = Role.objects.get(company=tenant.company, name="admin").permissions.get(
        codename="void_sale"
    )
    response = backoffice_client(role_manager).post(
        url_of(Role, "add"),
        {"company": tenant.company.pk, "name": "Voider", "permissions": [void.pk]},
    )
    assert any("permissions you don't hold" in m for m in messages_of(response))
    assert not Role.objects.filter(name="Voider").exists()


def test_an_admin_creates_a_role_through_the_service(tenant):
    view_product = Role.objects.get(company=tenant.company, name="admin").permissions.get(
        codename="view_product"
    )
    response = backoffice_client(tenant.admin).post(
        url_of(Role, "add"),
        {"company": tenant.company.pk, "name": "Viewer", "permissions": [view_product.pk]},
    )
    assert response.status_code == 302
    role = Role.objects.get(company=tenant.company, name="Viewer")
    assert [p.codename for p in role.permissions.all()] == ["view_product"]
    assert AuditEvent.objects.filter(action="role.create", object_id=str(role.pk)).exists()


def test_the_admin_role_cant_be_changed(tenant):
    role = Role.objects.get(company=tenant.company, name="admin")
    count = role.permissions.count()
    response = backoffice_client(tenant.admin).post(
        url_of(Role, "change", role.pk),
        {"company": tenant.company.pk, "name": "admin", "permissions": []},
    )
    assert any("can't be changed" in m for m in messages_of(response))
    assert role.permissions.count() == count


def test_an_admin_adds_a_member_by_email(tenant):
    cashier = Role.objects.get(company=tenant.company, name="cashier")
    response = backoffice_client(tenant.admin).post(
        url_of(Membership, "add"),
        {
            "email": "New@Example.com",
            "full_name": "New",
            "password": PASSWORD,
            "roles": [cashier.pk],
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(company=tenant.company, user__email="new@example.com")
    assert list(membership.roles.all()) == [cashier]
    assert membership.user.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action="membership.create").exists()


def test_an_existing_user_of_another_company_joins_without_seeing_their_details(
    tenant, other_tenant
):
    outsider = other_tenant.member("manager")
    response = backoffice_client(tenant.admin).post(
        url_of(Membership, "add"), {"email": outsider.user.email, "roles": []}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(company=tenant.company, user=outsider.user).exists()


def test_the_last_admin_cant_be_deactivated(tenant):
    admin_role = Role.objects.get(company=tenant.company, name="admin")
    response = backoffice_client(tenant.admin).post(
        url_of(Membership, "change", tenant.admin.pk), {"roles": [admin_role.pk]}
    )
    assert any("at least one active admin" in m for m in messages_of(response))
    tenant.admin.refresh_from_db()
    assert tenant.admin.is_active


def test_a_manager_cant_manage_members(tenant):
    member = tenant.member("cashier")
    client = backoffice_client(tenant.member("manager"))
    assert client.get(url_of(Membership, "changelist")).status_code == 200
    response = client.post(url_of(Membership, "change", member.pk), {"is_active": ""})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.is_active


@pytest.fixture
def low_stock_alert(tenant, product):
    stock_receive(
        actor=tenant.admin,
        location=tenant.location,
        lines=[StockLine(product=product, quantity=Decimal(1), unit_cost=Decimal(3))],
    )
    alerts_run(company=tenant.company)
    return Alert.objects.get(company=tenant.company, kind=Alert.Kind.LOW_STOCK)


def test_alerts_are_resolved_through_the_service(tenant, low_stock_alert):
    alert = low_stock_alert
    manager = tenant.member("manager")
    response = backoffice_client(manager).post(
        url_of(Alert, "changelist"), {"action": "resolve", "_selected_action": [alert.pk]}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.resolved_by) == (Alert.Status.RESOLVED, manager.user)


def test_a_stock_clerk_sees_alerts_but_cant_resolve_them(tenant, low_stock_alert):
    client = backoffice_client(tenant.member("stock_clerk", codes=["accounts.access_backoffice"]))
    response = client.get(url_of(Alert, "changelist"))
    assert response.status_code == 200
    assert response.context["action_form"] is None  # neither resolve nor delete
    response = client.post(
        url_of(Alert, "changelist"), {"action": "resolve", "_selected_action": [low_stock_alert.pk]}
    )
    low_stock_alert.refresh_from_db()
    assert low_stock_alert.status == Alert.Status.OPEN


def test_documents_are_read_only_even_for_an_admin(tenant):
    client = backoffice_client(tenant.admin)
    for model in ("sales.sale", "sales.shift", "inventory.stockmovement", "accounts.auditevent"):
        model_admin = next(a for a in admin.site._registry.values() if a.opts.label_lower == model)
        assert client.get(admin_url(model_admin, "add")).status_code == 403, model


def test_a_superuser_acting_in_a_company_is_audited_as_themselves(tenant, product):
    staff = UserFactory(is_superuser=True)
    client = backoffice_client(Membership(user=staff, company=tenant.company))
    response = client.post(url_of(Product, "change", product.pk), product_form(product, price="11"))
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="product.price_change").user == staff
