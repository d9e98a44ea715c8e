"""The bulk writer: checked rows (``Entity``) saved model by model in batches, inside
one transaction, each row upserted by id with its children replaced.

One writer for every way services come in: the HSDS import (``write``: organisations,
locations, then services) and the Excel upload (``save_services``). A fixed number of
queries per thousand services; bulk writes send no save signals, so
``catalog.hsds.indexes`` brings Wagtail's reference index up to date afterwards, in bulk,
and tells search/ which services were written.

What an entity lists is written; what it leaves out is left alone. A row is upserted with
the fields its ``values`` give (a new row takes the model's defaults for the others); a
relation named in ``children`` (or ``many``) is replaced: the parent's rows the list does
not name by id are deleted, the listed ones upserted by id (or created, without an id),
in the list's order; a relation not named keeps its rows as they are.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction

from catalog.filters import store_cost_categories
from catalog.hsds.entities import BATCH_SIZE, LOOKUP_BATCH, Entity, batches, existing_ids, gc_paused
from catalog.hsds.indexes import delete, update_indexes
from catalog.hsds.reader import RecordReader
from catalog.models import Location, Organization, Service
from catalog.models.locations import CENTER_CODE_IDENTIFIER_TYPE
from catalog.models.services import store_link_copies


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    organizations: int = 0
    locations: int = 0

    def __str__(self):
        return (
            f"新增 {self.created} 项服务，更新 {self.updated} 项；"
            f"服务提供方 {self.organizations} 个，服务地点 {self.locations} 个。"
        )


@transaction.atomic
def write(
    reader: RecordReader,
    services: list[Entity],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Save a checked file in one transaction: organisations, locations, then services,
    each row upserted by id with its children replaced by the file's.

    Rows are written in bulk, a thousand services at a time, so the number of queries
    grows with the file's size divided by a thousand. Bulk writes send no save signals,
    so Wagtail's reference index is updated here, in bulk, for every saved organisation,
    location and service, and search/ is told which services were written.
    """
    summary = ImportSummary(
        organizations=len(reader.organizations), locations=len(reader.locations)
    )
    with gc_paused():
        organizations = [entity for _, entity in reader.organizations.values()]
        parents = {entity.values["parent_organization_id"] for entity in organizations} - {None}
        known = set(reader.organizations)
        known |= existing_ids(Organization, parents - known)
        # The parent may come later in the file: foreign keys are checked at commit.
        _save(
            Organization,
            [
                (entity, {"parent_organization_id": parent if parent in known else None})
                for entity in organizations
                for parent in [entity.values["parent_organization_id"]]
            ],
        )

        locations, gave_way = _locations_with_centers(reader)
        _save(Location, locations)

        existing = save_services(services, progress=progress)
        summary.updated = len(existing)
        summary.created = len(services) - len(existing)

        update_indexes(Organization, [entity.values["id"] for entity in organizations])
        update_indexes(Location, [entity.values["id"] for entity, _ in locations] + gave_way)
    return summary


def save_services(
    services: list[Entity], *, progress: Callable[[int, int], None] | None = None
) -> set:
    """Upsert services with their child rows and links, a thousand at a time, then bring
    the indexes up to date. ``progress(saved, total)`` is called after each round. Returns
    the ids that existed before. Call it inside a transaction."""
    found = set()
    total, saved = len(services), 0
    with gc_paused():
        for batch in batches(services, BATCH_SIZE):
            found |= _save(Service, [(entity, None) for entity in batch])
            # Bulk writes skip Service.save: store the cost category of what was written
            # (its kind or its cost options may have changed), one UPDATE a batch.
            written = Service.objects.filter(pk__in=[e.values["id"] for e in batch])
            store_cost_categories(written)
            store_link_copies(written)  # and the kind and visibility their links carry
            saved += len(batch)
            if progress:
                progress(saved, total)
    update_indexes(Service, [entity.values["id"] for entity in services])
    if total >= ANALYZE_AFTER:
        transaction.on_commit(refresh_statistics)
    return found


#: Services written at once from which the catalog's planner statistics are refreshed at
#: commit: a bulk import can grow the tables tenfold between two autovacuum runs, and until
#: then PostgreSQL plans the lists as if they were small (measured: the listing index went
#: unused and a center's list took over a second at 100,000 services).
ANALYZE_AFTER = BATCH_SIZE


def refresh_statistics() -> None:
    """``ANALYZE`` the catalog's tables (PostgreSQL; other databases keep no statistics
    Django's queries rely on). Called after the import's transaction has committed."""
    if connection.vendor != "postgresql":
        return
    tables = sorted(
        {model._meta.db_table for model in apps.get_app_config("catalog").get_models(True)}
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


def _centers_by_code() -> dict[str, int]:
    from district.models import CenterPage

    return dict(CenterPage.objects.values_list("code", "id"))


def _locations_with_centers(reader: RecordReader) -> tuple[list, list]:
    """The file's locations, each with the center its code names (a center is one HSDS
    location: of several claiming one, the file's last wins, as saving them in turn
    did); other locations holding a claimed center give way, and are returned."""
    centers = _centers_by_code()
    claims: dict[int, uuid.UUID] = {}
    rows = []
    for _, entity in reader.locations.values():
        values = entity.values
        is_center = values["external_identifier_type"] == CENTER_CODE_IDENTIFIER_TYPE
        center = centers.get(values["external_identifier"]) if is_center else None
        if center:
            claims[center] = values["id"]
        rows.append((entity, center))
    holders = Location.objects.filter(center_id__in=claims).values_list("id", "center_id")
    gave_way = [location for location, center in holders if claims[center] != location]
    if gave_way:
        Location.objects.filter(id__in=gave_way).update(center=None)
    return [
        (
            entity,
            {"center_id": center if center and claims[center] == entity.values["id"] else None},
        )
        for entity, center in rows
    ], gave_way


def _save(model, rows: list[tuple[Entity, dict | None]], *, upsert: bool = True) -> set:
    """Write one model's rows, each an entity and the values the writer adds (parent,
    position, center), then their children and many-to-many links. Rows are upserted by
    id, or only created (``upsert=False``: rows without an id), as ``update_or_create``
    and ``create`` did one row at a time. Returns the ids that existed before."""
    existing = set()
    if upsert:
        existing = existing_ids(model, [entity.values["id"] for entity, _ in rows])
        # update_or_create updated only the fields it was given: group rows by those.
        groups: dict[tuple[frozenset, bool], list] = {}
        for entity, extra in rows:
            values = {**entity.values, **extra} if extra else entity.values
            key = (frozenset(values), values["id"] in existing)
            groups.setdefault(key, []).append(model(**values))
        for (fields, found), instances in groups.items():
            update_fields = sorted(fields - {"id"})
            if found and not _insertable(model, fields):
                # Some of an existing row's values only (an Excel row's changes): the
                # INSERT half of an upsert would lack what the table requires.
                if update_fields:
                    model._base_manager.bulk_update(instances, update_fields)
                continue
            model._base_manager.bulk_create(
                instances,
                batch_size=BATCH_SIZE,
                update_conflicts=True,
                unique_fields=["id"],
                update_fields=update_fields,
            )
    else:
        model._base_manager.bulk_create(
            [
                model(**({**entity.values, **extra} if extra else entity.values))
                for entity, extra in rows
            ],
            batch_size=BATCH_SIZE,
        )
    _save_children(model, rows, existing)
    _save_many(model, rows, existing)
    return existing


def _insertable(model, fields: frozenset) -> bool:
    """Whether a row of ``fields`` (attnames) could be inserted: every column that has no
    default and takes no NULL is among them."""
    return all(
        column.attname in fields or column.null or column.get_default() is not None
        for column in model._meta.concrete_fields
        if not column.primary_key
    )


def _save_children(model, rows, existing: set) -> None:
    """Replace the children of saved rows by the entities', in the entities' order: the
    rows not listed go, the listed ones are upserted by id (created, without one)."""
    relations = dict.fromkeys(name for entity, _ in rows for name in entity.children)
    for relation in relations:
        parent_key = model._meta.get_field(relation).field
        child_model = parent_key.model
        ordered = any(f.name == "sort_order" for f in child_model._meta.fields)
        listed, unlisted = [], []
        for entity, _ in rows:
            for position, child in enumerate(entity.children.get(relation, ())):
                extra = {parent_key.attname: entity.values["id"]}
                if ordered:
                    extra["sort_order"] = position
                (listed if child.values.get("id") is not None else unlisted).append((child, extra))
        replaced = [
            entity.values["id"]
            for entity, _ in rows
            if relation in entity.children and entity.values["id"] in existing
        ]
        kept = {child.values["id"] for child, _ in listed}
        for batch in batches(replaced, LOOKUP_BATCH):
            current = child_model._base_manager.filter(**{f"{parent_key.attname}__in": batch})
            gone = [pk for pk in current.values_list("pk", flat=True) if pk not in kept]
            for gone_batch in batches(gone, LOOKUP_BATCH):
                delete(child_model._base_manager.filter(pk__in=gone_batch))
        if listed:
            _save(child_model, listed)
        if unlisted:
            _save(child_model, unlisted, upsert=False)


def _save_many(model, rows, existing: set) -> None:
    """Set many-to-many links (topics, audiences) through their tables, as ``set()`` did."""
    relations = dict.fromkeys(name for entity, _ in rows for name in entity.many)
    for relation in relations:
        field = model._meta.get_field(relation)
        through = field.remote_field.through
        source = through._meta.get_field(field.m2m_field_name()).attname
        target = through._meta.get_field(field.m2m_reverse_field_name()).attname
        replaced = [
            entity.values["id"]
            for entity, _ in rows
            if relation in entity.many and entity.values["id"] in existing
        ]
        for batch in batches(replaced, LOOKUP_BATCH):
            delete(through._base_manager.filter(**{f"{source}__in": batch}))
        links = []
        for entity, _ in rows:
            row_id = entity.values["id"]
            targets = (getattr(item, "pk", item) for item in entity.many.get(relation, ()))
            links += [through(**{source: row_id, target: pk}) for pk in dict.fromkeys(targets)]
        through._base_manager.bulk_create(links, batch_size=BATCH_SIZE)
