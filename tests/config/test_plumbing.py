"""Settings, the error envelope, pagination, trailing slashes and throttling."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from tests.conftest import error_codes
from tests.factories import LocationFactory

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], env: dict, cwd=ROOT):
    """Run our interpreter without the test settings' environment; None unsets a variable."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO", "DEBUG", "SECRET_KEY", "SECURE_"))
    }
    merged = {**inherited, **env, "PYTHONPATH": str(ROOT)}
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, *args],
        cwd=cwd,
        env={k: v for k, v in merged.items() if v is not None},
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_python(code: str, env: dict, cwd=ROOT):
    return run(["-c", code], env, cwd)


def test_production_without_secret_key_refuses_in_one_line():
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()",
        {"DEBUG": "false", "SECRET_KEY": ""},
    )
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "SECRET_KEY is not set" in result.stderr


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-" + "x9Qz" * 10,
    "ALLOWED_HOSTS": "pos.example.com",
    "IDENTITY_HEADERS_SECRET": "gateway-secret-" + "k3" * 12,
    "BOOTSTRAP_TOKEN": "bootstrap-" + "t7" * 12,
    "CACHE_URL": "redis://127.0.0.1:6379/0",
}


def test_check_deploy_is_clean_with_production_variables():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_about_open_doors():
    open_doors = {
        **PRODUCTION,
        "IDENTITY_HEADERS_SECRET": None,
        "BOOTSTRAP_TOKEN": None,
        "CACHE_URL": None,
    }
    result = run(["manage.py", "check", "--deploy"], open_doors)
    for check in ("pos.W001", "pos.W002", "pos.W003"):
        assert check in result.stderr + result.stdout


@pytest.mark.skipif((ROOT / ".env").exists(), reason="a developer .env is present")
def test_dotenv_is_found_by_path_not_working_directory(tmp_path):
    (ROOT / ".env").write_text("DEBUG=true\nLOG_LEVEL=WARNING\n")
    try:
        result = run_python(
            "from config import settings; print(settings.LOG_LEVEL, settings.DEBUG)",
            {"LOG_LEVEL": None, "DEBUG": None},
            cwd=tmp_path,
        )
    finally:
        (ROOT / ".env").unlink()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["WARNING", "True"]


def test_sqlite_default_uses_immediate_transactions_and_wal():
    result = run_python(
        "from config import settings; d = settings.DATABASES['default']; "
        "o = d['OPTIONS']; print(d['ENGINE'], o['transaction_mode'], 'WAL' in o['init_command'])",
        {"DEBUG": "true", "DATABASE_URL": None},
    )
    assert result.stdout.split() == ["django.db.backends.sqlite3", "IMMEDIATE", "True"]


def test_a_postgresql_url_runs_on_the_projects_backend_with_persistent_checked_connections():
    result = run_python(
        "from config import settings; d = settings.DATABASES['default']; "
        "print(d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], d['OPTIONS']['options'])",
        {"DEBUG": "true", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/pos"},
    )
    assert result.stdout.split() == ["config.postgresql", "60", "True", "-c", "jit=off"]


def test_unknown_api_path_is_a_json_404(anonymous, db):
    response = anonymous.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }


def test_method_not_allowed_and_unsupported_media_type(tenant):
    client = tenant.client()
    assert error_codes(client.delete("/api/v1/settings")) == ["method_not_allowed"]
    response = client.post("/api/v1/locations", "name=x", content_type="text/plain")
    assert response.status_code == 415
    assert error_codes(response) == ["unsupported_media_type"]


def test_json_endpoints_refuse_multipart(tenant):
    from companies.models import Location

    before = Location.objects.count()
    response = tenant.client().post("/api/v1/locations", {"name": "Back"}, format="multipart")
    assert response.status_code == 415
    assert error_codes(response) == ["unsupported_media_type"]
    assert Location.objects.count() == before


def test_server_error_hides_the_traceback(tenant, monkeypatch):
    def crash(self, request):
        raise ValueError("secret internals: SELECT * FROM users")

    monkeypatch.setattr("accounts.api.views.MeView.get", crash)
    client = APIClient(raise_request_exception=False)
    client.credentials(**tenant.client()._credentials)
    response = client.get("/api/v1/me", HTTP_X_REQUEST_ID="trace-me-1")
    assert response.status_code == 500
    assert response["X-Request-Id"] == "trace-me-1"
    assert "secret internals" not in response.content.decode()
    assert response.json()["type"] == "server_error"


def test_trailing_slash_is_optional_everywhere(tenant):
    client = tenant.client()
    for path in ("/api/v1/locations", f"/api/v1/locations/{tenant.location.pk}", "/api/v1/me"):
        assert client.get(path).status_code == 200
        assert client.get(path + "/").status_code == 200


def test_pagination_shape_and_cap(tenant):
    LocationFactory.create_batch(3, company=tenant.company)
    client = tenant.client()
    page = client.get("/api/v1/locations?page_size=2").json()
    assert page["count"] == 4 and len(page["results"]) == 2
    assert page["previous"] is None and "page=2" in page["next"]
    assert len(client.get(page["next"]).json()["results"]) == 2
    assert client.get("/api/v1/locations?page=9").status_code == 404


def test_page_size_is_capped_at_500(tenant):
    LocationFactory.create_batch(505, company=tenant.company)
    body = tenant.client().get("/api/v1/locations?page_size=10000").json()
    assert body["count"] == 506 and len(body["results"]) == 500


def test_auth_token_is_throttled(anonymous, db, settings):
    rates = {**django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": "3/minute"}
    settings.REST_FRAMEWORK = {**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    body = {"email": "x@example.com", "password": "nope"}
    codes = [anonymous.post("/api/v1/auth/token", body).status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]


def test_user_rate_is_per_user(tenant, settings):
    rates = {**django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "2/minute"}
    settings.REST_FRAMEWORK = {**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    first, second = tenant.client(), tenant.client(tenant.member("cashier"))
    assert [first.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/api/v1/me").status_code == 200


def test_an_old_sqlite_is_refused_at_start(monkeypatch):
    from config import checks

    default = django_settings.DATABASES["default"]
    monkeypatch.setitem(default, "ENGINE", "django.db.backends.sqlite3")
    monkeypatch.setattr(checks.sqlite3, "sqlite_version_info", (3, 34, 1))
    monkeypatch.setattr(checks.sqlite3, "sqlite_version", "3.34.1")
    [error] = checks.check_sqlite_version(None)
    assert error.id == "pos.E001" and "3.34.1" in error.msg
    monkeypatch.setattr(checks.sqlite3, "sqlite_version_info", checks.MIN_SQLITE)
    assert checks.check_sqlite_version(None) == []
