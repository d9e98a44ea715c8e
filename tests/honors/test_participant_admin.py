"""修改积分对象: editors correct a participant's name, kind and volunteer number and record
their consent to a full name on the ranking; the mobile is only ever shown masked, and
each editor reaches only the participants of their own centers."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from wagtail.models import ModelLogEntry

from honors.models import Participant
from tests.activities.builders import editor, refused
from tests.disclosures.builders import build_centers
from tests.honors.builders import add_points, build_honor_board, participant

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 12, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def centers():
    _home, _street, found = build_centers()
    return found


@pytest.fixture
def zhang(centers):
    return participant(centers[0], "张晓明", "13912345678")


def edit_url(who):
    return reverse("honors_ledger:participant_edit", args=[who.pk])


def form_of(who, **changes):
    values = {
        "name": who.name,
        "kind": who.kind,
        "volunteer_number": who.volunteer_number or "",
        "name_consent": "on" if who.name_consent else "",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value != ""}


def test_consent_given_in_the_admin_shows_the_full_name_on_the_ranking(client, centers, zhang):
    own, _other = centers
    board = build_honor_board(own, ranking_size=5)
    add_points(zhang, 20, day=date(2026, 12, 5))
    ranking_url = board.url + board.reverse_subpage("ranking")
    client.force_login(editor("community", own, codenames=[]))

    with time_machine.travel(TODAY, tick=False):
        before = client.get(ranking_url).content.decode()
        assert "张*明" in before and "张晓明" not in before

        page = client.get(edit_url(zhang)).content.decode()
        assert "修改积分对象" in page and "同意后积分榜显示全名，否则显示“张*明”" in page
        saved = client.post(edit_url(zhang), form_of(zhang, name_consent="on"))
        assert saved.status_code == 302

        after = client.get(ranking_url).content.decode()
    assert "张晓明" in after
    zhang.refresh_from_db()
    assert zhang.name_consent
    listing = client.get(saved["Location"]).content.decode()
    assert "已保存积分对象：张晓明" in listing
    assert ModelLogEntry.objects.filter(action="wagtail.edit", object_id=str(zhang.pk)).exists()


def test_the_edit_page_shows_the_mobile_masked_and_does_not_change_it(client, centers, zhang):
    client.force_login(editor("community", centers[0], codenames=[]))

    html = client.get(edit_url(zhang)).content.decode()
    assert "139****5678" in html and "13912345678" not in html
    assert "手机号如需更改，请重新登记" in html
    assert 'name="mobile"' not in html

    listing = client.get(reverse("honors_ledger:participants")).content.decode()
    assert edit_url(zhang) in listing and "13912345678" not in listing
    assert reverse("honors_lookup_slip", args=[zhang.pk]) in listing
    assert "打印查询凭条" in listing

    client.post(
        edit_url(zhang),
        form_of(zhang, name="张 晓明 ", kind="team", volunteer_number=" V-0012 ", mobile="1"),
    )
    zhang.refresh_from_db()
    assert (zhang.name, zhang.kind, zhang.volunteer_number) == ("张 晓明", "team", "V-0012")
    assert zhang.mobile == "13912345678"


def test_another_centers_editor_is_refused(client, centers, zhang):
    _own, other = centers
    client.force_login(editor("other", other, codenames=[]))

    assert refused(client.get(edit_url(zhang)))
    response = client.post(edit_url(zhang), form_of(zhang, name="李四", name_consent="on"))
    assert refused(response)
    zhang.refresh_from_db()
    assert (zhang.name, zhang.name_consent) == ("张晓明", False)
    listing = client.get(reverse("honors_ledger:participants")).content.decode()
    assert edit_url(zhang) not in listing


def test_a_duplicate_volunteer_number_is_refused_and_the_form_keeps_what_was_typed(
    client, centers, zhang
):
    own, other = centers
    participant(other, "李红", "13800000002", volunteer_number="V-0099")
    client.force_login(editor("community", own, codenames=[]))

    response = client.post(
        edit_url(zhang),
        form_of(zhang, name="张小明", volunteer_number="V-0099", name_consent="on"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "志愿者编号“V-0099”已被另一积分对象使用" in html
    assert 'value="张小明"' in html and 'value="V-0099"' in html
    assert re.search(r'<input[^>]*name="name_consent"[^>]*checked', html)  # still ticked
    assert "13912345678" not in html
    zhang.refresh_from_db()
    assert (zhang.name, zhang.volunteer_number, zhang.name_consent) == ("张晓明", None, False)


def test_errors_read_in_chinese(client, centers):
    who = participant(centers[0], "王五", "", volunteer_number="V-0001")
    client.force_login(editor("community", centers[0], codenames=[]))

    html = client.post(edit_url(who), {"name": " ", "kind": "robot"}).content.decode()
    assert "请填写姓名或团队名" in html
    assert "请选择个人或团队" in html
    assert "该积分对象没有登记手机号，志愿者编号不能为空" in html
    assert Participant.objects.get(pk=who.pk).volunteer_number == "V-0001"


def test_the_edit_page_and_the_list_read_in_chinese(client, centers, zhang):
    from tests.test_admin_chinese import english_words, readable_texts

    client.force_login(editor("community", centers[0], codenames=[]))
    for url in (edit_url(zhang), reverse("honors_ledger:participants")):
        html = client.get(url).content.decode()
        english = [word for text in readable_texts(html) for word in english_words(text, set())]
        assert english == [], url
