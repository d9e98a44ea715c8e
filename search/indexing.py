"""Building the whole index (``manage.py rebuild_search_index``, ``load_demo``)."""

from __future__ import annotations

from search.backends import get_search_backend
from search.backends.base import indexable_services
from search.signals import searchable_pages


def rebuild_index(*, progress: bool = True, stream=None) -> dict[str, int]:
    """Empty the index and index every visible service, every activity and live
    searchable page."""
    from tqdm import tqdm

    backend = get_search_backend()
    backend.clear()
    total = indexable_services().count()
    services = 0
    with tqdm(
        total=total, unit="项", desc="服务事项", disable=not progress, file=stream, ascii=True
    ) as bar:
        for batch in backend.iter_service_batches():
            services += backend.index_services(batch)
            bar.update(len(batch))
    activities = 0
    for batch in backend.iter_activity_batches():
        activities += backend.index_activities(batch)
    pages = list(searchable_pages())
    with tqdm(total=len(pages), unit="页", desc="页面", disable=not progress, file=stream) as bar:
        backend.index_pages(pages)
        bar.update(len(pages))
    backend.refresh_statistics()
    return {"services": services, "activities": activities, "pages": len(pages)}
