"""The admin site as the back office: members sign in by their roles, not by `is_staff`."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from accounts.models import UserManager

from .tenancy import backoffice, backoffice_memberships, choose_company


class BackOfficeLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": (
            "Please enter the correct %(username)s and password of an account with "
            "back-office access. Both fields may be case-sensitive."
        ),
    }

    def clean_username(self):
        return UserManager.normalize_email(self.cleaned_data.get("username"))

    def confirm_login_allowed(self, user):
        AuthenticationForm.confirm_login_allowed(self, user)
        if not (user.is_superuser or backoffice_memberships(user).exists()):
            # The same answer as a wrong password: it tells nothing about the account.
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class BackOfficeSite(admin.AdminSite):
    site_header = "POS back office"
    site_title = "POS back office"
    index_title = "Back office"
    site_url = None
    login_form = BackOfficeLoginForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def register_page(self, route: str, view, *, name: str) -> None:
        """A page of an app (the dashboard) behind the same sign-in, at `admin:<name>`."""
        self._pages.append((route, view, name))

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or backoffice(request).membership is not None)

    def each_context(self, request):
        context = super().each_context(request)
        if context["has_permission"]:
            office = backoffice(request)
            context["backoffice_companies"] = office.companies
            context["backoffice_company"] = office.company
        return context

    def get_urls(self):
        return [
            path("company/", self.admin_view(self.switch_company), name="switch_company"),
            *(path(route, self.admin_view(view), name=name) for route, view, name in self._pages),
            *super().get_urls(),
        ]

    @method_decorator(require_POST)
    def switch_company(self, request):
        raw = request.POST.get("company", "")
        company_id = int(raw) if raw.isascii() and raw.isdigit() else None
        if choose_company(request, company_id):
            chosen = {c.pk: c.name for c in backoffice(request).companies}
            messages.success(request, f"Now working in {chosen.get(company_id, 'every company')}.")
        else:
            messages.error(request, "You can't work in that company here.")
        # To the index: a page of the previous company's object would answer 404 now.
        return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
