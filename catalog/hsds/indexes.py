"""Upkeep after a bulk write: what the save and delete signals did row by row, done in
bulk (the writer's bulk queries send no signals). Wagtail's reference index (what points
to what, for the admin's usage listings) through its model's helpers; the residents'
search index is search/'s, told through ``catalog.signals.services_written``."""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from catalog.hsds.entities import BATCH_SIZE, LOOKUP_BATCH, batches
from catalog.models import Service
from catalog.signals import services_written


def _reference_index_updates_wanted() -> bool:
    from wagtail.signal_handlers import reference_index_auto_update_disabled

    return not getattr(reference_index_auto_update_disabled, "value", False)


def delete(queryset) -> None:
    """``queryset.delete()``, with Wagtail's reference index updated in bulk rather than
    by a post_delete handler running two queries per deleted row."""
    from django.db.models.deletion import Collector
    from wagtail.models import ReferenceIndex
    from wagtail.signal_handlers import disable_reference_index_auto_update

    queryset = queryset.order_by()
    collector = Collector(using=queryset.db, origin=queryset)
    collector.collect(queryset)
    if not _reference_index_updates_wanted():
        collector.delete()
        return
    deleted = {
        model: [instance.pk for instance in instances]
        for model, instances in collector.data.items()
        if model in ReferenceIndex.tracked_models
    }
    with disable_reference_index_auto_update():
        collector.delete()
    for model, pks in deleted.items():
        base = ReferenceIndex._get_base_content_type(model)
        for batch in batches(map(str, pks), LOOKUP_BATCH):
            ReferenceIndex.objects.filter(base_content_type=base, object_id__in=batch).delete()
            ReferenceIndex.objects.filter(to_content_type=base, to_object_id__in=batch).delete()


def update_indexes(model, ids: list) -> None:
    """After saving ``ids`` of ``model`` in bulk: Wagtail's reference index, and for
    services the residents' search (``services_written``, received by search/)."""
    _update_reference_index(model, ids)
    if model is Service:
        services_written.send(sender=Service, service_ids=ids)


def _load_child_rows(objects: list, relations: list, *, empty: bool = False) -> None:
    """Give each row its child rows in memory (as an edit form does, through the cluster
    manager), one query per relation. The rows of relations that cannot point anywhere
    stay unread and empty; ``empty=True`` empties them all again, since child and parent
    then point at each other (a cycle only the garbage collector would free)."""
    from wagtail.models import ReferenceIndex

    for relation in relations:
        parent_key = relation.field
        found = defaultdict(list)
        if not empty and ReferenceIndex.model_is_indexable(
            relation.related_model, allow_child_models=True
        ):
            for batch in batches([obj.pk for obj in objects], LOOKUP_BATCH):
                rows = relation.related_model._default_manager.filter(
                    **{f"{parent_key.attname}__in": batch}
                )
                for row in rows:
                    found[getattr(row, parent_key.attname)].append(row)
        for obj in objects:
            setattr(obj, relation.get_accessor_name(), found.get(obj.pk, []))


def _update_reference_index(model, ids: list) -> None:
    """``ReferenceIndex.create_or_update_for_object`` for many rows: record what each row
    and its child rows point to, add what is new and drop what is gone."""
    from modelcluster.models import ClusterableModel, get_all_child_relations
    from wagtail.models import ReferenceIndex

    if not ReferenceIndex.is_indexed(model) or not _reference_index_updates_wanted():
        return
    content_types = [
        ContentType.objects.get_for_model(each, for_concrete_model=False)
        for each in [model, *model._meta.get_parent_list()]
    ]
    content_type, base = content_types[0], content_types[-1]
    known_content_types = {each.id for each in content_types}
    relations = get_all_child_relations(model) if issubclass(model, ClusterableModel) else []
    for batch in batches(ids, LOOKUP_BATCH):
        objects = list(model._default_manager.filter(pk__in=batch))
        _load_child_rows(objects, relations)
        wanted = {}
        for obj in objects:
            for reference in ReferenceIndex._extract_references_from_object(obj):
                wanted[(str(obj.pk), *reference)] = None
        _load_child_rows(objects, relations, empty=True)
        existing = {
            (object_id, to_content_type, to_object_id, model_path, content_path): (
                content_type_id,
                reference_id,
            )
            for (
                reference_id,
                content_type_id,
                object_id,
                to_content_type,
                to_object_id,
                model_path,
                content_path,
            ) in ReferenceIndex.objects.filter(
                base_content_type=base, object_id__in=[str(pk) for pk in batch]
            ).values_list(
                "id",
                "content_type_id",
                "object_id",
                "to_content_type_id",
                "to_object_id",
                "model_path",
                "content_path",
            )
        }
        ReferenceIndex.objects.bulk_create(
            [
                ReferenceIndex(
                    content_type=content_type,
                    base_content_type=base,
                    object_id=object_id,
                    to_content_type_id=to_content_type,
                    to_object_id=to_object_id,
                    model_path=model_path,
                    content_path=content_path,
                    content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
                )
                for key in wanted
                if key not in existing
                for object_id, to_content_type, to_object_id, model_path, content_path in [key]
            ],
            batch_size=BATCH_SIZE,
            ignore_conflicts=connection.features.supports_ignore_conflicts,
        )
        gone = [
            reference_id
            for key, (content_type_id, reference_id) in existing.items()
            if key not in wanted and content_type_id in known_content_types
        ]
        for gone_batch in batches(gone, LOOKUP_BATCH):
            ReferenceIndex.objects.filter(id__in=gone_batch).delete()
