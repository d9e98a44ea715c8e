"""The district's default cadence rules, from the seeds: finance monthly, party and
residents' affairs quarterly, services yearly, major matters within 7 days of the decision.
Editors change them, or add a center's own, in the admin."""

from django.db import migrations

DEFAULT_RULES = [
    # (kind, frequency, due_day of the month after the period, within_days for matters)
    ("finance", "month", 10, 7),
    ("party", "quarter", 15, 7),
    ("affairs", "quarter", 15, 7),
    ("service", "year", 31, 7),
    ("party", "matter", 10, 7),
    ("affairs", "matter", 10, 7),
]


def add_defaults(apps, schema_editor):
    CadenceRule = apps.get_model("disclosures", "CadenceRule")
    for kind, frequency, due_day, within_days in DEFAULT_RULES:
        CadenceRule.objects.get_or_create(
            center=None,
            kind=kind,
            frequency=frequency,
            defaults={"due_day": due_day, "within_days": within_days},
        )


def remove_defaults(apps, schema_editor):
    apps.get_model("disclosures", "CadenceRule").objects.filter(center=None).delete()


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
