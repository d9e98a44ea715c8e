"""The editors' synonym sets as the query analysis uses them: words residents use for the
same thing (低保 = 最低生活保障)."""

from __future__ import annotations

import functools

from search.analysis import synonym_index
from search.models import SynonymSet, split_terms


@functools.lru_cache(maxsize=8)
def _synonyms_of(rows: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return synonym_index(split_terms(row) for row in rows)


def current_synonyms() -> dict[str, tuple[str, ...]]:
    """The editors' synonym sets as they are now (one small query; analysed once per
    distinct state of the table)."""
    rows = tuple(SynonymSet.objects.order_by("pk").values_list("terms", flat=True))
    return _synonyms_of(rows)
