from django.db import migrations


def seed(apps, schema_editor):
    """The 73 lines added to the lexicon (search/seed/lexicon.tsv) since migration 0015:
    government guides' 俗称 and short names (家医, 房补, 廉租公寓, 领证, 老年乘车卡, 老年饭卡,
    失业救济金, 晚托, 救急钱 …) and needs of the 12345 hotline's categories in residents'
    words (被公司辞退, 老板不给钱, 下不了楼买菜, 转头就忘, 伺候不动了 …), for databases that
    ran 0015 before: only sets not there yet are added, an editor's version of a set is
    left alone (search.seeding.load_lexicon). No reindexing is needed."""
    from search.seeding import load_lexicon

    load_lexicon(apps.get_model("search", "SynonymSet"))


class Migration(migrations.Migration):
    dependencies = [("search", "0016_service_head_table")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
