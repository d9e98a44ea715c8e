"""Demo content of the search app: the starter synonyms and the everyday-words lexicon,
the editors' rights to keep them, a fresh index, and three months of residents' searches
so the demand list (需求清单), its one-step handling and the monthly report have lines."""

from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from search.catalog import search_catalog
from search.indexing import rebuild_index
from search.models import HandledDemand, QueryLog, SynonymSet
from search.seeding import load_synonym_seed

#: (center code or "" for the district's page, query, searches, of them opened, days ago of
#: the latest). What residents of the demo district typed: some found nothing here, some
#: found things nobody opened; 开锁 at 海棠苑 was handled last month.
DEMO_SEARCHES = (
    ("HHD-CH-01", "水喉坏了", 6, 0, 2),
    ("HHD-CH-01", "宠物寄养", 4, 0, 5),
    ("HHD-CH-01", "老年证", 12, 9, 1),
    ("HHD-CH-02", "修伞", 3, 0, 9),
    ("HHD-CH-02", "代缴电费", 5, 0, 3),
    ("HHD-XY-01", "学游泳", 3, 0, 12),
    ("HHD-XY-01", "腿脚不方便", 7, 5, 4),
    ("", "宠物寄养", 3, 0, 20),
    ("", "社保卡丢了", 9, 7, 6),
)
#: Last month's searches at 海棠苑, before its editor handled 开锁.
HANDLED_LAST_MONTH = ("HHD-CH-01", "开锁", 5, 40)


def load_search_demo(password=None) -> list[str]:
    added = load_synonym_seed(SynonymSet)
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        # The district's editors keep the synonyms; center editors see them (and their
        # centers' demand lists) through their catalog rights.
        editors.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="search", codename__endswith="_synonymset"
            )
        )
    counts = rebuild_index(progress=False)
    logged = load_demo_searches()
    return [
        f"搜索：新增同义词组 {added} 组；索引了 {counts['services']} 项服务、"
        f"{counts['activities']} 个活动、{counts['pages']} 个页面；"
        f"演示搜索记录 {logged} 条（需求清单）。"
    ]


def load_demo_searches() -> int:
    """The demo's query log, once (a database that has any log keeps its own). Each query
    is searched for real, so its result count is what the catalog answers today."""
    if QueryLog.objects.exists():
        return 0
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    rows = []
    for center_code, query, searches, opened, days_ago in DEMO_SEARCHES:
        found = found_count(query, center_code)
        for number in range(searches):
            rows.append(
                QueryLog(
                    query=query,
                    center_code=center_code,
                    filters={"center": center_code} if center_code else {},
                    result_count=found,
                    click_count=1 if found and number < opened else 0,
                    channel="web",
                    searched_at=now - timedelta(days=days_ago + 3 * number, hours=number),
                )
            )
    center_code, query, searches, days_ago = HANDLED_LAST_MONTH
    rows += [
        QueryLog(
            query=query,
            center_code=center_code,
            filters={"center": center_code},
            result_count=0,
            searched_at=now - timedelta(days=days_ago + number),
        )
        for number in range(searches)
    ]
    QueryLog.objects.bulk_create(rows)
    HandledDemand.objects.get_or_create(
        center_code=center_code,
        query=query,
        defaults={
            "handled_at": now - timedelta(days=days_ago - 1),
            "action": HandledDemand.Action.OTHER,
            "note": "已请物业公布开锁换锁服务电话，并补录服务事项。",
        },
    )
    return len(rows)


def found_count(query: str, center_code: str) -> int:
    result, _ = search_catalog({"q": query}, center_code=center_code, log=False)
    return result.total
