"""Keep the index in step with the catalog, the activities and the pages.

Changes are collected per transaction and indexed once it commits: a service's topics,
locations and prices are saved after the service row itself, so indexing on the first
post_save would read half an edit (an activity's audiences, exceptions and sessions
likewise, see ``Activity.save``). Bulk writers (the HSDS importer) send
``catalog.signals.services_written`` instead of row signals.
"""

from __future__ import annotations

import logging
import threading

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished

from catalog.signals import services_written

logger = logging.getLogger(__name__)
_pending = threading.local()


class _Pending:
    """Keys waiting for the current transaction to commit, and the flush registered for
    them with Django (its place in ``connection.run_on_commit``)."""

    def __init__(self):
        self.keys = {"service": set(), "activity": set(), "page": set()}
        # Our flushes in run_on_commit: (index, the (savepoint ids, callback, robust) entry).
        self.entries: list[tuple[int, tuple]] = []
        self.savepoint = None

    def registered(self, connection) -> bool:
        """Our flush is still waiting in this connection (not run, not rolled back)."""
        waiting = connection.run_on_commit
        return connection.in_atomic_block and any(
            index < len(waiting) and waiting[index] is entry for index, entry in self.entries
        )


def schedule(kind: str, keys) -> None:
    """Index ``keys`` (service, activity or page ids) of ``kind`` when the transaction
    commits.

    Keys collect in one pending set flushed once per transaction. When Django has dropped
    our flush (the transaction rolled back), the keys go with it. A savepoint of its own
    (a nested atomic block) gets its own flush, so rolling it back loses nothing else.
    """
    keys = [key for key in keys if key is not None]
    if not keys:
        return
    connection = transaction.get_connection()
    pending = getattr(_pending, "state", None)
    if pending is None or not pending.registered(connection):
        pending = _pending.state = _Pending()
    pending.keys[kind].update(keys)
    savepoint = connection.savepoint_ids[-1] if connection.savepoint_ids else None
    if not pending.entries or pending.savepoint != savepoint:
        transaction.on_commit(flush)
        if connection.in_atomic_block:
            index = len(connection.run_on_commit) - 1
            pending.entries.append((index, connection.run_on_commit[index]))
            pending.savepoint = savepoint


def flush() -> None:
    pending = getattr(_pending, "state", None)
    if pending is None:
        return
    keys = pending.keys
    # What changes after this flush (in the same block) needs a flush of its own.
    _pending.state = None
    if not any(keys.values()):
        return
    from search.backends import get_search_backend

    backend = get_search_backend()
    try:
        if keys["service"]:
            backend.index_services(keys["service"])
        if keys["activity"]:
            backend.index_activities(keys["activity"])
        if keys["page"]:
            sync_pages(backend, keys["page"])
    except Exception:
        # A search cluster that is down must not undo an editor's save: log it; the next
        # save or `manage.py rebuild_search_index` catches up.
        logger.exception("Could not update the search index")
        if getattr(settings, "JIAMENKOU_SEARCH_RAISE_ERRORS", False):
            raise


def searchable_page_models():
    return [apps.get_model(label) for label in getattr(settings, "SEARCH_PAGE_MODELS", [])]


def searchable_pages():
    from wagtail.models import Page

    models = searchable_page_models()
    if not models:
        return Page.objects.none()
    return Page.objects.live().public().type(*models).specific()


def sync_pages(backend, page_ids) -> None:
    live = {page.pk: page for page in searchable_pages().filter(pk__in=list(page_ids))}
    backend.index_pages(live.values())
    backend.remove_pages([pk for pk in page_ids if pk not in live])


# -- receivers ------------------------------------------------------------------------------


def service_changed(sender, instance, **kwargs):
    schedule("service", [instance.pk])
    # Activities that deliver it are found by its name.
    from activities.models import Activity

    schedule(
        "activity", list(Activity.objects.filter(service=instance).values_list("pk", flat=True))
    )


def child_changed(sender, instance, **kwargs):
    schedule("service", [instance.service_id])


def location_changed(sender, instance, **kwargs):
    from catalog.models import ServiceAtLocation

    ids = ServiceAtLocation.objects.filter(location=instance).values_list("service_id", flat=True)
    schedule("service", list(ids))
    if instance.center_id:  # the center's activities are chosen by its identifier too
        center_changed(sender, instance.center_id, **kwargs)


def organization_changed(sender, instance, **kwargs):
    from activities.models import Activity
    from catalog.models import Service

    schedule(
        "service", list(Service.objects.filter(organization=instance).values_list("pk", flat=True))
    )
    schedule(
        "activity", list(Activity.objects.filter(organizer=instance).values_list("pk", flat=True))
    )


def term_changed(sender, instance, **kwargs):
    from django.db.models import Q

    from catalog.models import Service

    ids = Service.objects.filter(Q(topics=instance) | Q(audiences=instance)).values_list(
        "pk", flat=True
    )
    schedule("service", list(ids))
    from activities.models import Activity

    schedule(
        "activity", list(Activity.objects.filter(audiences=instance).values_list("pk", flat=True))
    )


def bulk_written(sender, service_ids, **kwargs):
    schedule("service", list(service_ids))


def page_changed(sender, instance, **kwargs):
    schedule("page", [instance.pk])


def activity_changed(sender, instance, **kwargs):
    schedule("activity", [instance.pk])


def activity_kind_changed(sender, instance, **kwargs):
    from activities.models import Activity

    schedule("activity", list(Activity.objects.filter(kind=instance).values_list("pk", flat=True)))


def center_changed(sender, instance, **kwargs):
    """A center's activities are found by its name (and chosen by its codes)."""
    from activities.models import Activity

    schedule(
        "activity", list(Activity.objects.filter(center=instance).values_list("pk", flat=True))
    )


def connect() -> None:
    from catalog.models import (
        CostOption,
        Location,
        Organization,
        Service,
        ServiceAtLocation,
        ServiceChannel,
        TaxonomyTerm,
    )

    for signal in (post_save, post_delete):
        signal.connect(service_changed, sender=Service, dispatch_uid=f"search-service-{signal}")
        for child in (ServiceAtLocation, ServiceChannel, CostOption):
            signal.connect(child_changed, sender=child, dispatch_uid=f"search-{child}-{signal}")
    post_save.connect(location_changed, sender=Location, dispatch_uid="search-location")
    post_save.connect(organization_changed, sender=Organization, dispatch_uid="search-org")
    post_save.connect(term_changed, sender=TaxonomyTerm, dispatch_uid="search-term")
    services_written.connect(bulk_written, dispatch_uid="search-bulk")
    from activities.models import Activity, ActivityKind
    from district.models import CenterPage

    for signal in (post_save, post_delete):
        signal.connect(activity_changed, sender=Activity, dispatch_uid=f"search-activity-{signal}")
    post_save.connect(activity_kind_changed, sender=ActivityKind, dispatch_uid="search-a-kind")
    post_save.connect(center_changed, sender=CenterPage, dispatch_uid="search-a-center")
    page_published.connect(center_changed, sender=CenterPage, dispatch_uid="search-a-center-pub")
    for model in searchable_page_models():
        page_published.connect(page_changed, sender=model, dispatch_uid=f"search-pub-{model}")
        page_unpublished.connect(page_changed, sender=model, dispatch_uid=f"search-unpub-{model}")
        post_delete.connect(page_changed, sender=model, dispatch_uid=f"search-del-{model}")
        # Pages created live in code (imports, the demo) are saved without a publish signal.
        post_save.connect(page_changed, sender=model, dispatch_uid=f"search-save-{model}")
