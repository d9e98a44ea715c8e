"""Integrity: a published disclosure is never changed silently. Each publication with new
content is a numbered version with a fingerprint; a change needs a correction note; the
earlier versions stay readable."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from disclosures.models import DisclosurePage, PublishedVersion
from disclosures.versions import fingerprint, short_fingerprint, version_page, versions_of
from tests.disclosures.builders import build_board, build_centers, build_disclosure, text_body

pytestmark = pytest.mark.django_db

# 2026-12-03 10:00 in Beijing.
PUBLISHED = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


def body_text(page) -> str:
    return page.body[0].value.source


@pytest.fixture
def boards():
    _, _, centers = build_centers()
    return [build_board(center) for center in centers]


@pytest.fixture
def published(boards):
    with time_machine.travel(PUBLISHED):
        return build_disclosure(boards[0], body=text_body("本月低保补助发放300元。"))


def edit(page):
    """The page as an editor opens it: its latest revision."""
    return DisclosurePage.objects.get(pk=page.pk).get_latest_revision_as_object()


def test_publishing_records_version_one_with_its_fingerprint(published):
    (version,) = versions_of(published)
    assert version.number == 1
    assert version.fingerprint == fingerprint(published)
    assert len(version.fingerprint) == 64
    assert version.correction_note == ""


def test_a_change_without_a_correction_note_is_refused(published):
    page = edit(published)
    page.body = text_body("本月低保补助发放350元。")
    with pytest.raises(ValidationError) as raised:
        page.save_revision()
    (message,) = raised.value.message_dict["correction_note"]
    assert message.startswith("该公开事项已于2026年12月3日发布，修改后必须填写新的更正说明")
    assert PublishedVersion.objects.filter(page=published).count() == 1


def test_a_correction_publishes_version_two_and_version_one_stays_readable(published):
    page = edit(published)
    page.body = text_body("本月低保补助发放350元。")
    page.correction_note = "补助金额由300元更正为350元（原公开时录入错误）。"
    page.save_revision().publish()

    first, second = versions_of(published)
    assert (first.number, second.number) == (1, 2)
    assert second.correction_note == "补助金额由300元更正为350元（原公开时录入错误）。"
    assert first.fingerprint != second.fingerprint
    assert "300元" in body_text(version_page(first))
    assert "350元" in body_text(version_page(second))
    assert "350元" in body_text(DisclosurePage.objects.get(pk=published.pk))
    # Each stored fingerprint is that of the content it was stored with.
    assert fingerprint(version_page(first)) == first.fingerprint
    assert fingerprint(version_page(second)) == second.fingerprint


def test_the_next_change_needs_a_new_note_not_the_last_one(published):
    page = edit(published)
    page.body = text_body("本月低保补助发放350元。")
    page.correction_note = "金额更正为350元。"
    page.save_revision().publish()

    page = edit(published)
    page.body = text_body("本月低保补助发放360元。")
    with pytest.raises(ValidationError) as raised:
        page.save_revision()
    assert "correction_note" in raised.value.message_dict


def test_republishing_unchanged_content_makes_no_new_version(published):
    edit(published).save_revision().publish()
    assert [v.number for v in versions_of(published)] == [1]


def test_a_draft_keeping_the_content_needs_no_note(published):
    edit(published).save_revision()  # e.g. saved again before review: nothing changed


def test_fingerprints_are_the_same_for_the_same_content_and_differ_otherwise(boards):
    one = build_disclosure(boards[0], body=text_body("同样的内容"))
    same = build_disclosure(boards[1], body=text_body("同样的内容"))
    other = build_disclosure(boards[1], slug="other", body=text_body("不同的内容"))
    assert fingerprint(one) == fingerprint(same)  # other ids, other board: same content
    assert fingerprint(one) != fingerprint(other)
    assert versions_of(one)[0].fingerprint == versions_of(same)[0].fingerprint


def test_short_fingerprint_for_print():
    digest = "3f9a21c47b0d88e1" + "0" * 48
    assert short_fingerprint(digest) == "3F9A 21C4 7B0D 88E1"


def test_the_earlier_version_stays_readable_from_the_page(published, client):
    page = edit(published)
    page.body = text_body("本月低保补助发放350元。")
    page.correction_note = "补助金额由300元更正为350元。"
    page.save_revision().publish()
    first, second = versions_of(published)

    current = client.get(published.url).content.decode()
    assert "350元" in current
    assert "补助金额由300元更正为350元。" in current
    assert first.fingerprint in current and second.fingerprint in current
    earlier = client.get(published.url + "banben/1/")
    assert earlier.status_code == 200
    assert "本月低保补助发放300元。" in earlier.content.decode()
