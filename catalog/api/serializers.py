"""The residents' JSON: services as a phone app shows them, with Chinese labels.

Keys are English; every coded value (``kind``, ``status``, ``cost_category``, channels,
hours) comes with a ``*_label`` in Chinese. Phone numbers are the institutions' (centers,
providers, named staff contacts); residents' own numbers are never in the catalog.

The builders read prefetched relations only: ``SUMMARY_PREFETCH`` serves a list page and
``detail_queryset`` a single service, each at a fixed number of queries.
"""

from datetime import date, timedelta

from django.db.models import Prefetch
from django.urls import reverse

from catalog.hsds.conventions import json_number
from catalog.hsds.exporter import SHANGHAI, with_hsds_relations
from catalog.models import Channel, ServiceAtLocation, ServiceKind, ServiceStatus
from catalog.models.services import CostCategory
from catalog.opening import HoursSource, OpeningClock, describe_row, effective_hours

SUMMARY_PREFETCH = (
    "topics",
    "audiences",
    "cost_options",
    "schedules",
    Prefetch(
        "service_at_locations",
        queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
            "schedules", "location__schedules"
        ),
    ),
)


def detail_queryset(queryset):
    """Everything the detail touches: the HSDS export's prefetches plus the center pages."""
    return with_hsds_relations(queryset).prefetch_related("service_at_locations__location__center")


class Context:
    """What every service of one response is judged against."""

    def __init__(
        self,
        clock: OpeningClock,
        stale_after_days: int,
        location_id=None,
        request=None,
    ):
        # The moment and its holidays, read once per response.
        self.clock = clock
        self.moment = moment = clock.moment
        self.stale_cutoff: date = moment.astimezone(SHANGHAI).date() - timedelta(
            days=stale_after_days
        )
        self.location_id = location_id
        self.request = request

    def is_stale(self, service) -> bool:
        return service.assured_date is None or service.assured_date < self.stale_cutoff

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path) if self.request else path


def service_summary(service, context: Context) -> dict:
    """A list entry: enough to choose a service and to know whether it can be used now."""
    # One entry per center, even where a service has two windows there.
    locations = {link.location_id: link.location for link in service.service_at_locations.all()}
    return {
        "id": str(service.id),
        "name": service.name,
        "alternate_name": service.alternate_name,
        **_kind(service),
        **_cost_category(service),
        "topics": _terms(service.topics.all()),
        "audiences": _terms(service.audiences.all()),
        "centers": [_center_reference(location) for location in locations.values()],
        **_status(service),
        "open_now": context.clock.service_open(service, context.location_id),
        "assured_date": _iso(service.assured_date),
        "stale": context.is_stale(service),
        "detail_url": context.absolute(reverse("catalog_api:service_detail", args=[service.id])),
    }


def service_detail(service, context: Context) -> dict:
    """The service guide (办事指南) of one service, for a phone."""
    organization = service.organization
    return {
        "id": str(service.id),
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": service.description,
        **_kind(service),
        "topics": _terms(service.topics.all()),
        "audiences": _terms(service.audiences.all()),
        "provider": (
            {
                "name": organization.name,
                "type_label": organization.get_provider_type_display(),
                "website": organization.website,
                "phones": _phones(organization.phones.all()),
            }
            if organization
            else None
        ),
        "eligibility": {
            "description": service.eligibility_description,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "age_label": age_label(service.minimum_age, service.maximum_age),
        },
        "required_documents": [
            {"document": document.document, "sample_url": document.uri}
            for document in service.required_documents.all()
        ],
        "steps": service.application_steps(),
        "time_limit": {
            "text": service.time_limit,
            "immediate": service.is_immediate,
            "promised_working_days": service.promised_working_days,
        },
        "most_visits": service.most_visits,
        "legal_basis": service.legal_basis,
        "fees": {
            "description": service.fees_description,
            **_cost_category(service),
            "market_reference_price": _amount(service.market_reference_price),
            "cost_options": [
                {
                    "option": option.option,
                    "amount": _amount(option.amount),
                    "currency": option.currency,
                    "amount_description": option.amount_description,
                    "valid_from": _iso(option.valid_from),
                    "valid_to": _iso(option.valid_to),
                }
                for option in service.cost_options.all()
            ],
        },
        "channels": [
            {
                "code": channel.channel,
                "label": _label(Channel, channel.channel),
                "url": channel.url,
            }
            for channel in service.channels.all()
        ],
        "centers": [_center(service, link, context) for link in service.service_at_locations.all()],
        "phones": _phones(service.phones.all()),
        "contacts": [
            {
                "name": contact.name,
                "title": contact.title,
                "department": contact.department,
                "email": contact.email,
                "phones": _phones(contact.phones.all()),
            }
            for contact in service.contacts.all()
        ],
        "email": service.email,
        "guide_url": service.url,
        "languages": [
            {"name": language.name, "code": language.code, "note": language.note}
            for language in service.languages.all()
        ],
        "interpretation_services": service.interpretation_services,
        "service_areas": [
            {"name": area.name, "description": area.description}
            for area in service.service_areas.all()
        ],
        **_status(service),
        "open_now": context.clock.service_open(service),
        "open_now_at": context.moment.astimezone(SHANGHAI).isoformat(timespec="seconds"),
        "assured_date": _iso(service.assured_date),
        "stale": context.is_stale(service),
        "last_modified": (
            service.last_modified.astimezone(SHANGHAI).isoformat(timespec="seconds")
            if service.last_modified
            else None
        ),
    }


def age_label(minimum: int | None, maximum: int | None) -> str:
    """60周岁及以上, 6至12周岁, 1周岁及以下; empty when there is no limit."""
    if minimum is not None and maximum is not None:
        return f"{minimum}至{maximum}周岁"
    if minimum is not None:
        return f"{minimum}周岁及以上"
    if maximum is not None:
        return f"{maximum}周岁及以下"
    return ""


def place_facts(location) -> dict:
    """A center's place facts as the residents' API and the pages API give them."""
    address = location.address
    return {
        "address": address.street_line if address else "",
        "address_detail": address.address_2 if address else "",
        "postal_code": address.postal_code if address else "",
        "latitude": _coordinate(location.latitude),
        "longitude": _coordinate(location.longitude),
        "transportation": location.transportation,
        "accessibility": [item.description for item in location.accessibility.all()],
        "phones": _phones(location.phones.all()),
    }


def place_hours(location) -> list[dict]:
    return [_hours(row) for row in location.schedules.all()]


def _center(service, link, context: Context) -> dict:
    location = link.location
    source, rows = effective_hours(service, link)
    center_page = location.center
    return {
        **_center_reference(location),
        "room": link.description,
        **place_facts(location),
        "hours_source": source,
        "hours_source_label": HoursSource.LABELS.get(source, ""),
        "hours": [_hours(row) for row in rows],
        "open_now": context.clock.service_open(service, link.location_id),
        "page_url": context.absolute(center_page.url)
        if center_page is not None and center_page.live and center_page.url
        else None,
    }


def _center_reference(location) -> dict:
    return {"code": location.external_identifier, "name": location.name}


def _hours(row) -> dict:
    return {
        "label": describe_row(row),
        "kind": row.kind,
        "closed_on_holidays": row.closed_on_holidays,
        "open_on_makeup_workdays": row.open_on_makeup_workdays,
        "freq": row.freq,
        "byday": row.byday,
        "bymonthday": row.bymonthday,
        "interval": row.interval,
        "dtstart": _iso(row.dtstart),
        "opens_at": f"{row.opens_at:%H:%M}" if row.opens_at else None,
        "closes_at": f"{row.closes_at:%H:%M}" if row.closes_at else None,
        "valid_from": _iso(row.valid_from),
        "valid_to": _iso(row.valid_to),
        "description": row.description,
        "notes": row.notes,
        "attending_type": row.attending_type,
    }


def _kind(service) -> dict:
    return {"kind": service.kind, "kind_label": _label(ServiceKind, service.kind)}


def _status(service) -> dict:
    return {
        "status": service.status,
        "status_label": _label(ServiceStatus, service.status),
        "alert": service.alert,
    }


def _cost_category(service) -> dict:
    category = service.cost_category()
    return {"cost_category": category, "cost_category_label": _label(CostCategory, category)}


def _terms(terms) -> list[dict]:
    ordered = sorted(terms, key=lambda term: (term.sort_order, term.code))
    return [{"code": term.code, "name": term.name} for term in ordered]


def _phones(phones) -> list[dict]:
    return [
        {"number": phone.number, "extension": phone.extension, "description": phone.description}
        for phone in phones
    ]


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return ""


def _amount(value):
    return None if value is None else json_number(value)


def _coordinate(value):
    return None if value is None else float(value)


def _iso(value) -> str | None:
    return value.isoformat() if value else None
