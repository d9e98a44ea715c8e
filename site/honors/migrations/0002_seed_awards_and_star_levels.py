"""The seeds' awards (善行义举四德榜 …) and star levels (一星 to 五星志愿者); editors change
both in the admin."""

from django.db import migrations

AWARDS = ["好邻居", "最美家庭", "五星志愿者", "孝老爱亲", "诚实守信", "助人为乐", "敬业奉献"]
STAR_LEVELS = [
    (1, "一星志愿者", 50),
    (2, "二星志愿者", 150),
    (3, "三星志愿者", 300),
    (4, "四星志愿者", 600),
    (5, "五星志愿者", 1000),
]


def seed(apps, schema_editor):
    Award = apps.get_model("honors", "Award")
    StarLevel = apps.get_model("honors", "StarLevel")
    for order, name in enumerate(AWARDS):
        Award.objects.get_or_create(name=name, defaults={"sort_order": order})
    for stars, name, min_points in STAR_LEVELS:
        StarLevel.objects.get_or_create(
            stars=stars, defaults={"name": name, "min_points": min_points}
        )


class Migration(migrations.Migration):
    dependencies = [("honors", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
