"""The starting list of activity kinds, and on PostgreSQL the database's own guard against
two occurrences holding one room at overlapping times (activities.scheduling refuses them
first, with a message; this catches anything that bypassed it)."""

from django.db import migrations

KINDS = ["党群活动", "文体康养", "四点半课堂", "志愿服务", "议事协商", "培训讲座", "便民服务"]

EXCLUSION = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE activities_occurrence
    ADD CONSTRAINT occurrence_room_not_double_booked
    EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
    WHERE (room_id IS NOT NULL AND status <> 'cancelled')
    DEFERRABLE INITIALLY DEFERRED;
"""
DROP_EXCLUSION = (
    "ALTER TABLE activities_occurrence DROP CONSTRAINT IF EXISTS occurrence_room_not_double_booked;"
)


def seed_kinds(apps, schema_editor):
    ActivityKind = apps.get_model("activities", "ActivityKind")
    for order, name in enumerate(KINDS):
        ActivityKind.objects.get_or_create(name=name, defaults={"sort_order": order})


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXCLUSION)


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_EXCLUSION)


class Migration(migrations.Migration):
    dependencies = [("activities", "0003_activities_occurrences_sign_ups")]

    operations = [
        migrations.RunPython(seed_kinds, migrations.RunPython.noop),
        migrations.RunPython(add_exclusion, drop_exclusion),
    ]
