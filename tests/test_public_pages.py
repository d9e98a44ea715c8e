"""The list of public page types (jiamenkou.public_pages) that the accessibility sweep and
`make screenshots` go through covers every page a resident can open: a new page model,
route or public view that is not added to it fails here."""

from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page, get_page_models

from jiamenkou.public_pages import NOT_PAGES, PUBLIC_PAGE_TYPES

#: URL prefixes outside the residents' pages (the admin, documents, the APIs).
NOT_PUBLIC_PREFIXES = ("admin/", "documents/", "api/")


def named_public_urls(patterns=None, prefix="", namespace="") -> set[str]:
    """Names (``namespace:name``) of the site's own URL patterns below the public prefixes,
    leaving out Wagtail's page serving (which the page models stand for)."""
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(NOT_PUBLIC_PREFIXES):
            continue
        if isinstance(pattern, URLResolver):
            if getattr(pattern.urlconf_module, "__name__", "") == "wagtail.urls":
                continue
            inner = namespace + pattern.namespace + ":" if pattern.namespace else namespace
            names |= named_public_urls(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_page_model_and_route_has_an_entry():
    covered = {(entry.page_model, entry.route) for entry in PUBLIC_PAGE_TYPES}
    missing = []
    for model in get_page_models():
        if model is Page or model._meta.abstract:
            continue
        label = model._meta.label
        if issubclass(model, RoutablePageMixin):
            routes, seen = set(), set()
            for pattern in model.get_subpage_urls():
                # The first route of a URL answers it; a later one (the mixin's default
                # index_route under the page's own "") is never reached.
                if str(pattern.pattern) not in seen:
                    routes.add(pattern.name)
                seen.add(str(pattern.pattern))
            missing += [
                f"{label} route {route!r}" for route in routes if (label, route) not in covered
            ]
        elif (label, "") not in covered:
            missing.append(label)
    assert not missing, (
        "Page types missing from jiamenkou/public_pages.py (the accessibility sweep and "
        "`make screenshots` would not see them): " + ", ".join(sorted(missing))
    )


def test_every_public_view_has_an_entry():
    covered = {entry.url_name for entry in PUBLIC_PAGE_TYPES if entry.url_name}
    missing = named_public_urls() - covered - set(NOT_PAGES)
    assert not missing, (
        "Public URLs missing from jiamenkou/public_pages.py (add a PublicPageType, or to "
        "NOT_PAGES when they serve no page): " + ", ".join(sorted(missing))
    )


def test_entries_have_unique_names():
    names = [entry.name for entry in PUBLIC_PAGE_TYPES]
    assert len(names) == len(set(names))
