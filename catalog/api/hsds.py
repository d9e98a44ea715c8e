"""HSDS 3.1 API shapes: the items of ``GET /services`` and the page object around them.

A list item (``compiled/service_list.json``) carries the service's one-to-one fields and
its organization's, and no child arrays; ``?full=true`` gives full records instead
(``catalog.hsds.export_services``). Values are written exactly as the full export writes
them, so a list item equals the full record with its arrays left out.
"""

from django.core.paginator import Page

from catalog.hsds.exporter import organization_fields, service_fields

LIST_ITEM_RELATED = ("organization",)


def service_list_item(service) -> dict:
    """One item of the HSDS service list; needs ``select_related("organization")``."""
    item = service_fields(service)
    if service.organization:
        item["organization"] = organization_fields(service.organization)
    return item


def page_object(page: Page, contents: list[dict]) -> dict:
    """The HSDS ``Page`` fields (openapi.json#/components/schemas/Page) and ``contents``.
    ``size`` is the number of entities in this page, as HSDS defines it."""
    return {
        "total_items": page.paginator.count,
        "total_pages": page.paginator.num_pages,
        "page_number": page.number,
        "size": len(contents),
        "first_page": not page.has_previous(),
        "last_page": not page.has_next(),
        "empty": not contents,
        "contents": contents,
    }
