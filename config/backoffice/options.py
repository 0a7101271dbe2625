"""ModelAdmin bases of the back office: scoped to the chosen company, closed by default.

`CompanyScopedAdmin` is to the admin what `CompanyScopedViewSet` is to the API. Each admin names
the API viewset of its model; a page needs the code the viewset's matching action needs, so
the admin and the API can't disagree about who may do what. Writes go through
`create_object`, `update_object` and `delete_object`, which admins of models with business
rules point at the same services as the API; a broken rule is shown as a message.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.db import transaction
from django.http import Http404, HttpResponseRedirect

from accounts.models import Membership, User
from companies.models import Company
from config.api.errors import DomainError
from config.api.permissions import user_meets

from .tenancy import backoffice

# What each admin verb asks of the API: the action whose permission it needs.
CRUD_ACTIONS = {"view": "list", "add": "create", "change": "partial_update", "delete": "destroy"}
VIEW_ONLY = {"view": "list"}


def company_choices(queryset, company: Company | None):
    """The choices of a related field: only the company's own rows (its members, for users)."""
    model = queryset.model
    if company is None:
        return queryset
    if model is Company:
        return queryset.filter(pk=company.pk)
    if model is User:
        return queryset.filter(memberships__company=company, memberships__is_active=True)
    if any(field.name == "company" for field in model._meta.fields):
        return queryset.filter(company=company)
    return queryset  # not company data (permissions)


class ChosenCompanyField(forms.ModelChoiceField):
    """The `company` of a form: shown, never taken from the request. Being a form field, it
    lets the form check the unique constraints that include the company."""

    def __init__(self, company: Company, **kwargs):
        super().__init__(
            queryset=Company.objects.filter(pk=company.pk),
            empty_label=None,
            disabled=True,
            **kwargs,
        )
        self.company = company

    def clean(self, value):
        return self.company


def actor(request) -> Membership:
    """The membership the services see acting: the member's own, or a superuser's stand-in."""
    return backoffice(request).membership


class BackOfficePermissions:
    """`has_*_permission` from the API's declarations; writes only inside a chosen company."""

    api_viewset = None
    api_actions: dict = CRUD_ACTIONS

    def allows(self, request, verb: str) -> bool:
        action = self.api_actions.get(verb)
        if action is None or not request.user.is_active:
            return False
        office = backoffice(request)
        if verb != "view" and office.company is None:
            return False
        if office.company is None and not request.user.is_superuser:
            return False
        return user_meets(request.user, self.api_viewset.permissions_by_action.get(action))

    def has_module_permission(self, request):
        return self.allows(request, "view")

    def has_view_permission(self, request, obj=None):
        return self.allows(request, "view")

    def has_add_permission(self, request, *args):
        return self.allows(request, "add")

    def has_change_permission(self, request, obj=None):
        return self.allows(request, "change")

    def has_delete_permission(self, request, obj=None):
        return self.allows(request, "delete")


class CompanyScopedAdmin(BackOfficePermissions, admin.ModelAdmin):
    def get_queryset(self, request):
        company = backoffice(request).company
        queryset = super().get_queryset(request)
        if company is None:
            return queryset if request.user.is_superuser else queryset.none()
        return queryset.filter(company=company)

    def get_object(self, request, object_id, from_field=None):
        """Another company's object answers 404, exactly as one that does not exist (the
        admin's own answer is a redirect with a message, which would confirm nothing but
        differs from the API)."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with this id.")
        return obj

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db)
        return company_choices(queryset, backoffice(request).company)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        company = backoffice(request).company
        if db_field.related_model is Company and company is not None:
            return ChosenCompanyField(company, label=db_field.verbose_name.capitalize())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if backoffice(request).company is None:
            return columns
        return [column for column in columns if column != "company"]

    def get_list_filter(self, request):
        """Related filters offer only values the scoped list holds (never other companies')."""
        return [
            (name, RelatedOnlyFieldListFilter)
            if isinstance(name, str) and get_fields_from_path(self.model, name)[-1].is_relation
            else name
            for name in super().get_list_filter(request)
        ]

    # Writes: the hooks that admins of models with business rules override with services.

    def create_object(self, actor: Membership, values: dict):
        return self.model._default_manager.create(company=actor.company, **values)

    def update_object(self, actor: Membership, obj, changes: dict):
        for field, value in changes.items():
            setattr(obj, field, value)
        obj.save()
        return obj

    def delete_object(self, actor: Membership, obj) -> None:
        obj.delete()

    def save_form(self, request, form, change):
        fields = form.changed_data if change else form.cleaned_data
        values = {name: form.cleaned_data[name] for name in fields if name != "company"}
        if not change:
            return self.create_object(actor(request), values)
        # The form has already set the new values on its instance; services compare against
        # the stored row.
        stored = self.model._default_manager.get(pk=form.instance.pk)
        return self.update_object(actor(request), stored, values)

    def save_model(self, request, obj, form, change):
        """Saved already, by `save_form` through the admin's write hooks."""

    def save_related(self, request, form, formsets, change):
        """The write hooks saved the relations (roles, permissions); of the inlines, which are
        read-only, only what the admin's change message reads is done."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        self.delete_object(actor(request), obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def _refusing_broken_rules(self, view, request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            self.message_user(request, error.detail, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, *args, **kwargs):
        return self._refusing_broken_rules(super().changeform_view, request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._refusing_broken_rules(super().delete_view, request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._refusing_broken_rules(super().changelist_view, request, *args, **kwargs)


class ReadOnlyInline(admin.TabularInline):
    """Part of a document or of a product's page: visible to whoever may view it, never
    edited here (documents change only through their services)."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        registry = self.admin_site._registry
        owner = registry.get(self.model) or registry[self.parent_model]
        return owner.has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PlatformAdmin(admin.ModelAdmin):
    """Platform data (companies, users, idempotency keys): superusers only."""

    @staticmethod
    def _platform(request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._platform(request)

    def has_view_permission(self, request, obj=None):
        return self._platform(request)

    def has_add_permission(self, request, *args):
        return self._platform(request)

    def has_change_permission(self, request, obj=None):
        return self._platform(request)

    def has_delete_permission(self, request, obj=None):
        return self._platform(request)
