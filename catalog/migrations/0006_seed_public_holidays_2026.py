from django.db import migrations

from catalog.holiday_seed import SCHEDULE_2026, seed_public_holidays


def seed(apps, schema_editor):
    seed_public_holidays(apps.get_model("catalog", "PublicHoliday"), SCHEDULE_2026)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_publicholiday")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
