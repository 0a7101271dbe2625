from django.contrib.auth.backends import ModelBackend


class MembershipBackend(ModelBackend):
    """Email + password sign-in; permissions from the roles of the *current* membership.

    Authentication attaches the membership of the company the request names to the user
    (`user.membership`); without one the user holds no permission. Django's per-user and
    group permissions are not used.
    """

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        membership = getattr(user_obj, "membership", None)
        if membership is None or not membership.is_active:
            return set()
        return set(membership.permission_codes)
