"""Who may edit which service.

A service belongs to the centers it is offered at. Editors may edit the services offered
only at centers whose pages they may edit (``district.permissions``: Wagtail's page
permissions on a center, a street or the district home page). Services offered across
the district, or nowhere yet, need page permission on the district home page: district
editors. Model permissions (add/change/delete service) are still required on top.
"""

from django.db.models import Exists, OuterRef, Q

from catalog.models import Service, ServiceAtLocation
from district.permissions import editable_center_ids, is_district_editor


def services_editable_by(user, queryset=None):
    queryset = Service.objects.all() if queryset is None else queryset
    if not user.is_active:
        return queryset.none()
    if is_district_editor(user):
        return queryset
    centers = editable_center_ids(user)
    elsewhere = ServiceAtLocation.objects.filter(service=OuterRef("pk")).filter(
        ~Q(location__center__in=centers) | Q(location__center__isnull=True)
    )
    here = ServiceAtLocation.objects.filter(service=OuterRef("pk"), location__center__in=centers)
    return queryset.filter(Exists(here)).exclude(Exists(elsewhere))


def can_edit_service(user, service) -> bool:
    return services_editable_by(user, Service.objects.filter(pk=service.pk)).exists()


def may_offer_at(user, center_ids: set[int | None]) -> bool:
    """Whether ``user`` may save a service offered at exactly these centers."""
    if is_district_editor(user):
        return True
    return bool(center_ids) and None not in center_ids and center_ids <= editable_center_ids(user)
