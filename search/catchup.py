"""Index again what changed since a moment: after a rebuild (edits saved meanwhile went
to the old index) and on a timer (edits saved while the cluster could not be reached;
search/signals.py logs those and lets the save stand).

Changes are found by their own time stamps: a service's ``last_modified``, an activity's
``updated_at``, a page's last publication or revision. What these do not record (a
service deleted, a page unpublished, a center renamed) waits for the next full rebuild,
which the nightly timer runs (docs/deploy.md).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from search.signals import searchable_page_models, sync_pages


def changed_since(moment: datetime) -> dict[str, list]:
    """Ids of the services, activities and searchable pages changed at or after
    ``moment``."""
    from wagtail.models import Page

    from activities.models import Activity
    from catalog.models import Service

    models = searchable_page_models()
    pages = (
        Page.objects.type(*models).filter(
            Q(last_published_at__gte=moment) | Q(latest_revision_created_at__gte=moment)
        )
        if models
        else Page.objects.none()
    )
    return {
        "services": list(
            Service.objects.filter(last_modified__gte=moment).values_list("pk", flat=True)
        ),
        "activities": list(
            Activity.objects.filter(updated_at__gte=moment).values_list("pk", flat=True)
        ),
        "pages": list(pages.values_list("pk", flat=True)),
    }


def catch_up(backend, moment: datetime) -> dict[str, int]:
    """Index again in ``backend`` everything changed since ``moment``; how many of each."""
    changed = changed_since(moment)
    if changed["services"]:
        backend.index_services(changed["services"])
    if changed["activities"]:
        backend.index_activities(changed["activities"])
    if changed["pages"]:
        sync_pages(backend, changed["pages"])
    return {kind: len(ids) for kind, ids in changed.items()}
