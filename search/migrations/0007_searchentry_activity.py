"""SearchEntry.activity: activities are a result type of their own (search.activities).

On SQLite, changing the one-target check constraint rebuilds the table, and the rebuild
drops the triggers that keep the FTS5 table of 0002 in step: they are created again, and
the full-text index rebuilt from the entries, after the rebuild (both ways). Going back,
activity entries go first (the old constraint does not admit them).
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

FULLTEXT = import_module("search.migrations.0002_fulltext_index")
TRIGGERS = [statement for statement in FULLTEXT.SQLITE_FORWARD if "CREATE TRIGGER" in statement]


def restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in FULLTEXT.SQLITE_BACKWARD:
        if "TRIGGER" in statement:
            schema_editor.execute(statement)
    for statement in TRIGGERS:
        schema_editor.execute(statement)
    schema_editor.execute("INSERT INTO search_entry_fts(search_entry_fts) VALUES ('rebuild')")


def forget_activity_entries(apps, schema_editor):
    apps.get_model("search", "SearchEntry").objects.filter(source="activity").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0004_kinds_and_room_exclusion"),
        ("search", "0006_forget_wagtail_catalog_entries"),
    ]

    operations = [
        # Backwards this runs last, after the table's rebuilds.
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_triggers),
        migrations.RemoveConstraint(model_name="searchentry", name="search_entry_has_one_target"),
        migrations.AddField(
            model_name="searchentry",
            name="activity",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="search_entry",
                to="activities.activity",
            ),
        ),
        migrations.AlterField(
            model_name="searchentry",
            name="source",
            field=models.CharField(
                choices=[("service", "服务事项"), ("activity", "活动"), ("page", "页面")],
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="searchentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("activity__isnull", True),
                        ("page__isnull", True),
                        ("service__isnull", False),
                        ("source", "service"),
                    ),
                    models.Q(
                        ("activity__isnull", False),
                        ("page__isnull", True),
                        ("service__isnull", True),
                        ("source", "activity"),
                    ),
                    models.Q(
                        ("activity__isnull", True),
                        ("page__isnull", False),
                        ("service__isnull", True),
                        ("source", "page"),
                    ),
                    _connector="OR",
                ),
                name="search_entry_has_one_target",
            ),
        ),
        # Backwards this runs first, before the table's rebuilds.
        migrations.RunPython(restore_sqlite_triggers, forget_activity_entries),
    ]
