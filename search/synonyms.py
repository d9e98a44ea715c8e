"""The editors' synonym sets as the query analysis uses them: words residents use for the
same thing (低保 = 最低生活保障), and needs in everyday words that lead to a topic's services
(水管漏了 → 便民生活). The starter sets come from search/seed/ (search/seeding.py)."""

from __future__ import annotations

import functools

from search.analysis import TermSet, TopicLead, synonym_index
from search.models import SynonymSet, split_terms


@functools.lru_cache(maxsize=8)
def _synonyms_of(
    rows: tuple[tuple[str, str | None, str | None], ...],
) -> dict[str, tuple[str, ...]]:
    return synonym_index(
        TermSet(tuple(split_terms(terms)), (TopicLead(name, code),) if code else ())
        for terms, name, code in rows
    )


def current_synonyms() -> dict[str, tuple[str, ...]]:
    """The editors' synonym sets as they are now, each set's words leading also to its
    topic's name, one way (one small query; analysed once per distinct state of the table
    and of the topics' names)."""
    rows = tuple(
        SynonymSet.objects.order_by("pk").values_list("terms", "topic__name", "topic__code")
    )
    return _synonyms_of(rows)
