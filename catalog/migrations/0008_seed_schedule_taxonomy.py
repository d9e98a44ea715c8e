from django.db import migrations

from catalog.taxonomy_seed import seed_taxonomies

SCHEDULE_TAXONOMY = "jiamenkou-schedule"


def seed(apps, schema_editor):
    """The schedule rules (法定节假日休息, 特定日期闭馆…) HSDS schedules carry as attributes.
    Only this taxonomy: the others may have been edited since 0002 seeded them."""
    seed_taxonomies(
        apps.get_model("catalog", "Taxonomy"),
        apps.get_model("catalog", "TaxonomyTerm"),
        names={SCHEDULE_TAXONOMY},
    )


def unseed(apps, schema_editor):
    Taxonomy = apps.get_model("catalog", "Taxonomy")
    TaxonomyTerm = apps.get_model("catalog", "TaxonomyTerm")
    TaxonomyTerm.objects.filter(taxonomy__name=SCHEDULE_TAXONOMY).delete()
    Taxonomy.objects.filter(name=SCHEDULE_TAXONOMY).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_schedule_kinds_and_holiday_rules")]

    operations = [migrations.RunPython(seed, unseed)]
