"""`Idempotency-Key` on the stock documents (config/idempotency.py), as DESIGN.md "Idempotency"
says: replay, 422 for another body, 409 while the first runs, scoped to the company, released
when the request fails, stale claims taken over, old keys purged.

Races between real concurrent requests are in test_races.py.
"""

import datetime as dt
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from config.idempotency import _fingerprint
from config.models import IdempotencyKey
from inventory.models import StockDocument, StockMovement
from tests.conftest import error_codes
from tests.inventory.factories import location, product, quantity, receive, stock_state

D = Decimal
RECEIPTS = "/api/v1/stock/receipts"
ADJUSTMENTS = "/api/v1/stock/adjustments"
TRANSFERS = "/api/v1/stock/transfers"
COUNTS = "/api/v1/stock/counts"
REPLAYED = "Idempotent-Replayed"


@pytest.fixture
def world(tenant, other_tenant):
    coffee = product(tenant, name="Café")
    theirs = product(other_tenant, name="Ajeno")
    return SimpleNamespace(
        tenant=tenant,
        store=tenant.location,
        coffee=coffee,
        theirs=theirs,
        clerk=tenant.member("stock_clerk"),
    )


def receipt(world, qty="10", cost="5.00"):
    return {
        "location": world.store.pk,
        "reference": "FAC-7",
        "lines": [{"product": world.coffee.pk, "quantity": qty, "unit_cost": cost}],
    }


def post(client, path, body, key):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(path, body, format="json", **headers)


def documents(tenant) -> int:
    return StockDocument.objects.filter(company=tenant.company).count()


def key_row(tenant, key) -> IdempotencyKey | None:
    return IdempotencyKey.objects.filter(company=tenant.company, key=key).first()


def fingerprint(path: str, body: dict) -> str:
    """The fingerprint the view computes for this JSON body (all values strings, as sent)."""
    return _fingerprint(SimpleNamespace(method="POST", path=path, data=body))


# --- replay ------------------------------------------------------------------------------------


def test_the_same_key_and_body_replays_the_first_response_and_creates_nothing(tenant, world):
    client = tenant.client(world.clerk)
    first = post(client, RECEIPTS, receipt(world), "k-1")
    assert first.status_code == 201, first.content
    assert REPLAYED not in first.headers
    row = key_row(tenant, "k-1")
    assert (row.state, row.response_status) == ("done", 201)
    before = stock_state(tenant.company)
    for _ in range(2):
        again = post(client, RECEIPTS, receipt(world), "k-1")
        assert again.status_code == 201
        assert again.headers[REPLAYED] == "true"
        assert again.json() == first.json()
    assert stock_state(tenant.company) == before
    assert documents(tenant) == 1
    assert quantity(world.coffee, world.store) == D("10")
    assert StockMovement.objects.filter(company=tenant.company).count() == 1


def test_the_replay_does_not_depend_on_key_order_in_the_body(tenant, world):
    client = tenant.client()
    body = receipt(world)
    first = post(client, RECEIPTS, body, "k-order")
    reordered = {"lines": body["lines"], "reference": "FAC-7", "location": world.store.pk}
    again = post(client, RECEIPTS, reordered, "k-order")
    assert again.status_code == 201 and again.headers[REPLAYED] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert documents(tenant) == 1


def test_the_replay_is_answered_to_another_member_of_the_same_company(tenant, world):
    first = post(tenant.client(world.clerk), RECEIPTS, receipt(world), "shared")
    again = post(tenant.client(tenant.member("manager")), RECEIPTS, receipt(world), "shared")
    assert again.headers[REPLAYED] == "true" and again.json() == first.json()
    assert documents(tenant) == 1


def test_without_a_key_every_request_creates_a_document(tenant, world):
    client = tenant.client()
    assert post(client, RECEIPTS, receipt(world), None).status_code == 201
    assert post(client, RECEIPTS, receipt(world), None).status_code == 201
    assert documents(tenant) == 2
    assert quantity(world.coffee, world.store) == D("20")
    assert not IdempotencyKey.objects.filter(company=tenant.company).exists()


def test_different_keys_are_different_documents(tenant, world):
    client = tenant.client()
    a = post(client, RECEIPTS, receipt(world), "a")
    b = post(client, RECEIPTS, receipt(world), "b")
    assert a.json()["id"] != b.json()["id"]
    assert REPLAYED not in b.headers
    assert documents(tenant) == 2


def test_a_retry_with_a_trailing_slash_is_still_a_replay(tenant, world):
    client = tenant.client()
    first = post(client, RECEIPTS, receipt(world), "k-slash")
    assert first.status_code == 201
    again = post(client, RECEIPTS + "/", receipt(world), "k-slash")
    assert again.status_code == 201, again.content
    assert again.headers[REPLAYED] == "true" and again.json() == first.json()
    assert documents(tenant) == 1


# --- another body ------------------------------------------------------------------------------


def test_the_same_key_with_another_body_is_422_and_creates_nothing(tenant, world):
    client = tenant.client()
    first = post(client, RECEIPTS, receipt(world), "k-2")
    before = stock_state(tenant.company)
    other = post(client, RECEIPTS, receipt(world, qty="11"), "k-2")
    assert other.status_code == 422, other.content
    assert other.json()["type"] == "client_error"
    assert error_codes(other) == ["idempotency_key_reused"]
    assert REPLAYED not in other.headers
    assert stock_state(tenant.company) == before
    # The stored response is intact: the original body still replays.
    again = post(client, RECEIPTS, receipt(world), "k-2")
    assert again.headers[REPLAYED] == "true" and again.json() == first.json()


def test_the_same_key_on_another_endpoint_is_422(tenant, world):
    client = tenant.client()
    post(client, RECEIPTS, receipt(world), "k-3")
    before = stock_state(tenant.company)
    adjustment = {
        "location": world.store.pk,
        "reason": "loss",
        "lines": [{"product": world.coffee.pk, "quantity": "-1"}],
    }
    response = post(client, ADJUSTMENTS, adjustment, "k-3")
    assert response.status_code == 422
    assert error_codes(response) == ["idempotency_key_reused"]
    assert stock_state(tenant.company) == before


# --- scope -------------------------------------------------------------------------------------


def test_keys_are_scoped_to_the_company(tenant, other_tenant, world):
    ours = post(tenant.client(), RECEIPTS, receipt(world), "same-key")
    theirs_body = {
        "location": other_tenant.location.pk,
        "lines": [{"product": world.theirs.pk, "quantity": "3", "unit_cost": "1.00"}],
    }
    theirs = post(other_tenant.client(), RECEIPTS, theirs_body, "same-key")
    assert theirs.status_code == 201, theirs.content
    assert REPLAYED not in theirs.headers
    assert theirs.json()["id"] != ours.json()["id"]
    assert documents(other_tenant) == 1 and documents(tenant) == 1
    assert quantity(world.theirs, other_tenant.location) == D("3")
    # The very same body in the other company is not a replay of ours either: it is validated
    # there (our location and product do not exist for them).
    response = post(other_tenant.client(), RECEIPTS, receipt(world), "other-key")
    assert response.status_code == 400
    response = post(other_tenant.client(), RECEIPTS, theirs_body, "same-key")
    assert response.headers[REPLAYED] == "true" and response.json() == theirs.json()
    assert IdempotencyKey.objects.filter(key="same-key").count() == 2


# --- failures release the key ------------------------------------------------------------------


def test_a_400_releases_the_key_so_a_corrected_retry_succeeds(tenant, world):
    client = tenant.client()
    bad = post(client, RECEIPTS, receipt(world, qty="1.5"), "k-4")  # coffee is by the unit
    assert bad.status_code == 400
    assert key_row(tenant, "k-4") is None
    bad_again = post(client, RECEIPTS, receipt(world, qty="1.5"), "k-4")
    assert bad_again.status_code == 400 and REPLAYED not in bad_again.headers
    fixed = post(client, RECEIPTS, receipt(world, qty="2"), "k-4")
    assert fixed.status_code == 201, fixed.content
    assert REPLAYED not in fixed.headers
    assert quantity(world.coffee, world.store) == D("2")
    assert key_row(tenant, "k-4").state == "done"


def test_a_409_releases_the_key_so_the_same_request_succeeds_once_stock_arrives(tenant, world):
    client = tenant.client()
    take = {
        "location": world.store.pk,
        "reason": "damage",
        "lines": [{"product": world.coffee.pk, "quantity": "-3"}],
    }
    refused = post(client, ADJUSTMENTS, take, "k-5")
    assert refused.status_code == 409
    assert error_codes(refused) == ["insufficient_stock"]
    assert key_row(tenant, "k-5") is None
    receive(tenant.admin, world.store, (world.coffee, 5, D("1.00")))
    done = post(client, ADJUSTMENTS, take, "k-5")
    assert done.status_code == 201, done.content
    assert REPLAYED not in done.headers
    assert quantity(world.coffee, world.store) == D("2")
    again = post(client, ADJUSTMENTS, take, "k-5")
    assert again.headers[REPLAYED] == "true"
    assert quantity(world.coffee, world.store) == D("2")


def test_a_403_stores_nothing(tenant, world):
    cashier = tenant.member("cashier")
    response = post(tenant.client(cashier), RECEIPTS, receipt(world), "k-6")
    assert response.status_code == 403
    assert key_row(tenant, "k-6") is None
    assert post(tenant.client(), RECEIPTS, receipt(world), "k-6").status_code == 201


# --- in progress and stale claims --------------------------------------------------------------


def claim(tenant, key, path, body, *, age_seconds=0, fingerprint_of=None):
    row = IdempotencyKey.objects.create(
        company=tenant.company,
        key=key,
        fingerprint=fingerprint_of or fingerprint(path, body),
        state=IdempotencyKey.State.IN_PROGRESS,
    )
    if age_seconds:
        IdempotencyKey.objects.filter(pk=row.pk).update(
            created_at=timezone.now() - dt.timedelta(seconds=age_seconds)
        )
    return row


def test_a_request_while_the_first_is_running_is_409_in_use(tenant, world):
    body = receipt(world)
    claim(tenant, "k-7", RECEIPTS, body, age_seconds=settings.IDEMPOTENCY_CLAIM_TIMEOUT - 10)
    before = stock_state(tenant.company)
    response = post(tenant.client(), RECEIPTS, body, "k-7")
    assert response.status_code == 409, response.content
    assert error_codes(response) == ["idempotency_key_in_use"]
    assert stock_state(tenant.company) == before
    assert key_row(tenant, "k-7").state == "in_progress"  # the running request keeps its claim


def test_a_running_claim_with_another_body_is_422(tenant, world):
    claim(tenant, "k-8", RECEIPTS, receipt(world, qty="99"))
    response = post(tenant.client(), RECEIPTS, receipt(world), "k-8")
    assert response.status_code == 422
    assert error_codes(response) == ["idempotency_key_reused"]
    assert documents(tenant) == 0


def test_the_fingerprint_helper_matches_what_the_view_stores(tenant, world):
    body = receipt(world)
    post(tenant.client(), RECEIPTS, body, "k-9")
    assert key_row(tenant, "k-9").fingerprint == fingerprint(RECEIPTS, body)


def test_a_stale_claim_is_taken_over(tenant, world):
    body = receipt(world)
    row = claim(tenant, "k-10", RECEIPTS, body, age_seconds=settings.IDEMPOTENCY_CLAIM_TIMEOUT + 5)
    response = post(tenant.client(), RECEIPTS, body, "k-10")
    assert response.status_code == 201, response.content
    assert REPLAYED not in response.headers
    assert documents(tenant) == 1
    assert quantity(world.coffee, world.store) == D("10")
    taken = key_row(tenant, "k-10")
    assert taken.pk == row.pk
    assert (taken.state, taken.response_status) == ("done", 201)
    assert taken.response_body["id"] == response.json()["id"]
    again = post(tenant.client(), RECEIPTS, body, "k-10")
    assert again.headers[REPLAYED] == "true" and again.json() == response.json()


def test_a_stale_claim_with_another_body_is_still_422(tenant, world):
    claim(
        tenant,
        "k-11",
        RECEIPTS,
        receipt(world, qty="99"),
        age_seconds=settings.IDEMPOTENCY_CLAIM_TIMEOUT + 5,
    )
    response = post(tenant.client(), RECEIPTS, receipt(world), "k-11")
    assert response.status_code == 422
    assert documents(tenant) == 0


def test_a_claim_in_another_company_does_not_block(tenant, other_tenant, world):
    body = receipt(world)
    claim(other_tenant, "k-12", RECEIPTS, body)
    response = post(tenant.client(), RECEIPTS, body, "k-12")
    assert response.status_code == 201 and REPLAYED not in response.headers


# --- the key itself ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", " padded", "caf\u00e9"])
def test_a_malformed_key_is_400_and_creates_nothing(tenant, world, key):
    before = stock_state(tenant.company)
    response = post(tenant.client(), RECEIPTS, receipt(world), key)
    assert response.status_code == 400
    assert error_codes(response) == ["invalid_idempotency_key"]
    assert stock_state(tenant.company) == before


def test_a_key_of_255_characters_is_fine(tenant, world):
    response = post(tenant.client(), RECEIPTS, receipt(world), "k" * 255)
    assert response.status_code == 201


@pytest.mark.parametrize("path", [ADJUSTMENTS, TRANSFERS, COUNTS])
def test_every_document_post_honours_the_key(tenant, world, path):
    warehouse = location(tenant, name="Bodega")
    receive(tenant.admin, world.store, (world.coffee, 10, D("2.00")))
    bodies = {
        ADJUSTMENTS: {
            "location": world.store.pk,
            "reason": "other",
            "lines": [{"product": world.coffee.pk, "quantity": "-1"}],
        },
        TRANSFERS: {
            "from_location": world.store.pk,
            "to_location": warehouse.pk,
            "lines": [{"product": world.coffee.pk, "quantity": "1"}],
        },
        COUNTS: {
            "location": world.store.pk,
            "lines": [{"product": world.coffee.pk, "counted_quantity": "9"}],
        },
    }
    client = tenant.client()
    first = post(client, path, bodies[path], "doc-key")
    assert first.status_code == 201, first.content
    before = stock_state(tenant.company)
    again = post(client, path, bodies[path], "doc-key")
    assert again.headers[REPLAYED] == "true" and again.json() == first.json()
    assert stock_state(tenant.company) == before
    assert quantity(world.coffee, world.store) == D("9")


# --- purge -------------------------------------------------------------------------------------


def test_purge_deletes_only_keys_older_than_the_ttl(tenant, other_tenant, world):
    assert settings.IDEMPOTENCY_KEY_TTL_HOURS >= 24
    ttl = dt.timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    now = timezone.now()
    ages = {
        "old": ttl + dt.timedelta(hours=1),
        "just-old": ttl + dt.timedelta(minutes=1),
        "young": ttl - dt.timedelta(minutes=1),
        "day-old": dt.timedelta(hours=24),
        "new": dt.timedelta(0),
    }
    for company in (tenant.company, other_tenant.company):
        for key, age in ages.items():
            row = IdempotencyKey.objects.create(company=company, key=key, fingerprint="f")
            IdempotencyKey.objects.filter(pk=row.pk).update(created_at=now - age)
    out = StringIO()
    call_command("purge_idempotency_keys", stdout=out)
    assert "purged 4" in out.getvalue()
    for company in (tenant.company, other_tenant.company):
        left = set(IdempotencyKey.objects.filter(company=company).values_list("key", flat=True))
        assert left == {"young", "day-old", "new"}
    # A purged key is free again: the same key now creates a new document.
    response = post(tenant.client(), RECEIPTS, receipt(world), "old")
    assert response.status_code == 201 and REPLAYED not in response.headers
