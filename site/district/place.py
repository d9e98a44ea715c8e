"""A center page's place facts, which live in the catalog's location (the one store):
the edit form's panel that shows them and links to their form, and the pages API field.

This module imports nothing of the catalog's at load time (the catalog points at pages);
it reaches the location through ``CenterPage.place`` and the admin by URL names.
"""

from django.urls import NoReverseMatch, reverse
from rest_framework.fields import Field
from wagtail.admin.panels import Panel

# What a listing of center cards prefetches so that its queries do not grow with it.
CENTER_CARD_RELATED = ("location",)
CENTER_CARD_PREFETCH = ("location__addresses", "location__phones")


def place_admin_url(page) -> tuple[str, str]:
    """Where an editor edits this center's place facts: (url, label)."""
    place = page.place if page.pk else None
    try:
        if place is not None:
            return reverse(
                "catalog_location_modeladmin_edit", args=[place.pk]
            ), "编辑地址、电话和开放时间"
        url = reverse("catalog_location_modeladmin_create")
    except NoReverseMatch:  # the catalog's admin is not installed
        return "", ""
    if page.pk:
        url += f"?center={page.pk}"
    return url, "填写地址、电话和开放时间"


class PlacePanel(Panel):
    """Shows the linked location's facts on the center page's edit form, with a link to
    the one form where they are kept."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "district/admin/place_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            place = page.place if page.pk else None
            context["place"] = place
            context["edit_url"], context["edit_label"] = place_admin_url(page)
            if place is not None:
                from catalog.opening import describe_row

                context["hours"] = [describe_row(row) for row in place.schedules.all()]
            return context


class PlaceField(Field):
    """The pages API's ``place``: the center's address, coordinates, phones,
    accessibility and opening hours (with holiday rules and dated exceptions)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        return instance.place

    def to_representation(self, place):
        from catalog.api.serializers import place_facts, place_hours

        if place is None:
            return None
        return {
            "code": place.external_identifier,
            **place_facts(place),
            "hours": place_hours(place),
        }
