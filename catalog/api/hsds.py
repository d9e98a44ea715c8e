"""HSDS 3.1 API shapes: the items of ``GET /services`` and the page object around them.

A list item (``compiled/service_list.json``) carries the service's one-to-one fields and
its organization's, and no child arrays; ``?full=true`` gives full records instead
(``catalog.hsds.export_services``). Values are written exactly as the full export writes
them, so a list item equals the full record with its arrays left out.
"""

from django.core.paginator import Page

from catalog.hsds.exporter import SHANGHAI, compact

LIST_ITEM_RELATED = ("organization",)


def organization_item(organization) -> dict:
    return compact(
        {
            "id": str(organization.id),
            "name": organization.name,
            "alternate_name": organization.alternate_name,
            "description": organization.description,
            "email": organization.email,
            "website": organization.website,
            "legal_status": organization.legal_status,
            "year_incorporated": organization.year_incorporated,
            "parent_organization_id": _str(organization.parent_organization_id),
        }
    )


def service_list_item(service) -> dict:
    """One item of the HSDS service list; needs ``select_related("organization")``."""
    return compact(
        {
            "id": str(service.id),
            "organization_id": _str(service.organization_id),
            "name": service.name,
            "alternate_name": service.alternate_name,
            "description": service.description,
            "url": service.url,
            "email": service.email,
            "status": service.status,
            "alert": service.alert,
            "interpretation_services": service.interpretation_services,
            "application_process": service.application_process,
            "fees_description": service.fees_description,
            "eligibility_description": service.eligibility_description,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "assured_date": service.assured_date.isoformat() if service.assured_date else None,
            "assurer_email": service.assurer_email,
            "last_modified": (
                service.last_modified.astimezone(SHANGHAI).isoformat(timespec="milliseconds")
                if service.last_modified
                else None
            ),
            "organization": organization_item(service.organization)
            if service.organization
            else None,
        }
    )


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


def _str(value) -> str | None:
    return str(value) if value else None
