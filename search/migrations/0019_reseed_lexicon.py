from django.db import migrations


def seed(apps, schema_editor):
    """The lines added to the lexicon (search/seed/lexicon.tsv) since migration 0018, after
    the seventh batch of resident queries: everyday and local names (老年优惠证, 吃救济,
    社保补贴, 裁缝铺, 爱心驿站, 党员介绍信, 残疾军人补贴, 跨省看病, 电动车过户 …) and needs
    in residents' words (一口口喂, 能长住的地方, 上下车费劲, 弯不下腰, 都下岗了, 号封了,
    没厚衣服, 只开几天, 医保能接上, 社保卡刷不出来, 一级残疾, 争房子, 不认账 …), for
    databases that ran 0018 before: only sets not there yet are added, an editor's version
    of a set is left alone (search.seeding.load_lexicon). No reindexing is needed."""
    from search.seeding import load_lexicon

    load_lexicon(apps.get_model("search", "SynonymSet"))


class Migration(migrations.Migration):
    dependencies = [("search", "0018_reseed_lexicon")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
