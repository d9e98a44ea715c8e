"""The lists' order as an index: the visible services by kind rank, name and id (kind
included), so that a page of /fuwu/ or a center's list and the kind counts read an index
instead of sorting and scanning the whole services table; and the services offered at a
place by (location, service), which a center's list reads without the table (issue 14)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_seed_new_year_2027"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="service",
            index=models.Index(
                models.Case(
                    models.When(kind="government", then=models.Value(0)),
                    models.When(kind="public_welfare", then=models.Value(1)),
                    models.When(kind="market", then=models.Value(2)),
                    models.When(kind="low_cost", then=models.Value(3)),
                    default=models.Value(4),
                ),
                models.F("name"),
                models.F("id"),
                condition=models.Q(("status__in", ("active", "temporarily closed", "inactive"))),
                include=("kind",),
                name="catalog_service_listing",
            ),
        ),
        migrations.AddIndex(
            model_name="serviceatlocation",
            index=models.Index(fields=["location", "service"], name="catalog_sal_location_service"),
        ),
    ]
