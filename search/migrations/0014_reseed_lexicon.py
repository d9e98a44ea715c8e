from django.db import migrations


def seed(apps, schema_editor):
    """The lines added to the lexicon (search/seed/lexicon.tsv) since migration 0013 (the
    everyday names 剃头, 陪床, 拔火罐, 除四害, 反诈app, 后事), for databases that ran 0013
    before: only sets not there yet are added, an editor's version of a set is left alone
    (search.seeding.load_lexicon). No reindexing is needed."""
    from search.seeding import load_lexicon

    load_lexicon(apps.get_model("search", "SynonymSet"))


class Migration(migrations.Migration):
    dependencies = [("search", "0013_reseed_lexicon")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
