"""Builders for small page trees; every argument has a default a test can override."""

from datetime import date, time

from wagtail.models import Site

from activities.models import Room
from catalog.models import Location, LocationAddress, LocationPhone, LocationSchedule
from district.demo.loader import get_or_create_roots
from district.models import (
    CenterPage,
    HomePage,
    NoticeIndexPage,
    NoticePage,
    StreetPage,
)


def build_home(**fields) -> HomePage:
    # A transactional test's teardown flushes the root page Wagtail's migrations made.
    root = get_or_create_roots()
    home = HomePage(**{"title": "测试区", "slug": "test-home", **fields})
    root.add_child(instance=home)
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    return home


def build_street(home, **fields) -> StreetPage:
    street = StreetPage(**{"title": "测试街道", "slug": "street", **fields})
    home.add_child(instance=street)
    return street


def build_center(
    parent, code="T-01", *, place=True, address="测试路1号", phone="022-0000-0000", **fields
):
    """A center page with its place (the catalog location holding its address, phone and
    hours: weekdays 08:30–17:30, closed on public holidays, open on make-up workdays).
    ``place=False`` leaves the place to a catalog import that links it by code."""
    defaults = {
        "title": f"{code}社区党群服务中心",
        "slug": code.lower(),
        "code": code,
        "kind": "community",
    }
    center = CenterPage(**{**defaults, **fields})
    center.rooms = [Room(name="多功能厅", floor="一楼", capacity=50)]
    parent.add_child(instance=center)
    if place:
        build_place(center, address=address, phone=phone)
    return center


def build_place(center, *, address="测试路1号", phone="022-0000-0000", **fields) -> Location:
    defaults = {
        "name": center.title,
        "external_identifier": center.code,
        "external_identifier_type": "jiamenkou-center-code",
        "latitude": "39.100000",
        "longitude": "117.200000",
    }
    location = Location.objects.create(center=center, **{**defaults, **fields})
    if address:
        LocationAddress.objects.create(
            location=location,
            address_1=address,
            city="津海市",
            region="海河东区",
            state_province="津海市",
            postal_code="300000",
        )
    if phone:
        LocationPhone.objects.create(location=location, number=phone)
    LocationSchedule.objects.create(
        location=location,
        byday="MO,TU,WE,TH,FR",
        opens_at=time(8, 30),
        closes_at=time(17, 30),
        closed_on_holidays=True,
        open_on_makeup_workdays=True,
    )
    return location


def build_notice_index(parent, **fields) -> NoticeIndexPage:
    index = NoticeIndexPage(**{"title": "通知公告", "slug": "tongzhi", **fields})
    parent.add_child(instance=index)
    return index


def build_notice(index, number=1, **fields) -> NoticePage:
    defaults = {
        "title": f"第{number}号通知",
        "slug": f"notice-{number}",
        "date": date(2026, 1, 1).replace(day=1 + number % 28, month=1 + number % 12),
        "body": f"<p>通知正文{number}</p>",
    }
    notice = NoticePage(**{**defaults, **fields})
    index.add_child(instance=notice)
    return notice
