"""Conventions shared by the importer and the exporter."""

from decimal import Decimal

from catalog.models.taxonomy import GUIDE_TAXONOMY, KIND_TAXONOMY
from catalog.taxonomy_seed import attribute_id

GUIDE_FIELDS = {
    # guide term code -> Service field
    "time_limit": "time_limit",
    "visits": "most_visits",
    "legal_basis": "legal_basis",
    "market_reference_price": "market_reference_price",
}
GUIDE_ORDER = list(GUIDE_FIELDS)
#: The child arrays of a full service record, in the order the export writes them; a
#: list item (``GET /services``) carries none of them.
SERVICE_ARRAYS = (
    "phones",
    "schedules",
    "service_areas",
    "service_at_locations",
    "attributes",
    "cost_options",
    "required_documents",
    "contacts",
    "languages",
)
SERVICE_STATUSES = {"active", "inactive", "defunct", "temporarily closed"}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# A schedule's attributes (taxonomy jiamenkou-schedule): the codes of its holiday rules,
# each the name of a ScheduleRow boolean, and those making it a dated exception (its kind).
SCHEDULE_FLAGS = ("closed_on_holidays", "open_on_makeup_workdays")
SCHEDULE_EXCEPTION_KINDS = ("closed", "special_hours")
SCHEDULE_LINK_ENTITY = "schedule"


def json_number(value: Decimal):
    """A price as JSON writes it: an integer when whole."""
    return int(value) if value == value.to_integral_value() else float(value)


__all__ = ["GUIDE_TAXONOMY", "KIND_TAXONOMY", "attribute_id"]
