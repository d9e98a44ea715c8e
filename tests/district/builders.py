"""Builders for small page trees; every argument has a default a test can override."""

from datetime import date, time

from wagtail.models import Page, Site

from activities.models import Room
from district.models import (
    CenterOpeningHours,
    CenterPage,
    HomePage,
    NoticeIndexPage,
    NoticePage,
    StreetPage,
)


def build_home(**fields) -> HomePage:
    root = Page.get_first_root_node()
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


def build_center(parent, code="T-01", **fields) -> CenterPage:
    defaults = {
        "title": f"{code}社区党群服务中心",
        "slug": code.lower(),
        "code": code,
        "kind": "community",
        "address": "测试路1号",
        "phone": "022-0000-0000",
        "latitude": "39.100000",
        "longitude": "117.200000",
    }
    center = CenterPage(**{**defaults, **fields})
    center.opening_hours = [
        CenterOpeningHours(weekday=day, opens_at=time(8, 30), closes_at=time(17, 30))
        for day in range(5)
    ]
    center.rooms = [Room(name="多功能厅", floor="一楼", capacity=50)]
    parent.add_child(instance=center)
    return center


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
