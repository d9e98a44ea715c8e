from django.db import migrations


def seed(apps, schema_editor):
    """The lexicon of everyday words (search/seed/lexicon.tsv) as synonym sets with topics and
    sources, for databases made before it: only sets not there yet are added."""
    from search.seeding import load_lexicon

    load_lexicon(apps.get_model("search", "SynonymSet"))


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0008_learning_and_demand_loop"),
        ("catalog", "0002_seed_taxonomies"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
