"""What every search backend does, and the parts they share."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from catalog.filters import VISIBLE_STATUSES
from catalog.models import Service
from search.documents import SERVICE_PREFETCH, Document, page_document, service_document
from search.query import BackendResults, CatalogQuery, Mode

BATCH_SIZE = 500


@dataclass
class BoundedResults(BackendResults):
    """Results whose total may be a lower bound: a backend that stops counting at a bound
    says so (``lower_bound``: at least ``total`` services match). Past it no facet value
    is counted (``facets`` is empty), even when the total under the chosen facets could
    be counted exactly."""

    lower_bound: bool = False
    #: The facet values were counted (``facets``); past the bound they were not.
    facets_counted: bool = True


def total_is_lower_bound(results: BackendResults) -> bool:
    """Whether ``results`` counted only part of the matches (at least ``total`` match)."""
    return getattr(results, "lower_bound", False)


def facets_are_counted(results: BackendResults) -> bool:
    """Whether the facet values of ``results`` were counted (not past a count's bound)."""
    return getattr(results, "facets_counted", True)


class SearchUnavailable(RuntimeError):
    """The backend cannot answer now (a cluster down, an index missing). Its message is in
    Chinese, for the people who run the site; residents see a short apology instead."""


class BaseSearchBackend:
    """Indexing is the same everywhere (documents analysed by :mod:`search.documents`);
    subclasses store documents and answer queries."""

    name = "base"

    def __init__(self, params: dict):
        self.params = params

    # -- indexing ----------------------------------------------------------------------

    def index_services(self, service_ids: Iterable) -> int:
        """(Re)index the given services; those gone or defunct are removed."""
        ids = list(dict.fromkeys(service_ids))
        written = 0
        for start in range(0, len(ids), BATCH_SIZE):
            batch = ids[start : start + BATCH_SIZE]
            services = list(indexable_services().filter(pk__in=batch))
            found = {str(service.pk) for service in services}
            self.write_documents("service", [service_document(s) for s in services])
            self.remove_documents("service", [str(pk) for pk in batch if str(pk) not in found])
            written += len(services)
        return written

    def index_activities(self, activity_ids: Iterable) -> int:
        """(Re)index the given activities; those deleted are removed."""
        from search.activities import activity_document, indexable_activities

        ids = [int(pk) for pk in dict.fromkeys(activity_ids)]
        written = 0
        for start in range(0, len(ids), BATCH_SIZE):
            batch = ids[start : start + BATCH_SIZE]
            activities = list(indexable_activities().filter(pk__in=batch))
            found = {activity.pk for activity in activities}
            self.write_documents("activity", [activity_document(a) for a in activities])
            self.remove_documents("activity", [str(pk) for pk in batch if pk not in found])
            written += len(activities)
        return written

    def iter_activity_batches(self) -> Iterator[list]:
        from activities.models import Activity

        ids = list(Activity.objects.values_list("pk", flat=True).order_by("pk"))
        for start in range(0, len(ids), BATCH_SIZE):
            yield ids[start : start + BATCH_SIZE]

    def index_pages(self, pages: Iterable) -> int:
        documents = [page_document(page) for page in pages]
        self.write_documents("page", documents)
        return len(documents)

    def remove_pages(self, page_ids: Iterable) -> None:
        self.remove_documents("page", [str(pk) for pk in page_ids])

    def iter_service_batches(self) -> Iterator[list]:
        ids = list(indexable_services().values_list("pk", flat=True).order_by("pk"))
        for start in range(0, len(ids), BATCH_SIZE):
            yield ids[start : start + BATCH_SIZE]

    def write_documents(self, source: str, documents: list[Document]) -> None:
        raise NotImplementedError

    def remove_documents(self, source: str, keys: list[str]) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        """Empty the index (and create it where the backend needs that)."""
        raise NotImplementedError

    def refresh_statistics(self) -> None:
        """After many documents were written at once (a rebuild): bring what the backend
        knows of the index's words up to date, where it keeps such figures apart."""

    def document_count(self, source: str = "service") -> int:
        raise NotImplementedError

    # -- querying ----------------------------------------------------------------------

    def search_services(self, query: CatalogQuery, mode: Mode) -> BackendResults:
        raise NotImplementedError

    def search_service_page(self, query: CatalogQuery, mode: Mode) -> list:
        """The hits of ``query``'s page in ``mode``, best first, as :meth:`search_services`
        ranks them, for callers that show no total and no facets (related services, a
        preview). Backends may answer without counting."""
        return self.search_services(query, mode).hits

    def has_matches(self, query: CatalogQuery, mode: Mode) -> bool:
        """Whether ``mode`` finds anything (under the filters): how the search picks the
        mode to answer in before paying for facets. Backends may answer more cheaply."""
        return self.search_services(query, mode).total > 0

    def first_matching(
        self, query: CatalogQuery, modes: list[Mode]
    ) -> tuple[Mode, BackendResults] | None:
        """The first of ``modes`` that finds anything, with its results; None when none
        does. Backends whose search of a mode that finds nothing costs no more than
        asking :meth:`has_matches` answer in one query a mode instead of two."""
        for mode in modes:
            if self.has_matches(query, mode):
                return mode, self.search_services(query, mode)
        return None

    def search_pages(self, query: CatalogQuery, mode: Mode, limit: int) -> list[int]:
        raise NotImplementedError

    def search_activities(
        self, query: CatalogQuery, mode: Mode, filters: dict[str, str], limit: int
    ) -> tuple[list[tuple[int, float]], int]:
        """(activity id, score) of the best ``limit`` activities ``query``'s text matches
        in ``mode`` under ``filters`` (center, audience, cost) that have a session to come
        at ``query.moment``, best first; and how many such activities match."""
        raise NotImplementedError

    def autocomplete(self, prefix: str, limit: int) -> list[str]:
        """Ids of services whose name starts with, or whose pinyin starts with, ``prefix``
        (folded), best first."""
        raise NotImplementedError


def indexable_services():
    """Services residents may find: every visible status, defunct ones left out."""
    return (
        Service.objects.filter(status__in=VISIBLE_STATUSES)
        .select_related("organization")
        .prefetch_related(*SERVICE_PREFETCH)
    )
