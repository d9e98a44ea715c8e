"""Create or update the demo district. Every step looks up what it would create first,
so loading twice leaves one copy of everything."""

import secrets
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from district.demo import content
from district.demo.images import get_or_create_center_image
from district.models import (
    CenterPage,
    DistrictSettings,
    HomePage,
    NoticeCategory,
    NoticeIndexPage,
    NoticePage,
    StreetPage,
)

NOTICE_INDEX_SLUG = "tongzhi"
EDITOR_USERNAME = "bianji"
ADMIN_USERNAME = "admin"


def publish(page: Page) -> Page:
    """Save the page as a new revision and make it live, as an editor would."""
    page.save_revision().publish()
    return page


def upsert_child(parent: Page, model, slug: str, **fields):
    existing = parent.get_children().filter(slug=slug).first()
    if existing is not None:
        page = existing.specific
        if not isinstance(page, model):
            raise RuntimeError(f"{parent.url_path}{slug}/ exists but is a {type(page).__name__}")
        for name, value in fields.items():
            setattr(page, name, value)
        return publish(page)
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    return publish(page)


def get_or_create_roots() -> Page:
    """Wagtail's migrations create the page and collection roots; a flushed database
    (``manage.py flush``, or a transactional test's teardown) has neither."""
    if Collection.get_first_root_node() is None:
        Collection.add_root(instance=Collection(name="Root"))
    root = Page.get_first_root_node()
    if root is None:
        language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
        locale, _ = Locale.objects.get_or_create(language_code=language)
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    return root


def load_home() -> HomePage:
    root = get_or_create_roots()
    home = HomePage.objects.child_of(root).first()
    if home is None:
        # Wagtail's migrations leave a plain welcome page at slug "home"; replace it.
        for page in root.get_children().filter(slug="home"):
            if page.specific_class is Page:
                page.delete()
    home = upsert_child(
        root, HomePage, "home", title=content.DISTRICT_TITLE, intro=content.DISTRICT_INTRO
    )
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname = site.hostname or "localhost"
    site.port = site.port or 80
    site.site_name = "海河东区 · 家门口"
    site.root_page = home
    site.save()
    district_settings = DistrictSettings.for_site(site)
    district_settings.hotline = "12345"
    district_settings.hotline_label = "津海市12345政务服务便民热线"
    district_settings.footer_note = "海河东区社区党群服务中心（演示数据，地名、单位、电话均为虚构）"
    district_settings.save()
    return home


def notice_categories() -> dict[str, NoticeCategory]:
    """The categories by slug: those the migration seeds, made again if a flushed database
    (a transactional test) lost them."""
    seeded = import_module("district.migrations.0004_seed_notice_categories").CATEGORIES
    for order, (slug, name, is_urgent) in enumerate(seeded, start=1):
        NoticeCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "is_urgent": is_urgent, "sort_order": order * 10}
        )
    return {category.slug: category for category in NoticeCategory.objects.all()}


def _days_from_today(days: int | None):
    return None if days is None else timezone.localdate() + timedelta(days=days)


def load_notices(owner: Page, notices: list[content.DemoNotice]) -> None:
    if not notices:
        return
    categories = notice_categories()
    index = upsert_child(owner, NoticeIndexPage, NOTICE_INDEX_SLUG, title="通知公告")
    for notice in notices:
        upsert_child(
            index,
            NoticePage,
            notice.slug,
            title=notice.title,
            date=notice.date if notice.days_ago is None else _days_from_today(-notice.days_ago),
            category=categories[notice.category],
            pinned_until=_days_from_today(notice.pinned_for_days),
            expires_on=_days_from_today(notice.expires_in_days),
            summary=notice.summary,
            body=notice.body,
        )


def demo_rooms(parent: Page, center: content.DemoCenter) -> list:
    """The center's rooms, each one kept (by name) if it exists: activities book rooms,
    so a room replaced by a new row would be refused (on_delete=PROTECT)."""
    from activities.models import Room

    existing = parent.get_children().filter(slug=center.slug).first()
    kept = (
        {room.name: room for room in Room.objects.filter(center_id=existing.pk)} if existing else {}
    )
    rooms = []
    for demo_room in center.rooms:
        room = kept.get(demo_room.name) or Room(name=demo_room.name)
        room.floor = demo_room.floor
        room.capacity = demo_room.capacity
        room.area_m2 = demo_room.area_m2
        room.description = demo_room.description
        rooms.append(room)
    return rooms


def load_center(parent: Page, center: content.DemoCenter) -> CenterPage:
    page = upsert_child(
        parent,
        CenterPage,
        center.slug,
        title=center.title,
        kind=center.kind,
        code=center.code,
        alternate_name=center.alternate_name,
        intro=center.intro,
        image=get_or_create_center_image(center.code, center.title),
        households=center.households,
        residents=center.residents,
        grids=center.grids,
        figures_as_of=content.FIGURES_AS_OF if center.households else None,
        rooms=demo_rooms(parent, center),
    )
    load_notices(page, center.notices)
    return page


def load_users(password: str | None) -> dict[str, str]:
    """An editor in Wagtail's Editors group and a superuser; returns their passwords."""
    editor_password = password or secrets.token_urlsafe(9)
    admin_password = password or secrets.token_urlsafe(9)
    user_model = get_user_model()
    editor, _ = user_model.objects.get_or_create(
        username=EDITOR_USERNAME,
        defaults={"first_name": "社区编辑", "email": "bianji@example.gov.cn"},
    )
    editor.is_staff = False
    editor.set_password(editor_password)
    editor.save()
    editor.groups.add(*Group.objects.filter(name="Editors"))
    admin, _ = user_model.objects.get_or_create(
        username=ADMIN_USERNAME, defaults={"email": "admin@example.gov.cn"}
    )
    admin.is_staff = admin.is_superuser = True
    admin.set_password(admin_password)
    admin.save()
    return {EDITOR_USERNAME: editor_password, ADMIN_USERNAME: admin_password}


@transaction.atomic
def load_district(password: str | None = None) -> dict[str, str]:
    """The district's pages and the demo accounts; returns {username: password}."""
    home = load_home()
    load_center(home, content.SERVICE_HALL)
    for street in content.STREETS:
        street_page = upsert_child(
            home, StreetPage, street.slug, title=street.title, intro=street.intro
        )
        for center in street.centers:
            load_center(street_page, center)
        load_notices(street_page, street.notices)
    return load_users(password)


def load_district_demo(password: str | None = None) -> list[str]:
    """The first of settings.DEMO_LOADERS: pages, then the logins to print."""
    passwords = load_district(password)
    admin_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/admin/"
    lines = [
        "区、街道和服务中心：2个街道、9个服务中心及其功能室、通知公告。",
        f"管理后台：{admin_url}",
    ]
    lines += [f"  账号 {username}  密码 {pw}" for username, pw in passwords.items()]
    return lines
