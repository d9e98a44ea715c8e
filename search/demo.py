"""Demo content of the search app: the starter synonyms, the editors' rights to keep
them, then a fresh index."""

from django.contrib.auth.models import Group, Permission

from search.indexing import rebuild_index
from search.models import SynonymSet
from search.seeding import load_synonym_seed


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
    return [
        f"搜索：新增同义词组 {added} 组；索引了 {counts['services']} 项服务、"
        f"{counts['activities']} 个活动、{counts['pages']} 个页面。"
    ]
