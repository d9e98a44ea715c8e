"""Services and providers live in the residents' search only (search/): Wagtail's own
search index, which nothing queried, no longer holds them, and sites that had them
lose their stale entries when they migrate."""

from importlib import import_module

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.test import TestCase
from wagtail.models import Page
from wagtail.search.models import IndexEntry

from catalog.models import Organization, Service

forget = import_module("search.migrations.0006_forget_wagtail_catalog_entries").forget


class WagtailIndexTests(TestCase):
    def test_the_migration_drops_catalog_entries_and_keeps_the_pages(self):
        kinds = {
            model: ContentType.objects.get_for_model(model)
            for model in (Service, Organization, Page)
        }
        for model, content_type in kinds.items():
            IndexEntry.objects.create(
                content_type=content_type, object_id="1", title=model.__name__, title_norm=1.0
            )
        forget(apps, None)
        # (On PostgreSQL the title is a tsvector: compare the kinds, not the text.)
        remaining = IndexEntry.objects.values_list("content_type", flat=True)
        self.assertEqual(list(remaining), [kinds[Page].pk])

    def test_saving_a_service_writes_no_wagtail_entry(self):
        provider = Organization.objects.create(name="海河东区民政局")
        Service.objects.create(name="爱心义剪", description="每月一次", organization=provider)
        self.assertFalse(IndexEntry.objects.exists())
