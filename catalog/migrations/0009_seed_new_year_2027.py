"""元旦 2027-01-01, the one day of 2027 fixed by law (catalog.holiday_seed), for databases
seeded with 2026 only; the rest of 2027 is entered by editors once announced."""

from django.db import migrations

from catalog.holiday_seed import SCHEDULE_2027, seed_public_holidays


def seed(apps, schema_editor):
    seed_public_holidays(apps.get_model("catalog", "PublicHoliday"), SCHEDULE_2027)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_seed_schedule_taxonomy")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
