"""The original HSDS import writer, kept as the benchmark's baseline.

``catalog.hsds.writer.write`` used to save row by row: ``update_or_create`` per row,
then delete and re-create each row's children one by one, and ``set()`` the many-to-many
links with a final ``save()`` (which also fired the search-index and reference-index
signal handlers once per row). This module keeps that strategy verbatim so that
``benchmarks/bench_import.py`` can compare the bulk writer against it in the same run.
It takes what the current ``read_records`` returns; the validation is shared.

Not for production use: it is slow (about 40 records/s) and exists only to be measured.
"""

from django.db import transaction

from catalog.hsds.entities import Entity
from catalog.hsds.reader import RecordReader
from catalog.hsds.writer import ImportSummary
from catalog.models import Location, Organization, Service
from catalog.models.locations import CENTER_CODE_IDENTIFIER_TYPE


@transaction.atomic
def baseline_write(reader: RecordReader, services: list[Entity]) -> ImportSummary:
    summary = ImportSummary(
        organizations=len(reader.organizations), locations=len(reader.locations)
    )
    organizations = [entity for _, entity in reader.organizations.values()]
    parents = {
        entity.values["id"]: entity.values.pop("parent_organization_id") for entity in organizations
    }
    for entity in organizations:
        _save_with_children(entity)
    existing = set(
        Organization.objects.filter(id__in=set(parents.values()) - {None}).values_list(
            "id", flat=True
        )
    )
    for org_id, parent_id in parents.items():
        Organization.objects.filter(id=org_id).update(
            parent_organization_id=parent_id if parent_id in existing else None
        )

    centers = _centers_by_code()
    for _, entity in reader.locations.values():
        is_center = entity.values["external_identifier_type"] == CENTER_CODE_IDENTIFIER_TYPE
        center = centers.get(entity.values["external_identifier"]) if is_center else None
        entity.values["center_id"] = center
        if center:
            # A center is one HSDS location; another location claiming it gives way.
            Location.objects.filter(center_id=center).exclude(id=entity.values["id"]).update(
                center=None
            )
        _save_with_children(entity)

    existing_services = set(
        Service.objects.filter(id__in=[service.values["id"] for service in services]).values_list(
            "id", flat=True
        )
    )
    for service in services:
        if service.values["id"] in existing_services:
            summary.updated += 1
        else:
            summary.created += 1
        _save_with_children(service)
    return summary


def _centers_by_code() -> dict[str, int]:
    from district.models import CenterPage

    return dict(CenterPage.objects.values_list("code", "id"))


def _save_with_children(entity: Entity) -> None:
    """Upsert the row by id and replace its children with the file's (same ids)."""
    values = dict(entity.values)
    row_id = values.pop("id")
    instance, _ = entity.model.objects.update_or_create(id=row_id, defaults=values)
    for relation, children in entity.children.items():
        getattr(instance, relation).all().delete()
        parent_field = entity.model._meta.get_field(relation).field.name
        for position, child in enumerate(children):
            child_values = {**child.values, parent_field: instance}
            if "sort_order" in {f.name for f in child.model._meta.fields}:
                child_values["sort_order"] = position
            grandchildren = child.children
            if grandchildren:
                child.values = child_values
                _save_with_children(child)
            else:
                child.model.objects.create(**child_values)
    if entity.many:
        for relation, items in entity.many.items():
            getattr(instance, relation).set(items)
        instance.save()  # ParentalManyToManyField commits on save
