"""Services and providers are no longer in Wagtail's own search index (nothing queried
it: residents search through search/, the admin lists filter in SQL): drop their entries."""

from django.db import migrations


def forget(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    IndexEntry = apps.get_model("wagtailsearch", "IndexEntry")
    content_types = ContentType.objects.filter(
        app_label="catalog", model__in=["service", "organization"]
    )
    IndexEntry.objects.filter(content_type__in=content_types).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_index_version"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
