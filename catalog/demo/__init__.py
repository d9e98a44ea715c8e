"""Demo catalog: the district's 200 services from data/catalog-hsds.json beside this module
(shipped with the project, see data/README.md), and a service list page (服务清单) on every
center and on the district home page."""

import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission

from catalog.holiday_seed import seed_public_holidays
from catalog.hsds import import_services, parse_json
from catalog.models import PublicHoliday, ServiceListPage, Taxonomy, TaxonomyTerm
from catalog.taxonomy_seed import seed_taxonomies

CATALOG_PATH = Path(__file__).resolve().parent / "data" / "catalog-hsds.json"
SERVICE_LIST_SLUG = "fuwu"


def load_service_list_pages() -> int:
    from district.demo.loader import upsert_child
    from district.models import CenterPage, HomePage

    pages = 0
    for home in HomePage.objects.all():
        upsert_child(
            home,
            ServiceListPage,
            SERVICE_LIST_SLUG,
            title="全区服务清单",
            intro="海河东区各服务中心提供的全部服务。",
        )
        pages += 1
    for center in CenterPage.objects.all():
        upsert_child(
            center,
            ServiceListPage,
            SERVICE_LIST_SLUG,
            title="服务清单",
            intro=f"{center.title}提供的政务服务、公益服务、市场服务和低偿服务。",
        )
        pages += 1
    return pages


def load_public_holidays() -> str:
    """The official 2026 holidays (a flushed database has lost the migration's seed)."""
    seed_public_holidays(PublicHoliday)
    return f"法定节假日及调休上班日：{PublicHoliday.objects.count()}天。"


CATALOG_PERMISSIONS = [
    "add_service",
    "change_service",
    "delete_service",
    "view_service",
    "change_correctionreport",
    "view_correctionreport",
    "add_organization",
    "change_organization",
    "view_organization",
    # A center's place facts (address, phones, hours) are kept in its location.
    "change_location",
    "view_location",
]
CENTER_EDITOR = ("bianji_haitangyuan", "海棠苑社区编辑", "HHD-CH-01")


def load_editor_permissions(password: str | None) -> list[str]:
    """Wagtail's Editors may keep the whole catalog; one community's editor only theirs."""
    from district.models import CenterPage

    catalog_permissions = Permission.objects.filter(
        content_type__app_label="catalog", codename__in=CATALOG_PERMISSIONS
    )
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*catalog_permissions)
    # The holiday calendar is the district's to keep, not a community's.
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="catalog", codename__endswith="_publicholiday"
        )
    )
    username, group_name, code = CENTER_EDITOR
    center = CenterPage.objects.filter(code=code).first()
    if center is None:
        return []
    group, _ = Group.objects.get_or_create(name=group_name)
    group.permissions.add(Permission.objects.get(codename="access_admin"), *catalog_permissions)
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.get_or_create(
            group=group, page=center, permission=Permission.objects.get(codename=codename)
        )
    password = password or secrets.token_urlsafe(9)
    user, _ = get_user_model().objects.get_or_create(
        username=username,
        defaults={"first_name": group_name, "email": f"{username}@example.gov.cn"},
    )
    user.set_password(password)
    user.save()
    user.groups.add(group)
    return [f"  账号 {username}  密码 {password}（只能维护{center.title}的服务）"]


def load_catalog_demo(password: str | None = None) -> list[str]:
    """Import the demo catalog into the demo centers (linked by center code)."""
    seed_taxonomies(Taxonomy, TaxonomyTerm)  # a flushed database has lost the migration's seed
    summary = import_services(parse_json(CATALOG_PATH.read_bytes()))
    lines = [f"服务目录：{summary}"]
    lines.append(f"服务清单页面：{load_service_list_pages()}个。")
    lines.append(load_public_holidays())
    return lines + load_editor_permissions(password)
