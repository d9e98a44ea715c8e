from django.db import migrations


def seed(apps, schema_editor):
    """The lines added to the lexicon (search/seed/lexicon.tsv) since migration 0020, for
    databases that ran it before: needs and life events of the 60 government services in
    residents' first-person words (顶梁柱病了, 合同没续签, 开店没本钱, 快退休了 …) and problems
    and worries of the other 140 services (上楼膝盖疼, 老人不接电话, 墙发霉, 账户被冻结 …),
    both written service by service from the catalog, and names and needs a batch of residents'
    queries showed missing (围产卡, 敲门行动, 掌鞋, 钟点托, 被打伤 …). Only sets not there yet are
    added; an editor's version of a set is left alone (search.seeding.load_lexicon). No
    reindexing is needed."""
    from search.seeding import load_lexicon

    load_lexicon(apps.get_model("search", "SynonymSet"))


class Migration(migrations.Migration):
    dependencies = [("search", "0020_reseed_lexicon")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
