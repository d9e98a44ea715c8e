"""The editors' synonym sets as the query analysis uses them: words residents use for the
same thing (低保 = 最低生活保障), and needs in everyday words that lead to a topic's services
(水管漏了 → 便民生活). The starter sets come from search/seed/ (search/seeding.py)."""

from __future__ import annotations

import functools

from django.db import DatabaseError

from search.analysis import SynonymIndex, TermSet, TopicLead, synonym_index
from search.models import SynonymSet, split_terms

#: The taxonomy of the groups of residents services are for (catalog/taxonomy_seed.py).
AUDIENCE_TAXONOMY = "jiamenkou-audience"


@functools.lru_cache(maxsize=8)
def _synonyms_of(rows: tuple[tuple[str, str | None, str | None], ...]) -> SynonymIndex:
    # The audiences' names are read with each new state of the sets, not on a timer: a
    # timed cache made the query count of a search depend on the clock, and a cache server
    # that is down must not stop a search. A renamed audience (rare) counts from the next
    # edit of a set or the next restart.
    return synonym_index(
        (
            TermSet(tuple(split_terms(terms)), (TopicLead(name, code),) if code else ())
            for terms, name, code in rows
        ),
        who=audience_names(),
    )


def audience_names() -> tuple[str, ...]:
    """The names of the catalog's audiences (老年人, 儿童青少年 …): the words that say whom
    a need concerns (see :class:`search.analysis.SynonymIndex`)."""
    from catalog.models import TaxonomyTerm

    return tuple(
        sorted(
            TaxonomyTerm.objects.filter(taxonomy__name=AUDIENCE_TAXONOMY).values_list(
                "name", flat=True
            )
        )
    )


def current_synonyms() -> SynonymIndex:
    """The editors' synonym sets as they are now, each set's words leading also to its
    topic's name, one way (one small query; analysed once per distinct state of the table
    and of the topics' names), with the audiences' names."""
    rows = tuple(
        SynonymSet.objects.order_by("pk").values_list("terms", "topic__name", "topic__code")
    )
    return _synonyms_of(rows)


def warm_synonyms() -> None:
    """Read the synonym sets and work out the pinyin of their terms now (about a second for
    the lexicon), rather than at a process's first query in Latin letters. gunicorn's master
    calls this before forking (``pre_fork``), so its workers inherit both. A database not
    migrated yet leaves them to the first search."""
    try:
        synonyms = current_synonyms()
    except DatabaseError:
        return
    synonyms.sounds  # noqa: B018 - a cached property, worked out here once
