from django.db import migrations


def seed(apps, schema_editor):
    """The lines added to the lexicon (search/seed/lexicon.tsv) since migration 0019, written
    service by service from the catalog and public sources, not from residents' queries:
    everyday, former, local and Hong Kong names of the government services (生果金, 综援,
    公屋, 养老助残卡, 合疗, 红本本, 再就业优惠证, 报工伤, 报临时户口 …) and residents'
    needs and trade names of the centers' other services (三点半放学, 收到传票, 吞咽困难,
    车位被占, 插座冒火花, 通渠, 陪月, 飞发, 坝坝舞, 扦脚, 过早 …), for databases that ran
    0019 before: only sets not there yet are added, an editor's version of a set is left
    alone (search.seeding.load_lexicon). No reindexing is needed."""
    from search.seeding import load_lexicon

    load_lexicon(apps.get_model("search", "SynonymSet"))


class Migration(migrations.Migration):
    dependencies = [("search", "0019_reseed_lexicon")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
