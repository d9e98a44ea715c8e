"""The center each admin log entry concerns.

Wagtail's log (PageLogEntry, ModelLogEntry; the admin's 站点历史 report) records who did
what to which object. Before an entry is saved, :func:`centers_of` finds the centers
(CenterPage) its object belongs to, and the entry's ``data`` keeps them as
``{"<id>": "<title>"}`` under :data:`DATA_KEY`: the names stay readable after a center is
renamed or deleted, and ``has_key`` filters them on SQLite and PostgreSQL alike. Entries
of district-wide things (taxonomies, synonyms, users) carry none.

How an object belongs to a center, in order:
- a page: the center page it is, or is below;
- a row with a ``center`` (activities, rooms, kiosks, honors, disclosures' rules…), or an
  ``occurrence`` that has one (sign-ups);
- a catalog service: the centers of the locations it is offered at.
"""

from __future__ import annotations

from django.db.models.signals import pre_save

DATA_KEY = "jiamenkou_centers"


def centers_of(instance) -> dict[str, str]:
    """{center page id (text): its title} for the centers ``instance`` belongs to."""
    from wagtail.models import Page

    from district.models import CenterPage

    centers = CenterPage.objects.none()
    if isinstance(instance, Page):
        if instance.pk and instance.path:
            centers = CenterPage.objects.ancestor_of(instance, inclusive=True)
    elif getattr(instance, "center_id", None):
        centers = CenterPage.objects.filter(pk=instance.center_id)
    elif getattr(getattr(instance, "occurrence", None), "center_id", None):
        centers = CenterPage.objects.filter(pk=instance.occurrence.center_id)
    elif hasattr(instance, "service_at_locations") and instance.pk:
        offered_at = instance.service_at_locations.values("location_id")
        centers = CenterPage.objects.filter(location__id__in=offered_at)
    return {str(pk): title for pk, title in centers.values_list("pk", "title")}


def entry_object(entry):
    """The object a log entry is about, or None when it is gone."""
    if entry._meta.label == "wagtailcore.PageLogEntry":
        return entry.page.specific if entry.page_id else None
    model = entry.content_type.model_class() if entry.content_type_id else None
    if model is None:
        return None
    return model._default_manager.filter(pk=entry.object_id).first()


def add_centers(sender, instance, raw=False, **kwargs):
    """pre_save of a log entry: records its object's centers once, when it is written."""
    if raw or instance.pk:
        return
    data = instance.data if isinstance(instance.data, dict) else {}
    if DATA_KEY in data:
        return
    found = entry_object(instance)
    centers = centers_of(found) if found is not None else {}
    if centers:
        instance.data = {**data, DATA_KEY: centers}


def connect():
    from wagtail.models import ModelLogEntry, PageLogEntry

    for model in (PageLogEntry, ModelLogEntry):
        pre_save.connect(add_centers, sender=model, dispatch_uid=f"audit-centers-{model.__name__}")


def center_titles(entry) -> list[str]:
    data = entry.data if isinstance(entry.data, dict) else {}
    return list((data.get(DATA_KEY) or {}).values())
