from django.db import migrations

from catalog.taxonomy_seed import seed_taxonomies


def seed(apps, schema_editor):
    seed_taxonomies(apps.get_model("catalog", "Taxonomy"), apps.get_model("catalog", "TaxonomyTerm"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
