"""The points ledger: entries are only added, a mistake is reversed by a counter-entry,
attendance at activities with points earns one entry per sign-up, and the admin pages
(in Chinese, mobiles masked, each editor to their own centers)."""

from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse as url_for

from activities.registration import service
from catalog.opening import LOCAL_TZ
from honors import ledger
from honors.models import Participant, PointsEntry, PointsSource
from honors.models.ledger import LedgerImmutable
from tests.activities.builders import build_activity
from tests.district.builders import build_center, build_home, build_street
from tests.honors.builders import add_points, participant

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def centers():
    home = build_home()
    street = build_street(home)
    return build_center(street, "T-01"), build_center(street, "T-02")


@pytest.fixture
def center(centers):
    return centers[0]


def total(who):
    return ledger.total(who)


# -- record and reverse ----------------------------------------------------------------------


def test_record_and_reverse_keep_the_sum(center, clock):
    who = participant(center)
    first = ledger.record(who, center, 10, "社区志愿服务", date(2026, 11, 15), "manual")
    ledger.record(who, center, 5, "垃圾分类宣传", date(2026, 11, 20), "manual")
    assert total(who) == 15

    counter = ledger.reverse(first, "录入重复")
    assert (counter.points, counter.source, counter.reverses) == (-10, "reversal", first)
    assert counter.date == date(2026, 12, 6)
    assert counter.reason == "录入重复"
    assert total(who) == 5
    assert PointsEntry.objects.count() == 3  # nothing removed


def test_a_reversal_and_a_reversed_entry_cannot_be_reversed(center, clock):
    entry = add_points(participant(center), 10)
    counter = ledger.reverse(entry, "录错了")
    with pytest.raises(ValidationError, match="已经冲正过了"):
        ledger.reverse(entry, "再冲一次")
    with pytest.raises(ValidationError, match="冲正记录，不能再冲正"):
        ledger.reverse(counter, "冲正的冲正")
    with pytest.raises(ValidationError, match="请填写冲正原因"):
        ledger.reverse(add_points(entry.participant, 3), " ")
    assert total(entry.participant) == 3


def test_record_refuses_zero_points_an_empty_reason_and_a_future_day(center, clock):
    who = participant(center)
    with pytest.raises(ValidationError) as refused:
        ledger.record(who, center, 0, "", date(2026, 12, 7), "manual")
    assert set(refused.value.message_dict) == {"points", "reason", "date"}
    assert not PointsEntry.objects.exists()


def test_entries_are_never_changed_or_deleted(center):
    entry = add_points(participant(center), 10)
    entry.points = 100
    with pytest.raises(LedgerImmutable):
        entry.save()
    with pytest.raises(LedgerImmutable):
        entry.delete()
    with pytest.raises(LedgerImmutable):
        PointsEntry.objects.filter(pk=entry.pk).update(points=100)
    with pytest.raises(LedgerImmutable):
        PointsEntry.objects.all().delete()
    entry.refresh_from_db()
    assert entry.points == 10


def test_participants_are_found_by_mobile_or_volunteer_number(centers):
    center, other = centers
    found = ledger.participant_for(center, mobile="139 1234 5678", name="张晓明")
    assert found.mobile == "13912345678"
    assert ledger.participant_for(center, mobile="+86-139-1234-5678", name="张晓明") == found
    # The same mobile at another center is another participant of that center.
    assert ledger.participant_for(other, mobile="13912345678", name="张晓明") != found
    volunteer = ledger.participant_for(center, volunteer_number="V-0012", name="李华")
    assert ledger.participant_for(other, volunteer_number="V-0012", name="李华") == volunteer
    assert ledger.masked_identity(found) == "139****5678"
    assert ledger.masked_identity(volunteer) == "志愿者编号 V-0012"
    with pytest.raises(ValidationError) as refused:
        ledger.participant_for(center, mobile="12345", name="")
    assert set(refused.value.message_dict) == {"mobile", "name"}


# -- attendance --------------------------------------------------------------------------------


@pytest.fixture
def session(center):
    """A session of 太极拳 (5 points) on 2026-12-08 09:00 with three sign-ups."""
    with time_machine.travel(NOW, tick=False):
        activity = build_activity(center, "太极拳", signup_required=True, capacity=20, points=5)
        occurrence = activity.occurrences.get()
        sign_ups = [
            service.sign_up(occurrence, name, mobile, ip=None)
            for name, mobile in [
                ("张阿姨", "13900000001"),
                ("李大爷", "13900000002"),
                ("王奶奶", "13900000003"),
            ]
        ]
    return occurrence, sign_ups


@pytest.fixture
def started():
    with time_machine.travel(datetime(2026, 12, 8, 9, 30, tzinfo=LOCAL_TZ), tick=False):
        yield


def points_of(mobile):
    who = Participant.objects.filter(mobile=mobile).first()
    return total(who) if who else 0


def test_attendance_earns_points_once_per_sign_up(session, started):
    occurrence, (zhang, li, wang) = session
    service.attendance(occurrence, [zhang.pk, li.pk])
    service.attendance(occurrence, [zhang.pk, li.pk])  # saved again: nothing new

    entries = PointsEntry.objects.filter(source=PointsSource.ATTENDANCE)
    assert entries.count() == 2
    entry = entries.get(sign_up=zhang)
    assert (entry.points, entry.date) == (5, date(2026, 12, 8))
    assert entry.reason == "参加活动：太极拳（2026-12-08）"
    assert entry.center == occurrence.center
    assert entry.participant.name == "张阿姨"
    assert (points_of("13900000001"), points_of("13900000003")) == (5, 0)


def test_unticking_reverses_and_ticking_again_awards_again(session, started):
    occurrence, (zhang, li, _) = session
    service.attendance(occurrence, [zhang.pk, li.pk])
    service.attendance(occurrence, [zhang.pk])  # 李大爷 did not come after all

    counter = PointsEntry.objects.get(source=PointsSource.REVERSAL)
    assert (counter.reason, counter.points, counter.reverses.sign_up) == ("签到取消", -5, li)
    assert points_of("13900000002") == 0

    service.attendance(occurrence, [zhang.pk, li.pk])
    service.attendance(occurrence, [zhang.pk, li.pk])
    assert points_of("13900000002") == 5
    assert points_of("13900000001") == 5
    assert PointsEntry.objects.count() == 4  # 2 awards, 1 reversal, 1 new award


def test_activities_without_points_earn_nothing(center, started):
    with time_machine.travel(NOW, tick=False):
        activity = build_activity(center, "读书会", signup_required=True, capacity=20)
        occurrence = activity.occurrences.get()
        sign_up = service.sign_up(occurrence, "张阿姨", "13900000001", ip=None)
    service.attendance(occurrence, [sign_up.pk])
    assert not PointsEntry.objects.exists()


def test_the_attendance_of_a_session_not_started_is_refused_and_earns_nothing(session, clock):
    occurrence, (zhang, *_) = session
    with pytest.raises(ValidationError):
        service.attendance(occurrence, [zhang.pk])
    assert not PointsEntry.objects.exists()


# -- the admin ---------------------------------------------------------------------------------


@pytest.fixture
def district_admin(django_user_model):
    return django_user_model.objects.create_superuser("admin", password="pw-admin-123")


def test_ledger_pages_read_in_chinese_and_mask_mobiles(client, district_admin, center, clock):
    who = participant(center, "张晓明", "13912345678")
    add_points(who, 10, reason="社区志愿服务")
    client.force_login(district_admin)

    people = client.get(url_for("honors_ledger:participants")).content.decode()
    assert "积分对象" in people and "139****5678" in people and "13912345678" not in people
    entries = client.get(url_for("honors_ledger:entries")).content.decode()
    assert "积分记录" in entries and "社区志愿服务" in entries and "冲正" in entries
    assert "139****5678" in entries and "13912345678" not in entries


def test_an_entry_is_added_and_reversed_in_the_admin(client, district_admin, center, clock):
    client.force_login(district_admin)
    response = client.post(
        url_for("honors_ledger:add"),
        {
            "center": center.pk,
            "mobile": "139 1234 5678",
            "name": "张晓明",
            "points": "8",
            "reason": "助老服务",
            "date": "2026-12-01",
        },
    )
    assert response.status_code == 302
    entry = PointsEntry.objects.get()
    assert (entry.points, entry.source, entry.created_by) == (8, "manual", district_admin)

    page = client.get(url_for("honors_ledger:reverse", args=[entry.pk])).content.decode()
    assert "冲正原因" in page
    refused = client.post(url_for("honors_ledger:reverse", args=[entry.pk]), {"reason": ""})
    assert refused.status_code == 200 and PointsEntry.objects.count() == 1
    client.post(url_for("honors_ledger:reverse", args=[entry.pk]), {"reason": "录入错误"})
    assert total(entry.participant) == 0


def test_a_community_editor_cannot_record_for_another_center(client, centers, clock):
    from tests.activities.builders import editor

    own, other = centers
    user = editor("community", own, codenames=[])
    client.force_login(user)
    form = {
        "center": other.pk,
        "mobile": "13912345678",
        "name": "张晓明",
        "points": "8",
        "reason": "助老服务",
        "date": "2026-12-01",
    }
    response = client.post(url_for("honors_ledger:add"), form)
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not PointsEntry.objects.exists()

    entry = add_points(participant(other), 10)
    response = client.post(url_for("honors_ledger:reverse", args=[entry.pk]), {"reason": "错"})
    assert response.status_code in (302, 403, 404)
    assert not PointsEntry.objects.filter(reverses=entry).exists()
    listing = client.get(url_for("honors_ledger:entries")).content.decode()
    assert "社区志愿服务" not in listing

    client.post(url_for("honors_ledger:add"), {**form, "center": own.pk})
    assert PointsEntry.objects.filter(center=own).count() == 1


def test_entries_are_filtered_by_center_source_and_date(client, district_admin, centers, clock):
    own, other = centers
    add_points(participant(own), 10, reason="助老服务", day=date(2026, 11, 2))
    add_points(participant(other, "李华", "13800000002"), 4, reason="文明劝导", source="import")
    client.force_login(district_admin)
    url = url_for("honors_ledger:entries")

    by_center = client.get(url, {"center": other.pk}).content.decode()
    assert "文明劝导" in by_center and "助老服务" not in by_center
    by_source = client.get(url, {"source": "manual"}).content.decode()
    assert "助老服务" in by_source and "文明劝导" not in by_source
    by_date = client.get(url, {"date_from": "2026-11-10"}).content.decode()
    assert "文明劝导" in by_date and "助老服务" not in by_date


def test_the_activity_form_offers_points_for_attendance(client, district_admin, center):
    client.force_login(district_admin)
    page = client.get(url_for("activities_activity_modeladmin_create")).content.decode()
    assert "签到积分" in page and 'name="points"' in page


def test_the_admin_menu_offers_points(client, district_admin, center):
    client.force_login(district_admin)
    # The sidebar is drawn from JSON in the page: the menu's addresses are there as typed.
    assert url_for("honors_ledger:entries") in client.get("/admin/").content.decode()


def test_an_attendance_entry_reversed_by_an_editor_is_not_awarded_again(session, started):
    occurrence, (zhang, *_) = session
    service.attendance(occurrence, [zhang.pk])
    ledger.reverse(PointsEntry.objects.get(sign_up=zhang), "本人未到，代签")
    service.attendance(occurrence, [zhang.pk])
    assert points_of("13900000001") == 0
    assert PointsEntry.objects.count() == 2
