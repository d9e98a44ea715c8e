"""Imports and forms lose nothing on error (issue 14, point 5).

The database fails at the last write of each import (as when the server goes away in the
middle of a long upload): everything the import wrote before it is rolled back, and the
catalog, programme or ledger reads as it did before. A resident whose sign-up or
cancellation meets a failing database gets the Chinese 503 page and no half record.

Covered elsewhere, and not repeated here: one bad row saves nothing and is named by row and
column in Chinese (tests/catalog/test_excel.py, tests/activities/test_excel.py,
tests/honors/test_import.py, tests/catalog/test_hsds_tabular.py,
tests/catalog/test_hsds_import_export.py); public forms keep what was typed next to a
Chinese error (sign-up: tests/activities/test_registration.py, correction report:
tests/catalog/test_service_list_page.py, points look-up: tests/honors/test_lookup.py; the
editors' activity form: tests/activities/test_admin.py).
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from activities import excel as programme_excel
from activities.models import Activity, Occurrence, SignUp, SignUpStatus
from activities.registration import links
from catalog.excel import import_workbook
from catalog.hsds import export_services
from catalog.models import Service
from catalog.opening import LOCAL_TZ
from honors import excel as points_excel
from honors.models import Participant, PointsEntry
from tests.activities.builders import build_activity, kind
from tests.activities.test_excel import row, sheet_upload
from tests.catalog.hsds_data import demo_catalog, self_contained
from tests.catalog.test_excel import SMALL, Sheet, export_to, small_catalog  # noqa: F401
from tests.catalog.test_hsds_tabular import catalog, package  # noqa: F401
from tests.district.builders import build_center, build_home, build_street
from tests.honors.test_import import GOOD_ROWS, xlsx

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def is_write(sql: str) -> bool:
    return sql.lstrip().split(None, 1)[0].upper() in WRITES


@contextmanager
def database_fails_at_write(number: int):
    """The ``number``-th write statement (and any after it) fails as when the database
    server goes away; reads still answer."""
    seen = 0

    def failing(execute, sql, params, many, context):
        nonlocal seen
        if is_write(sql):
            seen += 1
            if seen >= number:
                raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(failing):
        yield


def writes_of(run) -> int:
    """How many write statements ``run()`` makes when nothing fails (rolled back after)."""
    count = 0

    def counting(execute, sql, params, many, context):
        nonlocal count
        count += is_write(sql)
        return execute(sql, params, many, context)

    with transaction.atomic():
        with connection.execute_wrapper(counting):
            run()
        transaction.set_rollback(True)
    return count


def fails_at_last_write(run):
    """Runs ``run()`` with the database failing at its last write, which must come after
    others (so that a half import would show)."""
    writes = writes_of(run)
    assert writes > 1, f"the import wrote {writes} statement(s): nothing half-done to check"
    with pytest.raises(OperationalError), database_fails_at_write(writes):
        run()


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2026, 12, 6, 10, 0, tzinfo=LOCAL_TZ), tick=False):
        yield


@pytest.fixture
def center():
    return build_center(build_street(build_home()), "T-01")


# -- imports -------------------------------------------------------------------------------


def test_points_import_rolls_back_when_the_database_fails_at_the_last_row(clock, center):
    fails_at_last_write(lambda: points_excel.import_points(xlsx(GOOD_ROWS), center=center))
    assert not PointsEntry.objects.exists()
    assert not Participant.objects.exists()
    # The same file imports whole once the database is back.
    summary = points_excel.import_points(xlsx(GOOD_ROWS), center=center)
    assert summary.entries == 3


def test_programme_import_rolls_back_when_the_database_fails_at_the_last_row(center):
    kind("文体康养")
    rows = [row(), row(活动名称="读书会", 星期="周六")]
    fails_at_last_write(
        lambda: programme_excel.import_programme(sheet_upload(*rows), center_ids={center.pk})
    )
    assert not Activity.objects.exists()
    assert not Occurrence.objects.exists()


def test_catalog_excel_import_rolls_back_when_the_database_fails_at_the_last_row(
    tmp_path,
    small_catalog,  # noqa: F811
):
    before = export_services()
    sheet = Sheet(export_to(tmp_path / "catalog.xlsx"))
    for name in SMALL:
        sheet.set(name, "服务内容", f"{name}：这条修改不应保存。")
    path = sheet.save()
    fails_at_last_write(lambda: import_workbook(path))
    assert export_services() == before


def test_hsds_json_import_rolls_back_when_the_database_fails_at_the_last_write(tmp_path):
    path = tmp_path / "catalog.json"
    records = self_contained(demo_catalog(), *SMALL)
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    fails_at_last_write(lambda: call_command("import_hsds", str(path), stdout=StringIO()))
    assert not Service.objects.exists()
    assert export_services() == []


def test_hsds_csv_import_rolls_back_when_the_database_fails_at_the_last_write(
    package,  # noqa: F811
):
    # The package holds the demo catalog; changed in the database, the import writes it back.
    Service.objects.update(description="导入前的说明")
    before = export_services()
    fails_at_last_write(lambda: call_command("import_hsds", str(package), stdout=StringIO()))
    assert export_services() == before


# -- a resident's sign-up ------------------------------------------------------------------


@pytest.fixture
def session(center):
    activity = build_activity(
        center,
        dtstart=timezone.localdate() + timedelta(days=3),
        signup_required=True,
        capacity=1,
    )
    return activity.occurrences.get()


def test_a_sign_up_when_the_database_fails_leaves_no_record_and_says_so(client, session):
    url = reverse("activities:sign_up", args=[session.pk])
    with database_fails_at_write(1):
        answer = client.post(url, {"name": "王奶奶", "phone": "13812345678"})
    assert answer.status_code == 503
    assert "<h1>服务暂时不可用</h1>" in answer.content.decode()
    assert not SignUp.objects.exists()
    # Back again: the same resident signs up.
    assert client.post(url, {"name": "王奶奶", "phone": "13812345678"}).status_code == 302
    assert SignUp.objects.get().status == SignUpStatus.CONFIRMED


def test_a_cancellation_failing_at_the_waitlists_turn_cancels_nothing(client, session):
    confirmed = SignUp.objects.create(
        occurrence=session, name="王奶奶", phone="13812345678", status=SignUpStatus.CONFIRMED
    )
    waiting = SignUp.objects.create(
        occurrence=session, name="李大爷", phone="13812345679", status=SignUpStatus.WAITLISTED
    )
    url = links.cancel_url(confirmed)
    writes = writes_of(lambda: client.post(url))
    assert writes > 1  # the cancellation, then the waitlist's promotion
    with database_fails_at_write(writes):
        answer = client.post(url)
    assert answer.status_code == 503
    confirmed.refresh_from_db(), waiting.refresh_from_db()
    assert (confirmed.status, waiting.status) == (SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED)
