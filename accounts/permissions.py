from .roles import MANAGER

VIEW_ROLE = "accounts.view_role"
ADD_ROLE = "accounts.add_role"
CHANGE_ROLE = "accounts.change_role"
DELETE_ROLE = "accounts.delete_role"
VIEW_MEMBERSHIP = "accounts.view_membership"
ADD_MEMBERSHIP = "accounts.add_membership"
CHANGE_MEMBERSHIP = "accounts.change_membership"
DELETE_MEMBERSHIP = "accounts.delete_membership"
VIEW_AUDITEVENT = "accounts.view_auditevent"
# Signing in to the admin site; what a member sees there is still what their roles allow.
ACCESS_BACKOFFICE = "accounts.access_backoffice"

# Managers see who works here and what happened, but do not manage users or roles.
DEFAULT_ROLE_GRANTS = {
    MANAGER: {VIEW_ROLE, VIEW_MEMBERSHIP, VIEW_AUDITEVENT, ACCESS_BACKOFFICE},
}
