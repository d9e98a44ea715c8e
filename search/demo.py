"""Demo content of the search app: the starter synonyms, then a fresh index."""

from search.indexing import rebuild_index
from search.models import SynonymSet
from search.seeding import load_synonym_seed


def load_search_demo(password=None) -> list[str]:
    added = load_synonym_seed(SynonymSet)
    counts = rebuild_index(progress=False)
    return [
        f"搜索：新增同义词组 {added} 组；索引了 {counts['services']} 项服务、{counts['pages']} 个页面。"
    ]
