"""Two centers with one of everything, their editors, and a reader of admin forms.

The world of tests/test_permission_matrix.py: centers 甲苑 and 乙苑 under one street,
each holding a draft notice, a programme sheet, a service list, a disclosure board with a
draft disclosure, an honor board with an entry, a room, a service with a correction
report, an activity taking sign-ups with one sign-up, a kiosk, a supervision committee, a
participant with a ledger entry. Every title carries the center's mark (甲苑/乙苑), so a
response naming the other center's things is caught by a substring search.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from wagtail.models import GroupPagePermission

from activities.demo import CENTER_EDITOR_PERMISSIONS
from activities.models import Kiosk, ProgrammeSheetPage, SignUp
from catalog.demo import CATALOG_PERMISSIONS
from catalog.models import CorrectionReport, Service, ServiceAtLocation, ServiceListPage
from disclosures.demo import CENTER_PERMISSIONS as DISCLOSURE_PERMISSIONS
from disclosures.models import SupervisionCommittee
from tests.activities.builders import build_activity
from tests.disclosures.builders import build_board, build_disclosure
from tests.district.builders import build_center, build_home, build_notice_index, build_street
from tests.honors.builders import add_points, build_honor_board, participant

#: What the demo's center editor may do to the pages of their center (with "change",
#: Wagtail lets them delete pages without children too).
PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")
#: A resident's mobile, as typed on a sign-up, a correction report and a participant.
MOBILE = "13912345678"


@dataclass
class CenterContent:
    """One center and one of each thing it keeps; ``mark`` is in every title."""

    mark: str
    center: object
    pages: dict = field(default_factory=dict)
    service: object = None
    correction: object = None
    activity: object = None
    occurrence: object = None
    sign_up: object = None
    kiosk: object = None
    committee: object = None
    participant: object = None
    points: object = None


def add_page(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def add_draft(parent, page):
    """A page never published: only its editors may see it."""
    page.live = False
    parent.add_child(instance=page)
    page.save_revision()
    return page


def build_center_content(street, code: str, mark: str) -> CenterContent:
    center = build_center(street, code, title=f"{mark}社区党群服务中心", slug=code.lower())
    center.rooms.update(name=f"{mark}书画室")
    center.save_revision().publish()
    content = CenterContent(mark=mark, center=center)
    notices = build_notice_index(center, title=f"{mark}通知公告")
    content.pages = {
        "center": center,
        "notice_index": notices,
        "notice": add_draft(
            notices,
            _notice(f"{mark}停水草稿通知"),
        ),
        "programme": add_page(center, ProgrammeSheetPage(title=f"{mark}活动节目单", slug="jmd")),
        "service_list": add_page(center, ServiceListPage(title=f"{mark}服务清单", slug="fuwu")),
    }
    board = build_board(center, title=f"{mark}公开栏")
    content.pages["disclosure_board"] = board
    content.pages["disclosure"] = build_disclosure(
        board, publish=False, title=f"{mark}2026年11月居务公开草稿"
    )
    content.pages["honor_board"] = build_honor_board(
        center, entries=[{"name": f"{mark}上榜人"}], title=f"{mark}光荣榜"
    )
    for page in content.pages.values():  # each has a revision to look at
        if page.get_latest_revision() is None:
            page.save_revision()

    content.service = Service.objects.create(
        name=f"{mark}助餐服务",
        description="每日午餐",
        kind="public_welfare",
        fees_description="不收费",
    )
    ServiceAtLocation.objects.create(service=content.service, location=center.location)
    content.correction = CorrectionReport.objects.create(
        service=content.service,
        center=center,
        reason="phone",
        details=f"{mark}纠错：电话打不通",
        contact=MOBILE,
    )
    content.activity = build_activity(
        center,
        title=f"{mark}太极拳",
        dtstart=timezone.localdate() + timedelta(days=2),
        signup_required=True,
        capacity=10,
    )
    content.occurrence = content.activity.occurrences.get()
    content.sign_up = SignUp.objects.create(
        occurrence=content.occurrence, name=f"{mark}报名人", phone=MOBILE, status="confirmed"
    )
    content.kiosk = Kiosk.objects.create(center=center, name=f"{mark}大厅屏", slug="dating")
    content.committee = SupervisionCommittee.objects.create(center=center, quorum=1)
    content.participant = participant(center, name=f"{mark}志愿者", mobile=MOBILE)
    content.points = add_points(content.participant, reason=f"{mark}志愿服务")
    return content


def _notice(title):
    from datetime import date

    from district.models import NoticeCategory, NoticePage

    return NoticePage(
        title=title,
        slug="tingshui",
        date=date(2026, 11, 20),
        category=NoticeCategory.objects.order_by("pk").first(),
        body="<p>停水</p>",
    )


def build_two_centers() -> tuple[CenterContent, CenterContent]:
    """甲苑 (code A-01) and 乙苑 (B-01) under one street of a district."""
    home = build_home()
    street = build_street(home)
    return build_center_content(street, "A-01", "甲苑"), build_center_content(
        street, "B-01", "乙苑"
    )


def center_editor(username: str, center):
    """An editor with the permissions the demo gives its one community's editor group
    (catalog, activities, disclosures) and page permissions on ``center``."""
    group = Group.objects.create(name=f"{username}组")
    wanted = {
        "catalog": CATALOG_PERMISSIONS,
        "activities": CENTER_EDITOR_PERMISSIONS,
        "disclosures": DISCLOSURE_PERMISSIONS,
    }
    for app_label, codenames in wanted.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in PAGE_PERMISSIONS:
        GroupPagePermission.objects.create(
            group=group, page=center, permission=Permission.objects.get(codename=codename)
        )
    user = get_user_model().objects.create_user(username, email=f"{username}@example.gov.cn")
    user.groups.add(group)
    return user


# -- reading a form as the browser would post it ----------------------------------------------


class _FormReader(HTMLParser):
    """The fields of every POST form of a page: {form index: [(name, value)]}."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._in_form = False
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.forms.append([])
            self._in_form = True
        if not self._in_form or not attrs.get("name") and tag != "option":
            return
        fields = self.forms[-1]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            fields.append((attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
        elif tag == "select":
            self._select = {"name": attrs["name"], "first": None, "chosen": []}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["chosen"].append(value)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1].append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            chosen = select["chosen"]
            if not chosen and select["first"] not in (None, ""):
                chosen = [select["first"]]
            self.forms[-1].extend((select["name"], value) for value in chosen or [""])


def form_data(html: str, must_have: str) -> dict[str, list[str]]:
    """The POST data of the page's form holding a field named ``must_have`` (values as
    lists, as Django's test client posts them)."""
    reader = _FormReader()
    reader.feed(html)
    for fields in reader.forms:
        if any(name == must_have for name, _ in fields):
            data: dict[str, list[str]] = {}
            for name, value in fields:
                data.setdefault(name, []).append(value)
            return data
    raise AssertionError(f"no form with a field {must_have!r} on the page")
