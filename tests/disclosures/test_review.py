"""Review by the supervision committee: signed single-use links, the quorum, returns, the
links page for editors and the attribution on the published page."""

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import signing
from django.utils import timezone
from wagtail.models import WorkflowState

from disclosures import review
from disclosures.models import (
    CommitteeMember,
    ReviewDecision,
    ReviewLink,
    SupervisionCommittee,
)
from tests.disclosures.builders import build_board, build_centers, build_disclosure

pytestmark = pytest.mark.django_db

MEMBERS = [("张桂兰", "13800138000"), ("李建国", "13900139000"), ("王秀英", "")]


@pytest.fixture
def center():
    _home, _street, centers = build_centers()
    return centers[0]


@pytest.fixture
def committee(center):
    committee = SupervisionCommittee.objects.create(center=center, quorum=2, link_valid_days=7)
    for order, (name, mobile) in enumerate(MEMBERS):
        CommitteeMember.objects.create(
            committee=committee, name=name, mobile=mobile, sort_order=order
        )
    return committee


@pytest.fixture
def editor():
    return get_user_model().objects.create_superuser("editor", "e@example.com", "pw")


@pytest.fixture
def board(center):
    board = build_board(center)
    review.ensure_review_workflow()
    return board


def submit(page, user):
    """What 提交审核 does: start the page's workflow; (task state, {name: link path})."""
    page.save_revision(user=user)
    state = page.get_workflow().start(page, user)
    task_state = state.current_task_state
    links = {member.name: url for member, url in review.take_fresh_links(task_state.pk)}
    return task_state, links


def token_of(url):
    return re.fullmatch(r"/gongkai/shenhe/([^/]+)/", url).group(1)


def decide_through(client, url, decision, comment=""):
    return client.post(url, {"decision": decision, "comment": comment})


@pytest.fixture
def in_review(committee, board, editor):
    page = build_disclosure(board, publish=False, live=False)
    task_state, links = submit(page, editor)
    return page, task_state, links


def test_submitting_issues_one_link_per_member_in_office(in_review, committee):
    _page, task_state, links = in_review
    assert set(links) == {"张桂兰", "李建国", "王秀英"}
    assert ReviewLink.objects.filter(task_state=task_state).count() == 3
    assert all(url.startswith("/gongkai/shenhe/") for url in links.values())


def test_the_nonce_is_not_stored_in_clear(in_review):
    _page, _task_state, links = in_review
    payload = signing.loads(token_of(links["张桂兰"]), salt=review.SALT)
    link = ReviewLink.objects.get(pk=payload["l"])
    assert len(payload["n"]) >= 43  # 32 random bytes, base64
    assert link.nonce_hash == hashlib.sha256(payload["n"].encode()).hexdigest()
    assert payload["n"] not in link.nonce_hash


def test_a_tampered_or_guessed_token_is_refused(client, in_review):
    _page, _task_state, links = in_review
    url = links["张桂兰"]
    payload = signing.loads(token_of(url), salt=review.SALT)
    forged = signing.dumps({"l": payload["l"], "n": "guess"}, salt=review.SALT)
    unsigned = signing.dumps(payload, salt="another.salt")
    for token in (token_of(url)[:-2] + "xx", forged, unsigned, "abc"):
        assert review.verify(token) == "链接无效"
    response = client.get(f"/gongkai/shenhe/{forged}/")
    assert response.status_code == 410
    assert "链接无效" in response.content.decode()


def test_an_expired_link_is_refused(client, in_review):
    _page, _task_state, links = in_review
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = client.get(links["张桂兰"])
    assert response.status_code == 410
    assert "链接已过期" in response.content.decode()


def test_a_used_link_cannot_be_replayed(client, in_review):
    _page, _task_state, links = in_review
    decide_through(client, links["张桂兰"], "approve")
    again = decide_through(client, links["张桂兰"], "approve")
    assert again.status_code == 410
    assert "链接已使用" in again.content.decode()
    assert ReviewDecision.objects.count() == 1


def test_the_review_page_shows_the_draft_privately(client, in_review):
    _page, _task_state, links = in_review
    response = client.get(links["李建国"])
    text = response.content.decode()
    assert response.status_code == 200
    assert "李建国委员" in text and "2026年11月居务公开" in text and "本月居务事项如下。" in text
    assert "同意公开" in text and "退回修改" in text
    assert '<meta name="robots" content="noindex">' in text
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_two_of_three_approvals_publish_and_one_does_not(client, in_review):
    page, _task_state, links = in_review
    first = decide_through(client, links["张桂兰"], "approve")
    assert "目前1位委员同意，需要2位同意后才会发布" in first.content.decode()
    page.refresh_from_db()
    assert not page.live

    second = decide_through(client, links["李建国"], "approve")
    assert "内容已经发布" in second.content.decode()
    page.refresh_from_db()
    assert page.live
    assert [d.member_name for d in review.approval_record(page)] == ["张桂兰", "李建国"]
    # The third member's link has nothing left to review.
    assert review.verify(token_of(links["王秀英"])) == "该公开事项已不在审核中"


def test_returning_needs_a_comment_and_keeps_what_was_typed(client, in_review):
    page, task_state, links = in_review
    response = decide_through(client, links["王秀英"], "return", "  ")
    assert "退回修改时请写明需要修改的地方" in response.content.decode()
    assert ReviewDecision.objects.count() == 0
    assert review.verify(token_of(links["王秀英"])) != "链接已使用"


def test_a_return_sends_the_draft_back_unpublished(client, in_review):
    page, task_state, links = in_review
    decide_through(client, links["张桂兰"], "approve")
    response = decide_through(client, links["王秀英"], "return", "收入合计有误")
    assert "编辑会按您的意见修改" in response.content.decode()
    state = WorkflowState.objects.get(pk=task_state.workflow_state_id)
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    task_state.refresh_from_db()
    assert "收入合计有误" in task_state.comment and "王秀英" in task_state.comment
    page.refresh_from_db()
    assert not page.live
    assert review.verify(token_of(links["李建国"])) == "该公开事项已不在审核中"


def test_reissuing_voids_the_older_unused_link(in_review):
    _page, task_state, links = in_review
    member = CommitteeMember.objects.get(name="张桂兰")
    [(_member, new_url)] = review.issue_links(task_state, members=[member])
    assert "作废" in review.verify(token_of(links["张桂兰"]))
    assert isinstance(review.verify(token_of(new_url)), ReviewLink)


def test_a_member_who_approved_counts_once_however_many_links_they_get(client, in_review):
    page, task_state, links = in_review
    decide_through(client, links["张桂兰"], "approve")
    member = CommitteeMember.objects.get(name="张桂兰")
    # Reissuing to everyone leaves out whoever has decided; asked for by name, the new link
    # cannot be used for a second approval.
    assert [m.name for m, _url in review.issue_links(task_state)] == ["李建国", "王秀英"]
    [(_member, again)] = review.issue_links(task_state, members=[member])
    response = decide_through(client, again, "approve")

    assert "每位委员只算一次" in response.content.decode()
    page.refresh_from_db()
    assert not page.live
    assert review.approvals_of(task_state).count() == 1


def test_a_center_without_enough_members_cannot_submit(committee, board, editor):
    committee.members.filter(name__in=["李建国", "王秀英"]).update(active=False)
    page = build_disclosure(board, publish=False, live=False)
    with pytest.raises(review.ReviewRefused) as refused:
        submit(page, editor)
    assert "在任委员只有1人，少于通过所需的2人" in refused.value.messages[0]


def test_the_workflow_is_assigned_to_every_board_once(center, board):
    review.ensure_review_workflow()
    review.ensure_review_workflow()
    assert board.get_workflow().name == "公开审核（居务监督委员会）"
    assert board.get_workflow().tasks.count() == 1
    from district.models import CenterPage

    other = CenterPage.objects.exclude(pk=center.pk).first()
    assert build_board(other).get_workflow().name == "公开审核（居务监督委员会）"


def test_a_disclosure_published_without_review_has_no_approval_record(board):
    page = build_disclosure(board, publish=True)
    assert review.approval_record(page) == []


# -- the editors' side ---------------------------------------------------------------------


def test_the_links_page_issues_links_shown_to_the_editor_with_masked_mobiles(
    client, in_review, editor
):
    page, _task_state, old_links = in_review
    client.force_login(editor)
    url = f"/admin/disclosures/review/{page.pk}/"
    before = client.get(url).content.decode()
    assert "138****8000" in before and "13800138000" not in before
    assert "链接已发出（只在生成时显示）" in before

    client.post(url, {})
    after = client.get(url).content.decode()
    fresh = re.findall(r'value="(http://testserver/gongkai/shenhe/[^"]+/)"', after)
    assert len(fresh) == 3
    assert "<svg" in after  # the QR codes
    assert "作废" in review.verify(token_of(old_links["张桂兰"]))
    slips = client.get(url + "print/").content.decode()
    assert slips.count("请扫码审核") == 3

    index = client.get("/admin/disclosures/review/").content.decode()
    assert "2026年11月居务公开" in index
    # The edit page's header menu leads there too.
    edit = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert url in edit and "审核链接" in edit


def test_only_editors_of_the_page_see_its_links(client, in_review):
    from django.contrib.auth.models import Permission

    page, _task_state, _links = in_review
    outsider = get_user_model().objects.create_user("outsider", "o@example.com", "pw")
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(outsider)
    refused = client.get(f"/admin/disclosures/review/{page.pk}/")
    assert refused.status_code in (302, 403)  # Wagtail sends a refused user to the dashboard
    assert "2026年11月居务公开" not in client.get("/admin/disclosures/review/").content.decode()


def test_the_committee_snippets_list_members_in_office(client, committee, editor):
    client.force_login(editor)
    listing = client.get("/admin/disclosures/committees/")
    assert listing.status_code == 200
    assert "T-01社区党群服务中心" in listing.content.decode()


def test_the_published_page_says_who_approved_it(client, in_review):
    page, _task_state, links = in_review
    decide_through(client, links["张桂兰"], "approve")
    decide_through(client, links["李建国"], "approve")
    page.refresh_from_db()
    text = client.get(page.url).content.decode()
    assert "经居务监督委员会审核：张桂兰、李建国" in text


def test_a_draft_failing_the_page_checks_is_not_half_approved(client, in_review):
    page, task_state, links = in_review
    decide_through(client, links["张桂兰"], "approve")
    revision = task_state.revision
    revision.content["posting_until"] = "2026-11-01"  # before 公示开始
    revision.save(update_fields=["content"])
    response = decide_through(client, links["李建国"], "approve")
    assert "未能发布" in response.content.decode()
    assert "公示结束日期不能早于开始日期" in response.content.decode()
    page.refresh_from_db()
    assert not page.live
    assert [d.member_name for d in ReviewDecision.objects.all()] == ["张桂兰"]
    assert isinstance(review.verify(token_of(links["李建国"])), ReviewLink)


def test_a_draft_edited_during_review_is_reviewed_anew(client, in_review, editor):
    page, task_state, links = in_review
    decide_through(client, links["张桂兰"], "approve")
    page.title = "2026年11月居务公开（修订）"
    page.save_revision(user=editor)
    response = decide_through(client, links["李建国"], "approve")
    assert "需要委员会重新审核修改后的内容" in response.content.decode()
    page.refresh_from_db()
    assert not page.live
    restarted = page.current_workflow_task_state
    assert restarted.pk != task_state.pk
    assert restarted.review_links.count() == 3


def test_a_returned_draft_resubmitted_gets_new_links(client, in_review, editor):
    page, task_state, links = in_review
    decide_through(client, links["王秀英"], "return", "请补充会议纪要")
    page.save_revision(user=editor)
    state = WorkflowState.objects.get(pk=task_state.workflow_state_id)
    state.resume(user=editor)  # what 重新提交 does in the editor
    resumed = page.current_workflow_task_state
    fresh = {member.name: url for member, url in review.take_fresh_links(resumed.pk)}
    assert set(fresh) == {"张桂兰", "李建国", "王秀英"}
    assert review.verify(token_of(links["张桂兰"])) == "该公开事项已不在审核中"
    decide_through(client, fresh["张桂兰"], "approve")
    decide_through(client, fresh["王秀英"], "approve")
    page.refresh_from_db()
    assert page.live
    assert [d.member_name for d in review.approval_record(page)] == ["张桂兰", "王秀英"]
