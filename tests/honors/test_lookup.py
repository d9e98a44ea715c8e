"""积分查询: a resident sees their own total, star level and history with their number and a
code, sent by SMS where a gateway is configured or printed on a slip at the center."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from honors import lookup
from honors.models import LookupCode
from honors.sms import LocmemBackend
from tests.activities.builders import editor
from tests.disclosures.builders import build_centers
from tests.honors.builders import add_points, participant

pytestmark = pytest.mark.django_db

LOOKUP = "/jifen/chaxun/"
MINE = "/jifen/chaxun/wode/"
SMS = override_settings(JIAMENKOU_SMS_BACKEND="honors.sms.LocmemBackend")
MOBILE = "13912345678"


@pytest.fixture
def district():
    _home, street, centers = build_centers()
    return street, centers


@pytest.fixture
def resident(district):
    """张晓明 with 170 points (a reversed entry among them) and a neighbour with their own."""
    _street, (center, other) = district
    who = participant(center, name="张晓明", mobile=MOBILE)
    add_points(who, 150, day=date(2026, 10, 3), reason="重阳节敬老志愿服务")
    wrong = add_points(who, 40, day=date(2026, 11, 2), reason="录错的一笔")
    add_points(
        who, -40, day=date(2026, 11, 3), reason="重复录入", source="reversal", reverses=wrong
    )
    add_points(who, 20, day=date(2026, 11, 15), reason="社区清扫", center=other)
    neighbour = participant(center, name="李红梅", mobile="13800001111")
    add_points(neighbour, 999, reason="邻居的积分")
    return who


@pytest.fixture(autouse=True)
def empty_outbox():
    LocmemBackend.outbox.clear()


def slip_for(who) -> str:
    code, _row = lookup.issue_slip(who)
    return code


def look_up(client, number, code, action="verify"):
    return client.post(LOOKUP, {"number": number, "code": code, "action": action})


def test_a_right_slip_code_shows_the_residents_own_total_and_history(client, resident):
    code = slip_for(resident)

    response = look_up(client, "139 1234 5678", lookup.grouped(code).lower())
    assert response.status_code == 302 and response["Location"] == MINE
    assert code not in response["Location"]

    page = client.get(MINE)
    html = page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert re.search(r"data-total>\s*170\s*<", html)
    assert re.search(r"data-star-level>\s*二星志愿者\s*<", html)  # 170 ≥ 150
    assert "重阳节敬老志愿服务" in html and "社区清扫" in html
    assert "冲正" in html and "重复录入" in html and "（已冲正）" in html
    assert "T-02社区党群服务中心" in html  # where the 20 points were recorded
    assert "139****5678" in html and MOBILE not in html
    assert "李红梅" not in html and "999" not in html and "邻居的积分" not in html


def test_a_wrong_code_is_refused_in_chinese_keeps_the_number_and_counts(client, resident):
    slip_for(resident)

    response = look_up(client, MOBILE, "AAAA2222")
    html = response.content.decode()

    assert response.status_code == 200
    assert "号码或查询码不正确" in html and f'value="{MOBILE}"' in html
    assert LookupCode.objects.get(participant=resident).attempts == 1
    assert client.get(MINE)["Location"].startswith(LOOKUP)  # nothing opened


def test_after_five_wrong_tries_even_the_right_code_is_refused(client, resident):
    code = slip_for(resident)
    for _ in range(lookup.MAX_ATTEMPTS):
        look_up(client, MOBILE, "AAAA2222")

    response = look_up(client, MOBILE, code)

    assert response.status_code == 200 and "号码或查询码不正确" in response.content.decode()


def test_a_slip_works_again_until_it_expires_and_a_new_slip_replaces_it(client, resident):
    code = slip_for(resident)
    assert look_up(client, MOBILE, code).status_code == 302
    assert look_up(client, MOBILE, code).status_code == 302  # reusable

    later = timezone.now() + timedelta(days=lookup.SLIP_VALID_DAYS + 1)
    with time_machine.travel(later):
        assert look_up(client, MOBILE, code).status_code == 200

    newer = slip_for(resident)
    assert look_up(client, MOBILE, code).status_code == 200  # the old slip is void
    assert look_up(client, MOBILE, newer).status_code == 302


def test_the_result_lasts_fifteen_minutes_in_the_session_and_can_be_ended(client, resident):
    look_up(client, MOBILE, slip_for(resident))
    assert client.get(MINE).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        expired = client.get(MINE)
    assert expired.status_code == 302
    assert "已超过15分钟" in client.get(expired["Location"]).content.decode()

    look_up(client, MOBILE, slip_for(resident))
    client.post(MINE)
    assert client.get(MINE).status_code == 302


def test_a_volunteer_number_and_its_slip_open_the_same_page(client, district):
    _street, (center, _other) = district
    team = participant(
        center, name="夕阳红志愿队", mobile="", kind="team", volunteer_number="ZY-007"
    )
    add_points(team, 60, reason="助老服务")

    look_up(client, "zy-007", slip_for(team))

    assert "助老服务" in client.get(MINE).content.decode()


def test_without_a_gateway_only_the_slip_is_offered(client, resident):
    html = client.get(LOOKUP).content.decode()

    assert "获取短信验证码" not in html and "暂未开通短信验证码" in html
    assert "查询凭条" in html
    look_up(client, MOBILE, "", action="send")
    assert LocmemBackend.outbox == []


@SMS
def test_an_sms_code_is_sent_to_the_registered_mobile_and_opens_the_page_once(client, resident):
    html = client.get(LOOKUP).content.decode()
    assert "获取短信验证码" in html

    sent = look_up(client, MOBILE, "", action="send").content.decode()

    assert "如号码已登记，验证码已发送" in sent and f'value="{MOBILE}"' in sent
    (message,) = LocmemBackend.outbox
    assert message.mobile == MOBILE
    code = re.search(r"\d{6}", message.text).group()
    assert look_up(client, MOBILE, code).status_code == 302
    assert "重阳节敬老志愿服务" in client.get(MINE).content.decode()
    assert look_up(client, MOBILE, code).status_code == 200  # used up


@SMS
def test_an_unregistered_number_gets_the_same_answer_and_no_message(client, resident):
    sent = look_up(client, "13700000000", "", action="send").content.decode()

    assert "如号码已登记，验证码已发送" in sent
    assert LocmemBackend.outbox == []


@SMS
def test_one_code_a_minute_and_five_an_hour_per_number(client, resident):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        look_up(client, MOBILE, "", action="send")
        refused = look_up(client, MOBILE, "", action="send").content.decode()
    assert "发送过于频繁" in refused and len(LocmemBackend.outbox) == 1

    for minute in range(1, 6):  # one a minute: the fifth within the hour is the last
        with time_machine.travel(start + timedelta(minutes=minute, seconds=1), tick=False):
            look_up(client, MOBILE, "", action="send")
    assert len(LocmemBackend.outbox) == 5

    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        look_up(client, MOBILE, "", action="send")
    assert len(LocmemBackend.outbox) == 6


@SMS
def test_an_expired_sms_code_is_refused(client, resident):
    look_up(client, MOBILE, "", action="send")
    code = re.search(r"\d{6}", LocmemBackend.outbox[0].text).group()

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert look_up(client, MOBILE, code).status_code == 200


# -- printing slips (admin) ---------------------------------------------------------------


def test_an_editor_prints_a_slip_for_a_participant_of_their_center(client, district, resident):
    _street, (center, other) = district
    client.force_login(editor("center-editor", center))

    listing = client.get(reverse("honors_lookup_slips") + "?q=张晓明").content.decode()
    assert "张晓明" in listing and "139****5678" in listing and MOBILE not in listing

    slip = client.post(reverse("honors_lookup_slip", args=[resident.pk]))
    html = slip.content.decode()
    code = re.search(r"data-code>([^<]+)<", html).group(1)
    assert len(code.replace(" ", "")) == 8 and not set(code) & set("01OIL")
    assert "T-01社区党群服务中心" in html and "139****5678" in html and "<svg" in html
    assert "http://testserver/jifen/chaxun/" in html

    client.logout()
    assert look_up(client, MOBILE, code).status_code == 302


def test_an_editor_cannot_print_slips_for_another_centers_participants(client, district):
    _street, (center, other) = district
    stranger = participant(other, name="王五", mobile="13600000000")
    client.force_login(editor("center-editor", center))

    response = client.post(reverse("honors_lookup_slip", args=[stranger.pk]))

    assert response.status_code in (302, 403)
    assert not LookupCode.objects.exists()
    client.logout()  # and the admin sends anonymous visitors to log in
    assert client.get(reverse("honors_lookup_slips")).status_code == 302
