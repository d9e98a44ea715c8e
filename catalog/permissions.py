"""Who may edit which service.

A service belongs to the centers it is offered at. Editors get page permissions on a
center (or a street, or the district home page) in Wagtail's groups; they may edit the
services offered only at centers they may edit. Services offered across the district,
or nowhere yet, need page permission on the district home page: district editors.
Model permissions (add/change/delete service) are still required on top.
"""

from django.db.models import Exists, OuterRef, Q
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from catalog.models import Service, ServiceAtLocation

PAGE_EDIT_ACTIONS = ["change", "publish"]


def editable_page_ids(user) -> set[int]:
    pages = PagePermissionPolicy().instances_user_has_any_permission_for(user, PAGE_EDIT_ACTIONS)
    return set(pages.values_list("id", flat=True))


def is_district_editor(user) -> bool:
    """May edit the whole tree of a district: its home page (or the tree root)."""
    if user.is_superuser:
        return True
    top_pages = Page.objects.filter(depth__lte=2).values_list("id", flat=True)
    return bool(editable_page_ids(user) & set(top_pages))


def editable_center_ids(user) -> set[int]:
    from district.models import CenterPage

    return set(
        CenterPage.objects.filter(id__in=editable_page_ids(user)).values_list("id", flat=True)
    )


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
