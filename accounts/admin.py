from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from knox.admin import AuthTokenAdmin as KnoxAuthTokenAdmin
from knox.models import AuthToken

from config.backoffice.options import VIEW_ONLY, CompanyScopedAdmin, PlatformAdmin

from . import services
from .api.views import AuditEventViewSet, RoleViewSet, UserViewSet
from .models import AuditEvent, Membership, Role, User
from .selectors import holdable_permissions, permission_code

# Roles of memberships hold permissions; Django's groups are not used (MembershipBackend).
admin.site.unregister(Group)
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(PlatformAdmin, KnoxAuthTokenAdmin):
    """Bearer tokens, stored hashed: platform staff only."""


@admin.register(User)
class UserAdmin(PlatformAdmin, BaseUserAdmin):
    """People across every company: platform staff only. Members are managed per company
    on the memberships page."""

    ordering = ["email"]
    list_display = ["id", "email", "full_name", "is_active", "is_staff", "is_superuser"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal = []


@admin.register(Role)
class RoleAdmin(CompanyScopedAdmin):
    """Through the API's services: nobody grants a code they don't hold, `admin` is fixed."""

    api_viewset = RoleViewSet
    list_display = ["id", "name", "company", "is_system"]
    list_filter = ["is_system"]
    search_fields = ["name"]
    fields = ["company", "name", "permissions", "is_system"]
    readonly_fields = ["is_system"]
    filter_horizontal = ["permissions"]
    list_select_related = ["company"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "permissions":
            kwargs["queryset"] = holdable_permissions()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @staticmethod
    def _codes(permissions) -> list[str]:
        return [permission_code(p) for p in permissions]

    def create_object(self, actor, values):
        return services.role_create(
            actor=actor, name=values["name"], permission_codes=self._codes(values["permissions"])
        )

    def update_object(self, actor, obj, changes):
        codes = self._codes(changes["permissions"]) if "permissions" in changes else None
        return services.role_update(
            actor=actor, role=obj, name=changes.get("name"), permission_codes=codes
        )

    def delete_object(self, actor, obj):
        services.role_delete(actor=actor, role=obj)


class MembershipAddForm(forms.ModelForm):
    """A new member by e-mail: the user is created, or an existing user joins the company."""

    email = forms.EmailField(max_length=254)
    full_name = forms.CharField(max_length=200, required=False)
    password = forms.CharField(
        widget=forms.PasswordInput,
        required=False,
        max_length=128,
        help_text="Only used when the e-mail has no user yet.",
    )

    class Meta:
        model = Membership
        fields = ["email", "full_name", "password", "roles"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password"):
            person = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                validate_password(cleaned["password"], user=person)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


@admin.register(Membership)
class MembershipAdmin(CompanyScopedAdmin):
    """The company's users. Deactivating (unticking active) is the API's DELETE; nobody
    manages a member holding codes they don't hold, and the last admin stays."""

    api_viewset = UserViewSet
    api_actions = {"view": "list", "add": "create", "change": "partial_update"}
    list_display = ["id", "user", "member_name", "role_names", "company", "is_active"]
    list_filter = ["is_active", "roles"]
    search_fields = ["user__email", "user__full_name"]
    fields = ["user", "roles", "is_active"]
    readonly_fields = ["user"]
    filter_horizontal = ["roles"]
    list_select_related = ["user", "company"]
    add_form = MembershipAddForm

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles")

    @admin.display(description="name", ordering="user__full_name")
    def member_name(self, membership):
        return membership.user.full_name

    @admin.display(description="roles")
    def role_names(self, membership):
        return ", ".join(role.name for role in membership.roles.all())

    def get_fields(self, request, obj=None):
        return self.add_form.Meta.fields if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else super().get_readonly_fields(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def create_object(self, actor, values):
        return services.membership_create(
            actor=actor,
            email=values["email"],
            full_name=values.get("full_name", ""),
            password=values.get("password") or None,
            roles=list(values["roles"]),
        )

    def update_object(self, actor, obj, changes):
        roles = list(changes["roles"]) if "roles" in changes else None
        return services.membership_update(
            actor=actor, membership=obj, roles=roles, is_active=changes.get("is_active")
        )


@admin.register(AuditEvent)
class AuditEventAdmin(CompanyScopedAdmin):
    api_viewset = AuditEventViewSet
    api_actions = VIEW_ONLY
    list_display = ["created_at", "company", "user", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "object_id", "user__email"]
    list_select_related = ["company", "user"]
    date_hierarchy = "created_at"
