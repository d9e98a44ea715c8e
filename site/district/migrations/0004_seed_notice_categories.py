"""The notice categories a district starts with; editors may rename, add or reorder them
(snippets 通知类别). Reversing leaves them: notices may point at them by then."""

from django.db import migrations

#: (slug, name, is_urgent), in the order they are listed.
CATEGORIES = [
    ("huodong-yugao", "活动预告", False),
    ("banshi-tixing", "办事提醒", False),
    ("tingshui-tingdian", "停水停电", True),
    ("zhaomu", "招募", False),
    ("zhengce-xuanchuan", "政策宣传", False),
    ("qita", "其他", False),
]


def seed_categories(apps, schema_editor):
    NoticeCategory = apps.get_model("district", "NoticeCategory")
    for order, (slug, name, is_urgent) in enumerate(CATEGORIES, start=1):
        NoticeCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "is_urgent": is_urgent, "sort_order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("district", "0003_notice_categories_pinning_expiry")]

    operations = [migrations.RunPython(seed_categories, migrations.RunPython.noop)]
