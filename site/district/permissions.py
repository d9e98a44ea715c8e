"""Which pages, and so which centers, a user may edit: Wagtail's page permissions.

Editors get page permissions on a center (or a street, or the district home page) in
Wagtail's groups. What they may do elsewhere (the catalog's services, the demand list,
the synonyms) follows from these answers.
"""

from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

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
    """The centers whose pages ``user`` may edit (directly, or through a street's or the
    district's page above them)."""
    from district.models import CenterPage

    return set(
        CenterPage.objects.filter(id__in=editable_page_ids(user)).values_list("id", flat=True)
    )


def may_edit_center(user, center_id) -> bool:
    """Whether ``user`` may keep what belongs to the center ``center_id`` (its services'
    reports, its place, its activities and committee …); what belongs to no center
    (``None``) is the district's."""
    return is_district_editor(user) or (
        center_id is not None and center_id in editable_center_ids(user)
    )


def editable_centers(user):
    """The center pages ``user`` may edit, as a queryset: every center for district
    editors (what filters, choosers and lists of centers in the admin offer them)."""
    from district.models import CenterPage

    centers = CenterPage.objects.all()
    if is_district_editor(user):
        return centers
    return centers.filter(id__in=editable_center_ids(user))
