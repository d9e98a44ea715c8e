"""Conventions shared by the importer and the exporter."""

import uuid
from decimal import Decimal

from catalog.models.taxonomy import GUIDE_TAXONOMY, KIND_TAXONOMY

GUIDE_FIELDS = {
    # guide term code -> Service field
    "time_limit": "time_limit",
    "visits": "most_visits",
    "legal_basis": "legal_basis",
    "market_reference_price": "market_reference_price",
}
GUIDE_ORDER = list(GUIDE_FIELDS)
SERVICE_STATUSES = {"active", "inactive", "defunct", "temporarily closed"}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def attribute_id(service_id, taxonomy_name: str, code: str) -> uuid.UUID:
    """Attribute ids are derived, as the district's catalog derives them."""
    return uuid.uuid5(uuid.UUID(str(service_id)), f"attribute:{taxonomy_name}:{code}")


def json_number(value: Decimal):
    """A price as JSON writes it: an integer when whole."""
    return int(value) if value == value.to_integral_value() else float(value)


__all__ = ["GUIDE_TAXONOMY", "KIND_TAXONOMY"]
