"""The permission matrix (issue 14, point 4): an editor of one center can neither see the
drafts of, edit, publish, delete nor export anything of another center, and can do each
of those to their own center's things.

Every cell is one test, named ``test_<content type>__<action>__<own|other>``: the editor
of 甲苑 (with the demo's community-editor permissions) acts, through the real admin URLs,
on 甲苑's thing (own: the action works) or on 乙苑's (other: refused, the database
unchanged, 乙苑's names absent from the response). A superuser sees both.

Content types: the seven page types of a center (center, notice, programme sheet, service
list, disclosure board, disclosure, honor board), rooms, honor entries, services, places,
correction reports, activities, sign-ups, kiosks, disclosure review, supervision
committees, ledger entries and participants. Actions: list, view (inspect, preview, draft,
history, revisions), edit_get, edit_post, publish, delete, export, book (a room, through
the API). ``CELLS`` at the bottom names each cell; an action the admin does not offer for
a content type has none: corrections and ledger entries are not published or deleted (a
ledger entry is reversed: its edit_post), pages with children are deleted only by groups
that may "bulk delete", places and committees are created and deleted by the district,
sign-ups have no edit form (edit_post is cancelling one).
"""

from __future__ import annotations

import json
from datetime import timedelta
from io import BytesIO

from django.contrib.auth import get_user_model
from django.test import TestCase
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.log_actions import log
from wagtail.models import Page

from activities.models import Kiosk, Room, SignUp
from catalog.models import CorrectionReport, Service
from disclosures.models import SupervisionCommittee
from honors.models import HonorEntry, LookupCode, Participant, PointsEntry
from tests.disclosures.builders import edit_form_data
from tests.permission_matrix_builders import MOBILE, build_two_centers, center_editor, form_data

#: The page types of a center (tests/permission_matrix_builders.py builds one of each).
PAGE_ROWS = (
    "center",
    "notice",
    "programme",
    "service_list",
    "disclosure_board",
    "disclosure",
    "honor_board",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def text_of(response) -> str:
    """What a response shows: the cells of a workbook, the text of anything else."""
    body = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if response.get("Content-Type", "").startswith(XLSX):
        workbook = load_workbook(BytesIO(body), read_only=True)
        return "\n".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return body.decode()


def refused(response) -> bool:
    """403/404, or Wagtail's answer to a PermissionDenied: back to the dashboard."""
    if response.status_code == 302:
        return response["Location"].rstrip("/") in ("/admin", "")
    return response.status_code in (403, 404)


class MatrixCase(TestCase):
    """The two centers, the editor of 甲苑 (logged in) and a superuser to read forms."""

    @classmethod
    def setUpTestData(cls):
        cls.own, cls.other = build_two_centers()
        cls.editor = center_editor("bianji_jiayuan", cls.own.center)
        cls.superuser = get_user_model().objects.create_superuser("admin", "a@example.gov.cn")
        # An action in the site history for every page, as its editors would leave one.
        for content in (cls.own, cls.other):
            for page in content.pages.values():
                log(instance=page, action="wagtail.edit", user=cls.superuser)

    def setUp(self):
        self.client.force_login(self.editor)

    def target(self, whose):
        return self.own if whose == "own" else self.other

    # -- how each cell looks at a response ---------------------------------------------------

    def assert_shows(self, response, target, names, allowed):
        """Own: the response works and names ``names``; other: refused, or names none of them
        (nor anything of 乙苑's, its mark)."""
        text = "" if refused(response) else text_of(response)
        if allowed:
            self.assertEqual(response.status_code, 200, response)
            for name in names:
                self.assertIn(name, text)
        else:
            for name in names:
                self.assertNotIn(name, text)

    def assert_opens(self, response, allowed):
        if allowed:
            self.assertEqual(response.status_code, 200)
        else:
            self.assertTrue(refused(response), f"{response.status_code} {response.get('Location')}")

    def post_form(self, url, data, allowed):
        """Posts ``data``; an own form must be saved (a redirect), not shown again."""
        response = self.client.post(url, data)
        if allowed and response.status_code != 302:
            errors = [
                str(getattr(form, "errors", ""))
                for context in response.context or []
                for key, form in context.flatten().items()
                if key == "form"
            ]
            self.fail(f"{url} not saved ({response.status_code}): {errors[:1]}")
        return response

    def edit_data(self, url, allowed, must_have, **changes):
        """The edit form at ``url`` as its editors would post it, with ``changes``; read as
        the editor (own) or as a superuser (other: the editor cannot open it)."""
        if not allowed:
            self.client.force_login(self.superuser)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        data = form_data(response.content.decode(), must_have)
        self.client.force_login(self.editor)
        for name, value in changes.items():
            data[name] = [value]
        return data


# -- pages ---------------------------------------------------------------------------------------


def page_of(case, target, row):
    return Page.objects.get(pk=target.pages[row].pk).specific


def page_list(case, target, row, allowed):
    page = target.pages[row]
    parent = page.get_parent()
    # An editor asking for a page outside their part of the tree is sent to their own.
    listing = case.client.get(f"/admin/pages/{parent.pk}/", follow=True)
    if allowed:
        case.assertContains(listing, page.title)
    else:
        case.assertNotContains(listing, page.title)
    # The search box repeats the words searched for: a found page is its link to edit.
    search = case.client.get("/admin/pages/search/", {"q": page.title})
    case.assert_shows(search, target, [f"/admin/pages/{page.pk}/edit/"], allowed)


def page_view(case, target, row, allowed):
    page = target.pages[row]
    case.assert_opens(case.client.get(f"/admin/pages/{page.pk}/view_draft/"), allowed)
    case.assert_opens(case.client.get(f"/admin/pages/{page.pk}/history/"), allowed)
    revision = page.get_latest_revision()
    case.assert_opens(
        case.client.get(f"/admin/pages/{page.pk}/revisions/{revision.pk}/view/"), allowed
    )


def page_edit_get(case, target, row, allowed):
    case.assert_opens(case.client.get(f"/admin/pages/{target.pages[row].pk}/edit/"), allowed)


def page_form(case, target, row, allowed, **changes):
    url = f"/admin/pages/{target.pages[row].pk}/edit/"
    data = case.edit_data(url, allowed, "title", **changes)
    if row == "disclosure":  # its body is a StreamField, which the browser posts from JS
        page = target.pages[row]
        data["body-count"] = ["1"]
        data.update(
            (name, [value])
            for name, value in edit_form_data(page, texts=["本月居务事项如下。"]).items()
            if name.startswith("body-")
        )
    return url, data


def page_edit_post(case, target, row, allowed):
    page = target.pages[row]
    url, data = page_form(case, target, row, allowed, title=page.title + "改")
    case.post_form(url, data, allowed)
    saved = page_of(case, target, row).get_latest_revision_as_object()
    case.assertEqual(saved.title, page.title + "改" if allowed else page.title)


def page_publish(case, target, row, allowed):
    page = target.pages[row]
    url, data = page_form(case, target, row, allowed, title=page.title + "发布")
    data["action-publish"] = ["action-publish"]
    case.post_form(url, data, allowed)
    published = page_of(case, target, row)
    case.assertEqual(published.title, page.title + "发布" if allowed else page.title)
    case.assertEqual(published.live, True if allowed else page.live)


def page_delete(case, target, row, allowed):
    page = target.pages[row]
    response = case.client.post(f"/admin/pages/{page.pk}/delete/")
    if allowed and Page.objects.filter(pk=page.pk).exists():
        case.fail(f"not deleted: {response.status_code} {response.get('Location')}")
    case.assertEqual(Page.objects.filter(pk=page.pk).exists(), not allowed)


#: Wagtail's site history, and our log with the centers that replaces it in the menu (its
#: results: the filter above them offers every center by name), with their exports.
AUDIT_LOG = (
    ("/admin/reports/site-history/", {}),
    ("/admin/reports/site-history/", {"export": "csv"}),
    ("/admin/reports/site-history/", {"export": "xlsx"}),
    ("/admin/reports/center-log/results/", {}),
    ("/admin/reports/center-log/", {"export": "csv"}),
    ("/admin/reports/center-log/", {"export": "xlsx"}),
)


def page_export(case, target, row, allowed):
    """The audit log and its exports name no other center's page."""
    title = target.pages[row].title
    for url, query in AUDIT_LOG:
        response = case.client.get(url, query)
        case.assertEqual(response.status_code, 200)
        (case.assertIn if allowed else case.assertNotIn)(title, text_of(response))


PAGE_ACTIONS = {
    "list": page_list,
    "view": page_view,
    "edit_get": page_edit_get,
    "edit_post": page_edit_post,
    "publish": page_publish,
    "delete": page_delete,
    "export": page_export,
}


# -- what lives inside pages: rooms (the center page) and honor entries (the honor board) ----


def room_edit_post(case, target, allowed):
    room = Room.objects.get(center=target.center)
    url, data = page_form(case, target, "center", allowed, **{"rooms-0-name": room.name + "改"})
    data["action-publish"] = ["action-publish"]
    case.post_form(url, data, allowed)
    case.assertEqual(Room.objects.get(pk=room.pk).name, room.name + "改" if allowed else room.name)


def room_view(case, target, allowed):
    """A center's week shows its rooms."""
    response = case.client.get(f"/admin/activities/calendar/{target.center.pk}/")
    room = Room.objects.get(center=target.center)
    case.assert_opens(response, allowed)
    if allowed:
        case.assertContains(response, room.name)


def room_list(case, target, allowed):
    room = Room.objects.get(center=target.center)
    response = case.client.get("/admin/activities/utilisation/")
    (case.assertContains if allowed else case.assertNotContains)(response, room.name)
    response = case.client.get("/admin/activities/utilisation/", {"scope": f"room-{room.pk}"})
    (case.assertContains if allowed else case.assertNotContains)(
        response, room.name, status_code=response.status_code
    )


def room_export(case, target, allowed):
    room = Room.objects.get(center=target.center)
    for scope in (f"center-{target.center.pk}", f"room-{room.pk}"):
        response = case.client.get("/admin/activities/utilisation/export/", {"scope": scope})
        case.assert_shows(response, target, [room.name], allowed)


def room_book(case, target, allowed):
    """Staff book a room for a one-off session through the API (session login)."""
    title = f"{target.mark}健康讲座"
    booking = {
        "center": target.center.code,
        "room": Room.objects.get(center=target.center).name,
        "title": title,
        "kind": target.activity.kind.name,
        "date": (timezone.localdate() + timedelta(days=5)).isoformat(),
        "start_time": "14:00",
        "end_time": "15:00",
    }
    response = case.client.post(
        "/api/activities/bookings", json.dumps(booking), content_type="application/json"
    )
    case.assertEqual(response.status_code, 201 if allowed else 403, response.content[:300])
    case.assertEqual(type(target.activity).objects.filter(title=title).exists(), allowed)


def honor_entry_edit_post(case, target, allowed):
    entry = HonorEntry.objects.get(board=target.pages["honor_board"])
    url, data = page_form(
        case, target, "honor_board", allowed, **{"entries-0-name": entry.name + "改"}
    )
    data["action-publish"] = ["action-publish"]
    case.post_form(url, data, allowed)
    names = set(
        HonorEntry.objects.filter(board=target.pages["honor_board"]).values_list("name", flat=True)
    )
    case.assertEqual(names, {entry.name + "改"} if allowed else {entry.name})


def honor_entry_view(case, target, allowed):
    entry = HonorEntry.objects.get(board=target.pages["honor_board"])
    response = case.client.get(f"/admin/pages/{target.pages['honor_board'].pk}/edit/")
    case.assert_opens(response, allowed)
    if allowed:
        case.assertContains(response, entry.name)


# -- services, their places and correction reports ------------------------------------------


def service_list(case, target, allowed):
    response = case.client.get("/admin/catalog/service/")
    (case.assertContains if allowed else case.assertNotContains)(response, target.service.name)


def service_edit_get(case, target, allowed):
    case.assert_opens(case.client.get(f"/admin/catalog/service/edit/{target.service.pk}/"), allowed)


def service_edit_post(case, target, allowed):
    url = f"/admin/catalog/service/edit/{target.service.pk}/"
    name = target.service.name
    case.post_form(url, case.edit_data(url, allowed, "name", name=name + "改"), allowed)
    case.assertEqual(
        Service.objects.get(pk=target.service.pk).name, name + "改" if allowed else name
    )


def service_publish(case, target, allowed):
    """核实 (the catalog's sign-off): the bulk action marks only the editor's services."""
    case.client.post("/admin/catalog/services/verify/", {"services": [str(target.service.pk)]})
    assured = Service.objects.get(pk=target.service.pk).assured_date
    case.assertEqual(assured is not None, allowed)


def service_delete(case, target, allowed):
    case.client.post(f"/admin/catalog/service/delete/{target.service.pk}/")
    case.assertEqual(Service.objects.filter(pk=target.service.pk).exists(), not allowed)


def service_export(case, target, allowed):
    response = case.client.get("/admin/catalog/excel/export/")
    case.assertEqual(response.status_code, 200)
    (case.assertIn if allowed else case.assertNotIn)(target.service.name, text_of(response))


def place_list(case, target, allowed):
    response = case.client.get("/admin/catalog/location/")
    (case.assertContains if allowed else case.assertNotContains)(response, target.center.title)


def place_edit_get(case, target, allowed):
    url = f"/admin/catalog/location/edit/{target.center.location.pk}/"
    case.assert_opens(case.client.get(url), allowed)


def place_edit_post(case, target, allowed):
    location = target.center.location
    url = f"/admin/catalog/location/edit/{location.pk}/"
    case.post_form(url, case.edit_data(url, allowed, "name", name=location.name + "改"), allowed)
    saved = type(location).objects.get(pk=location.pk).name
    case.assertEqual(saved, location.name + "改" if allowed else location.name)


def correction_list(case, target, allowed):
    response = case.client.get("/admin/catalog/correctionreport/")
    (case.assertContains if allowed else case.assertNotContains)(response, target.service.name)
    case.assertNotContains(response, MOBILE)  # masked wherever shown


def correction_view(case, target, allowed):
    url = f"/admin/catalog/correctionreport/inspect/{target.correction.pk}/"
    response = case.client.get(url)
    case.assert_opens(response, allowed)
    if allowed:
        case.assertContains(response, target.correction.details)


def correction_edit_get(case, target, allowed):
    url = f"/admin/catalog/correctionreport/edit/{target.correction.pk}/"
    case.assert_opens(case.client.get(url), allowed)


def correction_edit_post(case, target, allowed):
    url = f"/admin/catalog/correctionreport/edit/{target.correction.pk}/"
    data = case.edit_data(url, allowed, "status", status="handled", handling_note="已改正")
    case.post_form(url, data, allowed)
    status = CorrectionReport.objects.get(pk=target.correction.pk).status
    case.assertEqual(status, "handled" if allowed else "open")


# -- activities, sign-ups, kiosks -----------------------------------------------------------


def activity_list(case, target, allowed):
    response = case.client.get("/admin/activities/activity/")
    (case.assertContains if allowed else case.assertNotContains)(response, target.activity.title)


def activity_view(case, target, allowed):
    response = case.client.get(f"/admin/activities/calendar/{target.center.pk}/")
    case.assert_opens(response, allowed)
    if allowed:
        case.assertContains(response, target.activity.title)


def activity_edit_get(case, target, allowed):
    url = f"/admin/activities/activity/edit/{target.activity.pk}/"
    case.assert_opens(case.client.get(url), allowed)


def activity_edit_post(case, target, allowed):
    url = f"/admin/activities/activity/edit/{target.activity.pk}/"
    title = target.activity.title
    case.post_form(url, case.edit_data(url, allowed, "title", title=title + "改"), allowed)
    saved = type(target.activity).objects.get(pk=target.activity.pk).title
    case.assertEqual(saved, title + "改" if allowed else title)


def activity_delete(case, target, allowed):
    case.client.post(f"/admin/activities/activity/delete/{target.activity.pk}/")
    exists = type(target.activity).objects.filter(pk=target.activity.pk).exists()
    case.assertEqual(exists, not allowed)


def activity_export(case, target, allowed):
    response = case.client.get("/admin/activities/excel/export/")
    case.assertEqual(response.status_code, 200)
    (case.assertIn if allowed else case.assertNotIn)(target.activity.title, text_of(response))


def sign_up_list(case, target, allowed):
    response = case.client.get("/admin/activities/sign-ups/")
    (case.assertContains if allowed else case.assertNotContains)(response, target.activity.title)


def sign_up_view(case, target, allowed):
    response = case.client.get(f"/admin/activities/sign-ups/{target.occurrence.pk}/")
    case.assert_opens(response, allowed)
    if allowed:
        case.assertContains(response, target.sign_up.name)
        case.assertNotContains(response, MOBILE)  # masked: only the Excel list shows it


def sign_up_edit_post(case, target, allowed):
    """Cancelling a sign-up, and saving attendance."""
    url = f"/admin/activities/sign-ups/{target.occurrence.pk}/"
    case.client.post(url, {"cancel": str(target.sign_up.pk)})
    status = SignUp.objects.get(pk=target.sign_up.pk).status
    case.assertEqual(status, "cancelled" if allowed else "confirmed")


def sign_up_export(case, target, allowed):
    response = case.client.get(f"/admin/activities/sign-ups/{target.occurrence.pk}/export/")
    case.assert_shows(response, target, [target.sign_up.name, MOBILE], allowed)


def kiosk_list(case, target, allowed):
    for url in ("/admin/activities/kiosk/", "/admin/activities/kiosks/health/"):
        response = case.client.get(url)
        (case.assertContains if allowed else case.assertNotContains)(response, target.kiosk.name)


def kiosk_view(case, target, allowed):
    """The setup page carries the screen's secret token."""
    response = case.client.get(f"/admin/activities/kiosks/{target.kiosk.pk}/setup/")
    case.assert_opens(response, allowed)
    if not allowed:
        case.assertNotIn(target.kiosk.token, response.content.decode())


def kiosk_edit_get(case, target, allowed):
    url = f"/admin/activities/kiosk/edit/{target.kiosk.pk}/"
    case.assert_opens(case.client.get(url), allowed)


def kiosk_edit_post(case, target, allowed):
    url = f"/admin/activities/kiosk/edit/{target.kiosk.pk}/"
    name = target.kiosk.name
    case.post_form(url, case.edit_data(url, allowed, "name", name=name + "改"), allowed)
    case.assertEqual(Kiosk.objects.get(pk=target.kiosk.pk).name, name + "改" if allowed else name)


def kiosk_publish(case, target, allowed):
    """A new setup link (token) puts a screen on the air, and takes the old one off."""
    case.client.post(f"/admin/activities/kiosks/{target.kiosk.pk}/new-token/")
    token = Kiosk.objects.get(pk=target.kiosk.pk).token
    case.assertEqual(token != target.kiosk.token, allowed)


def kiosk_delete(case, target, allowed):
    case.client.post(f"/admin/activities/kiosk/delete/{target.kiosk.pk}/")
    case.assertEqual(Kiosk.objects.filter(pk=target.kiosk.pk).exists(), not allowed)


# -- disclosures: the review before posting ----------------------------------------------


COMMITTEES = "/admin/disclosures/committees/"


def review_view(case, target, allowed):
    page = target.pages["disclosure"]
    case.assert_opens(case.client.get(f"/admin/disclosures/review/{page.pk}/"), allowed)


def review_export(case, target, allowed):
    """The printed review slips."""
    page = target.pages["disclosure"]
    case.assert_opens(case.client.get(f"/admin/disclosures/review/{page.pk}/print/"), allowed)


def committee_list(case, target, allowed):
    response = case.client.get(COMMITTEES)
    (case.assertContains if allowed else case.assertNotContains)(response, target.center.title)


def committee_edit_get(case, target, allowed):
    url = f"{COMMITTEES}edit/{target.committee.pk}/"
    case.assert_opens(case.client.get(url), allowed)


def committee_edit_post(case, target, allowed):
    url = f"{COMMITTEES}edit/{target.committee.pk}/"
    case.post_form(url, case.edit_data(url, allowed, "quorum", quorum="3"), allowed)
    quorum = SupervisionCommittee.objects.get(pk=target.committee.pk).quorum
    case.assertEqual(quorum, 3 if allowed else 1)


# -- the points ledger: participants and their entries ---------------------------------------


POINTS = "/admin/honors/points/"


def ledger_list(case, target, allowed):
    response = case.client.get(POINTS)
    (case.assertContains if allowed else case.assertNotContains)(response, target.points.reason)


def ledger_edit_get(case, target, allowed):
    case.assert_opens(case.client.get(f"{POINTS}{target.points.pk}/reverse/"), allowed)


def ledger_edit_post(case, target, allowed):
    """A ledger entry is never edited: it is reversed by a new entry."""
    before = PointsEntry.objects.count()
    url = f"{POINTS}{target.points.pk}/reverse/"
    case.post_form(url, case.edit_data(url, allowed, "reason", reason="记错了"), allowed)
    case.assertEqual(PointsEntry.objects.count(), before + 1 if allowed else before)


def participant_list(case, target, allowed):
    for url in (f"{POINTS}participants/", "/admin/honors/lookup/"):
        response = case.client.get(url)
        (case.assertContains if allowed else case.assertNotContains)(
            response, target.participant.name
        )
        case.assertNotContains(response, MOBILE)


def participant_edit_get(case, target, allowed):
    url = f"{POINTS}participants/{target.participant.pk}/"
    case.assert_opens(case.client.get(url), allowed)


def participant_edit_post(case, target, allowed):
    url = f"{POINTS}participants/{target.participant.pk}/"
    name = target.participant.name
    case.post_form(url, case.edit_data(url, allowed, "name", name=name + "改"), allowed)
    saved = Participant.objects.get(pk=target.participant.pk).name
    case.assertEqual(saved, name + "改" if allowed else name)


def participant_export(case, target, allowed):
    """A printed look-up slip (a new code for the participant's points)."""
    response = case.client.post(f"/admin/honors/lookup/{target.participant.pk}/slip/")
    case.assert_opens(response, allowed)
    issued = LookupCode.objects.filter(participant=target.participant).exists()
    case.assertEqual(issued, allowed)


def page_cell(check, row):
    return lambda case, target, allowed: check(case, target, row, allowed)


CELLS = {
    **{
        (row, action): page_cell(check, row)
        for row in PAGE_ROWS
        for action, check in PAGE_ACTIONS.items()
        # Wagtail deletes only pages without children unless a group may "bulk delete".
        if not (action == "delete" and row in ("center", "disclosure_board"))
    },
    ("room", "list"): room_list,
    ("room", "view"): room_view,
    ("room", "edit_post"): room_edit_post,
    ("room", "export"): room_export,
    ("room", "book"): room_book,
    ("honor_entry", "view"): honor_entry_view,
    ("honor_entry", "edit_post"): honor_entry_edit_post,
    ("service", "list"): service_list,
    ("service", "edit_get"): service_edit_get,
    ("service", "edit_post"): service_edit_post,
    ("service", "publish"): service_publish,
    ("service", "delete"): service_delete,
    ("service", "export"): service_export,
    ("place", "list"): place_list,
    ("place", "edit_get"): place_edit_get,
    ("place", "edit_post"): place_edit_post,
    ("correction", "list"): correction_list,
    ("correction", "view"): correction_view,
    ("correction", "edit_get"): correction_edit_get,
    ("correction", "edit_post"): correction_edit_post,
    ("activity", "list"): activity_list,
    ("activity", "view"): activity_view,
    ("activity", "edit_get"): activity_edit_get,
    ("activity", "edit_post"): activity_edit_post,
    ("activity", "delete"): activity_delete,
    ("activity", "export"): activity_export,
    ("sign_up", "list"): sign_up_list,
    ("sign_up", "view"): sign_up_view,
    ("sign_up", "edit_post"): sign_up_edit_post,
    ("sign_up", "export"): sign_up_export,
    ("kiosk", "list"): kiosk_list,
    ("kiosk", "view"): kiosk_view,
    ("kiosk", "edit_get"): kiosk_edit_get,
    ("kiosk", "edit_post"): kiosk_edit_post,
    ("kiosk", "publish"): kiosk_publish,
    ("kiosk", "delete"): kiosk_delete,
    ("disclosure_review", "view"): review_view,
    ("disclosure_review", "export"): review_export,
    ("committee", "list"): committee_list,
    ("committee", "edit_get"): committee_edit_get,
    ("committee", "edit_post"): committee_edit_post,
    ("ledger_entry", "list"): ledger_list,
    ("ledger_entry", "edit_get"): ledger_edit_get,
    ("ledger_entry", "edit_post"): ledger_edit_post,
    ("participant", "list"): participant_list,
    ("participant", "edit_get"): participant_edit_get,
    ("participant", "edit_post"): participant_edit_post,
    ("participant", "export"): participant_export,
}


def cell_test(check, whose):
    def test(self):
        check(self, self.target(whose), whose == "own")

    return test


class CenterEditorMatrixTests(MatrixCase):
    """One test per cell: ``test_<content type>__<action>__<own|other>``."""


for (_row, _action), _check in CELLS.items():
    for _whose in ("own", "other"):
        setattr(
            CenterEditorMatrixTests,
            f"test_{_row}__{_action}__{_whose}",
            cell_test(_check, _whose),
        )


class SuperuserTests(MatrixCase):
    def test_superuser__list__every_center(self):
        self.client.force_login(self.superuser)
        for url, field in (
            ("/admin/catalog/service/", "service"),
            ("/admin/activities/activity/", "activity"),
            ("/admin/activities/kiosk/", "kiosk"),
            (POINTS, "points"),
        ):
            response = self.client.get(url)
            for content in (self.own, self.other):
                thing = getattr(content, field)
                self.assertContains(
                    response,
                    getattr(thing, "name", None)
                    or str(getattr(thing, "title", None) or thing.reason),
                )
        response = self.client.get("/admin/activities/excel/export/")
        for content in (self.own, self.other):
            self.assertIn(content.activity.title, text_of(response))
