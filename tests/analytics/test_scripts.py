"""analytics/scripts: --help as a child process, then for real against the test database:
in-process through `main([...])` (any database), and as child processes reading the
database through DATABASE_URL (PostgreSQL: an in-memory SQLite test DB can't be shared)."""

import csv
import importlib.util
import io
import subprocess
import sys

import pytest

from analytics.selectors import sales_report
from tests.analytics.conftest import ROOT, SCRIPTS, subprocess_env

CSV_SCRIPT = SCRIPTS / "daily_sales_csv.py"
CHART_SCRIPT = SCRIPTS / "sales_chart.py"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLUMNS = [
    "day",
    "sales_count",
    "quantity",
    "gross_total",
    "discount_total",
    "tax_total",
    "refunds_total",
    "net_total",
]


def load(path):
    """The script as a module, importable the way it runs (its folder on sys.path)."""
    spec = importlib.util.spec_from_file_location(f"script_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def scripts(monkeypatch):
    monkeypatch.syspath_prepend(str(SCRIPTS))
    return {"csv": load(CSV_SCRIPT), "chart": load(CHART_SCRIPT)}


def window_args(tenant, two_days):
    return [
        "--company",
        str(tenant.company.pk),
        "--from",
        two_days.day1.isoformat(),
        "--to",
        two_days.day2.isoformat(),
    ]


def expected_csv(tenant, two_days) -> list[dict]:
    d1, d2 = two_days.day1.isoformat(), two_days.day2.isoformat()
    by_hand = [
        dict(zip(COLUMNS, values, strict=True))
        for values in (
            [d1, "2", "8.000", "340.00", "0.00", "40.00", "0.00", "340.00"],
            [d2, "1", "5.000", "146.00", "11.60", "14.40", "116.00", "18.40"],
        )
    ]
    report = sales_report(
        company=tenant.company, day_from=two_days.day1, day_to=two_days.day2, group_by="day"
    )
    assert [
        {"day": row["key"], **{c: str(row[c]) for c in COLUMNS[1:]}} for row in report["rows"]
    ] == by_hand
    return by_hand


def read_csv(text: str) -> tuple[list[str], list[dict]]:
    reader = csv.DictReader(io.StringIO(text))
    return reader.fieldnames, list(reader)


def check_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    import matplotlib.image

    image = matplotlib.image.imread(str(path))
    height, width = image.shape[:2]
    assert (width, height) == (1000, 900)  # 10 x 9 inches at 100 dpi
    assert image.std() > 0  # something is drawn
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - PIL is optional
        return
    with Image.open(path) as png:
        assert png.format == "PNG"
        assert png.size == (width, height)


@pytest.mark.parametrize("script", [CSV_SCRIPT, CHART_SCRIPT], ids=lambda p: p.name)
def test_help(script):
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(script), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:")
    for option in ("--company", "--from", "--to", "--out"):
        assert option in done.stdout


class TestInProcess:
    def test_csv_rows_are_the_report_s_day_rows(self, tenant, two_days, scripts, tmp_path):
        out = tmp_path / "daily.csv"
        assert scripts["csv"].main([*window_args(tenant, two_days), "--out", str(out)]) == 0
        header, rows = read_csv(out.read_text(encoding="utf-8"))
        assert header == COLUMNS
        assert rows == expected_csv(tenant, two_days)

    def test_csv_to_standard_output(self, tenant, two_days, scripts, capsys):
        assert scripts["csv"].main(window_args(tenant, two_days)) == 0
        header, rows = read_csv(capsys.readouterr().out)
        assert header == COLUMNS
        assert rows == expected_csv(tenant, two_days)

    def test_csv_of_an_empty_window_is_the_header_only(self, tenant, scripts, tmp_path):
        out = tmp_path / "empty.csv"
        args = ["--company", str(tenant.company.pk), "--from", "2020-01-01", "--to", "2020-01-31"]
        assert scripts["csv"].main([*args, "--out", str(out)]) == 0
        assert read_csv(out.read_text(encoding="utf-8")) == (COLUMNS, [])

    def test_chart_is_a_png_that_opens(self, tenant, two_days, scripts, tmp_path):
        out = tmp_path / "chart.png"
        assert scripts["chart"].main([*window_args(tenant, two_days), "--out", str(out)]) == 0
        check_png(out)

    @pytest.mark.parametrize("name", ["csv", "chart"])
    def test_an_unknown_company_exits_with_a_message(self, db, scripts, tmp_path, name):
        args = ["--company", "999999", "--from", "2026-01-01", "--to", "2026-01-02"]
        with pytest.raises(SystemExit, match="No company 999999"):
            scripts[name].main([*args, "--out", str(tmp_path / "x")])
        assert not (tmp_path / "x").exists()

    @pytest.mark.parametrize("name", ["csv", "chart"])
    def test_a_malformed_day_is_a_usage_error(self, scripts, name, capsys):
        with pytest.raises(SystemExit) as exited:
            scripts[name].main(["--company", "1", "--from", "01/02/2026", "--to", "2026-01-02"])
        assert exited.value.code == 2
        assert "--from" in capsys.readouterr().err


def run_script(script, *args):
    return subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=subprocess_env(),
        check=False,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestAsChildProcesses:
    def test_csv(self, tenant, two_days, tmp_path):
        out = tmp_path / "daily.csv"
        done = run_script(CSV_SCRIPT, *window_args(tenant, two_days), "--out", str(out))
        assert done.returncode == 0, done.stderr
        header, rows = read_csv(out.read_text(encoding="utf-8"))
        assert header == COLUMNS
        assert rows == expected_csv(tenant, two_days)

    def test_csv_to_standard_output(self, tenant, two_days):
        done = run_script(CSV_SCRIPT, *window_args(tenant, two_days))
        assert done.returncode == 0, done.stderr
        assert read_csv(done.stdout) == (COLUMNS, expected_csv(tenant, two_days))

    def test_chart(self, tenant, two_days, tmp_path):
        out = tmp_path / "chart.png"
        done = run_script(CHART_SCRIPT, *window_args(tenant, two_days), "--out", str(out))
        assert done.returncode == 0, done.stderr
        check_png(out)

    def test_an_unknown_company_exits_non_zero(self, tenant, tmp_path):
        done = run_script(
            CSV_SCRIPT, "--company", "999999", "--from", "2026-01-01", "--to", "2026-01-02"
        )
        assert done.returncode == 1
        assert "No company 999999" in done.stderr
