from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import Permission, PermissionsMixin, _user_has_perm
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.functional import cached_property

from companies.models import Company


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        """E-mail is the login and matches case-insensitively, so it is stored lower-case."""
        return super().normalize_email(email or "").strip().lower()

    def create_user(self, email, password=None, **extra):
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person; what they may do comes from the roles of their membership in each company."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True, default="")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False,
        help_text=(
            "Unused by this project's sign-in: the back office admits superusers and members "
            "whose roles grant accounts.access_backoffice."
        ),
    )
    date_joined = models.DateTimeField(auto_now_add=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        default_permissions = ()

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = UserManager.normalize_email(self.email)

    def has_perm(self, perm, obj=None):
        # Acting in a company (a membership is attached): only its roles count, even for a
        # superuser. Without one (the platform admin site) Django's superuser rule applies.
        if getattr(self, "membership", None) is not None:
            return _user_has_perm(self, perm, obj)
        return super().has_perm(perm, obj)


class Role(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(max_length=64)
    permissions = models.ManyToManyField(Permission, blank=True, related_name="roles")
    # System roles are the four that bootstrap seeds; `seeded_permissions` records which default
    # codes have been granted once, so a later sync adds only codes that are new.
    is_system = models.BooleanField(default=False)
    seeded_permissions = models.ManyToManyField(Permission, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="role_unique_name")]

    def __str__(self):
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    roles = models.ManyToManyField(Role, blank=True, related_name="memberships")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        permissions = [("access_backoffice", "Can sign in to the back office (the admin site)")]
        constraints = [
            models.UniqueConstraint(fields=["company", "user"], name="membership_unique_user")
        ]

    def __str__(self):
        return f"{self.user} @ {self.company}"

    @cached_property
    def permission_codes(self) -> frozenset[str]:
        rows = Permission.objects.filter(roles__memberships=self).values_list(
            "content_type__app_label", "codename"
        )
        return frozenset(f"{app_label}.{codename}" for app_label, codename in rows)


class AuditEvent(models.Model):
    """Append-only record of sensitive actions; nothing in the code updates or deletes one."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="audit_events")
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True, default="")
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        default_permissions = ("view",)
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "-created_at"], name="audit_company_created")]

    def __str__(self):
        return f"{self.action} {self.object_type}:{self.object_id}"
