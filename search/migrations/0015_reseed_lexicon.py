from django.db import migrations


def seed(apps, schema_editor):
    """The lines added to the lexicon (search/seed/lexicon.tsv) since migration 0014: the
    everyday names of government guides' 俗称 fields (扯证, 门慢, 老年公寓, 写状子, 保障房,
    暂住登记, 半日托, 下岗证 …) and the needs of the 12345 hotline's categories said in
    residents' words (没带伞, 扫马路, 眯眼, 找人收拾 …) and the “高效办成一件事” names
    (出生一件事), for databases that ran 0014
    before: only sets not there yet are added, an editor's version of a set is left alone
    (search.seeding.load_lexicon). No reindexing is needed."""
    from search.seeding import load_lexicon

    load_lexicon(apps.get_model("search", "SynonymSet"))


class Migration(migrations.Migration):
    dependencies = [("search", "0014_reseed_lexicon")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
