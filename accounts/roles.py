"""The system roles and the default codes each app grants them.

Each app's `permissions.py` declares `DEFAULT_ROLE_GRANTS = {role name: {codes}}`; apps added
later grant their own codes without editing bootstrap. `admin` always holds every code.
"""

from importlib import import_module

from django.apps import apps

ADMIN = "admin"
MANAGER = "manager"
CASHIER = "cashier"
STOCK_CLERK = "stock_clerk"
SYSTEM_ROLES = (ADMIN, MANAGER, CASHIER, STOCK_CLERK)


def permission_modules():
    """The `permissions` module of every installed app that declares `DEFAULT_ROLE_GRANTS`:
    these apps' codes are the ones a role may hold."""
    modules = {}
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.permissions":
                raise
            continue
        if hasattr(module, "DEFAULT_ROLE_GRANTS"):
            modules[config.label] = module
    return modules


def role_app_labels() -> list[str]:
    return sorted(permission_modules())


def holdable_codes() -> list[str]:
    """Every code a role may hold, from the models of those apps: what Django's post-migrate
    creates (default permissions and Meta.permissions), read without the database."""
    codes = []
    for label in role_app_labels():
        for model in apps.get_app_config(label).get_models():
            meta = model._meta
            codes += [f"{label}.{action}_{meta.model_name}" for action in meta.default_permissions]
            codes += [f"{label}.{codename}" for codename, _name in meta.permissions]
    return sorted(codes)


def default_grants() -> dict[str, set[str]]:
    grants: dict[str, set[str]] = {name: set() for name in SYSTEM_ROLES if name != ADMIN}
    for module in permission_modules().values():
        for role, codes in module.DEFAULT_ROLE_GRANTS.items():
            grants[role].update(codes)
    return grants
