"""The service catalog, shaped after Open Referral HSDS 3.1 and the Chinese service guide.

Import direction: ``taxonomy`` ← ``organizations`` ← ``locations`` ← ``services``; each
module imports only those to its left, plus ``rows`` (abstract phone/schedule rows).
Public classes are re-exported here by name.
"""

from catalog.models.corrections import CorrectionReason, CorrectionReport, CorrectionStatus
from catalog.models.holidays import DayKind, PublicHoliday
from catalog.models.locations import (
    Location,
    LocationAccessibility,
    LocationAddress,
    LocationPhone,
    LocationSchedule,
)
from catalog.models.organizations import Organization, OrganizationPhone, ProviderType
from catalog.models.pages import ServiceListPage
from catalog.models.services import (
    Channel,
    ContactPhone,
    CostOption,
    RequiredDocument,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceAtLocationSchedule,
    ServiceChannel,
    ServiceContact,
    ServiceKind,
    ServiceLanguage,
    ServicePhone,
    ServiceSchedule,
    ServiceStatus,
)
from catalog.models.settings import CatalogSettings
from catalog.models.taxonomy import Taxonomy, TaxonomyTerm

__all__ = [
    "CatalogSettings",
    "CorrectionReason",
    "CorrectionReport",
    "CorrectionStatus",
    "Channel",
    "ContactPhone",
    "CostOption",
    "DayKind",
    "Location",
    "LocationAccessibility",
    "LocationAddress",
    "LocationPhone",
    "LocationSchedule",
    "Organization",
    "OrganizationPhone",
    "ProviderType",
    "PublicHoliday",
    "RequiredDocument",
    "Service",
    "ServiceArea",
    "ServiceAtLocation",
    "ServiceAtLocationSchedule",
    "ServiceChannel",
    "ServiceContact",
    "ServiceKind",
    "ServiceLanguage",
    "ServiceListPage",
    "ServicePhone",
    "ServiceSchedule",
    "ServiceStatus",
    "Taxonomy",
    "TaxonomyTerm",
]
