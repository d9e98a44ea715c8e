"""Export services as full HSDS 3.1 records (the shape of ``GET /services/{id}``).

Empty values are left out, as HSDS examples do. Kinds, topics, audiences, channels and
service-guide fields travel as attributes whose ids are derived from the service id; a
schedule's holiday rules and its kind of dated exception (closed, special hours) as
attributes of the schedule, their ids derived from the schedule id.
A fixed number of queries serves any number of services.
"""

from zoneinfo import ZoneInfo

from django.db.models import Prefetch

from catalog.hsds.conventions import (
    GUIDE_ORDER,
    SCHEDULE_EXCEPTION_KINDS,
    SCHEDULE_FLAGS,
    SCHEDULE_LINK_ENTITY,
    attribute_id,
    json_number,
)
from catalog.models import (
    Location,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from catalog.models.taxonomy import (
    AUDIENCE_TAXONOMY,
    CHANNEL_TAXONOMY,
    GUIDE_TAXONOMY,
    KIND_TAXONOMY,
    LINK_TYPES,
    SCHEDULE_TAXONOMY,
    TOPIC_TAXONOMY,
)
from catalog.rules import price_text

SHANGHAI = ZoneInfo("Asia/Shanghai")

LOCATION_PREFETCH = ("addresses", "phones", "schedules", "accessibility")


def compact(record: dict) -> dict:
    """Drop keys without a value; 0 and False stay."""
    return {key: value for key, value in record.items() if value not in (None, "", [])}


def with_hsds_relations(queryset):
    """Everything an export touches, fetched in a fixed number of queries."""
    locations = Location.objects.prefetch_related(*LOCATION_PREFETCH)
    return queryset.select_related("organization").prefetch_related(
        "organization__phones",
        "topics",
        "audiences",
        "channels",
        "phones",
        "schedules",
        "service_areas",
        "cost_options",
        "required_documents",
        "contacts__phones",
        "languages",
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.prefetch_related(
                Prefetch("location", queryset=locations), "schedules"
            ),
        ),
    )


class Exporter:
    def __init__(self):
        terms = TaxonomyTerm.objects.select_related("taxonomy")
        self.terms = {(term.taxonomy.name, term.code): term for term in terms}
        self._organizations: dict = {}
        self._locations: dict = {}

    def phone(self, phone, parent_key: str, parent_id) -> dict:
        return compact(
            {
                "id": str(phone.id),
                parent_key: str(parent_id),
                "number": phone.number,
                "extension": phone.extension,
                "type": phone.type,
                "description": phone.description,
            }
        )

    def schedule(self, schedule, parent_key: str, parent_id) -> dict:
        offset = f"{schedule.timezone:+03d}:00" if schedule.timezone is not None else ""
        # A dated exception (closed, special hours) is its dates, not a recurrence.
        recurs = schedule.kind not in SCHEDULE_EXCEPTION_KINDS
        return compact(
            {
                "id": str(schedule.id),
                parent_key: str(parent_id),
                "timezone": schedule.timezone,
                "wkst": schedule.wkst if recurs else None,
                "freq": schedule.freq if recurs else None,
                "interval": schedule.interval,
                "byday": schedule.byday,
                "bymonthday": schedule.bymonthday,
                "dtstart": _iso(schedule.dtstart),
                "valid_from": _iso(schedule.valid_from),
                "valid_to": _iso(schedule.valid_to),
                "opens_at": f"{schedule.opens_at:%H:%M}{offset}" if schedule.opens_at else None,
                "closes_at": f"{schedule.closes_at:%H:%M}{offset}" if schedule.closes_at else None,
                "description": schedule.description,
                "notes": schedule.notes,
                "attending_type": schedule.attending_type,
                "attributes": self.schedule_attributes(schedule),
            }
        )

    def schedule_attributes(self, schedule) -> list[dict]:
        """A dated exception's kind, then the holiday rules of a regular schedule."""
        codes = [schedule.kind] if schedule.kind in SCHEDULE_EXCEPTION_KINDS else []
        codes += [code for code in SCHEDULE_FLAGS if getattr(schedule, code)]
        return [
            self.attribute(schedule.id, SCHEDULE_TAXONOMY, code, link_entity=SCHEDULE_LINK_ENTITY)
            for code in codes
        ]

    def organization(self, organization) -> dict:
        if organization.id not in self._organizations:
            self._organizations[organization.id] = compact(
                {
                    **organization_fields(organization),
                    "phones": [
                        self.phone(p, "organization_id", organization.id)
                        for p in organization.phones.all()
                    ],
                }
            )
        return self._organizations[organization.id]

    def location(self, location) -> dict:
        if location.id not in self._locations:
            self._locations[location.id] = compact(
                {
                    **location_fields(location),
                    "addresses": [
                        compact(
                            {
                                "id": str(address.id),
                                "location_id": str(location.id),
                                "attention": address.attention,
                                "address_1": address.address_1,
                                "address_2": address.address_2,
                                "city": address.city,
                                "region": address.region,
                                "state_province": address.state_province,
                                "postal_code": address.postal_code,
                                "country": address.country,
                                "address_type": address.address_type,
                            }
                        )
                        for address in location.addresses.all()
                    ],
                    "phones": [
                        self.phone(p, "location_id", location.id) for p in location.phones.all()
                    ],
                    "schedules": [
                        self.schedule(s, "location_id", location.id)
                        for s in location.schedules.all()
                    ],
                    "accessibility": [
                        compact(
                            {
                                "id": str(item.id),
                                "location_id": str(location.id),
                                "description": item.description,
                                "details": item.details,
                                "url": item.url,
                            }
                        )
                        for item in location.accessibility.all()
                    ],
                }
            )
        return self._locations[location.id]

    def attribute(
        self, owner_id, taxonomy_name: str, code: str, value=None, link_entity="service"
    ) -> dict:
        """An attribute of the service (or schedule) ``owner_id``."""
        term = self.terms[(taxonomy_name, code)]
        return compact(
            {
                "id": str(attribute_id(owner_id, taxonomy_name, code)),
                "link_id": str(owner_id),
                "link_type": LINK_TYPES[taxonomy_name],
                "link_entity": link_entity,
                "taxonomy_term_id": str(term.id),
                "value": value,
                "taxonomy_term": self.term(term),
            }
        )

    def term(self, term) -> dict:
        return term_record(term)

    def attributes(self, service) -> list[dict]:
        attributes = [self.attribute(service.id, KIND_TAXONOMY, service.kind)]
        attributes += [
            self.attribute(service.id, TOPIC_TAXONOMY, t.code)
            for t in _by_position(service.topics.all())
        ]
        attributes += [
            self.attribute(service.id, AUDIENCE_TAXONOMY, t.code)
            for t in _by_position(service.audiences.all())
        ]
        attributes += [
            self.attribute(service.id, CHANNEL_TAXONOMY, channel.channel, channel.url or None)
            for channel in service.channels.all()
        ]
        guide_values = {
            "time_limit": service.time_limit,
            "visits": None if service.most_visits is None else str(service.most_visits),
            "legal_basis": service.legal_basis,
            "market_reference_price": (
                None
                if service.market_reference_price is None
                else price_text(service.market_reference_price)
            ),
        }
        attributes += [
            self.attribute(service.id, GUIDE_TAXONOMY, code, guide_values[code])
            for code in GUIDE_ORDER
            if guide_values[code]
        ]
        return attributes

    def service_at_location(self, link, service: dict | None = None) -> dict:
        """A service at a location with its schedules and full location; ``service`` (the
        service's one-to-one fields) nests it as ``GET /service_at_locations/{id}`` does."""
        return compact(
            {
                "id": str(link.id),
                "service_id": str(link.service_id),
                "location_id": str(link.location_id),
                "description": link.description,
                "schedules": [
                    self.schedule(s, "service_at_location_id", link.id)
                    for s in link.schedules.all()
                ],
                "location": self.location(link.location),
                "service": service,
            }
        )

    def organization_record(self, organization, services: list[dict]) -> dict:
        """A fully nested organization (``GET /organizations/{id}``): its phones and
        locations, and ``services`` as given (list items or full records)."""
        return compact(
            {
                **self.organization(organization),
                "locations": [self.location(loc) for loc in organization.locations.all()],
                "services": services,
            }
        )

    def service(self, service) -> dict:
        return compact(
            {
                **service_fields(service),
                "organization": self.organization(service.organization)
                if service.organization
                else None,
                "phones": [self.phone(p, "service_id", service.id) for p in service.phones.all()],
                "schedules": [
                    self.schedule(s, "service_id", service.id) for s in service.schedules.all()
                ],
                "service_areas": [
                    compact(
                        {
                            "id": str(area.id),
                            "service_id": str(service.id),
                            "name": area.name,
                            "description": area.description,
                            "uri": area.uri,
                        }
                    )
                    for area in service.service_areas.all()
                ],
                "service_at_locations": [
                    self.service_at_location(link) for link in service.service_at_locations.all()
                ],
                "attributes": self.attributes(service),
                "cost_options": [
                    compact(
                        {
                            "id": str(option.id),
                            "service_id": str(service.id),
                            "option": option.option,
                            "currency": option.currency,
                            "amount": None if option.amount is None else json_number(option.amount),
                            "amount_description": option.amount_description,
                            "valid_from": _iso(option.valid_from),
                            "valid_to": _iso(option.valid_to),
                        }
                    )
                    for option in service.cost_options.all()
                ],
                "required_documents": [
                    compact(
                        {
                            "id": str(document.id),
                            "service_id": str(service.id),
                            "document": document.document,
                            "uri": document.uri,
                        }
                    )
                    for document in service.required_documents.all()
                ],
                "contacts": [
                    compact(
                        {
                            "id": str(contact.id),
                            "service_id": str(service.id),
                            "name": contact.name,
                            "title": contact.title,
                            "department": contact.department,
                            "email": contact.email,
                            "phones": [
                                self.phone(p, "contact_id", contact.id)
                                for p in contact.phones.all()
                            ],
                        }
                    )
                    for contact in service.contacts.all()
                ],
                "languages": [
                    compact(
                        {
                            "id": str(language.id),
                            "service_id": str(service.id),
                            "name": language.name,
                            "code": language.code,
                            "note": language.note,
                        }
                    )
                    for language in service.languages.all()
                ],
            }
        )


def term_record(term) -> dict:
    """A taxonomy term as HSDS writes it (taxonomy_term.json), its taxonomy inside;
    needs ``select_related("taxonomy")``."""
    taxonomy = term.taxonomy
    return compact(
        {
            "id": str(term.id),
            "code": term.code,
            "name": term.name,
            "description": term.description,
            "taxonomy": taxonomy.name,
            "taxonomy_id": str(taxonomy.id),
            "language": term.language,
            "taxonomy_detail": taxonomy_record(taxonomy),
        }
    )


def taxonomy_record(taxonomy) -> dict:
    """A taxonomy as HSDS writes it (taxonomy.json)."""
    return compact(
        {
            "id": str(taxonomy.id),
            "name": taxonomy.name,
            "description": taxonomy.description,
            "uri": taxonomy.uri,
            "version": taxonomy.version,
        }
    )


def location_fields(location) -> dict:
    """A location's one-to-one fields (no arrays): also a service-at-location list item's."""
    return compact(
        {
            "id": str(location.id),
            "location_type": location.location_type,
            "organization_id": _str(location.organization_id),
            "name": location.name,
            "alternate_name": location.alternate_name,
            "description": location.description,
            "transportation": location.transportation,
            "latitude": _coordinate(location.latitude),
            "longitude": _coordinate(location.longitude),
            "external_identifier": location.external_identifier,
            "external_identifier_type": location.external_identifier_type,
        }
    )


def organization_fields(organization) -> dict:
    """An organization's one-to-one fields (no phones): also an HSDS list item's."""
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


def service_fields(service) -> dict:
    """A service's one-to-one fields (no organization, no arrays)."""
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
            "assured_date": _iso(service.assured_date),
            "assurer_email": service.assurer_email,
            "last_modified": (
                service.last_modified.astimezone(SHANGHAI).isoformat(timespec="milliseconds")
                if service.last_modified
                else None
            ),
        }
    )


def organization_lookups() -> tuple:
    """The prefetches :meth:`Exporter.organization_record` needs: a fixed number of queries."""
    locations = Location.objects.prefetch_related(*LOCATION_PREFETCH)
    return ("phones", Prefetch("locations", queryset=locations))


def service_at_location_lookups() -> tuple:
    """The prefetches :meth:`Exporter.service_at_location` needs (and its service)."""
    locations = Location.objects.prefetch_related(*LOCATION_PREFETCH)
    return ("service", "schedules", Prefetch("location", queryset=locations))


def export_services(queryset=None) -> list[dict]:
    """Full HSDS records of ``queryset`` (default: every service), in name order."""
    queryset = Service.objects.all() if queryset is None else queryset
    exporter = Exporter()
    return [exporter.service(service) for service in with_hsds_relations(queryset)]


def _by_position(terms):
    return sorted(terms, key=lambda term: (term.sort_order, term.code))


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _str(value) -> str | None:
    return str(value) if value else None


def _coordinate(value):
    return None if value is None else float(value)
