"""Fuzzing from the schema: schemathesis against the served OpenAPI document, every operation.

The document is read from `GET /api/schema` of the WSGI application itself, and every request
goes to that application in-process (no socket), inside this test's database transaction.
Each operation is one test: a bootstrapped company with a little of everything (catalog,
stock, an open and a closed shift, a sale, an alert, a second member) is set up, and
schemathesis runs its examples, coverage and fuzzing phases (positive and negative data) as the
company's admin (identity headers, given through an auth provider so that schemathesis also
probes each operation without and with wrong credentials), with every default check: no 5xx,
status codes, content types, headers and bodies as documented, schema-valid data accepted,
schema-violating data rejected, authentication enforced, unsupported methods refused.

Every example runs in a savepoint that is rolled back afterwards (and with fresh throttling
counters), so all examples of an operation start from the same state and a failure replays
the same way when Hypothesis shrinks it. Ids in paths and in request bodies are mostly those of
the seeded objects: a random id names nothing, and every call would stop at a 404 or a 400.

Known findings (the schema or the code is wrong, not the check) are in `KNOWN`, each with what
is wrong, the fix, and a matcher as narrow as the finding: a failure is known only when every
error it reports is explained by some finding. A known failure is recorded and the run goes
on; the test then ends as xfail naming each finding it met, with a reproducing request. Any
other failure fails the test (and Hypothesis shrinks it to a minimal request). `CONTRACT`
holds the one kind of failure that is not a finding: a documented business-rule 400 (a wrong
password, an id of no object, a transfer to its own location...) to input no schema can tell
from valid input; an example whose every error is such a 400 passes.

Random data rarely gets a sale, a refund or a stock document through, so a second test sends
one valid request per writing operation (and the reports) and holds its success answer to the
same checks.

Bounded: `FUZZ_MAX_EXAMPLES` (default 10) generated examples per operation and mode, plus the
examples and coverage phases' deterministic cases; a fixed seed (`FUZZ_SEED`), no example
database, so runs are repeatable. About 70 s on SQLite, 85 s on PostgreSQL (two cores).
`FUZZ_REPORT=/tmp/fuzz.jsonl` appends every failure seen (known or not) as JSON lines, and
`FUZZ_DISCOVER=1` records them all without failing (to survey a change of the schema).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections, transaction
from schemathesis.core.failures import FailureGroup, as_reported_failure
from schemathesis.core.result import Ok
from schemathesis.pytest.lazy import get_all_tests

from config.wsgi import application
from tests.factories import PASSWORD

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
SEED = int(os.environ.get("FUZZ_SEED", "20261201"))
REPORT = os.environ.get("FUZZ_REPORT", "")
DISCOVER = os.environ.get("FUZZ_DISCOVER") == "1"

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "mode": "all", "database": "none"},
        "phases": {"stateful": {"enabled": False}},
    }
)

# The served document, exactly as clients get it.
SCHEMA = schemathesis.openapi.from_wsgi("/api/schema?format=json", application, config=CONFIG)
LABELS = [result.ok().label for result in SCHEMA.get_all_operations() if isinstance(result, Ok)]


@dataclasses.dataclass
class World:
    """The seeded company, and the known findings the current operation's run has met."""

    user_id: int
    company_id: int
    ids: dict[str, list]
    known: dict[str, list[str]] = dataclasses.field(default_factory=dict)


CURRENT: World | None = None


@SCHEMA.auth(refresh_interval=None)
class AdminIdentity:
    """The bootstrapped company's admin, by identity headers."""

    def get(self, case, ctx):
        return CURRENT

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["X-User-Id"] = str(data.user_id)
        case.headers["X-Company-Id"] = str(data.company_id)


# ---------------------------------------------------------------------------------------------
# Ids of the seeded objects in paths and bodies.


def _resource(path: str) -> str:
    """`/api/v1/shifts/{id}/close/` -> `shifts`."""
    return path.removeprefix("/api/v1/").split("/{id}")[0]


def _phase(case) -> str:
    return str(getattr(getattr(getattr(case.meta, "phase", None), "name", None), "value", ""))


@SCHEMA.hook
def map_path_parameters(context, path_parameters):
    return _map_path(context.operation, path_parameters)


def _map_path(operation, path_parameters):
    """Most generated `{id}`s (digits, as the schema's pattern says) become a seeded object's."""
    if not isinstance(path_parameters, dict) or CURRENT is None:
        return path_parameters
    value = path_parameters.get("id")
    ids = CURRENT.ids.get(_resource(operation.path))
    if ids and isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
        if number % 5 != 0:  # one in five stays as generated: mostly a 404
            path_parameters["id"] = str(ids[number % len(ids)])
    return path_parameters


# Request-body fields that name another object, and the seeded objects they may name.
REFERENCES = {
    "category": "categories",
    "customer": "customers",
    "from_location": "locations",
    "location": "locations",
    "parent": "categories",
    "product": "products",
    "register": "registers",
    "sale_line": "sale-lines",
    "tax_rate": "tax-rates",
    "to_location": "locations",
}
MAX_ID = 2**63 - 1


def _map_references(node):
    """Positive ids of other objects in a body become seeded ones; role names, seeded names."""
    if isinstance(node, list):
        return [_map_references(item) for item in node]
    if not isinstance(node, dict):
        return node
    mapped = {}
    for key, value in node.items():
        ids = CURRENT.ids.get(REFERENCES.get(key, ""))
        if ids and type(value) is int and 1 <= value <= MAX_ID:
            value = ids[value % len(ids)]
        elif key == "roles" and isinstance(value, list):
            names = CURRENT.ids["role-names"]
            # Only names the schema admits: a negative case's too short or too long one stays.
            value = [names[len(v) % len(names)] if _role_name(v) else v for v in value]
        mapped[key] = _map_references(value)
    return mapped


def _role_name(value) -> bool:
    from accounts.models import Role

    return isinstance(value, str) and 1 <= len(value) <= Role._meta.get_field("name").max_length


@SCHEMA.hook
def map_body(context, body):
    return _map_references(body) if CURRENT is not None else body


# ---------------------------------------------------------------------------------------------
# Known findings.


@dataclasses.dataclass(frozen=True)
class Error:
    """One entry of an error response, as a matcher sees it (indexes read `INDEX`)."""

    operation: str
    raw_attr: str | None  # as answered: lines.0.quantity
    attr: str | None  # as the schema spells it: lines.INDEX.quantity
    code: str
    detail: str
    documented: dict[str, set[str]]  # the operation's documented 400 codes by attr

    @property
    def field(self) -> str | None:
        return self.attr.rsplit(".", 1)[-1] if self.attr else None


@dataclasses.dataclass(frozen=True)
class Finding:
    kind: str  # what is wrong: "code", "schema", or "contract" (the check can't know it)
    what: str
    fix: str
    failures: frozenset[str]  # schemathesis failure classes it explains
    operations: frozenset[str] | None = None  # None: any operation
    # Either the failure as a whole (where) or each error entry of its response (error).
    where: Callable | None = None
    error: Callable[[Error], bool] | None = None


def ops(*labels: str) -> frozenset[str]:
    unknown = set(labels) - set(LABELS)
    assert not unknown, f"no such operations: {unknown}"
    return frozenset(labels)


IMPORT = "POST /api/v1/products/import/"
# Business rules API.md answers with a 400 on input the schema can't tell from valid input.
BUSINESS_400_CODES = {
    "category_cycle",
    "does_not_exist",
    "duplicate_product",
    "insufficient_payment",
    "invalid_credentials",
    "invalid_password",
    "location_inactive",
    "not_tracked",
    "overpayment",
    "product_inactive",
    "register_inactive",
    "same_location",
    "whole_quantity",
}


# A finding met while its fix is under way goes here (a Finding of kind "code" or "schema"),
# so the run records it and goes on; none is open.
KNOWN: dict[str, Finding] = {}

# Not findings: the API's contract answers 400, with a documented code, to schema-valid input
# that breaks a rule about the data or the state, which no JSON schema can express. A request
# whose every error is one of these passes; any other 400 to valid input still fails.
CONTRACT: dict[str, Finding] = {
    "business-rule-400": Finding(
        kind="contract",
        what=(
            "wrong credentials (invalid_credentials); Django's password validators "
            "(invalid_password: similar to the e-mail, common, entirely numeric; the length is "
            "in the schema); an id of no object of the company (does_not_exist); a category "
            "under itself; payments below the total or over the cash; an inactive product, "
            "register or location; an untracked product in a stock document; a fraction of a "
            "unit product; a transfer to its own location; a report ending before it starts or "
            "over 1830 days; a CSV whose content is wrong"
        ),
        fix="none: each is a rule of API.md, answered with its own documented code",
        failures=frozenset({"RejectedPositiveData"}),
        error=lambda e: (
            e.code in BUSINESS_400_CODES
            or (e.attr == "to" and e.detail.startswith(("At most", "Must not be before")))
            or (e.operation == IMPORT and (e.attr or "").split(".")[0] in {"file", "rows"})
        ),
    ),
}


def _index(attr: str | None) -> str | None:
    return re.sub(r"(?<=\.)\d+(?=\.|$)", "INDEX", attr) if attr else attr


@functools.cache
def _documented_400(label: str, kind: str) -> dict[str, frozenset[str]]:
    """The operation's documented 400 codes by attr, for a response of `type` kind."""
    method, path = label.split(" ", 1)
    components = SCHEMA.raw_schema["components"]["schemas"]

    def resolve(node):
        while "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[-1]]
        return node

    response = SCHEMA.raw_schema["paths"][path][method.lower()]["responses"].get("400")
    if response is None:
        return {}
    root = resolve(response["content"]["application/json"]["schema"])
    mapping = root.get("discriminator", {}).get("mapping", {})
    if mapping:
        if kind not in mapping:
            return {}
        root = resolve({"$ref": mapping[kind]})
    codes: dict[str, set[str]] = {}

    def walk(node):
        node = resolve(node)
        for member in node.get("oneOf", ()):
            walk(member)
        properties = node.get("properties", {})
        if "errors" in properties:
            walk(properties["errors"]["items"])
        elif "attr" in properties:
            for attr in properties["attr"].get("enum", ["*"]):
                codes.setdefault(attr, set()).update(properties["code"].get("enum", ["*"]))

    walk(root)
    return {attr: frozenset(found) for attr, found in codes.items()}


def _errors(case, response, *, undocumented_only: bool) -> list[Error]:
    try:
        body = json.loads(response.text)
        entries = body["errors"]
    except (ValueError, KeyError, TypeError):
        return []
    documented = _documented_400(case.operation.label, str(body.get("type")))
    errors = [
        Error(
            case.operation.label,
            entry.get("attr"),
            _index(entry.get("attr")),
            str(entry.get("code")),
            str(entry.get("detail")),
            documented,
        )
        for entry in entries
    ]
    if undocumented_only:
        errors = [e for e in errors if not {e.code, "*"} & documented.get(e.raw_attr, set())]
    return errors


def _explain(failure, response, case) -> list[str] | None:
    """The known findings that explain this failure, or None when it is a new one."""
    kind = type(failure).__name__
    label = case.operation.label
    candidates = {
        name: finding
        for name, finding in {**KNOWN, **CONTRACT}.items()
        if kind in finding.failures and (finding.operations is None or label in finding.operations)
    }
    whole = [n for n, f in candidates.items() if f.where and f.where(failure, response, case)]
    if whole:
        return whole[:1]
    if kind == "RejectedPositiveData":
        errors = _errors(case, response, undocumented_only=False)
    elif kind == "JsonSchemaError" and response.status_code == 400:
        errors = _errors(case, response, undocumented_only=True)
    else:
        return None
    names = []
    for error in errors:
        hits = [n for n, f in candidates.items() if f.error and f.error(error)]
        if not hits:
            return None
        names.append(hits[0])
    return sorted(set(names)) or None


# ---------------------------------------------------------------------------------------------
# One example.


class _Rollback(Exception):  # control flow, not an error
    pass


def _record(case, response, failures, explained) -> None:
    if not REPORT:
        return
    with open(REPORT, "a") as out:
        for failure, names in zip(failures, explained, strict=True):
            entry = {
                "operation": case.operation.label,
                "failure": type(failure).__name__,
                "title": failure.title,
                "message": failure.message[:2000],
                "known": names,
                "status": getattr(response, "status_code", None),
                "body": getattr(response, "text", "")[:3000],
                "phase": _phase(case),
                "curl": case.as_curl_command(),
            }
            out.write(json.dumps(entry) + "\n")


def _check(case):
    """Call the application, validate the response, tell known findings from new ones."""
    assert CURRENT is not None
    cache.clear()  # throttling counters: every example starts from the same state
    if _phase(case) == "coverage":  # its cases don't go through the generation hooks
        if case.path_parameters:
            case.path_parameters = _map_path(case.operation, dict(case.path_parameters))
        if isinstance(case.body, dict | list):
            case.body = _map_references(case.body)
    response = None
    with contextlib.suppress(_Rollback), transaction.atomic():
        try:
            response = case.call()
            case.validate_response(response)
        except FailureGroup as group:
            failures = list(group.exceptions)
            explained = [_explain(failure, response, case) for failure in failures]
            _record(case, response, failures, explained)
            if None in explained and not DISCOVER:
                raise as_reported_failure(group) from None
            for names in explained:
                for name in set(names or ()) - set(CONTRACT):
                    seen = CURRENT.known.setdefault(name, [])
                    if len(seen) < 3:
                        seen.append(case.as_curl_command(headers={}))
        raise _Rollback


def _operation_test(label: str) -> Callable[[], None]:
    """The Hypothesis test of one operation. Built once the company is seeded: the coverage
    phase's cases are made, with their identity headers, as the test is built."""
    method, path = label.split(" ", 1)
    [result] = get_all_tests(
        schema=SCHEMA.include(method=method, path=path),
        test_func=_check,
        settings=None,
        given_kwargs={},
    )
    if not isinstance(result, Ok):  # pragma: no cover - `make check-schema` validates it
        raise result.err()
    return result.ok()[1]


# ---------------------------------------------------------------------------------------------
# The seeded company.


@pytest.fixture(autouse=True)
def _requests_keep_the_test_connection():
    """As Django's test client does: a request must not close the connection that holds this
    test's transaction (on PostgreSQL, close_old_connections would, autocommit being off)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(tenant) -> World:
    from accounts.models import AuditEvent, Membership, Role
    from analytics.models import Alert
    from analytics.services import alerts_run
    from tests.catalog.factories import CategoryFactory
    from tests.factories import LocationFactory, RoleFactory
    from tests.sales import factories as s

    D = Decimal
    company = tenant.company
    tax = s.tax_rate(tenant, "16.00")
    drinks = CategoryFactory(company=company, name="Drinks")
    coffee_beans = CategoryFactory(company=company, name="Coffee", parent=drinks)
    coffee = s.product(
        tenant,
        sku="COF-1",
        barcode="7501",
        name="Coffee",
        price=D("50.00"),
        cost=D("30.00"),
        category=coffee_beans,
        tax_rate=tax,
        reorder_point=D("200"),
    )
    tea = s.product(tenant, sku="TEA-1", name="Tea", price=D("20.00"), cost=D("8.00"))
    wrap = s.product(tenant, sku="SRV-1", name="Gift wrap", track_inventory=False)
    customer = s.customer(tenant, name="Carla", email="carla@example.com")
    warehouse = LocationFactory(company=company, name="Warehouse", kind="warehouse")
    second = s.register(tenant, name="Register 2", receipt_prefix="R2")
    s.receive(tenant, (coffee, 100, "30.00"), (tea, 50, "8.00"))
    shift = s.open_shift(tenant, opening_cash="100.00")
    sale = s.sell(tenant, [(coffee, 2), (tea, 1)], [("cash", "200.00")], customer=customer)
    closed = s.open_shift(tenant, on=second)
    s.close_shift(tenant, closed, "0.00")
    alerts_run(company=company)  # coffee is below its reorder point
    cashier = tenant.member("cashier")

    def pks(queryset):
        return list(queryset.order_by("pk").values_list("pk", flat=True))

    ids = {
        "alerts": pks(Alert.objects.filter(company=company)),
        "audit-events": pks(AuditEvent.objects.filter(company=company))[:5],
        "categories": [drinks.pk, coffee_beans.pk],
        "customers": [customer.pk],
        "locations": [tenant.location.pk, warehouse.pk],
        "products": [coffee.pk, tea.pk, wrap.pk],
        "registers": [tenant.register.pk, second.pk],
        "roles": pks(Role.objects.filter(company=company)),
        "sales": [sale.pk],
        "shifts": [shift.pk, closed.pk],
        "tax-rates": [tax.pk],
        "users": sorted(
            Membership.objects.filter(company=company).values_list("user_id", flat=True)
        ),
        "sale-lines": pks(sale.lines.all()),
        "role-names": ["cashier", "stock_clerk", "manager"],
        # For the requests below: by name.
        "store": [tenant.location.pk],
        "warehouse": [warehouse.pk],
        "open-shift": [shift.pk],
        "closed-shift": [closed.pk],
        "coffee": [coffee.pk],
        "tea": [tea.pk],
        "wrap": [wrap.pk],
        "cashier": [cashier.user_id],
        "custom-role": [RoleFactory(company=company, codes=["sales.view_sale"]).pk],
        "spare-customer": [s.customer(tenant, name="Dora").pk],
        "spare-category": [CategoryFactory(company=company, name="Spare").pk],
        "spare-tax-rate": [s.tax_rate(tenant, "8.00").pk],
    }
    ids["cashier-email"] = [cashier.user.email]
    return World(user_id=tenant.admin.user_id, company_id=company.pk, ids=ids)


@pytest.mark.parametrize("label", LABELS)
def test_operation_conforms_to_its_schema(label, world):
    global CURRENT
    CURRENT = world
    try:
        _operation_test(label)()
    finally:
        CURRENT = None
    if world.known:
        pytest.xfail(_known_findings(world.known))


def _known_findings(met: dict[str, list[str]]) -> str:
    """Each finding met, by name (KNOWN says what and the fix), with a request that shows it."""
    lines = [f"known findings (KNOWN in {__name__}): " + ", ".join(sorted(met))]
    lines += [f"  [{name}] {min(examples, key=len)}" for name, examples in sorted(met.items())]
    return "\n".join(lines)


def test_every_known_finding_is_well_formed():
    for name, finding in {**KNOWN, **CONTRACT}.items():
        assert finding.kind in {"code", "schema", "contract"}, name
        assert (finding.kind == "contract") == (name in CONTRACT), name
        assert finding.where is not None or finding.error is not None, name
        assert finding.operations is None or finding.operations <= set(LABELS), name


# ---------------------------------------------------------------------------------------------
# One valid request per writing operation (and the reports), whose success answers the fuzzer
# rarely reaches with random data: the answers must match their documented schemas too.


def _one(world: World, name: str):
    return world.ids[name][0]


CSV = (
    "sku,name,barcode,price,cost,category,tax_rate,reorder_point\n"
    "IMP-1,Imported tea,7502,15.00,6.00,Drinks,Tax 16.00,3\n"
    "TEA-1,Tea,,22.00,8.00,,,0\n"
)
# name: (operation, request from the world, expected status)
SUCCESSES: dict[str, tuple[str, Callable[[World], dict], int]] = {
    "sale": (
        "POST /api/v1/sales/",
        lambda w: {
            "headers": {"Idempotency-Key": "sale-1"},
            "body": {
                "register": _one(w, "registers"),
                "customer": _one(w, "customers"),
                "lines": [
                    {"product": _one(w, "coffee"), "quantity": "1", "discount_percent": "10"},
                    {"product": _one(w, "wrap"), "quantity": 2},
                ],
                "discount_percent": "5",
                "payments": [
                    {"method": "card", "amount": "40.00", "reference": "AUTH1"},
                    {"method": "cash", "amount": "100.00"},
                ],
            },
        },
        201,
    ),
    "refund": (
        "POST /api/v1/sales/{id}/refunds/",
        lambda w: {
            "path_parameters": {"id": _one(w, "sales")},
            "body": {
                "register": _one(w, "registers"),
                "reason": "damaged",
                "restock": True,
                "method": "cash",
                "lines": [{"sale_line": _one(w, "sale-lines"), "quantity": "1"}],
            },
        },
        201,
    ),
    "void": (
        "POST /api/v1/sales/{id}/void/",
        lambda w: {"path_parameters": {"id": _one(w, "sales")}, "body": {"reason": "mistake"}},
        200,
    ),
    "shift-open": (
        "POST /api/v1/shifts/",
        lambda w: {"body": {"register": w.ids["registers"][1], "opening_cash": "50.00"}},
        201,
    ),
    "cash-movement": (
        "POST /api/v1/shifts/{id}/cash-movements/",
        lambda w: {
            "path_parameters": {"id": _one(w, "open-shift")},
            "body": {"kind": "pay_out", "amount": "10.00", "reason": "coins"},
        },
        201,
    ),
    "x-report": (
        "GET /api/v1/shifts/{id}/report/",
        lambda w: {"path_parameters": {"id": _one(w, "open-shift")}},
        200,
    ),
    "z-report": (
        "GET /api/v1/shifts/{id}/report/",
        lambda w: {"path_parameters": {"id": _one(w, "closed-shift")}},
        200,
    ),
    "shift-close": (
        "POST /api/v1/shifts/{id}/close/",
        lambda w: {"path_parameters": {"id": _one(w, "open-shift")}, "body": {"counted_cash": 150}},
        200,
    ),
    "receipt": (
        "POST /api/v1/stock/receipts/",
        lambda w: {
            "body": {
                "location": _one(w, "store"),
                "supplier": "ACME",
                "reference": "F-1",
                "lines": [{"product": _one(w, "tea"), "quantity": "5", "unit_cost": "8.50"}],
            }
        },
        201,
    ),
    "adjustment": (
        "POST /api/v1/stock/adjustments/",
        lambda w: {
            "body": {
                "location": _one(w, "store"),
                "reason": "damage",
                "note": "dropped",
                "lines": [{"product": _one(w, "tea"), "quantity": "-1"}],
            }
        },
        201,
    ),
    "transfer": (
        "POST /api/v1/stock/transfers/",
        lambda w: {
            "body": {
                "from_location": _one(w, "store"),
                "to_location": _one(w, "warehouse"),
                "lines": [{"product": _one(w, "tea"), "quantity": "2"}],
            }
        },
        201,
    ),
    "count": (
        "POST /api/v1/stock/counts/",
        lambda w: {
            "body": {
                "location": _one(w, "store"),
                "lines": [{"product": _one(w, "tea"), "counted_quantity": "40"}],
            }
        },
        201,
    ),
    "product-create": (
        "POST /api/v1/products/",
        lambda w: {
            "body": {
                "sku": "NEW-1",
                "barcode": "7509",
                "name": "Cookies",
                "category": _one(w, "categories"),
                "tax_rate": _one(w, "tax-rates"),
                "price": "12.50",
                "cost": "5.00",
                "reorder_point": "4",
                "unit": "unit",
            }
        },
        201,
    ),
    "product-update": (
        "PATCH /api/v1/products/{id}/",
        lambda w: {"path_parameters": {"id": _one(w, "tea")}, "body": {"price": "21.00"}},
        200,
    ),
    "product-delete": (
        "DELETE /api/v1/products/{id}/",
        lambda w: {"path_parameters": {"id": _one(w, "wrap")}},
        204,
    ),
    "product-import": (
        "POST /api/v1/products/import/",
        lambda w: {
            "body": {"file": CSV.encode()},
            "media_type": "multipart/form-data",
        },
        200,
    ),
    "category-create": (
        "POST /api/v1/categories/",
        lambda w: {"body": {"name": "Snacks", "parent": _one(w, "categories")}},
        201,
    ),
    "category-delete": (
        "DELETE /api/v1/categories/{id}/",
        lambda w: {"path_parameters": {"id": _one(w, "spare-category")}},
        204,
    ),
    "tax-rate-create": (
        "POST /api/v1/tax-rates/",
        lambda w: {"body": {"name": "Zero", "rate": "0"}},
        201,
    ),
    "tax-rate-delete": (
        "DELETE /api/v1/tax-rates/{id}/",
        lambda w: {"path_parameters": {"id": _one(w, "spare-tax-rate")}},
        204,
    ),
    "customer-create": (
        "POST /api/v1/customers/",
        lambda w: {
            "body": {"name": "Dan", "email": "dan@example.com", "phone": "555", "tax_id": "X1"}
        },
        201,
    ),
    "customer-delete": (
        "DELETE /api/v1/customers/{id}/",
        lambda w: {"path_parameters": {"id": _one(w, "spare-customer")}},
        204,
    ),
    "location-create": (
        "POST /api/v1/locations/",
        lambda w: {"body": {"name": "Back room", "kind": "warehouse"}},
        201,
    ),
    "location-update": (
        "PATCH /api/v1/locations/{id}/",
        lambda w: {"path_parameters": {"id": _one(w, "warehouse")}, "body": {"name": "Depot"}},
        200,
    ),
    "register-create": (
        "POST /api/v1/registers/",
        lambda w: {"body": {"name": "Register 3", "location": _one(w, "store")}},
        201,
    ),
    "register-update": (
        "PATCH /api/v1/registers/{id}/",
        lambda w: {"path_parameters": {"id": w.ids["registers"][1]}, "body": {"is_active": False}},
        200,
    ),
    "role-create": (
        "POST /api/v1/roles/",
        lambda w: {"body": {"name": "auditor", "permissions": ["sales.view_sale"]}},
        201,
    ),
    "role-update": (
        "PATCH /api/v1/roles/{id}/",
        lambda w: {
            "path_parameters": {"id": _one(w, "custom-role")},
            "body": {"permissions": ["sales.view_sale", "sales.view_shift"]},
        },
        200,
    ),
    "role-delete": (
        "DELETE /api/v1/roles/{id}/",
        lambda w: {"path_parameters": {"id": _one(w, "custom-role")}},
        204,
    ),
    "user-create": (
        "POST /api/v1/users/",
        lambda w: {
            "body": {
                "email": "new.person@example.com",
                "full_name": "New Person",
                "password": "a long unusual passphrase",
                "roles": ["cashier"],
            }
        },
        201,
    ),
    "user-update": (
        "PATCH /api/v1/users/{id}/",
        lambda w: {"path_parameters": {"id": _one(w, "cashier")}, "body": {"roles": ["manager"]}},
        200,
    ),
    "user-delete": (
        "DELETE /api/v1/users/{id}/",
        lambda w: {"path_parameters": {"id": _one(w, "cashier")}},
        204,
    ),
    "settings": (
        "PATCH /api/v1/settings/",
        lambda w: {"body": {"receipt_footer": "Thanks!", "max_discount_percent": "30"}},
        200,
    ),
    "alerts-run": ("POST /api/v1/alerts/run/", lambda w: {}, 200),
    "alert-resolve": (
        "POST /api/v1/alerts/{id}/resolve/",
        lambda w: {"path_parameters": {"id": _one(w, "alerts")}},
        200,
    ),
    "bootstrap": (
        "POST /api/v1/bootstrap/",
        lambda w: {
            "body": {
                "company": {"name": "Tienda Tres", "currency": "USD", "timezone": "UTC"},
                "admin": {
                    "email": "zoe@example.com",
                    "full_name": "Zoe",
                    "password": "a long unusual passphrase",
                },
            }
        },
        201,
    ),
    "token": (
        "POST /api/v1/auth/token/",
        lambda w: {"body": {"email": _one(w, "cashier-email"), "password": PASSWORD}},
        200,
    ),
    **{
        f"report-{group}": (
            "GET /api/v1/reports/sales/",
            lambda w, group=group: {"query": {"group_by": group}},
            200,
        )
        for group in ("day", "hour", "product", "category", "cashier", "payment_method", "register")
    },
    "valuation": (
        "GET /api/v1/reports/inventory-valuation/",
        lambda w: {"query": {"location": _one(w, "store")}},
        200,
    ),
}


@pytest.mark.parametrize("name", list(SUCCESSES))
def test_successful_answer_conforms_to_its_schema(name, world):
    global CURRENT
    label, request, status = SUCCESSES[name]
    method, path = label.split(" ", 1)
    params = request(world)
    headers = {"X-User-Id": str(world.user_id), "X-Company-Id": str(world.company_id)}
    headers.update(params.pop("headers", {}))
    if "body" in params:
        params.setdefault("media_type", "application/json")
    case = SCHEMA[path][method].Case(headers=headers, **params)
    CURRENT = world
    try:
        response = case.call()
        assert response.status_code == status, response.text
        try:
            case.validate_response(response)
        except FailureGroup as group:
            failures = list(group.exceptions)
            explained = [_explain(failure, response, case) for failure in failures]
            _record(case, response, failures, explained)
            if None in explained:
                raise
            example = case.as_curl_command(headers={})
            pytest.xfail(_known_findings({n: [example] for found in explained for n in found}))
    finally:
        CURRENT = None
