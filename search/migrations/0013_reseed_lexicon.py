from django.db import migrations


def seed(apps, schema_editor):
    """The lines added to the lexicon (search/seed/lexicon.tsv) since migration 0009, for
    databases that ran 0009 before they were written: only sets not there yet are added, and
    a set an editor changed (it keeps the line's first word) is left alone
    (search.seeding.load_lexicon). The search index needs no rebuild for the sets; the new
    words of search/seed/domain_dict.txt need ``rebuild_search_index`` once."""
    from search.seeding import load_lexicon

    load_lexicon(apps.get_model("search", "SynonymSet"))


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0011_searchentry_facet_key_head_vector"),
        ("catalog", "0002_seed_taxonomies"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
