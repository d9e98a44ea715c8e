"""The listing index carries the stored cost category, so that a list filtered by cost
walks it without reading the table; and a narrow index of the visible services by kind,
cost and id, which the kind counts read in kind order and join a topic's or a center's
services against (issue 14: 100,000 services)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0011_service_stored_cost_category"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="service",
            name="catalog_service_listing",
        ),
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
                include=("kind", "stored_cost_category"),
                name="catalog_service_listing_cost",
            ),
        ),
        migrations.AddIndex(
            model_name="service",
            index=models.Index(
                condition=models.Q(("status__in", ("active", "temporarily closed", "inactive"))),
                fields=["kind", "stored_cost_category", "id"],
                name="catalog_service_facets",
            ),
        ),
    ]
