"""What every authenticated request reads before its own work, for the pinned query counts."""

# The membership with its user, company, the company's settings and the permission codes
# (accounts.selectors.active_membership).
AUTHENTICATION_QUERIES = 1
