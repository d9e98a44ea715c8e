from django.db import migrations


def seed(apps, schema_editor):
    from search.seeding import load_synonym_seed

    load_synonym_seed(apps.get_model("search", "SynonymSet"))


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext_index")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
