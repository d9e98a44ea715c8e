"""Each service's cost category stored in its row, so that the lists filter and count by
cost off an index instead of looking at every service's prices (issue 14), filled here
for the services there are.

The fill is the rule as ``catalog.filters.cost_category_q`` states it when this migration
was written (a migration must not depend on code that may change after it); from here on,
``catalog.filters.store_cost_categories`` keeps the column with that function."""

from django.db import migrations, models
from django.db.models import Case, Exists, OuterRef, Q, Value, When


def fill(apps, schema_editor):
    Service = apps.get_model("catalog", "Service")
    CostOption = apps.get_model("catalog", "CostOption")
    low_cost = Q(kind="low_cost")
    charges = Q(Exists(CostOption.objects.filter(service=OuterRef("pk"), amount__gt=0)))
    free_kind = Q(kind__in=["government", "public_welfare"])
    Service.objects.update(
        stored_cost_category=Case(
            When(low_cost, then=Value("low_cost")),
            When(free_kind | ~charges, then=Value("free")),
            default=Value("market"),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0010_service_listing_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="service",
            name="stored_cost_category",
            field=models.CharField(
                choices=[("free", "免费"), ("low_cost", "低偿"), ("market", "市场价")],
                default="",
                editable=False,
                max_length=10,
                verbose_name="收费类型",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
