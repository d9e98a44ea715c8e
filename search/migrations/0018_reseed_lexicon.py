from django.db import migrations


def seed(apps, schema_editor):
    """The 56 lines added to the lexicon (search/seed/lexicon.tsv) since migration 0017:
    local and former names (尊老金, 三无老人, 贫困证明, 老娘舅, 时间银行, 小一学位, 农民养老金,
    金融社保卡, 4050人员 …) and needs in residents' words (上班摔了, 报完还差, 刚生下来, 刚退伍,
    排节目, 手机交电费, 怀上了, 楼上渗水, 没人伺候, 头发老长 …), for databases that ran 0017
    before: only sets not there yet are added, an editor's version of a set is left alone
    (search.seeding.load_lexicon). No reindexing is needed."""
    from search.seeding import load_lexicon

    load_lexicon(apps.get_model("search", "SynonymSet"))


class Migration(migrations.Migration):
    dependencies = [("search", "0017_reseed_lexicon")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
